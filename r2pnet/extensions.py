"""Extension singletons, initialised by the application factory."""
import logging
from pathlib import Path

from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect
from flask_bootstrap import Bootstrap5
from peewee import DatabaseProxy, Model
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
    # psycopg prepares a statement run five times; PostgreSQL may then switch it to a generic
    # plan, blind to its values: a search for a common word planned as for a rare one took
    # 300 ms instead of 40. Prepared statements still save parsing; each run is planned anew.
    return PooledPostgresqlDatabase(
        settings["database"], host=settings["host"], port=settings["port"],
        user=settings["user"], password=settings["password"],
        max_connections=settings["max_connections"], timeout=settings["pool_timeout"],
        stale_timeout=300, connect_timeout=5,
        options="-c plan_cache_mode=force_custom_plan")


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
