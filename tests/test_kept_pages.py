"""A page read again is answered from what was kept for that session, until anything it could
show changes: never older than the data or the second, never another reader's."""
import datetime as dt
import importlib

import pytest
import time_machine

from r2pnet import pages
from r2pnet.config import ConfigError, load_config
from r2pnet.extensions import db, is_postgres
from r2pnet.knowledge.services import lesson_data, update_lesson
from r2pnet.members.models import Member
from tests.api_helpers import Api, token_for
from tests.helpers import QueryCounter, soup
from tests.signin import sign_in_as

MIGRATION = importlib.import_module("migrations.0018_pages_catalogue")
# The full-text index's own tables (SQLite): written with search_document, which is watched.
INDEX_TABLES = {"search_document_fts", "search_document_fts_config", "search_document_fts_data",
                "search_document_fts_docsize", "search_document_fts_idx"}


def _statements(client, url, **kwargs):
    with QueryCounter() as counter:
        response = client.get(url, **kwargs)
    assert response.status_code == 200, response.status_code
    return counter.count, response.get_data(as_text=True)


def _opened(client, member, url):
    """`client` signed in as `member`, having opened `url` once (its session's token made)."""
    sign_in_as(client, member)
    assert client.get(url).status_code == 200
    return client


def test_a_page_read_again_costs_only_the_members_statement(client, make_member, make_lesson):
    member = make_member(password=None)
    lesson = make_lesson(member, title="Border monitoring")
    _opened(client, member, f"/lessons/{lesson.id}")
    first, page = _statements(client, f"/lessons/{lesson.id}")
    again, kept = _statements(client, f"/lessons/{lesson.id}")
    assert first > 1 and again == 1  # the member with the catalogue versions
    assert kept == page


def test_a_change_to_what_the_page_shows_is_shown_on_the_next_visit(client, make_member,
                                                                      make_lesson):
    member = make_member(password=None)
    lesson = make_lesson(member, title="Border monitoring")
    _opened(client, member, f"/lessons/{lesson.id}")
    assert "Border monitoring" in client.get(f"/lessons/{lesson.id}").get_data(as_text=True)
    with db.connection_context():
        data = lesson_data(lesson)
        update_lesson(member, lesson, dict(data, title="Coastal monitoring",
                                           version=lesson.version))
    page = client.get(f"/lessons/{lesson.id}").get_data(as_text=True)
    assert "Coastal monitoring" in page and "Border monitoring" not in page


def test_a_renamed_author_is_shown_at_once(client, make_member, make_lesson):
    reader, author = make_member(password=None), make_member(password=None, name="Ana Silva")
    lesson = make_lesson(author)
    _opened(client, reader, f"/lessons/{lesson.id}")
    assert "Ana Silva" in client.get(f"/lessons/{lesson.id}").get_data(as_text=True)
    with db.connection_context():
        Member.update(name="Ana Souza").where(Member.id == author.id).execute()
    assert "Ana Souza" in client.get(f"/lessons/{lesson.id}").get_data(as_text=True)


def test_a_page_kept_for_one_member_is_never_shown_to_another(app, make_member, make_lesson):
    africa = make_member(password=None, name="Reader in Africa", region_key="africa")
    europe = make_member(password=None, name="Reader in Europe", region_key="europe")
    make_lesson(africa, title="Only for the region", visibility="region", region_key="africa")
    first, second = app.test_client(), app.test_client()
    for client, member in ((first, africa), (second, europe)):
        _opened(client, member, "/lessons")
    assert "Only for the region" in first.get("/lessons").get_data(as_text=True)
    assert "Only for the region" in first.get("/lessons").get_data(as_text=True)  # kept
    page = second.get("/lessons").get_data(as_text=True)
    assert "Only for the region" not in page and "Reader in Europe" in page


def _token(response):
    return soup(response).select_one('meta[name="csrf-token"]')["content"]


def test_each_session_of_a_member_gets_its_own_forms_token(app, make_member):
    member = make_member(password=None)
    first, second = app.test_client(), app.test_client()
    for client in (first, second):
        _opened(client, member, "/members")
    tokens = [_token(client.get("/members")) for client in (first, second)]
    assert tokens[0] != tokens[1]
    # The second session's kept page still carries its own token, which its forms need.
    assert _token(second.get("/members")) == tokens[1]
    assert second.post("/network/follow", data={"csrf_token": tokens[0]}).status_code == 400
    assert second.post("/network/follow", data={"csrf_token": tokens[1]}).status_code == 302


def test_a_flashed_message_is_shown_once_even_on_a_kept_page(client, make_member):
    member = make_member(password=None)
    _opened(client, member, "/members")
    client.get("/members")  # kept now
    with client.session_transaction() as session:
        session["_flashes"] = [("info", "Your profile was saved.")]
    assert "Your profile was saved." in client.get("/members").get_data(as_text=True)
    assert "Your profile was saved." not in client.get("/members").get_data(as_text=True)


def test_a_page_is_written_again_in_a_new_second(client, make_member):
    member = make_member(password=None)
    _opened(client, member, "/deliberations")
    start = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(hours=1)
    with time_machine.travel(start, tick=False) as clock:
        first, _ = _statements(client, "/deliberations")
        again, _ = _statements(client, "/deliberations")
        clock.shift(1)
        later, _ = _statements(client, "/deliberations")
    assert again == 1 and later == first > 1


def test_an_api_list_read_again_is_kept_for_its_token_only(client, make_member, make_lesson):
    africa = make_member(password=None, region_key="africa")
    europe = make_member(password=None, region_key="europe")
    make_lesson(africa, title="Only for the region", visibility="region", region_key="africa")
    mine, theirs = Api(client, token_for(africa, "read")), Api(client, token_for(europe, "read"))
    assert mine.get("/lessons").status_code == 200
    with QueryCounter() as counter:
        kept = mine.get("/lessons")
    assert counter.count == 1 and kept.json["items"][0]["title"] == "Only for the region"
    assert theirs.get("/lessons").json["items"] == []


def test_answers_that_are_not_a_complete_page_are_not_kept(client, make_member):
    member = make_member(password=None)
    _opened(client, member, "/members")
    for path, status in (("/members?role=emperor", 400), ("/lessons/999999", 404)):
        for _ in range(2):
            with QueryCounter() as counter:
                assert client.get(path).status_code == status
            assert counter.count > 1, path


def test_a_session_that_changes_member_never_gets_the_first_members_page(client, make_member):
    first = make_member(password=None, name="First Reader")
    second = make_member(password=None, name="Second Reader")
    _opened(client, first, "/members")
    assert "First Reader" in client.get("/members").get_data(as_text=True)  # kept
    with client.session_transaction() as session:  # the same session (and CSRF secret)
        session["_user_id"] = f"{second.id}:{Member.get_by_id(second.id).session_version}"
    page = soup(client.get("/members"))
    assert "Second Reader" in page.select_one("nav").get_text()
    assert "First Reader" not in page.select_one("nav").get_text()


def test_pages_beyond_the_budget_go_least_recently_used_first():
    kept = pages._Kept()
    kept.put("a", (200, [], b"12345"), budget=10)
    kept.put("b", (200, [], b"12345"), budget=10)
    assert kept.get("a") is not None  # b is now the least recently used
    kept.put("c", (200, [], b"1"), budget=10)
    assert kept.get("b") is None and kept.get("a") and kept.get("c") and kept.size == 6


# --- what moves the "pages" version ------------------------------------------------------------

def _tables():
    if is_postgres():
        rows = db.execute_sql("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    else:
        rows = db.execute_sql("SELECT name FROM sqlite_master WHERE type = 'table' "
                              "AND name NOT LIKE 'sqlite_%'")
    return {name for name, in rows.fetchall()}


def _triggers():
    if is_postgres():
        rows = db.execute_sql("SELECT c.relname, t.tgname FROM pg_trigger t "
                              "JOIN pg_class c ON c.oid = t.tgrelid WHERE NOT t.tgisinternal")
    else:
        rows = db.execute_sql("SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger'")
    return {(table, name) for table, name in rows.fetchall()}


def test_every_table_is_watched_or_left_out_on_purpose(app):
    with db.connection_context():
        tables = _tables() - INDEX_TABLES
    watched, unwatched = set(MIGRATION.WATCHED), set(MIGRATION.UNWATCHED)
    assert tables == watched | unwatched and not watched & unwatched


def test_every_watched_table_moves_the_version_on_every_kind_of_write(app):
    with db.connection_context():
        triggers = _triggers()
    kinds = ("write", "truncate") if is_postgres() else ("insert", "update", "delete")
    missing = [(table, kind) for table in MIGRATION.WATCHED for kind in kinds
               if (table, f"{table}_pages_{kind}") not in triggers]
    assert missing == []


def test_a_write_in_a_transaction_moves_the_version_when_it_commits(app, make_member):
    member = make_member(password=None)

    def version():
        return db.execute_sql("SELECT counter FROM catalogue_version "
                              "WHERE name = 'pages'").fetchone()[0]

    with db.connection_context():
        before = version()
        with db.atomic() as transaction:
            Member.update(title="Ambassador").where(Member.id == member.id).execute()
            transaction.rollback()
        assert version() == before
        Member.update(title="Ambassador").where(Member.id == member.id).execute()
        assert version() > before


def test_kept_pages_forget_everything_when_asked(client, make_member):
    member = make_member(password=None)
    _opened(client, member, "/members")
    client.get("/members")
    pages.forget()
    assert _statements(client, "/members")[0] > 1


def test_a_deployment_can_keep_no_pages(client, app, make_member):
    app.config["KEPT_PAGES_MB"] = 0
    member = make_member(password=None)
    _opened(client, member, "/members")
    assert _statements(client, "/members")[0] == _statements(client, "/members")[0] > 1


def test_the_pages_budget_is_a_setting_with_a_clear_error():
    assert load_config({"KEPT_PAGES_MB": "8"})["KEPT_PAGES_MB"] == 8
    with pytest.raises(ConfigError, match="KEPT_PAGES_MB: expected a whole number from 0 to 4096"):
        load_config({"KEPT_PAGES_MB": "lots"})
