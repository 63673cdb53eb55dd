"""The embedded database is set up for concurrent use; PostgreSQL is pooled."""
import threading
import time

import pytest
from playhouse.pool import PooledPostgresqlDatabase

from r2pnet.audit.services import record
from r2pnet.audit.models import AuditEvent
from r2pnet.extensions import PostgresqlPool, db, is_postgres



@pytest.fixture
def on_sqlite(app):
    if is_postgres():
        pytest.skip("SQLite settings")
    return app


def test_sqlite_runs_in_wal_with_a_busy_timeout_and_foreign_keys(on_sqlite):
    with db.connection_context():
        assert db.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute_sql("PRAGMA busy_timeout").fetchone()[0] >= 5000
        assert db.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.obj._lock_type == "IMMEDIATE"


def test_concurrent_writers_never_see_database_is_locked(app):
    errors = []

    def write(n):
        try:
            with app.app_context(), db.connection_context():
                for i in range(10):
                    with db.atomic():
                        record("logged_in", email=f"writer{n}-{i}@example.org")
        except Exception as exc:  # noqa: BLE001 - any failure is the finding
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    with db.connection_context():
        assert AuditEvent.select().where(AuditEvent.email.startswith("writer")).count() == 160


def test_postgresql_connections_are_pooled(app):
    if not is_postgres():
        pytest.skip("PostgreSQL settings")
    assert isinstance(db.obj, PooledPostgresqlDatabase)


def test_postgresql_connections_run_without_parallel_workers_or_jit(app):
    if not is_postgres():
        pytest.skip("PostgreSQL settings")
    with db.connection_context():
        assert db.execute_sql("SHOW max_parallel_workers_per_gather").fetchone()[0] == "0"
        assert db.execute_sql("SHOW jit").fetchone()[0] == "off"


def _backend_pid():
    with db.connection_context():
        return db.execute_sql("SELECT pg_backend_pid()").fetchone()[0]


def _terminate(pid):
    import psycopg

    from tests.conftest import POSTGRES_ADMIN_URL
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))


def test_a_pooled_connection_unused_for_a_second_is_checked_and_replaced_if_the_server_ended_it(
        app):
    if not is_postgres():
        pytest.skip("PostgreSQL pool")
    first = _backend_pid()
    assert _backend_pid() == first  # reused
    time.sleep(PostgresqlPool.RECENT + 0.2)
    _terminate(first)
    time.sleep(0.2)
    # Unused for over a second: asked before reuse, found dead, replaced.
    assert _backend_pid() != first
