"""Two gunicorn workers share sessions, login throttling and API rate limits."""
import concurrent.futures
import contextlib
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
import requests

from benchmarks.server import free_port
from r2pnet.config import PROJECT_ROOT
from tests.api_helpers import token_for
from tests.helpers import PASSWORD

REDIS_URL = "redis://127.0.0.1:6379/14"
CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def _redis_or_skip():
    try:
        redis.Redis.from_url(REDIS_URL, socket_timeout=2).ping()
    except redis.exceptions.RedisError as exc:
        pytest.skip(f"Redis unreachable: {exc}")


class Server:
    """gunicorn with two workers on the test database; the access log names each worker."""

    def __init__(self, database_url, instance):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = instance / "access.log"
        env = dict(os.environ, DATABASE_URL=database_url, INSTANCE_PATH=str(instance),
                   BASE_URL=self.base, SECRET_KEY="workers-share-this-key-" + "x" * 20,
                   SMTP_URL=f"file://{instance}/outbox", RATELIMIT_STORAGE_URI=REDIS_URL,
                   API_RATE_LIMIT="20 per minute", API_ADDRESS_RATE_LIMIT="1000 per minute")
        gunicorn = Path(sys.executable).parent / "gunicorn"
        self.process = subprocess.Popen(
            [str(gunicorn), "--workers", "2", "--bind", f"127.0.0.1:{self.port}",
             "--access-logfile", str(self.log), "--access-logformat", "%(p)s %(m)s %(U)s %(s)s",
             "app:app"], cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(self.base + "/healthz", timeout=5).status_code == 200:
                    return
            except (requests.ConnectionError, requests.Timeout):
                time.sleep(0.2)  # not listening yet, or no worker has finished booting
        self.stop()
        raise AssertionError("gunicorn did not start")

    def workers_that_served(self, method, path):
        """The worker pids of the access-log lines for one method and path."""
        time.sleep(0.3)  # the log is written after each response
        lines = self.log.read_text().splitlines()
        return {line.split()[0] for line in lines if line.split()[1:3] == [method, path]}

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=20)


@pytest.fixture
def server(app, migrated, tmp_path):
    _redis_or_skip()
    running = Server(app.config["DATABASE_URL"], tmp_path)
    yield running
    running.stop()


def _together(calls, count):
    """Run `count` calls at once (so both workers must take some) and return their results."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(lambda _: calls(), range(count)))


@contextlib.contextmanager
def _half_sent(server, path, headers):
    """A GET whose request is sent but for its last line: the worker that accepted it waits
    for the rest. Yields a function that sends it and returns the answer's status code."""
    host, port = server.base.removeprefix("http://").split(":")
    lines = [f"GET {path} HTTP/1.1", f"Host: {host}", "Connection: close",
             *(f"{name}: {value}" for name, value in headers.items())]
    with socket.create_connection((host, int(port)), timeout=30) as connection:
        connection.sendall(("\r\n".join(lines) + "\r\n").encode())
        time.sleep(0.3)  # accepted by one worker before the other calls start

        def finish():
            connection.sendall(b"\r\n")
            return int(connection.makefile("rb").readline().split()[1])
        yield finish


def _signed_in_session(server, email, password=PASSWORD):
    browser = requests.Session()
    token = CSRF.search(browser.get(server.base + "/login", timeout=10).text).group(1)
    answer = browser.post(server.base + "/login", timeout=10, allow_redirects=False,
                          data={"email": email, "password": password, "csrf_token": token})
    return browser, answer


def test_a_session_made_by_one_worker_is_honoured_by_the_other(server, make_member):
    member = make_member(password=PASSWORD)
    browser, answer = _signed_in_session(server, member.email)
    assert answer.status_code == 302

    statuses = _together(lambda: browser.get(server.base + "/members", timeout=30,
                                             allow_redirects=False).status_code, 16)

    assert statuses == [200] * 16
    assert len(server.workers_that_served("GET", "/members")) == 2


def test_failed_sign_ins_count_across_workers(server, make_member):
    member = make_member(password=PASSWORD)

    failures = _together(lambda: _signed_in_session(server, member.email, "wrong password")[1]
                         .status_code, 5)
    _, after = _signed_in_session(server, member.email)

    assert failures == [400] * 5
    assert len(server.workers_that_served("POST", "/login")) == 2
    assert after.status_code == 400 and "Too many failed attempts" in after.text


def test_one_tokens_api_budget_is_shared_by_both_workers(server, make_member):
    token = token_for(make_member())
    headers = {"Authorization": f"Bearer {token}"}

    # One call is held half-sent, so the worker that took it waits while the other serves the
    # next ones (twenty quick calls at once could all go to one worker); then it is finished.
    with _half_sent(server, "/api/v1/me", headers) as finish:
        budget = _together(lambda: requests.get(server.base + "/api/v1/me", headers=headers,
                                                timeout=30).status_code, 19)
        budget.append(finish())
    over = requests.get(server.base + "/api/v1/me", headers=headers, timeout=30)

    assert budget == [200] * 20
    assert len(server.workers_that_served("GET", "/api/v1/me")) == 2
    assert over.status_code == 429 and over.headers["Content-Type"].startswith(
        "application/problem+json")
