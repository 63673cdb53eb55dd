"""The lessons page keeps its facet column and newest-first pages per reader and catalogue
version: what it shows is never older than the lessons, and never another reader's."""
import sys
import threading

import pytest

from r2pnet import catalogue, search
from r2pnet.discussions.models import Post, Thread
from r2pnet.extensions import db
from r2pnet.knowledge.models import Lesson, LessonTerm
from r2pnet.knowledge.services import lesson_data, set_useful, update_lesson
from r2pnet.members.models import Member, MemberExpertise, MemberLanguage, Region, utcnow
from tests.api_helpers import Api, token_for
from tests.conftest import BACKEND
from tests.helpers import QueryCounter, region, soup
from tests.moderation_helpers import make_reply, make_thread
from tests.signin import sign_in_as

PAGE = "/lessons?pillar=pillar_1"


def _facet(page, name, label):
    """The count shown next to a facet value, or None when the value is not listed."""
    for link in soup(page).select("aside ul.facet a"):
        if f"{name}=" in link["href"] and link.get_text(" ", strip=True).endswith(label):
            return int(link.find_next_sibling("span").get_text().strip("()"))
    return None


def _titles(page):
    return [h.get_text(strip=True) for h in soup(page).select("article h3")]


def _version(name="lessons"):
    with db.connection_context():
        return tuple(db.execute_sql("SELECT generation, counter FROM catalogue_version "
                                    f"WHERE name = '{name}'").fetchone())


@pytest.fixture
def reader(client, make_member):
    member = make_member(email="reader@example.org", region_key="africa", password=None)
    sign_in_as(client, member)
    return member


@pytest.fixture
def author(make_member):
    return make_member(email="author@example.org", region_key="africa", password=None)


def test_a_lesson_published_after_a_visit_is_counted_and_listed_on_the_next(
        client, reader, author, make_lesson):
    make_lesson(author, title="First lesson", crimes=["genocide"])
    before = client.get(PAGE)
    assert _facet(before, "crime", "Genocide") == 1
    make_lesson(author, title="Second lesson", crimes=["genocide"])
    after = client.get(PAGE)
    assert _facet(after, "crime", "Genocide") == 2
    assert _titles(after) == ["Second lesson", "First lesson"]


def test_a_lesson_made_region_only_leaves_other_regions_pages_at_once(
        client, make_member, author, make_lesson):
    lesson = make_lesson(author, title="Moved lesson", crimes=["genocide"])
    outsider = make_member(email="outsider@example.org", region_key="europe", password=None)
    sign_in_as(client, outsider)
    assert _titles(client.get(PAGE)) == ["Moved lesson"]
    with db.connection_context():
        update_lesson(author, lesson, dict(lesson_data(lesson), visibility="region",
                                           region_id=region("africa").id, publish=True))
    page = client.get(PAGE)
    assert _titles(page) == []
    assert _facet(page, "crime", "Genocide") is None


def test_readers_of_different_regions_never_share_what_was_kept(
        client, make_member, reader, author, make_lesson):
    make_lesson(author, title="Africa only", region_key="africa", visibility="region")
    make_lesson(author, title="For everyone")
    assert _titles(client.get(PAGE)) == ["For everyone", "Africa only"]
    outsider = make_member(email="outsider@example.org", region_key="europe", password=None)
    sign_in_as(client, outsider)
    page = client.get(PAGE)
    assert _titles(page) == ["For everyone"]
    assert "1 lesson" in soup(page).select_one("[role=status]").get_text()


def test_a_term_added_to_a_lesson_is_counted_on_the_next_visit(
        client, reader, author, make_lesson):
    lesson = make_lesson(author)
    assert _facet(client.get(PAGE), "crime", "Genocide") is None
    with db.connection_context():
        LessonTerm.create(lesson=lesson.id, kind="crime", key="genocide")
    assert _facet(client.get(PAGE), "crime", "Genocide") == 1


def test_a_repeated_visit_reads_fewer_statements_and_shows_the_same_page(
        client, reader, author, make_lesson):
    for n in range(3):
        make_lesson(author, title=f"Lesson {n}", crimes=["genocide"])
    with QueryCounter() as first:
        one = client.get(PAGE)
    with QueryCounter() as again:
        two = client.get(PAGE)
    assert one.get_data() == two.get_data()
    # Kept: the facet column (its counts and the regions listed) and the page's choice of
    # lessons, which are read again by id, with their terms.
    assert again.count == first.count - 2


def test_a_useful_mark_shows_at_once_without_moving_the_version(
        client, reader, author, make_lesson):
    lesson = make_lesson(author, title="Useful lesson")
    client.get(PAGE)
    version = _version()
    with db.connection_context():
        set_useful(reader, lesson, True)
    assert _version() == version
    assert "useful to 1" in client.get(PAGE).get_data(as_text=True)


@pytest.mark.parametrize("change, moves", [
    ("publish a lesson", True),
    ("change a lesson's visibility", True),
    ("add a term", True),
    ("remove a term", True),
    ("rename a region's key", True),
    ("reindex a lesson's words", True),
    ("delete a lesson", True),
    ("count a lesson useful", False),
    ("index a thread's words", False),
    ("rename a region", False),
])
def test_writes_that_change_what_a_filter_finds_move_the_version(
        app, author, make_lesson, change, moves):
    lesson = make_lesson(author)
    writes = {
        "publish a lesson": lambda: make_lesson(author, title="Another"),
        "change a lesson's visibility": lambda: Lesson.update(visibility="public").where(
            Lesson.id == lesson.id).execute(),
        "add a term": lambda: LessonTerm.create(lesson=lesson.id, kind="tag", key="new"),
        "remove a term": lambda: LessonTerm.delete().where(LessonTerm.lesson == lesson.id)
        .execute(),
        "rename a region's key": lambda: Region.update(key="africa-2").where(
            Region.key == "africa").execute(),
        "reindex a lesson's words": lambda: search.index("lesson", lesson.id, "New", "words"),
        "delete a lesson": lambda: Lesson.delete().where(Lesson.id == lesson.id).execute(),
        "count a lesson useful": lambda: Lesson.update(useful_count=5).where(
            Lesson.id == lesson.id).execute(),
        "index a thread's words": lambda: search.index("thread", 1, "Thread", "words"),
        "rename a region": lambda: Region.update(name="Africa").where(
            Region.key == "africa").execute(),
    }
    before = _version()
    with db.connection_context():
        writes[change]()
    assert (_version() != before) is moves


def test_a_version_moved_by_a_rolled_back_write_is_rolled_back_too(app, author, make_lesson):
    make_lesson(author)
    before = _version()
    with db.connection_context():
        with db.atomic() as transaction:
            Lesson.update(visibility="public").execute()
            transaction.rollback()
    assert _version() == before


def test_the_kept_values_are_bounded_least_recently_used_first_out():
    memo = catalogue.Memo(2)
    computed = []
    for key in ("a", "b", "a", "c", "b", "a"):
        memo.get(key, lambda key=key: computed.append(key) or key.upper())
    assert computed == ["a", "b", "c", "b", "a"]  # "a" was kept once, then pushed out


def test_threads_sharing_a_small_memo_always_get_each_keys_own_value():
    memo = catalogue.Memo(8)
    wrong, failures = [], []

    def visit(seed):
        try:
            for n in range(4000):
                key = (seed * 7 + n) % 20  # more keys than places: hits, misses, evictions
                if memo.get(key, lambda key=key: f"value {key}") != f"value {key}":
                    wrong.append(key)
        except Exception as exc:  # noqa: BLE001 - any failure of a visit is what is checked
            failures.append(exc)

    threads = [threading.Thread(target=visit, args=(seed,)) for seed in range(8)]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads switch as often as they can
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)

    assert (wrong, failures) == ([], [])
    assert len(memo._items) <= 8


# --- the search page: lessons, threads and replies kept per reader and catalogue versions -----

def _search(client, text):
    """The search page's text (marked words unmarked)."""
    return " ".join(soup(client.get(f"/search?q={text}")).get_text(" ").split()).replace(
        " ,", ",")


def test_a_reply_hidden_after_a_search_leaves_the_next_search(client, reader, author):
    thread = make_thread(author, title="Cross-border alerts")
    post = make_reply(author, thread, body="Call the duty phone after the alert.")
    assert "duty phone" in _search(client, "phone")
    with db.connection_context():
        Post.update(is_hidden=True).where(Post.id == post.id).execute()
    assert "duty phone" not in _search(client, "phone")


def test_a_thread_found_by_one_reader_is_not_shown_to_another_who_may_not_read_it(
        client, make_member, reader, author):
    make_thread(author, region_key="africa", title="Cross-border alerts")
    assert "Cross-border alerts" in _search(client, "alerts")
    outsider = make_member(email="outsider@example.org", region_key="europe", password=None)
    sign_in_as(client, outsider)
    assert "Cross-border alerts" not in _search(client, "alerts")


def test_a_reply_written_after_a_search_is_found_by_the_next(client, reader, author):
    thread = make_thread(author, title="Cross-border alerts")
    assert "duty phone" not in _search(client, "phone")
    make_reply(author, thread, body="Call the duty phone after the alert.")
    assert "duty phone" in _search(client, "phone")


def test_a_lesson_found_by_a_search_is_gone_from_it_once_made_region_only(
        client, make_member, author, make_lesson):
    lesson = make_lesson(author, title="Sahel early warning desk")
    outsider = make_member(email="outsider@example.org", region_key="europe", password=None)
    sign_in_as(client, outsider)
    assert "Sahel early warning desk" in _search(client, "sahel")
    with db.connection_context():
        update_lesson(author, lesson, dict(lesson_data(lesson), visibility="region",
                                           region_id=region("africa").id, publish=True))
    assert "Sahel early warning desk" not in _search(client, "sahel")


def test_a_repeated_search_reads_fewer_statements_and_shows_the_same_results(
        client, reader, author, make_lesson):
    make_lesson(author, title="Sahel early warning desk")
    thread = make_thread(author, title="Sahel alerts")
    make_reply(author, thread, body="The Sahel desk answered.")
    with QueryCounter() as first:
        one = _search(client, "sahel")
    with QueryCounter() as again:
        two = _search(client, "sahel")
    assert one == two and "Sahel early warning desk" in two and "Sahel alerts" in two
    assert again.count < first.count


@pytest.mark.parametrize("change, moves", [
    ("start a thread", True),
    ("reply", True),
    ("hide a reply", True),
    ("hide a thread", True),
    ("rename a thread", True),
    ("pin a thread", False),
    ("index a lesson's words", False),
])
def test_writes_that_change_what_a_search_finds_move_the_discussions_version(
        app, author, change, moves):
    thread = make_thread(author, title="Cross-border alerts")
    post = make_reply(author, thread)
    writes = {
        "start a thread": lambda: make_thread(author, title="Another"),
        "reply": lambda: make_reply(author, thread),
        "hide a reply": lambda: Post.update(is_hidden=True).where(Post.id == post.id).execute(),
        "hide a thread": lambda: Thread.update(is_hidden=True).where(
            Thread.id == thread.id).execute(),
        "rename a thread": lambda: Thread.update(title="Renamed").where(
            Thread.id == thread.id).execute(),
        "pin a thread": lambda: Thread.update(is_pinned=True).where(
            Thread.id == thread.id).execute(),
        "index a lesson's words": lambda: search.index("lesson", 1, "Lesson", "words"),
    }
    before = _version("discussions")
    with db.connection_context():
        writes[change]()
    assert (_version("discussions") != before) is moves



# --- the API's lesson list -------------------------------------------------------------------

def test_the_api_list_shows_a_lesson_published_after_a_call_and_drops_one_made_region_only(
        client, make_member, author, make_lesson):
    moved = make_lesson(author, title="Moved lesson")
    outsider = make_member(email="outsider@example.org", region_key="europe", password=None)
    api = Api(client, token_for(outsider, "read"))

    def titles():
        return [item["title"] for item in api.get("/lessons").get_json()["items"]]

    assert titles() == ["Moved lesson"]
    make_lesson(author, title="New lesson")
    assert titles() == ["New lesson", "Moved lesson"]
    with db.connection_context():
        update_lesson(author, moved, dict(lesson_data(moved), visibility="region",
                                          region_id=region("africa").id, publish=True))
    assert titles() == ["New lesson"]


# --- the directory and the API's member list -------------------------------------------------

def _directory_names(client, query=""):
    return [card.find("strong").get_text(strip=True)
            for card in soup(client.get(f"/members?{query}")).select(".directory-card")]


def test_the_directory_shows_a_member_who_joins_moves_or_learns_a_language_at_once(
        client, make_member, reader):
    assert _directory_names(client, "region=europe") == []
    joined = make_member(email="joined@example.org", name="Joined Member",
                         region_key="europe", password=None)
    assert _directory_names(client, "region=europe") == ["Joined Member"]
    with db.connection_context():
        Member.update(region=region("africa").id).where(Member.id == joined.id).execute()
    assert _directory_names(client, "region=europe") == []
    assert _directory_names(client, "language=pt") == []
    with db.connection_context():
        MemberLanguage.create(member=joined.id, code="pt")
    assert _directory_names(client, "language=pt") == ["Joined Member"]


def test_a_disabled_member_leaves_the_directory_and_the_api_list_at_once(
        client, make_member, reader):
    gone = make_member(email="gone@example.org", name="Leaving Member", password=None)
    api = Api(client, token_for(reader, "read"))

    def api_names():
        return [item["name"] for item in api.get("/members").get_json()["items"]]

    assert "Leaving Member" in _directory_names(client) and "Leaving Member" in api_names()
    with db.connection_context():
        Member.update(disabled_at=utcnow()).where(Member.id == gone.id).execute()
    assert "Leaving Member" not in _directory_names(client)
    assert "Leaving Member" not in api_names()


@pytest.mark.parametrize("change, moves", [
    ("rename", True),
    ("change role", True),
    ("add a language", True),
    ("add an area of expertise", True),
    ("sign in", False),
    ("change the time zone", False),
])
def test_writes_that_change_what_the_directory_finds_move_the_members_version(
        app, make_member, change, moves):
    member = make_member(email="someone@example.org", password=None)
    writes = {
        "rename": {"name": "Renamed"},
        "change role": {"role": "moderator"},
        "sign in": {"last_login_at": utcnow()},
        "change the time zone": {"timezone": "Europe/Paris"},
    }
    before = _version("members")
    with db.connection_context():
        if change == "add a language":
            MemberLanguage.create(member=member.id, code="ar")
        elif change == "add an area of expertise":
            MemberExpertise.create(member=member.id, key="pillar_2")
        else:
            Member.update(**writes[change]).where(Member.id == member.id).execute()
    assert (_version("members") != before) is moves


def test_the_home_page_counts_a_member_who_joins_and_a_region_renamed_at_once(
        client, make_member, reader):
    def cards():
        return {item.find("a").get_text(strip=True): item.find(class_="badge").get_text()
                for item in soup(client.get("/")).select("li") if item.find(class_="badge")}

    assert cards()["Europe"] == "0"
    make_member(email="joined@example.org", region_key="europe", password=None)
    assert cards()["Europe"] == "1"
    with db.connection_context():
        Region.update(name="Europe and Central Asia").where(Region.key == "europe").execute()
    assert cards()["Europe and Central Asia"] == "1"


@pytest.mark.skipif(BACKEND != "postgresql", reason="a PostgreSQL plan")
def test_the_versions_are_read_through_the_primary_key_when_the_table_has_grown(app):
    # A bulk write moves a counter thousands of times in one transaction: the four rows end up
    # spread over thousands of pages, and every page read them.
    db.execute_sql("DO $$ BEGIN FOR i IN 1..10000 LOOP UPDATE catalogue_version "
                   "SET counter = counter + 1 WHERE name = 'lessons'; END LOOP; END $$")
    db.execute_sql("ANALYZE catalogue_version")
    plan = "\n".join(row[0] for row in db.execute_sql("EXPLAIN " + catalogue.VERSIONS_SQL))
    assert "Index Scan using catalogue_version_pkey" in plan
    assert set(catalogue.versions()) >= {"lessons", "members", "discussions", "deliberations"}
    # The same as a column of the signed-in member's statement.
    member = catalogue.with_versions(Member.select(Member.id).where(Member.id == 1))
    sql, params = member.sql()
    plan = "\n".join(row[0] for row in db.execute_sql("EXPLAIN " + sql, params))
    assert "Index Scan using catalogue_version_pkey" in plan
