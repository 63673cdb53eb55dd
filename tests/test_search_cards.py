"""The search page's results are kept per process: each still follows every change to what it
shows."""
from r2pnet.discussions.models import Thread
from r2pnet.knowledge.models import Lesson
from r2pnet.members.models import Member, Region
from tests.helpers import region, soup
from tests.moderation_helpers import make_reply, make_thread
from tests.signin import sign_in_as


def section(client, heading, q, **environ):
    page = soup(client.get("/search", query_string={"q": q}, environ_overrides=environ))
    return page.find(id=heading).find_parent("section")


def test_a_renamed_lesson_shows_under_its_new_title(client, make_member, make_lesson):
    reader = make_member()
    lesson = make_lesson(make_member(), title="Radio against hate")
    sign_in_as(client, reader)
    assert "Radio against hate" in section(client, "h-lessons", "radio").text
    Lesson.update(title="Radio against hate speech").where(Lesson.id == lesson.id).execute()
    assert "Radio against hate speech" in section(client, "h-lessons", "radio").text


def test_a_renamed_thread_shows_under_its_new_title(client, make_member):
    reader = make_member()
    thread = make_thread(make_member(), "africa", title="Hotline for survivors")
    sign_in_as(client, reader)
    assert "Hotline for survivors" in section(client, "h-threads", "hotline").text
    Thread.update(title="Hotline for survivors at night").where(
        Thread.id == thread.id).execute()
    assert "survivors at night" in section(client, "h-threads", "hotline").text


def test_a_renamed_space_shows(client, make_member):
    reader = make_member()
    make_thread(make_member(), "africa", title="Hotline for survivors")
    sign_in_as(client, reader)
    assert "Africa (AU)" not in section(client, "h-threads", "hotline").text
    Region.update(name="Africa (AU)").where(Region.id == region("africa").id).execute()
    assert "Africa (AU)" in section(client, "h-threads", "hotline").text


def test_a_reply_shows_its_renamed_author(client, make_member):
    reader, replier = make_member(), make_member(name="Kofi Mensah")
    make_reply(replier, make_thread(make_member(), "africa", title="Hotlines"),
               body="Our hotline answered survivors at night.")
    sign_in_as(client, reader)
    assert "by Kofi Mensah" in section(client, "h-posts", "survivors").text
    Member.update(name="Kofi Mensah-Owusu").where(Member.id == replier.id).execute()
    assert "by Kofi Mensah-Owusu" in section(client, "h-posts", "survivors").text


def test_a_reply_shows_its_renamed_thread(client, make_member):
    reader = make_member()
    thread = make_thread(make_member(), "africa", title="Hotlines")
    make_reply(make_member(), thread, body="Our hotline answered survivors at night.")
    sign_in_as(client, reader)
    assert "Hotlines ·" in section(client, "h-posts", "survivors").text
    Thread.update(title="Hotlines at night").where(Thread.id == thread.id).execute()
    assert "Hotlines at night ·" in section(client, "h-posts", "survivors").text


def test_the_snippet_follows_the_words_and_links_follow_the_apps_path(client, make_member,
                                                                      make_lesson):
    reader = make_member()
    lesson = make_lesson(make_member(), title="Radio and hotline",
                         practice_md="A hotline for survivors. Radio messages against hate.")
    sign_in_as(client, reader)
    assert "<mark>hotline</mark>" in str(section(client, "h-lessons", "hotline"))
    assert "<mark>Radio</mark>" in str(section(client, "h-lessons", "radio"))
    mounted = section(client, "h-lessons", "radio", SCRIPT_NAME="/r2p")
    assert mounted.find("a", href=f"/r2p/lessons/{lesson.id}")


def test_a_replys_snippet_follows_the_words(client, make_member):
    reader = make_member()
    make_reply(make_member(), make_thread(make_member(), "africa", title="Lines"),
               body="Our hotline answered survivors at night.")
    sign_in_as(client, reader)
    assert "<mark>hotline</mark>" in str(section(client, "h-posts", "hotline"))
    assert "<mark>survivors</mark>" in str(section(client, "h-posts", "survivors"))
