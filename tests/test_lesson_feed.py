"""The Atom feed of new lessons: a personal token stands in for the session, visibility holds."""
import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

import pytest
from itsdangerous import URLSafeSerializer

from r2pnet.audit.models import AuditEvent
from r2pnet.members.models import Member, utcnow
from tests.helpers import post_form, soup
from tests.signin import sign_in_as
from tests.test_lesson_exports import (AFRICA_ONLY, ANONYMIZED, AUTHOR_TRACES, DRAFT, NETWORK,
                                       PUBLIC, VISIBLE, build_world)

ATOM = "{http://www.w3.org/2005/Atom}"
ALL_TITLES = {NETWORK, AFRICA_ONLY, PUBLIC, DRAFT, ANONYMIZED}


@pytest.fixture
def world(make_member, make_lesson):
    return build_world(make_member, make_lesson)


@pytest.fixture
def feed_url(app):
    """The feed address a member copies from their feed page: feed_url(member, "?filters")."""
    def read(member, query=""):
        browser = sign_in_as(app.test_client(), member)
        page = browser.get(f"/lessons/feed{query}")
        assert page.status_code == 200
        url = soup(page).find("input", id="feed-url")["value"]
        parts = urlsplit(url)
        assert f"{parts.scheme}://{parts.netloc}" == "http://r2pnet.test"
        return f"{parts.path}?{parts.query}"
    return read


@pytest.fixture
def reader(app):
    """A feed reader: a client without any cookie."""
    return app.test_client()


def entries(response):
    """The feed's entries as {title: entry element}, after checking it is Atom XML."""
    assert response.status_code == 200, response.status_code
    assert response.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    feed = ET.fromstring(response.data)
    assert feed.tag == f"{ATOM}feed"
    return {entry.findtext(f"{ATOM}title"): entry for entry in feed.findall(f"{ATOM}entry")}


def signed(app, payload, salt="lesson-feed", key=None):
    return URLSafeSerializer(key or app.config["SECRET_KEY"], salt=salt).dumps(payload)


@pytest.mark.parametrize("viewer", VISIBLE)
def test_the_feed_lists_exactly_the_lessons_its_owner_may_read(world, feed_url, reader,
                                                                viewer):
    _, viewers = world
    response = reader.get(feed_url(viewers[viewer]))

    assert set(entries(response)) == VISIBLE[viewer]
    body = response.get_data(as_text=True)
    for hidden in ALL_TITLES - VISIBLE[viewer]:
        assert hidden not in body


def test_the_feed_is_atom_with_ids_links_dates_and_summaries(world, feed_url, reader):
    lessons, viewers = world
    response = reader.get(feed_url(viewers["member of africa"]))

    feed = ET.fromstring(response.data)
    assert feed.findtext(f"{ATOM}id") == "http://r2pnet.test/lessons"
    assert feed.findtext(f"{ATOM}title") == "r2pnet: lessons learned"
    assert feed.findtext(f"{ATOM}updated").endswith("Z")
    assert feed.find(f"{ATOM}author/{ATOM}name").text == "r2pnet"
    titles = [entry.findtext(f"{ATOM}title") for entry in feed.findall(f"{ATOM}entry")]
    assert titles == [ANONYMIZED, PUBLIC, AFRICA_ONLY, NETWORK]  # newest first
    entry = entries(response)[NETWORK]
    lesson = lessons[NETWORK]
    url = f"http://r2pnet.test/lessons/{lesson.id}"
    assert entry.findtext(f"{ATOM}id") == url
    assert entry.find(f"{ATOM}link").attrib == {"rel": "alternate", "type": "text/html",
                                                "href": url}
    assert entry.findtext(f"{ATOM}published") == \
        lesson.published_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert entry.findtext(f"{ATOM}updated").endswith("Z")
    assert entry.findtext(f"{ATOM}summary") == lesson.summary
    assert entry.find(f"{ATOM}author/{ATOM}name").text == "Kwame Mensah"


def test_an_anonymized_lesson_in_the_feed_names_no_author(world, feed_url, reader):
    _, viewers = world
    found = entries(reader.get(feed_url(viewers["member of europe"])))

    anonymized = found[ANONYMIZED]
    assert anonymized.find(f"{ATOM}author") is None
    text = ET.tostring(anonymized, encoding="unicode")
    assert [trace for trace in AUTHOR_TRACES if trace in text] == []


def test_the_feed_follows_the_filters_of_the_page_it_was_copied_from(
        make_member, make_lesson, feed_url, reader):
    author = make_member(region_key="africa", password=None)
    make_lesson(author, title="Election violence monitors", pillars=["pillar_2"])
    make_lesson(author, title="Training of police", pillars=["pillar_2"])
    make_lesson(author, title="Election observers", pillars=["pillar_1"])
    member = make_member(region_key="europe", password=None)

    address = feed_url(member, "?pillar=pillar_2&q=election&page=3&sort=useful")

    assert "pillar=pillar_2" in address and "q=election" in address
    assert "page=" not in address and "sort=" not in address
    assert set(entries(reader.get(address))) == {"Election violence monitors"}
    assert len(entries(reader.get(feed_url(member)))) == 3


def test_the_feed_holds_the_50_newest_lessons_newest_first(make_member, make_lesson,
                                                           feed_url, reader):
    author = make_member(region_key="africa", password=None)
    for n in range(52):
        make_lesson(author, title=f"Lesson {n}")

    feed = ET.fromstring(reader.get(feed_url(author)).data)

    titles = [entry.findtext(f"{ATOM}title") for entry in feed.findall(f"{ATOM}entry")]
    assert titles == [f"Lesson {n}" for n in range(51, 1, -1)]


def test_text_xml_cannot_carry_does_not_break_the_feed(make_member, make_lesson, feed_url,
                                                       reader):
    author = make_member(name="Ada <b>&amp;</b>", region_key="africa", password=None)
    make_lesson(author, title="Bell \x07 and <tags> & ampersands ]]>",
                summary="Vertical\x0btab and a \x1f unit separator")

    (title,) = entries(reader.get(feed_url(author)))

    assert title == "Bell  and <tags> & ampersands ]]>"


def test_resetting_the_token_kills_every_old_feed_address(app, world, feed_url, reader):
    _, viewers = world
    member = viewers["member of africa"]
    old = feed_url(member)
    other = feed_url(viewers["member of europe"])
    assert reader.get(old).status_code == 200
    browser = sign_in_as(app.test_client(), member)

    response = post_form(browser, "/lessons/feed/reset?pillar=pillar_1", csrf_from="/lessons/feed")

    assert response.status_code == 302
    assert response.headers["Location"] == "/lessons/feed?pillar=pillar_1"
    assert reader.get(old).status_code == 404
    new = feed_url(member)
    assert new != old
    assert set(entries(reader.get(new))) == VISIBLE["member of africa"]
    assert reader.get(other).status_code == 200  # nobody else's address changed
    event = AuditEvent.get(AuditEvent.action == "feed_token_reset")
    assert event.actor_id == member.id and event.target_id == member.id


def test_the_reset_needs_a_post_with_a_csrf_token(app, world, feed_url, reader):
    _, viewers = world
    member = viewers["member of africa"]
    address = feed_url(member)
    browser = sign_in_as(app.test_client(), member)

    assert browser.get("/lessons/feed/reset").status_code == 405
    assert browser.post("/lessons/feed/reset").status_code == 400

    assert Member.get_by_id(member.id).feed_version == 1
    assert reader.get(address).status_code == 200


def test_the_feed_page_warns_that_the_address_is_personal(app, world):
    _, viewers = world
    browser = sign_in_as(app.test_client(), viewers["author"])

    page = soup(browser.get("/lessons/feed?pillar=pillar_1&mine=1"))

    assert "This address is personal." in page.get_text()
    assert "mine=" not in page.find("input", id="feed-url")["value"]
    form = page.find("form", action="/lessons/feed/reset?pillar=pillar_1")
    assert form is not None and form.find("input", attrs={"name": "csrf_token"})["value"]


BAD_TOKENS = {
    "missing": lambda app, member: None,
    "empty": lambda app, member: "",
    "garbage": lambda app, member: "not-a-token",
    "tampered": lambda app, member: signed(app, [member.id, 1])[:-2] + "AA",
    "other secret key": lambda app, member: signed(app, [member.id, 1], key="another-key" * 4),
    "other salt": lambda app, member: signed(app, [member.id, 1], salt="unsubscribe"),
    "unknown member": lambda app, member: signed(app, [member.id + 1000, 1]),
    "another version": lambda app, member: signed(app, [member.id, 2]),
    "not numbers": lambda app, member: signed(app, [str(member.id), "1"]),
    "not a pair": lambda app, member: signed(app, {"id": member.id}),
    "huge number": lambda app, member: signed(app, [2**70, 1]),
}


@pytest.mark.parametrize("make_token", BAD_TOKENS.values(), ids=BAD_TOKENS.keys())
def test_a_bad_token_is_not_found(app, world, reader, make_token):
    _, viewers = world
    token = make_token(app, viewers["administrator"])
    path = "/lessons.atom" if token is None else f"/lessons.atom?token={token}"

    response = reader.get(path)

    assert response.status_code == 404
    body = response.get_data(as_text=True)
    assert [title for title in ALL_TITLES if title in body] == []


def test_a_disabled_members_feed_is_not_found(world, feed_url, reader):
    _, viewers = world
    member = viewers["moderator of africa"]
    address = feed_url(member)
    Member.update(disabled_at=utcnow()).where(Member.id == member.id).execute()

    assert reader.get(address).status_code == 404


def test_a_session_does_not_replace_the_token(app, world):
    _, viewers = world
    browser = sign_in_as(app.test_client(), viewers["administrator"])

    assert browser.get("/lessons.atom").status_code == 404


def test_a_country_filter_on_the_feed_does_not_unmask_an_anonymized_lesson(world, feed_url,
                                                                          reader):
    _, viewers = world
    address = feed_url(viewers["member of europe"], "?country=GH")

    assert set(entries(reader.get(address))) == {NETWORK, PUBLIC}
