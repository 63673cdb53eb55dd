"""The browse page's lesson cards are kept per process: what each reader sees still follows
every change to a lesson, its author and its classification, and the reader's time zone."""
import datetime as dt

from r2pnet.knowledge.models import Lesson, LessonTerm
from r2pnet.members.models import Member
from tests.helpers import soup
from tests.signin import sign_in_as


def cards(client):
    return [card.get_text(" ", strip=True) for card in soup(client.get("/lessons")).select(
        "article.card")]


def test_a_changed_title_shows_on_a_page_read_before(client, make_member, make_lesson):
    lesson = make_lesson(make_member(), title="Early-warning desk")
    sign_in_as(client, make_member())
    assert "Early-warning desk" in cards(client)[0]
    Lesson.update(title="Early-warning unit").where(Lesson.id == lesson.id).execute()
    assert "Early-warning unit" in cards(client)[0]


def test_a_renamed_author_shows_on_a_page_read_before(client, make_member, make_lesson):
    author = make_member(name="Amina Diallo", organization="Ministry of Foreign Affairs")
    make_lesson(author)
    sign_in_as(client, make_member())
    assert "Amina Diallo, Ministry of Foreign Affairs" in cards(client)[0]
    Member.update(name="Amina Diallo-Ba").where(Member.id == author.id).execute()
    assert "Amina Diallo-Ba, Ministry of Foreign Affairs" in cards(client)[0]


def test_a_lesson_made_anonymous_no_longer_names_its_author(client, make_member, make_lesson):
    lesson = make_lesson(make_member(name="Amina Diallo"), region_key="africa")
    sign_in_as(client, make_member())
    assert "Amina Diallo" in cards(client)[0]
    Lesson.update(attribution="anonymous").where(Lesson.id == lesson.id).execute()
    [card] = cards(client)
    assert "Amina Diallo" not in card and "A Member State in Africa" in card


def test_new_tags_show_on_the_card(client, make_member, make_lesson):
    lesson = make_lesson(make_member(), tags=["elections"])
    sign_in_as(client, make_member())
    assert "#elections" in cards(client)[0]
    LessonTerm.create(lesson=lesson, kind="tag", key="hate speech")
    assert "#hate speech" in cards(client)[0]


def test_each_reader_sees_the_date_in_their_own_zone(client, make_member, make_lesson):
    lesson = make_lesson(make_member())
    published = dt.datetime(2026, 11, 2, 20, 0)
    Lesson.update(published_at=published).where(Lesson.id == lesson.id).execute()
    readers = (("UTC", "02 Nov 2026"), ("Asia/Tokyo", "03 Nov 2026"), ("UTC", "02 Nov 2026"))
    for zone, day in readers:
        sign_in_as(client, make_member(timezone=zone))
        assert day in cards(client)[0]
