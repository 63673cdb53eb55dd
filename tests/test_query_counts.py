"""Every page and API read costs the same SQL statements with 10 or 1,000 rows of each kind.

The world is built once with about 10 rows of every kind, every page is measured, then every
kind grows to about 1,000 rows (in the very lists those pages show: posts of the thread shown,
lessons matching the filter, members of the region, ...) and every page is measured again.
The counts are pinned in PAGES, so changing one is a deliberate edit; a count that grows with
the data is an N+1 query and is never pinned.
"""
import io
import os

from r2pnet.api.models import ApiToken
from r2pnet.database import refresh_statistics
from r2pnet.deliberations.models import DeliberationLesson, DeliberationThread
from r2pnet.discussions.models import Post, ThreadRead, ThreadTerm
from r2pnet.extensions import db, is_postgres
from r2pnet.knowledge import attachments
from r2pnet.knowledge.exports import feed_token
from r2pnet.knowledge.models import Lesson, LessonTerm
from r2pnet.members.models import Member, ModeratorRegion, utcnow
from tests import bulk
from tests.api_helpers import token_for
from tests.helpers import QueryCounter, region
from tests.moderation_helpers import make_reply, make_thread, opening_post
from tests.signin import sign_in_as
from tests.test_deliberations import schedule
from tests.test_lesson_attachments import PDF

BACKEND = os.environ.get("TEST_DATABASE", "sqlite")
FEW, MANY = 10, 1000
# Actions added to the outcome form per growth: each row repeats the region's members.
OUTCOME_ACTIONS = 20
YEAR = utcnow().year

# (path, who reads it, statements per request). A pair is (SQLite, PostgreSQL) when they differ.
# {names} are filled in from the world; API paths are called with the reader's bearer token.
PAGES = [
    # members and regions
    ("/", "member", 1),  # the member with their region and the catalogue versions
    ("/members", "member", 4),
    ("/members?region=africa", "member", 4),
    ("/members?country=GH", "member", 4),
    ("/members?language=en", "member", 4),
    ("/members?expertise=pillar_1", "member", 4),
    ("/members?role=focal_point", "member", 4),
    ("/members?q=warning", "member", 4),
    ("/members/{moderator}", "member", 5),
    ("/profile", "member", 4),
    ("/members/{moderator}/edit", "administrator", 5),
    ("/admin/members/{moderator}", "administrator", 4),
    ("/admin/regions", "administrator", 2),
    ("/admin/regions/{africa}", "administrator", 2),
    ("/admin/invitations", "administrator", 3),
    ("/audit", "administrator", 3),
    ("/audit?action=logged_in", "administrator", 3),
    # lessons (browse: its facets are computed on a first visit)
    ("/lessons", "member", 5),
    ("/lessons?pillar=pillar_1", "member", 5),
    ("/lessons?crime=genocide", "member", 5),
    ("/lessons?country=GH", "member", 5),
    ("/lessons?year=" + str(YEAR), "member", 5),
    ("/lessons?region=africa", "member", 5),
    ("/lessons?q=warning", "member", 6),
    ("/lessons", "administrator", 5),
    ("/lessons/{lesson}", "member", 7),
    ("/lessons/{lesson}/revisions", "member", 3),
    ("/lessons/{lesson}/revisions?from=1&to=2", "member", 5),
    ("/lessons/{lesson}/attachments/{attachment}", "member", 3),
    ("/lessons/new", "member", 3),
    ("/lessons/{lesson}/edit", "administrator", 6),
    ("/lessons.csv", "member", 4),
    ("/lessons.json?pillar=pillar_1", "member", 4),
    ("/lessons.atom?token={feed}", "member", 5),
    ("/lessons/feed", "member", 1),
    # discussions
    ("/discussions", "member", 3),
    ("/discussions", "administrator", 3),
    ("/network", "member", 5),
    ("/regions/africa", "member", 8),
    ("/regions/africa?sort=newest", "member", 8),
    ("/regions/africa?sort=replies", "member", 8),
    ("/regions/africa?sort=unanswered", "member", 8),
    ("/regions/africa", "moderator", 9),
    ("/regions/africa/new", "member", 2),
    ("/network/new", "member", 1),
    ("/new", "member", 4),
    ("/search?q=warning", "member", 8),  # + the catalogue versions
    ("/threads/{thread}", "member", 8),
    ("/threads/{thread}?page=1", "member", 8),
    ("/threads/{thread}", "moderator", 9),
    ("/threads/{thread}/reply?quote={opening}", "member", 5),
    ("/threads/{thread}/flag", "member", 2),
    ("/threads/{thread}/close", "moderator", 3),
    ("/posts/{flagged}/flag", "member", 3),
    ("/posts/{edited}/history", "member", 4),
    ("/posts/{edited}/edit", "moderator", 7),
    # moderation
    ("/moderation", "moderator", 6),
    ("/moderation", "administrator", 5),
    ("/moderation/log", "moderator", 7),
    ("/moderation/log.csv", "moderator", 6),
    ("/moderation/threads/{thread}/dismiss", "moderator", 4),
    ("/moderation/threads/{thread}/move", "moderator", 5),
    ("/moderation/posts/{flagged}/dismiss", "moderator", 5),
    ("/moderation/regions", "moderator", 10),
    ("/moderation/regions", "administrator", 9),
    # deliberations
    ("/deliberations", "member", 7),
    ("/deliberations?region={africa}", "member", 7),
    ("/deliberations/{deliberation}", "member", 7),
    ("/deliberations/{deliberation}", "moderator", 9),
    ("/deliberations/{deliberation}.ics", "member", 2),
    ("/deliberations/new", "moderator", 3),
    ("/deliberations/{deliberation}/edit", "moderator", 5),
    ("/deliberations/{outcome}/outcome", "moderator", 5),
    # digests and tokens
    ("/settings/digest", "member", 2),
    ("/digest/preview", "member", 14),
    ("/digest/preview?member={member}", "administrator", 15),
    ("/admin/digests", "administrator", 2),
    ("/settings/tokens", "member", 2),
    ("/settings/tokens/{token}/revoke", "member", 2),
    # the API
    ("/api/v1/me", "member", 5),
    ("/api/v1/me/digest", "member", 2),
    ("/api/v1/members", "member", 2),  # the token with the catalogue versions, the page
    ("/api/v1/members?region=africa", "member", 2),
    ("/api/v1/members?q=warning", "member", 2),
    ("/api/v1/members/{moderator}", "member", 5),
    ("/api/v1/regions", "member", 2),
    ("/api/v1/regions", "administrator", 11),
    ("/api/v1/regions/{africa}", "member", 2),
    ("/api/v1/lessons", "member", 3),  # + the catalogue versions, on a first visit
    ("/api/v1/lessons?pillar=pillar_1", "member", 3),
    ("/api/v1/lessons?q=warning", "member", 4),
    ("/api/v1/lessons/{lesson}", "member", 4),
    ("/api/v1/lessons/{lesson}/revisions", "member", 3),
    ("/api/v1/lessons/{lesson}/attachments/{attachment}", "member", 3),
    ("/api/v1/spaces/africa/threads", "member", 6),
    ("/api/v1/spaces/africa/threads?sort=replies", "member", 6),
    ("/api/v1/spaces/network/threads", "member", 5),
    ("/api/v1/threads/{thread}", "member", 7),
    ("/api/v1/threads/{thread}/posts", "member", 4),
    ("/api/v1/threads/{thread}/posts", "moderator", 5),
    ("/api/v1/posts/{flagged}", "member", 4),
    ("/api/v1/deliberations", "member", 5),
    ("/api/v1/deliberations?when=past", "member", 5),
    ("/api/v1/deliberations?when=all", "member", 4),
    ("/api/v1/deliberations/{deliberation}", "member", 6),
    ("/api/v1/search?q=warning", "member", 8),
    ("/api/v1/moderation/queue", "moderator", 6),
    ("/api/v1/moderation/queue", "administrator", 5),
]

# GET routes deliberately not measured, and why.
LEFT_OUT = {
    "static": "files, no database",
    "bootstrap.static": "files, no database",
    "web.healthz": "one SELECT 1, lists nothing",
    "api.openapi_json": "the generated document, lists no data",
    "api.reference": "the generated document, lists no data",
    "accounts.login": "sign-in form, lists no data",
    "accounts.setup": "one-time token form, lists no data",
    "accounts.accept_invitation": "one-time token form, lists no data",
    "accounts.reset_request": "public form, lists no data",
    "accounts.reset_password": "one-time token form, lists no data",
    "accounts.change_password": "form, lists no data",
    "digests.unsubscribe": "one-time token button, lists no data",
    "members.new_region": "empty form (the country list is not data)",
}
# Pages that mark what they show as read: measured as a first visit each time.
FIRST_VISITS = {"/threads/{thread}", "/threads/{thread}?page=1"}


def _pinned(count):
    """The pinned count for this backend."""
    if isinstance(count, tuple):
        return count[0] if BACKEND == "sqlite" else count[1]
    return count


def _anchors(make_member, make_lesson):
    """The rows the pages show, made through the services, and who reads them."""
    africa = region("africa").id
    member = make_member(password=None, country="GH", languages=("en",),
                         expertise=("pillar_1",))
    author = make_member(password=None, name="Amina Warning")
    moderator = make_member(password=None, role="moderator", moderates=("africa",))
    admin = make_member(password=None, role="administrator", region_key=None)
    lesson = make_lesson(author, region_key="africa", crimes=["genocide"], tags=["warning"])
    with db.connection_context():
        attachment = attachments.add_attachment(author, lesson, io.BytesIO(PDF), "report.pdf")
    thread = make_thread(author, title="Early warning across borders")
    make_thread(author, region_key=None, title="Warning signs network-wide")
    flagged = make_reply(author, thread, body="A reply someone flags")
    edited = make_reply(member, thread, body="A reply edited many times")
    deliberation = schedule(moderator)
    # Its own deliberation: the form repeats the region's members in every action row.
    outcome = schedule(moderator, title="Outcome to record")
    DeliberationLesson.create(deliberation=deliberation, lesson=lesson)
    DeliberationThread.create(deliberation=deliberation, thread=thread)
    bulk.follow_spaces(member.id, [africa, None])
    bulk.lesson_history(lesson, 1)  # revision 2, so two revisions can be compared
    return {"africa": africa, "member": member, "author": author, "moderator": moderator,
            "admin": admin, "lesson": lesson, "attachment": attachment, "thread": thread,
            "opening": opening_post(thread), "flagged": flagged, "edited": edited,
            "deliberation": deliberation, "outcome": outcome}


def grow(world, n, tag):
    """n more rows of every kind, in the lists the pages show."""
    africa, anchor_thread = world["africa"], world["thread"]
    region_ids = bulk.regions(n, tag)
    bulk.insert(ModeratorRegion, [{"member": world["moderator"].id, "region": r}
                                  for r in region_ids])
    member_ids = bulk.members(n, africa, tag)
    lesson_ids = bulk.lessons(n, member_ids, africa, tag)
    bulk.lesson_history(world["lesson"], n)
    bulk.lesson_uptake(world["lesson"], member_ids)
    bulk.attachments(world["lesson"], n, world["author"].id)
    thread_ids = bulk.threads(n, africa, member_ids, tag)
    bulk.threads(n, None, member_ids, tag)
    bulk.follows(world["member"].id, thread_ids)
    bulk.links([(anchor_thread.id, x) for x in lesson_ids]
               + [(t, world["lesson"].id) for t in thread_ids])
    bulk.tags(LessonTerm, world["lesson"].id, [f"{tag}-{i}" for i in range(n)])
    bulk.tags(ThreadTerm, anchor_thread.id, [f"{tag}-{i}" for i in range(n)])
    reply_ids = bulk.replies(anchor_thread, n, member_ids, world["opening"].id,
                             world["member"].id)
    bulk.post_history(world["edited"], n, world["author"].id)
    bulk.flags_on_posts(reply_ids, world["author"].id)
    bulk.flags_on(anchor_thread, world["flagged"], member_ids)
    bulk.flags_on(anchor_thread, None, member_ids)
    bulk.deliberations(n, africa, world["moderator"].id, tag)
    bulk.agenda(world["deliberation"].id, member_ids, thread_ids, lesson_ids)
    bulk.actions(world["outcome"].id, member_ids[:OUTCOME_ACTIONS])
    items = [f"thread:{anchor_thread.id}", f"post:{world['flagged'].id}"]
    bulk.audit_events(n, member_ids, member_ids, africa, items)
    bulk.digest_deliveries(member_ids, tag)
    bulk.api_tokens(world["member"].id, n, tag)
    bulk.invitations(n, world["admin"].id, africa, tag)


def _as_autovacuum_would():
    """PostgreSQL: statistics for the grown tables, as autovacuum gathers after growth this
    size; planned on the row counts of the emptied tables (one row each), a search repeated
    its walk for every row. SQLite plans without them, as a new network's does."""
    if is_postgres():
        refresh_statistics()


def _readers(app, world):
    """{role: (signed-in browser, API client, its bearer token header, member)}."""
    readers = {}
    for role, member in (("member", world["member"]), ("moderator", world["moderator"]),
                         ("administrator", world["admin"])):
        browser = app.test_client()
        sign_in_as(browser, member)
        token = token_for(member, scope="read")
        readers[role] = (browser, app.test_client(), {"Authorization": f"Bearer {token}"},
                         member)
    return readers


def _ids(world, app):
    """What the paths name: ids of the world's rows, a feed token and an API token id."""
    ids = {key: getattr(value, "id", value) for key, value in world.items()}
    with app.test_request_context():
        ids["feed"] = feed_token(world["member"])
    ids["token"] = (ApiToken.select(ApiToken.id).where(ApiToken.member == world["member"].id)
                    .order_by(ApiToken.id.desc()).scalar())
    return ids


def measure(readers, ids):
    """{(path, role): statements} of one request to every page, in a steady state."""
    for browser, api, headers, _ in readers.values():  # whatever a first request loads
        assert browser.get("/").status_code == api.get("/api/v1/me",
                                                        headers=headers).status_code == 200
    counts = {}
    for path, role, _ in PAGES:
        browser, api, headers, member = readers[role]
        client, headers = (api, headers) if path.startswith("/api/") else (browser, {})
        if path in FIRST_VISITS:
            ThreadRead.delete().where(ThreadRead.member == member.id).execute()
        # "Last used" is written once a minute per token: not what this test measures.
        ApiToken.update(last_used_at=utcnow(), last_used_ip="127.0.0.1").where(
            ApiToken.member == member.id).execute()
        url = path.format(**ids)
        with QueryCounter() as counter:
            response = client.get(url, headers=headers)
        assert response.status_code == 200, (url, role, response.status_code)
        counts[path, role] = counter.count
    return counts


def test_every_page_costs_the_same_statements_with_10_or_1000_rows(app, make_member,
                                                                  make_lesson):
    world = _anchors(make_member, make_lesson)
    grow(world, FEW, "few")
    _as_autovacuum_would()
    readers = _readers(app, world)
    ids = _ids(world, app)
    few = measure(readers, ids)
    grow(world, MANY - FEW, "many")
    _as_autovacuum_would()
    assert Post.select().where(Post.thread == world["thread"].id).count() > MANY
    assert Lesson.select().count() > MANY and Member.select().count() > MANY
    many = measure(readers, ids)

    wrong = [f"{path} as {role}: pinned {_pinned(count)}, {few[path, role]} with {FEW} rows, "
             f"{many[path, role]} with {MANY}"
             for path, role, count in PAGES
             if not _pinned(count) == few[path, role] == many[path, role]]
    assert not wrong, f"{len(wrong)} pages on {BACKEND}:\n" + "\n".join(wrong)


def test_every_get_route_is_measured_or_left_out_on_purpose(app):
    adapter = app.url_map.bind("r2pnet.test")
    measured = set()
    for path, _, _ in PAGES:
        url = path.format_map(_AnyId()).split("?")[0]
        measured.add(adapter.match(url, method="GET")[0])
    routes = {rule.endpoint for rule in app.url_map.iter_rules() if "GET" in rule.methods}
    assert routes - measured - set(LEFT_OUT) == set()
    assert measured & set(LEFT_OUT) == set()


class _AnyId(dict):
    """Any {name} in a path reads as id 1: enough to find its route."""

    def __missing__(self, key):
        return "1"
