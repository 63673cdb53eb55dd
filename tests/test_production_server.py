"""`gunicorn app:app` serves the app with several workers."""
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from r2pnet.config import PROJECT_ROOT


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url):
    try:
        with urllib.request.urlopen(url, timeout=20) as response:  # noqa: S310 - loopback only
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def test_gunicorn_serves_the_app_and_its_health_check(migrated, tmp_path):
    port = _free_port()
    env = dict(os.environ, DATABASE_URL=migrated, INSTANCE_PATH=str(tmp_path),
               BASE_URL=f"http://127.0.0.1:{port}")
    gunicorn = Path(sys.executable).parent / "gunicorn"
    server = subprocess.Popen([str(gunicorn), "--workers", "2", "--bind", f"127.0.0.1:{port}",
                               "app:app"], cwd=PROJECT_ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        status = None
        while time.monotonic() < deadline:
            try:
                status, body = _get(f"http://127.0.0.1:{port}/healthz")
                break
            except (OSError, urllib.error.URLError):  # not listening yet
                time.sleep(0.2)
        assert status == 200, server.stderr.read1() if server.poll() is not None else status
        assert b'"database":"ok"' in body
        status, body = _get(f"http://127.0.0.1:{port}/login")
        assert status == 200 and b"Sign in to r2pnet" in body
    finally:
        server.terminate()
        server.wait(timeout=20)
        server.stderr.close()
