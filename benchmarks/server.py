"""What the benchmarks share: a fresh database, a migrated app, and gunicorn as deployed."""
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
# The browser the load run is: sign-in and wrk send the same, as one browser does. With two,
# Flask-Login's session protection saw the session move to another browser on every request
# and marked it no longer fresh, changing (and re-sending) the session each time.
USER_AGENT = "r2pnet-load"



def free_port():
    """A TCP port on loopback that nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fresh_database(kind, folder=None, keep=False):
    """(DATABASE_URL of a new empty database, a function that drops it)."""
    folder = Path(folder or tempfile.mkdtemp(prefix="r2pnet-bench-"))
    if kind == "sqlite":
        path = folder / "bench.db"
        return f"sqlite:///{path}", (lambda: None) if keep else (lambda: path.unlink(True))
    import psycopg
    name = f"r2pnet_bench_{os.getpid()}_{int(time.time())}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop():
        from r2pnet.extensions import db
        db.close_all()  # the pool's connections, or the database cannot be dropped
        with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return f"postgresql://postgres@127.0.0.1:5432/{name}", (lambda: None) if keep else drop


def bench_environment(database_url, instance, base_url="http://127.0.0.1"):
    """The settings every benchmark process runs with (also given to gunicorn)."""
    return {"DATABASE_URL": database_url, "INSTANCE_PATH": str(instance),
            "BASE_URL": base_url, "SECRET_KEY": "benchmark-secret-key-" + "x" * 24,
            "SMTP_URL": f"file://{instance}/outbox",
            "API_RATE_LIMIT": "1000000 per minute", "API_ADDRESS_RATE_LIMIT": "1000000 per minute"}


def migrated_app(database_url, instance=None):
    """The app on that database, migrated; the settings also go into os.environ."""
    instance = Path(instance or tempfile.mkdtemp(prefix="r2pnet-bench-instance-"))
    os.environ.update(bench_environment(database_url, instance))
    from r2pnet import create_app
    from r2pnet.database import apply_migrations
    app = create_app()
    with app.app_context():
        apply_migrations()
    return app


class Gunicorn:
    """gunicorn serving `target` (module:app) with the deployment's settings and N workers."""

    def __init__(self, target, env, workers=2):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        gunicorn = Path(sys.executable).parent / "gunicorn"
        self.process = subprocess.Popen(
            [str(gunicorn), "--workers", str(workers), "--bind", f"127.0.0.1:{self.port}",
             "--timeout", "60", target], cwd=PROJECT_ROOT,
            env={**os.environ, **env, "BASE_URL": self.base}, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        self.workers = workers
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                requests.get(self.base + "/", timeout=5)
                if len(self.worker_pids()) == workers:
                    return
            except (requests.ConnectionError, requests.Timeout):
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn {target} did not start")

    def worker_pids(self):
        """The worker processes (children of the gunicorn master)."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()]

    def peak_memory_mb(self):
        """Each worker's peak resident set size (VmHWM) so far, in MB."""
        peaks = []
        for pid in self.worker_pids():
            status = Path(f"/proc/{pid}/status").read_text()
            kb = int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1))
            peaks.append(kb / 1024)
        return peaks

    def sign_in(self, email, password):
        """The session cookie of a member signed in through the login form."""
        browser = requests.Session()
        browser.headers["User-Agent"] = USER_AGENT
        token = CSRF.search(browser.get(self.base + "/login", timeout=10).text).group(1)
        answer = browser.post(self.base + "/login", timeout=10, allow_redirects=False,
                              data={"email": email, "password": password, "csrf_token": token})
        if answer.status_code != 302:
            raise RuntimeError(f"sign-in failed: {answer.status_code}")
        # As a browser does: follow the redirect and keep the cookie it updates (the first page
        # after signing in adds the CSRF secret). wrk replays one cookie: a stale one would make
        # every page add the secret again and re-sign the session.
        browser.get(self.base + answer.headers["Location"], timeout=10)
        return "; ".join(f"{c.name}={c.value}" for c in browser.cookies)

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=30)
