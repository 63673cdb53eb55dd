"""When the database cannot serve a request, the answer is a clean 503, never a hang or a 500."""
import threading

import pytest

from r2pnet.extensions import db
from tests.conftest import BACKEND, IsolatedClient, _dispose, _make_app
from tests.signin import sign_in_as

pytestmark = pytest.mark.skipif(BACKEND != "postgresql",
                                reason="the connection pool is PostgreSQL's")


@pytest.fixture
def small_pool_app(app, tmp_path):
    """The app with a pool of 2 connections and a 1-second wait for one."""
    built = _make_app(app.config["DATABASE_URL"] + "?max_connections=2&pool_timeout=1",
                      tmp_path / "small", None)
    built.test_client_class = IsolatedClient
    yield built
    _dispose(built)


def _hold_connections(count):
    """Threads that each take a pooled connection and keep it until released."""
    taken, release = threading.Barrier(count + 1), threading.Event()

    def hold():
        db.connect(reuse_if_open=True)
        taken.wait()
        release.wait(30)
        db.close()

    threads = [threading.Thread(target=hold) for _ in range(count)]
    for thread in threads:
        thread.start()
    taken.wait()
    return release, threads


def test_more_requests_than_pooled_connections_get_a_503_after_the_wait_then_service_resumes(
        small_pool_app):
    client = small_pool_app.test_client()
    release, threads = _hold_connections(2)
    try:
        page = client.get("/login")
        api = client.get("/api/v1/lessons")
    finally:
        release.set()
        for thread in threads:
            thread.join()

    assert page.status_code == 503 and page.headers["Retry-After"] == "5"
    assert "busy or briefly unavailable" in page.get_data(as_text=True)
    assert api.status_code == 503 and api.mimetype == "application/problem+json"
    assert client.get("/login").status_code == 200


def test_a_signed_in_member_gets_the_same_503_not_an_error_page(small_pool_app, make_member):
    client = small_pool_app.test_client()
    sign_in_as(client, make_member())
    release, threads = _hold_connections(2)
    try:
        page = client.get("/lessons")
    finally:
        release.set()
        for thread in threads:
            thread.join()

    assert page.status_code == 503
    assert client.get("/lessons").status_code == 200
