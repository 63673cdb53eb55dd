"""SQLite under stress: many writers at once, and a server killed in the middle of writes."""
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time

import pytest

from r2pnet.audit.models import AuditEvent
from r2pnet.config import PROJECT_ROOT
from r2pnet.extensions import db
from tests.conftest import BACKEND

pytestmark = pytest.mark.skipif(BACKEND != "sqlite", reason="SQLite's own locking and recovery")

WRITERS = 64
WRITES_EACH = 5


def test_64_concurrent_writers_never_see_database_is_locked(app):
    start, failures = threading.Barrier(WRITERS), []

    def writer(n):
        start.wait()
        try:
            with db.connection_context():
                for i in range(WRITES_EACH):
                    with db.atomic():
                        AuditEvent.create(action="stress", detail=f"{n}/{i}")
        except Exception as exc:  # noqa: BLE001 - every failure is the finding
            failures.append(repr(exc))

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert failures == []
    with db.connection_context():
        assert AuditEvent.select().where(AuditEvent.action == "stress").count() == \
            WRITERS * WRITES_EACH


# The writer: the app's own database settings, acknowledging each write after its commit.
WRITER = textwrap.dedent("""
    import sys
    from r2pnet.audit.models import AuditEvent
    from r2pnet.config import parse_database_url
    from r2pnet.extensions import db, make_database
    from r2pnet.models import MODELS

    db.initialize(make_database(parse_database_url(sys.argv[1])))
    with db.connection_context():
        db.create_tables(MODELS, safe=True)
        n = AuditEvent.select().count()
        while True:
            n += 1
            with db.atomic():
                AuditEvent.create(action="crash_probe", detail=str(n))
            print(n, flush=True)
""")


def test_a_writer_killed_mid_write_leaves_an_intact_database_with_every_acknowledged_row(
        tmp_path):
    path = tmp_path / "crash.db"
    acknowledged = set()
    rng = random.Random(20261127)
    for _ in range(8):
        writer = subprocess.Popen([sys.executable, "-c", WRITER, f"sqlite:///{path}"],
                                  cwd=PROJECT_ROOT, stdout=subprocess.PIPE, text=True)
        first = writer.stdout.readline()  # it is writing
        assert first.strip().isdigit(), first
        acknowledged.add(int(first))
        time.sleep(rng.uniform(0.05, 0.4))
        writer.send_signal(signal.SIGKILL)
        out, _ = writer.communicate(timeout=30)
        acknowledged.update(int(line) for line in out.split() if line.isdigit())

        with sqlite3.connect(path) as check:
            assert check.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            stored = {int(row[0]) for row in check.execute(
                "SELECT detail FROM audit_event WHERE action = 'crash_probe'")}
        assert acknowledged <= stored, f"lost: {sorted(acknowledged - stored)[:10]}"
    assert len(acknowledged) > 8  # the writers really were writing when killed
