"""Who may do what where: role x space x action, every cell, through the pages.

Roles: a member of region A (Africa), a member of region B (Europe), a moderator of A, a
moderator of B, an administrator, a disabled member of A and an anonymous visitor. Spaces: A's,
B's and the network-wide space. Both moderators also run a third region, C (Asia-Pacific), the
destination of the "move" cells: a move needs the moderator to run both spaces.

An allowed cell answers 2xx/3xx and its effect is in the database (or, for reading, on the
page); a refused cell answers 403, 404 or the sign-in page, and nothing changed.
"""
import itertools

import pytest

from r2pnet.audit.models import MODERATION_ACTIONS, AuditEvent
from r2pnet.audit.services import record
from r2pnet.discussions.models import Post, Thread
from r2pnet.extensions import db
from r2pnet.members.models import utcnow
from r2pnet.moderation.models import Flag
from tests.conftest import IsolatedClient, _dispose, _make_app, _reset_tables
from tests.helpers import csrf_token, region, soup
from tests.signin import sign_in_as

ROLES = ("member_a", "member_b", "moderator_a", "moderator_b", "administrator", "disabled_a",
         "anonymous")
SPACES = ("A", "B", "network")
REGION_KEYS = {"A": "africa", "B": "europe", "C": "asia_pacific", "network": None}
ACTIONS = ("read", "read_hidden_thread", "read_hidden_reply", "start", "reply", "edit_own",
           "edit_other", "flag_thread", "flag_reply", "hide_thread", "hide_reply",
           "unhide_thread", "unhide_reply", "lock", "unlock", "pin", "unpin", "move",
           "dismiss_thread", "dismiss_reply", "queue", "log")
READER_ACTIONS = {"read", "start", "reply", "edit_own", "flag_thread", "flag_reply"}

# Each role's own region and the spaces it moderates.
HOME = {"member_a": "A", "member_b": "B", "moderator_a": "A", "moderator_b": "B",
        "disabled_a": "A"}
MODERATES = {"moderator_a": {"A", "C"}, "moderator_b": {"B", "C"}}


@pytest.fixture(scope="module")
def shared_app(migrated, tmp_path_factory, smtp_server):
    """One app for the ~470 cells (building one costs more than a cell): tables are still
    emptied and regions re-seeded before every cell, as for every other test."""
    application = _make_app(migrated, tmp_path_factory.mktemp("matrix"), smtp_server.url)
    application.test_client_class = IsolatedClient
    yield application
    _dispose(application)


@pytest.fixture
def app(shared_app):
    with shared_app.app_context():
        with db.connection_context():
            _reset_tables()
        yield shared_app


# --- the rule ---------------------------------------------------------------------------------

def reads(role, space):
    """Active members read the network space, their region's and those they moderate."""
    if role in ("anonymous", "disabled_a"):
        return False
    return (role == "administrator" or space == "network" or HOME.get(role) == space
            or space in MODERATES.get(role, ()))


def moderates(role, space):
    """Administrators everywhere; a moderator in her regions, never in the network space."""
    return role == "administrator" or space in MODERATES.get(role, ())


def expected(role, space, action):
    if action in READER_ACTIONS:
        return reads(role, space)
    if action == "move":
        return moderates(role, space) and moderates(role, "C")
    return moderates(role, space)


# Key cells, written out by hand: (A, B, network) per role. The rule must agree with them.
LITERAL = {
    "read": {"member_a": "Y-Y", "member_b": "-YY", "moderator_a": "Y-Y",
             "moderator_b": "-YY", "administrator": "YYY", "disabled_a": "---",
             "anonymous": "---"},
    "flag_reply": {"member_a": "Y-Y", "member_b": "-YY", "moderator_a": "Y-Y",
                   "moderator_b": "-YY", "administrator": "YYY", "disabled_a": "---",
                   "anonymous": "---"},
    "hide_reply": {"member_a": "---", "member_b": "---", "moderator_a": "Y--",
                   "moderator_b": "-Y-", "administrator": "YYY", "disabled_a": "---",
                   "anonymous": "---"},
    "move": {"member_a": "---", "member_b": "---", "moderator_a": "Y--",
             "moderator_b": "-Y-", "administrator": "YYY", "disabled_a": "---",
             "anonymous": "---"},
    "log": {"member_a": "---", "member_b": "---", "moderator_a": "Y--",
            "moderator_b": "-Y-", "administrator": "YYY", "disabled_a": "---",
            "anonymous": "---"},
}


@pytest.mark.parametrize("action", sorted(LITERAL))
def test_the_rule_agrees_with_the_cells_written_by_hand(action):
    for role, cells in LITERAL[action].items():
        assert "".join("Y" if expected(role, space, action) else "-" for space in SPACES) \
            == cells, (role, action)


def test_every_moderation_action_of_the_spec_has_a_column():
    wanted = {"read", "start", "reply", "edit_own", "edit_other", "flag_thread", "flag_reply",
              "hide_thread", "hide_reply", "unhide_thread", "unhide_reply", "lock", "unlock",
              "pin", "unpin", "move", "dismiss_thread", "dismiss_reply", "queue", "log"}
    assert wanted <= set(ACTIONS)


# --- the world each cell runs in ---------------------------------------------------------------

_SERIAL = itertools.count(1)


class World:
    """The actor, another member who wrote in the space, a thread with a reply (and the
    actor's own reply, when the cell needs one), written straight to the database."""

    def __init__(self, make_member, role, space):
        self.make_member = make_member
        self.role, self.space = role, space
        self.region_id = region(REGION_KEYS[space]).id if REGION_KEYS[space] else None
        self.actor = self._actor(role)
        other_region = "europe" if space == "B" else "africa"
        self.other = make_member(password=None, region_key=other_region, name="Other Author")
        self.thread = Thread.create(region=self.region_id, author=self.other,
                                    title="Matrix thread", last_author=self.other)
        self.opening = self._post(self.other, "Opening words")
        self.reply = self._post(self.other, "Reply words by the other author")
        self.mine = None
        Thread.update(reply_count=1).where(Thread.id == self.thread.id).execute()

    def _actor(self, role):
        if role == "anonymous":
            return None
        keys = {"member_a": "africa", "member_b": "europe", "moderator_a": "africa",
                "moderator_b": "europe", "administrator": None, "disabled_a": "africa"}
        kwargs = {"password": None, "region_key": keys[role], "name": f"Actor {role}",
                  "email": f"{role}.{next(_SERIAL)}@example.org"}
        if role.startswith("moderator"):
            kwargs.update(role="moderator", moderates=(keys[role], "asia_pacific"))
        if role == "administrator":
            kwargs.update(role="administrator")
        if role == "disabled_a":
            kwargs.update(disabled_at=utcnow())
        return self.make_member(**kwargs)

    def _post(self, author, body):
        first = not Post.select().where(Post.thread == self.thread.id).exists()
        number = 1 if first else Thread.get_by_id(self.thread.id).last_number + 1
        Thread.update(last_number=number).where(Thread.id == self.thread.id).execute()
        return Post.create(thread=self.thread, author=author, number=number, body_md=body,
                           body_html=f"<p>{body}</p>")

    def hide(self, item):
        model = type(item)
        model.update(is_hidden=True, hidden_reason="Hidden by the secretariat",
                     hidden_at=utcnow()).where(model.id == item.id).execute()

    def flag(self, item):
        post = item if isinstance(item, Post) else None
        flagger = self.make_member(password=None, name="A Flagger")
        Flag.create(member=flagger, thread=self.thread, post=post, reason="spam",
                    item=f"post:{item.id}" if post else f"thread:{item.id}")
        type(item).update(flag_count=1).where(type(item).id == item.id).execute()


def snapshot():
    """Everything a moderation or writing action could change."""
    return (
        list(Thread.select(Thread.id, Thread.region, Thread.title, Thread.is_hidden,
                           Thread.hidden_reason, Thread.is_locked, Thread.is_pinned,
                           Thread.flag_count, Thread.reply_count).order_by(Thread.id).tuples()),
        list(Post.select(Post.id, Post.body_md, Post.is_hidden, Post.hidden_reason,
                         Post.flag_count).order_by(Post.id).tuples()),
        list(Flag.select(Flag.id, Flag.resolved_at, Flag.resolution).order_by(Flag.id).tuples()),
        AuditEvent.select().where(AuditEvent.action.in_(MODERATION_ACTIONS)).count(),
    )


def refused(response):
    """403, 404, or the sign-in page."""
    if response.status_code in (403, 404):
        return True
    return response.status_code == 302 and response.headers["Location"].startswith("/login")


def post(client, path, data):
    """POST a form with a valid CSRF token, signed in or not (the sign-in page has one for
    visitors, the home page for members)."""
    page = "/login" if client.get("/login").status_code == 200 else "/"
    return client.post(path, data={**data, "csrf_token": csrf_token(client, page)})


def _space_path(world):
    return "/network" if world.space == "network" else f"/regions/{REGION_KEYS[world.space]}"


def _nothing(world):
    pass


def _hidden_thread(world):
    world.hide(world.thread)


def _hidden_reply(world):
    world.hide(world.reply)


def _own_reply(world):
    world.mine = world._post(world.actor, "My own words")


def _set(column, value):
    def prepare(world):
        Thread.update({getattr(Thread, column): value}).where(
            Thread.id == world.thread.id).execute()
    return prepare


def _flagged(kind):
    def prepare(world):
        world.flag(world.thread if kind == "thread" else world.reply)
    return prepare


def _logged(world):
    record("thread_locked", actor=world.other, region=world.region_id,
           item=f"thread:{world.thread.id}", reason="Logged for the matrix")


def _thread_row(world):
    return Thread.get_by_id(world.thread.id)


def _reply_row(world):
    return Post.get_by_id(world.reply.id)


def _page_shows(text):
    def effect(world, response):
        return response.status_code == 200 and text in response.text
    return effect


def _dismissed(kind):
    def effect(world, response):
        item = _thread_row(world) if kind == "thread" else _reply_row(world)
        flag = Flag.get(Flag.item == f"{'thread' if kind == 'thread' else 'post'}:{item.id}")
        return item.flag_count == 0 and flag.resolution == "dismissed"
    return effect


def _moderate(kind, action, data=None):
    def request(client, world):
        item_id = world.thread.id if kind == "threads" else world.reply.id
        return post(client, f"/moderation/{kind}/{item_id}/{action}",
                    data or {"reason": "A moderator's reason"})
    return request


def _edit(target):
    def request(client, world):
        post_ = world.mine if target == "mine" else world.reply
        return post(client, f"/posts/{post_.id}/edit",
                    {"body_md": "Edited words", "version": post_.version,
                     "reason": "" if target == "mine" else "Removed a name"})
    return request


def _edited(target):
    def effect(world, response):
        post_ = world.mine if target == "mine" else world.reply
        return Post.get_by_id(post_.id).body_md == "Edited words"
    return effect


def _read(client, world):
    return client.get(f"/threads/{world.thread.id}")


# action: (prepare the world, make the request, did it take effect?)
RUN = {
    "read": (_nothing, _read, _page_shows("Matrix thread")),
    "read_hidden_thread": (_hidden_thread, _read, _page_shows("Matrix thread")),
    "read_hidden_reply": (_hidden_reply, _read, _page_shows("Reply words by the other author")),
    "start": (_nothing,
              lambda c, w: post(c, f"{_space_path(w)}/new",
                                {"title": "A new matrix thread", "body_md": "Hello"}),
              lambda w, r: Thread.select().where(Thread.title == "A new matrix thread",
                                                 Thread.region.is_null() if w.region_id is None
                                                 else Thread.region == w.region_id).exists()),
    "reply": (_nothing,
              lambda c, w: post(c, f"/threads/{w.thread.id}/reply", {"body_md": "Adding this"}),
              lambda w, r: Post.select().where(Post.body_md == "Adding this").exists()),
    "edit_own": (_own_reply, _edit("mine"), _edited("mine")),
    "edit_other": (_nothing, _edit("other"), _edited("other")),
    "flag_thread": (_nothing,
                    lambda c, w: post(c, f"/threads/{w.thread.id}/flag", {"reason": "spam"}),
                    lambda w, r: Flag.select().where(
                        Flag.item == f"thread:{w.thread.id}").exists()),
    "flag_reply": (_nothing,
                   lambda c, w: post(c, f"/posts/{w.reply.id}/flag", {"reason": "spam"}),
                   lambda w, r: Flag.select().where(
                       Flag.item == f"post:{w.reply.id}").exists()),
    "hide_thread": (_nothing, _moderate("threads", "hide"),
                    lambda w, r: _thread_row(w).is_hidden),
    "hide_reply": (_nothing, _moderate("posts", "hide"), lambda w, r: _reply_row(w).is_hidden),
    "unhide_thread": (_hidden_thread, _moderate("threads", "unhide"),
                      lambda w, r: not _thread_row(w).is_hidden),
    "unhide_reply": (_hidden_reply, _moderate("posts", "unhide"),
                     lambda w, r: not _reply_row(w).is_hidden),
    "lock": (_set("is_locked", False), _moderate("threads", "lock"),
             lambda w, r: _thread_row(w).is_locked),
    "unlock": (_set("is_locked", True), _moderate("threads", "unlock"),
               lambda w, r: not _thread_row(w).is_locked),
    "pin": (_set("is_pinned", False), _moderate("threads", "pin"),
            lambda w, r: _thread_row(w).is_pinned),
    "unpin": (_set("is_pinned", True), _moderate("threads", "unpin"),
              lambda w, r: not _thread_row(w).is_pinned),
    "move": (_nothing, _moderate("threads", "move", {"space": "asia_pacific",
                                                     "reason": "Belongs to Asia-Pacific"}),
             lambda w, r: _thread_row(w).region_id == region("asia_pacific").id),
    "dismiss_thread": (_flagged("thread"), _moderate("threads", "dismiss"),
                       _dismissed("thread")),
    "dismiss_reply": (_flagged("reply"), _moderate("posts", "dismiss"), _dismissed("reply")),
    "queue": (_flagged("reply"), lambda c, w: c.get("/moderation"),
              lambda w, r: r.status_code == 200 and bool(soup(r).select(
                  f"li.queue-entry[data-item='post:{w.reply.id}']"))),
    "log": (_logged, lambda c, w: c.get("/moderation/log"),
            _page_shows("Logged for the matrix")),
}
# Reading cells are judged by what the page shows: a reader of a space who may not see a
# hidden reply gets the thread page without it (200), a moderator of another region an empty
# queue or log.
SHOWN_ON_A_PAGE = {"read", "read_hidden_thread", "read_hidden_reply", "queue", "log"}
# A visitor who never signed in has nothing of their own to edit.
SKIPPED = {("anonymous", "edit_own")}
CELLS = [(role, space, action) for role, space, action in itertools.product(
    ROLES, SPACES, ACTIONS) if (role, action) not in SKIPPED]


def run_cell(client, make_member, role, space, action):
    """(response, took effect, database before the request, database after)."""
    world = World(make_member, role, space)
    if world.actor is not None:
        sign_in_as(client, world.actor)
    prepare, request, effect = RUN[action]
    prepare(world)
    before = snapshot()
    response = request(client, world)
    return response, effect(world, response), before, snapshot()


@pytest.mark.parametrize(("role", "space", "action"), CELLS,
                         ids=["-".join(cell) for cell in CELLS])
def test_cell(client, make_member, role, space, action):
    response, took_effect, before, after = run_cell(client, make_member, role, space, action)

    if expected(role, space, action):
        assert 200 <= response.status_code < 400, response.status_code
        assert took_effect, f"{role} should be able to {action} in space {space}"
    else:
        assert not took_effect, f"{role} must not {action} in space {space}"
        if action in SHOWN_ON_A_PAGE:
            assert response.status_code == 200 or refused(response), response.status_code
        else:
            assert refused(response), response.status_code
        assert before == after, "a refused request changed something"


# --- the key cells, spelled out ------------------------------------------------------------------

def _cell(client, make_member, role, space, action):
    response, took_effect, _, _ = run_cell(client, make_member, role, space, action)
    return response, took_effect


def test_moderator_of_africa_cannot_hide_a_post_in_europe(client, make_member):
    response, hidden = _cell(client, make_member, "moderator_a", "B", "hide_reply")
    assert response.status_code == 404 and not hidden


def test_moderator_of_africa_hides_a_post_in_africa(client, make_member):
    response, hidden = _cell(client, make_member, "moderator_a", "A", "hide_reply")
    assert response.status_code == 302 and hidden


def test_a_moderator_who_lives_in_europe_but_runs_africa_cannot_lock_in_europe(
        client, make_member):
    world = World(make_member, "member_b", "B")
    moderator = make_member(password=None, role="moderator", region_key="europe",
                            moderates=("africa",))
    sign_in_as(client, moderator)
    assert client.get(f"/threads/{world.thread.id}").status_code == 200  # she reads it
    response = post(client, f"/moderation/threads/{world.thread.id}/lock", {})
    assert response.status_code == 403
    assert not Thread.get_by_id(world.thread.id).is_locked


def test_moderators_do_not_moderate_the_network_space(client, make_member):
    response, locked = _cell(client, make_member, "moderator_a", "network", "lock")
    assert response.status_code == 403 and not locked


def test_an_administrator_moderates_the_network_space(client, make_member):
    response, moved = _cell(client, make_member, "administrator", "network", "move")
    assert response.status_code == 302 and moved


def test_a_member_reads_and_flags_in_the_network_space_but_does_not_hide(client, make_member):
    response, flagged = _cell(client, make_member, "member_b", "network", "flag_reply")
    assert response.status_code == 302 and flagged
    response, hidden = _cell(client, make_member, "member_b", "network", "hide_thread")
    assert response.status_code == 403 and not hidden


def test_a_member_of_europe_does_not_see_africas_thread(client, make_member):
    response, shown = _cell(client, make_member, "member_b", "A", "read")
    assert response.status_code == 404 and not shown
    assert "Matrix thread" not in response.text


def test_a_disabled_member_is_sent_to_sign_in(client, make_member):
    response, flagged = _cell(client, make_member, "disabled_a", "A", "flag_reply")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert not flagged
