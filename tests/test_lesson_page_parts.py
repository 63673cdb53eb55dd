"""A lesson page's head and classification are kept per process: what each reader sees still
follows every change to the lesson, its author, region and terms, their rights and time zone."""
import datetime as dt

from r2pnet.knowledge.models import Lesson, LessonTerm
from r2pnet.members.models import Member, Region
from tests.helpers import soup
from tests.signin import sign_in_as


def page(client, lesson):
    return soup(client.get(f"/lessons/{lesson.id}"))


def head(client, lesson):
    return page(client, lesson).select_one("article header").get_text(" ", strip=True)


def classification(client, lesson):
    return page(client, lesson).select_one("aside dl").get_text(" ", strip=True)


def test_a_changed_title_and_summary_show_on_a_page_read_before(client, make_member, make_lesson):
    lesson = make_lesson(make_member(), title="Early-warning desk", summary="A desk.")
    sign_in_as(client, make_member())
    assert "Early-warning desk" in head(client, lesson)
    Lesson.update(title="Early-warning unit", summary="A unit.").where(
        Lesson.id == lesson.id).execute()
    assert "Early-warning unit" in head(client, lesson) and "A unit." in head(client, lesson)


def test_a_renamed_author_and_region_show_on_a_page_read_before(client, make_member,
                                                               make_lesson):
    author = make_member(name="Amina Diallo", organization="Ministry of Foreign Affairs")
    lesson = make_lesson(author, region_key="africa", visibility="region")
    sign_in_as(client, make_member(region_key="africa"))
    assert "Amina Diallo, Ministry of Foreign Affairs" in head(client, lesson)
    Member.update(name="Amina Diallo-Ba").where(Member.id == author.id).execute()
    assert "Amina Diallo-Ba, Ministry of Foreign Affairs" in head(client, lesson)
    Region.update(name="Africa (AU)").where(Region.key == "africa").execute()
    assert "Africa (AU) only" in head(client, lesson)


def test_a_lesson_made_anonymous_no_longer_names_its_author(client, make_member, make_lesson):
    lesson = make_lesson(make_member(name="Amina Diallo"), region_key="africa")
    sign_in_as(client, make_member())
    assert "Amina Diallo" in head(client, lesson)
    Lesson.update(attribution="anonymous").where(Lesson.id == lesson.id).execute()
    shown = head(client, lesson)
    assert "Amina Diallo" not in shown and "A Member State in Africa" in shown


def test_new_terms_show_in_the_classification(client, make_member, make_lesson):
    lesson = make_lesson(make_member(), tags=["elections"])
    sign_in_as(client, make_member())
    assert "#elections" in classification(client, lesson)
    LessonTerm.create(lesson=lesson, kind="tag", key="hate speech")
    LessonTerm.create(lesson=lesson, kind="crime", key="genocide")
    shown = classification(client, lesson)
    assert "#hate speech" in shown and "Genocide" in shown


def test_only_those_who_may_edit_get_the_edit_link_whoever_read_it_first(
        client, make_member, make_lesson):
    author = make_member()
    lesson = make_lesson(author)
    readers = ((author, True), (make_member(), False), (author, True))
    for reader, may_edit in readers:
        sign_in_as(client, reader)
        links = [a.get_text(strip=True) for a in page(client, lesson).select("article header a")]
        assert ("Edit" in links) is may_edit
        assert "History" in links


def test_each_reader_sees_the_dates_in_their_own_zone(client, make_member, make_lesson):
    lesson = make_lesson(make_member())
    published = dt.datetime(2026, 11, 2, 20, 0)
    Lesson.update(published_at=published).where(Lesson.id == lesson.id).execute()
    readers = (("UTC", "02 November 2026"), ("Asia/Tokyo", "03 November 2026"),
               ("UTC", "02 November 2026"))
    for zone, day in readers:
        sign_in_as(client, make_member(timezone=zone))
        assert f"published {day}" in head(client, lesson)
