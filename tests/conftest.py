"""Fixtures: a fresh database per test (SQLite or PostgreSQL), a real SMTP server, factories."""
import os
import secrets
import socket
import time

import psycopg
import pytest
from aiosmtpd.controller import Controller
from flask.testing import FlaskClient

from r2pnet import create_app, search
from r2pnet.accounts.passwords import hash_password
from r2pnet.accounts.services import new_session_version
from r2pnet.config import parse_database_url, parse_smtp_url
from r2pnet.database import apply_migrations
from r2pnet.extensions import db
from r2pnet.members.models import Member, MemberExpertise, MemberLanguage, ModeratorRegion
from r2pnet.members.seed import DEFAULT_REGIONS
from r2pnet.members.services import index_member_text, seed_regions
from r2pnet.models import MODELS
from tests.helpers import PASSWORD, MailCollector, login, region
from tests.signin import sign_in_as

BACKEND = os.environ.get("TEST_DATABASE", "sqlite")
POSTGRES_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL",
                                    "postgresql://postgres@127.0.0.1:5432/postgres")


def _require(flag):
    return os.environ.get(flag) == "1"


# --- database --------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """One migrated database for the session: a file for SQLite, a fresh database on PostgreSQL."""
    if BACKEND == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
        return
    name = f"r2pnet_test_{os.getpid()}_{secrets.token_hex(3)}"
    try:
        admin = psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        if _require("REQUIRE_POSTGRES"):
            pytest.fail(f"PostgreSQL is required but unreachable: {exc}")
        pytest.skip(f"PostgreSQL unreachable: {exc}")
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0]
    yield f"{base}/{name}"
    # A new connection: a fault test may have restarted the server since.
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=30) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def migrated(database_url, tmp_path_factory):
    """Apply every migration once per session."""
    app = _make_app(database_url, tmp_path_factory.mktemp("instance"), None)
    with app.app_context():
        apply_migrations()
    _dispose(app)
    return database_url


def _dispose(app):
    """Close the app's database connections, pooled ones included."""
    database = app.extensions["database"]
    if not database.is_closed():
        database.close()
    if hasattr(database, "close_all"):
        database.close_all()


def _make_app(database_url, instance, smtp_url, **extra):
    config = {
        "TESTING": True,
        "INSTANCE_PATH": str(instance),
        "DATABASE_URL": database_url,
        "DATABASE": parse_database_url(database_url),
        "SMTP_URL": smtp_url or f"file://{instance}/outbox",
        "SMTP": parse_smtp_url(smtp_url or f"file://{instance}/outbox"),
        "BASE_URL": "http://r2pnet.test",
        "SECRET_KEY": "test-secret-key-" + "x" * 32,
        # Tests that are about rate limits set their own; the rest must never meet one.
        "API_RATE_LIMIT": "1000000 per minute",
        "API_ADDRESS_RATE_LIMIT": "1000000 per minute",
    }
    config.update(extra)
    return create_app(config)


def _reset_tables():
    with db.atomic():
        for model in reversed(MODELS):
            model.delete().execute()
        search.clear()
    seed_regions(DEFAULT_REGIONS)


@pytest.fixture
def app(migrated, tmp_path, smtp_server):
    """A fresh app on emptied tables (regions re-seeded), sending mail to the test SMTP server."""
    application = _make_app(migrated, tmp_path / "instance", smtp_server.url)
    application.test_client_class = IsolatedClient
    with application.app_context():
        with db.connection_context():
            _reset_tables()
        yield application
    _dispose(application)


class IsolatedClient(FlaskClient):
    """Each request gets its own app context, hence its own `g`, as in production.

    Without it, requests reuse the test's app context: Flask-Login's cached user and
    Flask-WTF's cached CSRF token would leak from one request to the next.
    """

    def open(self, *args, **kwargs):
        # Buffered, as a server does: the response is closed (and its after-response work,
        # such as sending mail, done) before the test reads it.
        kwargs.setdefault("buffered", True)
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


# --- email -----------------------------------------------------------------------------------

class SMTPServer:
    """A real SMTP server on loopback; `messages` is what it received."""

    def __init__(self):
        self.handler = MailCollector()
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=port)

    def start(self):
        self.controller.start()
        self.url = f"smtp://127.0.0.1:{self.controller.port}"

    @property
    def messages(self):
        return list(self.handler.messages)

    def clear(self):
        self.handler.messages.clear()

    def last_to(self, address, wait=5.0):
        """The newest message to an address, waiting a little for it as a mail reader would."""
        deadline = time.monotonic() + wait
        while True:
            for msg in reversed(self.messages):
                if address.lower() in str(msg["To"]).lower():
                    return msg
            if time.monotonic() >= deadline:
                break
            time.sleep(0.05)
        got = [str(m["To"]) for m in self.messages]
        raise AssertionError(f"no message to {address}; got {got}")


@pytest.fixture(scope="session")
def smtp_server():
    server = SMTPServer()
    server.start()
    yield server
    server.controller.stop()


@pytest.fixture
def mailbox(smtp_server):
    smtp_server.clear()
    return smtp_server


# --- factories and helpers -------------------------------------------------------------------

@pytest.fixture
def make_member(app):
    """Create a member directly: make_member(email, role=..., region=..., ...)."""
    counter = iter(range(1, 100000))

    def make(email=None, name=None, role="member", region_key="africa", moderates=(),
             password=PASSWORD, languages=(), expertise=(), **fields):
        n = next(counter)
        member = Member(email=email or f"member{n}@example.org", name=name or f"Member {n}",
                        role=role, region=region(region_key) if region_key else None,
                        password_hash=hash_password(password) if password else None,
                        session_version=new_session_version(), **fields)
        index_member_text(member)
        member.save()
        for code in languages:
            MemberLanguage.create(member=member, code=code)
        for key in expertise:
            MemberExpertise.create(member=member, key=key)
        for key in moderates:
            ModeratorRegion.create(member=member, region=region(key))
        return member

    return make


LESSON_DEFAULTS = {
    "title": "Early-warning desk in the foreign ministry",
    "summary": "A two-person desk that reads the Framework of Analysis every month.",
    "country": None, "region_id": None, "attribution": "office", "visibility": "network",
    "pillars": ["pillar_1"], "crimes": [], "priorities": [], "risk_factors": [],
    "strategy": [], "tags": [], "context_md": "", "practice_md": "", "outcome_md": "",
    "lesson_md": "", "recommendation_md": "", "version": None, "publish": True,
}


@pytest.fixture
def make_lesson(app):
    """Create a lesson through the service: make_lesson(author, region_key=..., **fields)."""
    from r2pnet.knowledge.services import create_lesson

    def make(author, region_key=None, **fields):
        data = dict(LESSON_DEFAULTS, **fields)
        if region_key:
            data["region_id"] = region(region_key).id
        with db.connection_context():
            return create_lesson(author, data)

    return make


@pytest.fixture
def signed_in(client, make_member):
    """Sign the client in as a new member: signed_in(role=..., ...)."""
    def sign_in(**kwargs):
        member = make_member(password=None, **kwargs)
        sign_in_as(client, member)
        return member
    return sign_in


@pytest.fixture
def as_member(client, make_member):
    """A signed-in client; returns (client, member)."""
    def sign_in(**kwargs):
        kwargs.setdefault("password", PASSWORD)
        member = make_member(**kwargs)
        response = login(client, member.email)
        assert response.status_code == 302, response.get_data(as_text=True)
        return member
    return sign_in


# --- SQL query counting ----------------------------------------------------------------------


def pytest_terminal_summary(terminalreporter):
    """Say how many cases schemathesis generated, per operation and in all."""
    from tests.api_helpers import FUZZ_CASES
    if not FUZZ_CASES:
        return
    terminalreporter.section("schemathesis")
    for operation, count in sorted(FUZZ_CASES.items()):
        terminalreporter.write_line(f"{count:6d}  {operation}")
    terminalreporter.write_line(f"schemathesis generated {sum(FUZZ_CASES.values())} cases "
                                f"for {len(FUZZ_CASES)} operations")
