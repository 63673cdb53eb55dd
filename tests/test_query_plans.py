"""Every page and API list reads the big tables through an index (EXPLAIN on both backends).

SQLite's plan names every table read in full, so a missing index fails here. On PostgreSQL
sequential scans are disabled for the EXPLAIN, and none may remain; the planner can still
walk another index in full, so SQLite is the stricter of the two checks.
"""
import logging
import re

import pytest

from r2pnet.extensions import db, is_postgres
from tests.api_helpers import token_for
from tests.moderation_helpers import make_reply, make_thread
from tests.signin import sign_in_as

# Tables that grow with the network; small reference tables (region, cadence) may be scanned.
BIG_TABLES = {"lesson", "lesson_term", "lesson_revision", "member", "member_language",
              "member_expertise", "thread", "thread_term", "post", "flag", "audit_event",
              "digest_delivery", "deliberation", "attendance", "thread_read", "mention",
              "api_token"}

PAGES = [
    "/members", "/members?region=africa", "/members?country=GH", "/members?language=en",
    "/members?expertise=pillar_1", "/members?role=focal_point",
    "/lessons", "/lessons?pillar=pillar_1", "/lessons?crime=genocide", "/lessons?country=GH",
    "/lessons?year=2026", "/lessons?region=africa", "/lessons?q=warning",
    "/regions/africa", "/regions/africa?sort=newest", "/regions/africa?sort=replies",
    "/regions/africa?sort=unanswered", "/network", "/discussions", "/new",
    "/search?q=warning", "/deliberations", "/moderation", "/moderation/log", "/audit",
    "/admin/digests",
    "/api/v1/lessons", "/api/v1/lessons?pillar=pillar_1", "/api/v1/members",
    "/api/v1/members?region=africa", "/api/v1/spaces/africa/threads",
    "/api/v1/spaces/africa/threads?sort=replies", "/api/v1/deliberations",
    "/api/v1/search?q=warning", "/api/v1/moderation/queue", "/api/v1/regions",
]


class Statements(logging.Handler):
    """Collects the (sql, params) of every statement peewee runs while attached."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.seen = []

    def emit(self, record):
        if record.name == "peewee" and isinstance(record.msg, tuple):
            self.seen.append(record.msg)


def _plan(sql, params):
    if is_postgres():
        with db.atomic():
            # Tiny test tables make a sequential scan the cheapest plan; forbid it where an
            # index could serve, so a scan that remains means there is no such index.
            db.execute_sql("SET LOCAL enable_seqscan = off")
            return "\n".join(row[0] for row in db.execute_sql("EXPLAIN " + sql, params))
    return "\n".join(str(row[-1]) for row in db.execute_sql("EXPLAIN QUERY PLAN " + sql,
                                                            params))


def _scanned_tables(sql, params):
    """The tables a statement reads in full, without an index."""
    plan = _plan(sql, params)
    if is_postgres():
        return set(re.findall(r"Seq Scan on (\w+)", plan))
    aliases = {alias: table for table, alias in re.findall(r'"(\w+)" AS "(\w+)"', sql)}
    return {aliases.get(name, name)
            for name in re.findall(r"SCAN (?:TABLE )?(\w+)\b(?! USING)", plan)}


@pytest.fixture
def world(make_member, make_lesson):
    admin = make_member(role="administrator")
    author = make_member(country="GH", languages=("en",), expertise=("pillar_1",))
    lesson = make_lesson(author, region_key="africa", crimes=["genocide"])
    thread = make_thread(author, title="Early warning across borders")
    make_reply(admin, thread)
    return admin, lesson, thread


def test_no_page_reads_a_big_table_in_full(client, world):
    admin, lesson, thread = world
    sign_in_as(client, admin)
    token = token_for(admin)
    pages = PAGES + [f"/threads/{thread.id}", f"/lessons/{lesson.id}",
                     f"/api/v1/threads/{thread.id}/posts", f"/api/v1/lessons/{lesson.id}"]
    handler, logger = Statements(), logging.getLogger("peewee")
    level = logger.level
    logger.setLevel(logging.DEBUG)
    scans, analysed = [], 0
    try:
        for page in pages:
            handler.seen.clear()
            logger.addHandler(handler)
            headers = {"Authorization": f"Bearer {token}"} if page.startswith("/api/") else {}
            response = client.get(page, headers=headers)
            logger.removeHandler(handler)
            assert response.status_code == 200, (page, response.status_code)
            for sql, params in handler.seen:
                if sql.lstrip().upper().startswith(("SELECT", "WITH")):
                    analysed += 1
                    found = _scanned_tables(sql, params) & BIG_TABLES
                    if found:
                        scans.append((page, sorted(found), sql[:300]))
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)

    assert analysed > len(pages)
    assert scans == []
