"""Extension singletons, initialised by the application factory."""
import logging
import time
from pathlib import Path

from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect
from flask_bootstrap import Bootstrap5
from peewee import DatabaseProxy, Model, __exception_wrapper__
from playhouse.pool import PooledPostgresqlDatabase, PooledSqliteDatabase

db = DatabaseProxy()
login_manager = LoginManager()
csrf = CSRFProtect()
bootstrap = Bootstrap5()

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "busy_timeout": 10000,
    "foreign_keys": 1,
    "synchronous": "normal",
}
# Connections a process keeps open: one per thread serving at once (the threaded server of
# `make run`, the scheduler's jobs); a gunicorn worker uses one.
SQLITE_CONNECTIONS = 32


class BaseModel(Model):
    """Every model's base: bound to the one database of the process."""

    class Meta:
        database = db
        legacy_table_names = False


# psycopg prepares a statement after this many runs: never, unless a run asks (psycopg ignores
# the ask when the threshold is None).
PREPARE_WHEN_ASKED = 2**31


# Each connection's settings, for statements of a few milliseconds answering web requests:
# - no parallel workers: starting them took several milliseconds of a search's 10-30 (their
#   values are then computed before the plan runs, even those it would never need), and the
#   workers compete with the other requests for the same cores;
# - no JIT compilation: it starts above a planned cost that a statement over every lesson
#   can reach, and compiling takes tens of milliseconds, more than such a statement.
SESSION_OPTIONS = "-c max_parallel_workers_per_gather=0 -c jit=off"


class PostgresqlPool(PooledPostgresqlDatabase):
    """The pool, asking the server whether a connection is alive (a round trip) only when it
    has not been used for a second: a busy worker reuses its connection many times a second.

    A connection that failed is marked closed by the driver and never handed out again; one
    whose server went away in that second fails its next statement, as during any outage.
    """

    RECENT = 1.0  # seconds

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._returned = {}  # connection key -> when it came back to the pool (monotonic)

    def _close(self, conn, close_conn=False):
        self._returned[self.conn_key(conn)] = time.monotonic()
        super()._close(conn, close_conn)

    def _close_raw(self, conn):
        self._returned.pop(self.conn_key(conn), None)
        super()._close_raw(conn)

    def execute_prepared(self, sql, params):
        """`execute_sql`, the statement prepared on this connection at its first run, so that
        PostgreSQL may keep a plan for it (see make_database)."""
        self._log_query(sql, params)
        start = time.perf_counter() if self.query_hooks else None
        try:
            with __exception_wrapper__:
                cursor = self.cursor()
                cursor.execute(sql, params or (), prepare=True)
        except Exception as exc:
            if start is not None:
                self._notify_hooks(sql, params, start, exc)
            raise
        if start is not None:
            self._notify_hooks(sql, params, start, None)
        return cursor

    def _is_closed(self, conn):
        returned = self._returned.pop(self.conn_key(conn), None)
        if (returned is not None and time.monotonic() - returned < self.RECENT
                and not conn.closed):
            return False
        return super()._is_closed(conn)


def make_database(settings):
    """Build the peewee database for parsed DATABASE_URL settings."""
    if settings["engine"] == "sqlite":
        Path(settings["path"]).parent.mkdir(parents=True, exist_ok=True)
        # IMMEDIATE: a writing transaction takes the write lock at BEGIN, so two writers
        # queue on busy_timeout instead of failing with "database is locked" on upgrade.
        # Pooled: opening a connection and setting its pragmas cost more than a simple page's
        # queries; `timeout` here is the wait for a free connection (busy_timeout is a pragma).
        # A returned connection may serve another thread next, never two at once.
        return PooledSqliteDatabase(settings["path"], pragmas=SQLITE_PRAGMAS, timeout=10,
                                    lock_type="IMMEDIATE", max_connections=SQLITE_CONNECTIONS,
                                    stale_timeout=300, check_same_thread=False)
    # A prepared statement may get a generic plan, blind to its values: a search for a common
    # word planned as for a rare one took 300 ms instead of 40. So statements are not prepared
    # (each run is planned with its values), except those built once by r2pnet/statements.py,
    # lookups by id whose plan does not depend on the values: planning them on every run cost
    # up to a millisecond each, more than running them.
    return PostgresqlPool(
        settings["database"], host=settings["host"], port=settings["port"],
        user=settings["user"], password=settings["password"],
        max_connections=settings["max_connections"], timeout=settings["pool_timeout"],
        stale_timeout=300, connect_timeout=5, prepare_threshold=PREPARE_WHEN_ASKED,
        options=SESSION_OPTIONS)


def init_database(app):
    """Bind the proxy to the configured database and open/close a connection per request."""
    database = make_database(app.config["DATABASE"])
    db.initialize(database)
    app.extensions["database"] = database

    @app.before_request
    def _connect():
        db.connect(reuse_if_open=True)

    @app.teardown_request
    def _close(exc):
        if not db.is_closed():
            db.close()


def is_postgres():
    """True when the process runs on PostgreSQL."""
    return isinstance(db.obj, PooledPostgresqlDatabase)


log = logging.getLogger("r2pnet")
