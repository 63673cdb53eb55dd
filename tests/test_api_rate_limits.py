"""Rate limits: a budget per token and one per address, shared by every worker through Redis."""
import secrets

import pytest
import redis

from r2pnet.api.tokens import digest
from tests.api_helpers import Api, token_for
from tests.conftest import IsolatedClient, _dispose, _make_app

PROBLEM = "application/problem+json"
REDIS_URL = "redis://127.0.0.1:6379/15"


@pytest.fixture
def limited_app(app, tmp_path):
    """Build apps on the test database with their own limits: limited_app(API_RATE_LIMIT=...)."""
    made = []

    def make(**limits):
        built = _make_app(app.config["DATABASE_URL"], tmp_path / f"limited{len(made)}", None,
                          **limits)
        built.test_client_class = IsolatedClient
        made.append(built)
        return built

    yield make
    for built in made:
        _dispose(built)


def from_address(client, address):
    client.environ_base["REMOTE_ADDR"] = address
    return client


def statuses(api, path, times):
    return [api.get(path).status_code for _ in range(times)]


def assert_throttled(response):
    assert response.status_code == 429
    assert response.mimetype == PROBLEM
    body = response.get_json()
    assert (body["status"], body["title"]) == (429, "Too Many Requests")
    assert 0 < int(response.headers["Retry-After"]) <= 60


def test_the_sixth_call_with_one_token_is_refused_and_another_token_still_works(
        limited_app, make_member):
    client = limited_app(API_RATE_LIMIT="5 per minute").test_client()
    mine = Api(client, token_for(make_member()))
    theirs = Api(client, token_for(make_member()))

    assert statuses(mine, "/me", 5) == [200] * 5
    refused = mine.get("/me")

    assert_throttled(refused)
    assert refused.headers["X-RateLimit-Limit"] == "5"
    assert statuses(theirs, "/me", 5) == [200] * 5
    assert_throttled(mine.get("/me"))


def test_calls_without_a_token_are_limited_per_address(limited_app):
    built = limited_app(API_ADDRESS_RATE_LIMIT="3 per minute")
    here = from_address(built.test_client(), "192.0.2.10")
    elsewhere = from_address(built.test_client(), "192.0.2.20")

    assert statuses(Api(here), "/openapi.json", 3) == [200] * 3
    assert_throttled(Api(here).get("/me"))
    assert_throttled(Api(here).get("/openapi.json"))
    assert statuses(Api(elsewhere), "/openapi.json", 3) == [200] * 3


def test_the_address_budget_also_caps_many_tokens_from_one_address(limited_app, make_member):
    built = limited_app(API_ADDRESS_RATE_LIMIT="4 per minute")
    client = from_address(built.test_client(), "192.0.2.30")
    tokens = [token_for(make_member()) for _ in range(3)]

    answers = [Api(client, token).get("/me").status_code for token in tokens + tokens]

    assert answers == [200] * 4 + [429] * 2


def test_pages_are_neither_limited_nor_counted_and_carry_no_limit_headers(limited_app):
    built = limited_app(API_ADDRESS_RATE_LIMIT="2 per minute")
    client = from_address(built.test_client(), "192.0.2.40")

    pages = [client.get("/login") for _ in range(5)]
    api_answers = statuses(Api(client), "/openapi.json", 3)

    assert [page.status_code for page in pages] == [200] * 5
    assert not [name for page in pages for name, _ in page.headers
                if name.lower().startswith(("x-ratelimit", "retry-after"))]
    assert api_answers == [200, 200, 429]


def test_a_failed_call_still_spends_the_budget(limited_app, make_member):
    client = limited_app(API_RATE_LIMIT="2 per minute").test_client()
    api = Api(client, token_for(make_member()))

    assert api.get("/members/999999999").status_code == 404
    assert api.get("/members", query_string={"limit": "0"}).status_code == 422
    assert_throttled(api.get("/me"))


# --- several workers, one budget ---------------------------------------------------------

@pytest.fixture
def shared_redis():
    """Redis database 15, or a skip; deletes the keys the test made."""
    connection = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        connection.ping()
    except redis.exceptions.ConnectionError as exc:
        pytest.skip(f"Redis unreachable at {REDIS_URL}: {exc}")
    marks = []
    yield marks
    for mark in marks:
        for key in connection.scan_iter(match=f"*{mark}*"):
            connection.delete(key)
    connection.close()


def test_two_app_instances_share_one_budget_through_redis(limited_app, make_member,
                                                          shared_redis):
    limits = {"API_RATE_LIMIT": "5 per minute", "RATELIMIT_STORAGE_URI": REDIS_URL}
    first, second = limited_app(**limits), limited_app(**limits)
    token = token_for(make_member())
    address = f"198.51.100.{secrets.randbelow(250) + 1}"
    shared_redis.extend([digest(token)[:32], f"address:{address}"])
    one = Api(from_address(first.test_client(), address), token)
    two = Api(from_address(second.test_client(), address), token)

    answers = statuses(one, "/me", 3) + statuses(two, "/me", 2)
    refused = one.get("/me")

    assert answers == [200] * 5
    assert_throttled(refused)
    assert_throttled(two.get("/me"))
