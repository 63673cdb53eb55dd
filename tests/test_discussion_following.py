"""Mentions, follows, read state and the What's new page."""
from r2pnet.discussions import services
from r2pnet.discussions.models import Mention, Post, Thread, ThreadRead
from r2pnet.discussions.schemas import ThreadSchema
from tests.helpers import post_form, region, soup
from tests.signin import sign_in_as


def thread_by(author, region_key="africa", title="Elections and hate speech", body="Opening"):
    data = ThreadSchema().load({"title": title, "body_md": body})
    region_id = region(region_key).id if region_key else None
    return services.create_thread(author, region_id, data).thread


def whats_new(client):
    return soup(client.get("/new"))


def test_a_mention_of_a_reader_links_their_profile_and_reaches_their_whats_new(
        client, make_member):
    amina = make_member(region_key="africa", name="Amina Diallo")
    kofi = make_member(region_key="africa", name="Kofi Mensah")
    thread = thread_by(amina)
    sign_in_as(client, amina)
    response = post_form(client, f"/threads/{thread.id}/reply",
                         {"body_md": "What does @[kofi mensah] think?"})
    assert response.status_code == 302
    post = Post.get(Post.number == 2)
    assert f'<a href="/members/{kofi.id}"' in post.body_html and "@Kofi Mensah" in post.body_html
    assert [m.member_id for m in Mention.select()] == [kofi.id]
    sign_in_as(client, kofi)
    mentions = whats_new(client).find(id="h-mentions").find_parent("section")
    assert "Amina Diallo mentioned you in #2" in mentions.text
    assert "New" in mentions.text


def test_a_mention_of_someone_who_cannot_see_the_thread_does_nothing_and_says_so(
        client, make_member):
    amina = make_member(region_key="africa", name="Amina Diallo")
    make_member(region_key="europe", name="Jan Novak")
    thread = thread_by(amina)
    sign_in_as(client, amina)
    response = post_form(client, f"/threads/{thread.id}/reply",
                         {"body_md": "Ask @[Jan Novak] and @[Nobody Here]"})
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Jan Novak cannot see this thread" in page
    assert "No member is called “Nobody Here”" in page
    assert Mention.select().count() == 0
    body = Post.get(Post.number == 2).body_html
    assert "/members/" not in body and "@Jan Novak" in body


def test_a_mention_in_a_new_thread_and_in_an_edit_counts_once(client, make_member):
    amina = make_member(region_key="africa", name="Amina Diallo")
    kofi = make_member(region_key="africa", name="Kofi Mensah")
    sign_in_as(client, amina)
    post_form(client, "/regions/africa/new", {"title": "T", "body_md": "Hi @[Kofi Mensah]"})
    post = Post.get()
    post_form(client, f"/posts/{post.id}/edit",
              {"title": "T", "body_md": "Hello @[Kofi Mensah]", "version": "1"})
    assert [(m.member_id, m.post_id) for m in Mention.select()] == [(kofi.id, post.id)]


def test_replying_follows_the_thread_and_new_replies_show_as_unread(client, make_member):
    amina = make_member(region_key="africa")
    kofi = make_member(region_key="africa")
    thread = thread_by(amina)
    services.reply(kofi, thread, "First reply")
    sign_in_as(client, amina)
    listed = soup(client.get("/regions/africa")).select_one(".thread-list li")
    assert "1 unread" in listed.text
    news = whats_new(client).find(id="h-followed").find_parent("section")
    assert "Elections and hate speech" in news.text and "1 unread" in news.text
    client.get(f"/threads/{thread.id}")
    assert ThreadRead.get(ThreadRead.member == amina.id).last_read_number == 2
    assert "unread" not in soup(client.get("/regions/africa")).select_one(".thread-list li").text
    assert "Elections and hate speech" not in whats_new(client).find(
        id="h-followed").find_parent("section").text


def test_a_thread_never_opened_counts_every_post_unread(client, make_member):
    amina = make_member(region_key="africa")
    thread = thread_by(amina)
    services.reply(amina, thread, "More")
    sign_in_as(client, make_member(region_key="africa"))
    assert "2 unread" in soup(client.get("/regions/africa")).select_one(".thread-list li").text


def test_following_a_space_brings_its_new_threads_to_whats_new(client, make_member):
    reader = make_member(region_key="africa")
    sign_in_as(client, reader)
    assert post_form(client, "/regions/africa/follow", {"follow": "1"}).status_code == 302
    post_form(client, "/regions/africa/follow", {"follow": "1"})  # twice is still once
    thread_by(make_member(region_key="africa"), title="Atrocity risk assessment")
    thread_by(make_member(region_key="africa"), region_key=None, title="Network question")
    news = whats_new(client).text
    assert "Atrocity risk assessment" in news and "Network question" not in news
    post_form(client, "/network/follow", {"follow": "1"})
    assert "Network question" in whats_new(client).text
    post_form(client, "/regions/africa/follow", {"follow": "0"})
    assert "Atrocity risk assessment" not in whats_new(client).text


def test_unfollowing_a_thread_removes_it_from_whats_new(client, make_member):
    amina, kofi = make_member(region_key="africa"), make_member(region_key="africa")
    thread = thread_by(amina)
    services.reply(kofi, thread, "Reply")
    sign_in_as(client, amina)
    post_form(client, f"/threads/{thread.id}/follow", {"follow": "0"})
    assert "Elections and hate speech" not in whats_new(client).text


def test_mark_all_as_read_empties_whats_new(client, make_member):
    amina, kofi = make_member(region_key="africa"), make_member(region_key="africa")
    thread = thread_by(amina)
    services.reply(kofi, thread, "Reply")
    sign_in_as(client, amina)
    assert post_form(client, "/new/read", csrf_from="/new").status_code == 302
    assert ThreadRead.get(ThreadRead.member == amina.id).last_read_number == 2
    assert "Nothing unread" in whats_new(client).text


def test_whats_new_never_shows_what_the_reader_can_no_longer_see(client, make_member):
    amina = make_member(region_key="africa")
    reader = make_member(region_key="africa")
    thread = thread_by(amina, title="Soon elsewhere")
    services.follow_thread(reader, thread)
    services.reply(amina, thread, "@[%s] look" % reader.name)
    Thread.update(region=region("europe").id).where(Thread.id == thread.id).execute()
    sign_in_as(client, reader)
    assert "Soon elsewhere" not in whats_new(client).text


def test_the_thread_page_opens_on_the_first_unread_page(client, make_member):
    amina = make_member(region_key="africa")
    thread = thread_by(amina)
    for n in range(60):
        services.reply(amina, thread, f"Reply {n}")
    reader = make_member(region_key="africa")
    services.mark_read(reader, Thread.get_by_id(thread.id), 55)
    sign_in_as(client, reader)
    page = soup(client.get(f"/threads/{thread.id}"))
    assert page.find(id="post-56") is not None and page.find(id="post-1") is None
    assert "Page 2 of 2" in page.text
