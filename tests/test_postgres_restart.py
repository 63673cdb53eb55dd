"""PostgreSQL restarted while requests run: 503 during the outage, then served again by itself."""
import os
import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest

from tests.conftest import BACKEND

CLUSTERS = Path("/etc/postgresql")


def _cluster():
    versions = sorted(p.name for p in CLUSTERS.iterdir()) if CLUSTERS.is_dir() else []
    return versions[-1] if versions else None


pytestmark = [
    pytest.mark.skipif(BACKEND != "postgresql", reason="restarts the PostgreSQL server"),
    pytest.mark.skipif(shutil.which("pg_ctlcluster") is None or _cluster() is None
                       or os.geteuid() != 0,
                       reason="needs pg_ctlcluster and root to restart the local server"),
]


def _restart_server():
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", _cluster(), "main",
                    "restart", "--", "-m", "fast"], check=True, capture_output=True, timeout=120)
    for _ in range(60):
        if subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1", "-p", "5432"]).returncode == 0:
            return time.monotonic()
        time.sleep(0.5)
    raise AssertionError("PostgreSQL did not come back")


def test_requests_during_a_restart_get_503_and_the_app_recovers_by_itself(app, make_lesson,
                                                                          make_member):
    make_lesson(make_member(), visibility="public")
    results, stop = [], threading.Event()

    def traffic():
        client = app.test_client()
        while not stop.is_set():
            response = client.get("/api/v1/lessons")
            results.append((time.monotonic(), response.status_code))
            time.sleep(0.02)

    thread = threading.Thread(target=traffic)
    thread.start()
    time.sleep(1)
    restarted_at = _restart_server()
    time.sleep(3)
    stop.set()
    thread.join(60)

    statuses = {status for _, status in results}
    settled = [status for at, status in results if at > restarted_at + 1]
    assert statuses == {200, 503}, statuses  # the outage was seen, and answered cleanly
    assert results[0][1] == 200
    assert settled and set(settled) == {200}, settled
