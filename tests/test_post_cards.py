"""A thread page's post cards are kept per process: what each reader sees still follows every
change to a post, its author, and the reader's own rights and time zone."""
import datetime as dt

from r2pnet.discussions.models import Post, Thread
from r2pnet.members.models import Member
from tests.helpers import post_form, soup
from tests.signin import sign_in_as
from tests.test_discussions import start_thread


def card(client, thread, number=1):
    return soup(client.get(f"/threads/{thread.id}")).find(id=f"post-{number}")


def test_an_edited_post_shows_its_new_text_on_a_page_read_before(client, signed_in):
    signed_in(region_key="africa")
    start_thread(client)
    thread, post = Thread.get(), Post.get()
    assert "share" in card(client, thread).text
    post_form(client, f"/posts/{post.id}/edit",
              {"title": thread.title, "body_md": "Rewritten advice", "version": "1"})
    shown = card(client, thread)
    assert "Rewritten advice" in shown.text and "share" not in shown.text
    assert shown.find("a", string="(edited)") is not None


def test_a_renamed_author_is_shown_under_the_new_name(client, signed_in):
    amina = signed_in(region_key="africa", name="Amina Diallo")
    start_thread(client)
    thread = Thread.get()
    assert "Amina Diallo" in card(client, thread).text
    Member.update(name="Amina Diallo-Ba").where(Member.id == amina.id).execute()
    assert "Amina Diallo-Ba" in card(client, thread).text


def test_each_reader_sees_the_times_in_their_own_zone(client, make_member):
    sign_in_as(client, make_member(region_key="africa"))
    start_thread(client)
    thread = Thread.get()
    Post.update(created_at=dt.datetime(2026, 11, 2, 9, 30)).execute()
    for zone, shown in (("UTC", "02 Nov 2026 09:30 UTC"), ("Asia/Tokyo", "02 Nov 2026 18:30 JST")):
        sign_in_as(client, make_member(region_key="africa", timezone=zone))
        assert shown in card(client, thread).text  # new to this reader
        assert shown in card(client, thread).text  # and read


def test_the_authors_own_links_are_not_shown_to_the_next_reader(client, make_member):
    author, reader = make_member(region_key="africa"), make_member(region_key="africa")
    sign_in_as(client, author)
    start_thread(client)
    post_form(client, f"/threads/{Thread.get().id}/reply", {"body_md": "A reply of my own"})
    thread = Thread.get()
    mine = card(client, thread, 2)
    assert mine.find("a", string="Edit") and not mine.find("a", string="Flag")
    sign_in_as(client, reader)
    theirs = card(client, thread, 2)
    assert theirs.find("a", string="Flag") and not theirs.find("a", string="Edit")
    assert theirs.find("span", string="New") is not None
    assert card(client, thread, 2).find("span", string="New") is None  # read on the last visit


def test_a_hidden_reply_seen_by_a_moderator_stays_hidden_from_members(client, make_member):
    moderator = make_member(region_key="africa", role="moderator", moderates=["africa"])
    sign_in_as(client, make_member(region_key="africa"))
    start_thread(client)
    thread = Thread.get()
    post_form(client, f"/threads/{thread.id}/reply", {"body_md": "Names of the informants"})
    reply = Post.get(Post.number == 2)
    sign_in_as(client, moderator)
    card(client, thread, 2)
    assert "Hidden" not in card(client, thread, 2).text  # read: the card as it is after
    post_form(client, f"/moderation/posts/{reply.id}/hide", {"reason": "Confidential"},
              csrf_from="/moderation")
    shown = card(client, thread, 2)
    assert "Names of the informants" in shown.text and "Hidden: Confidential" in shown.text
    assert shown.find("button", string="Unhide") is not None
    sign_in_as(client, make_member(region_key="africa"))
    page = client.get(f"/threads/{thread.id}").get_data(as_text=True)
    assert "Names of the informants" not in page and 'id="post-2"' not in page
