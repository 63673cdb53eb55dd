"""Every API error is application/problem+json (RFC 9457), with the fields at fault named."""
import json
import re

import pytest

from r2pnet.api.core import MAX_JSON_BODY
from r2pnet.api.problems import TITLES
from r2pnet.members.models import Member
from tests.api_helpers import Api, token_for
from tests.conftest import IsolatedClient, _dispose, _make_app

PROBLEM = "application/problem+json"
NAME = "Amina Diallo"


def assert_problem(response, status, path=None):
    """The response is a complete problem document for `status`; returns the document."""
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.mimetype == PROBLEM, response.mimetype
    body = response.get_json()
    assert body["type"] == "about:blank"
    assert body["title"] == TITLES[status]
    assert body["status"] == status
    assert isinstance(body["detail"], str) and body["detail"]
    if path is not None:
        assert body["instance"] == path
    assert "no-store" in response.headers["Cache-Control"]
    return body


@pytest.fixture
def amina(make_member):
    return make_member(name=NAME)


@pytest.fixture
def api(client, amina):
    return Api(client, token_for(amina))


def etag(api):
    return api.get("/me").headers["ETag"]


def patch_me(api, **kwargs):
    headers = kwargs.pop("headers", {"If_Match": etag(api)})
    return api.patch("/me", headers=headers, **kwargs)


def unchanged(member):
    assert Member.get_by_id(member.id).name == NAME


def write_operations(client):
    """(method, concrete path) of every documented operation that takes a JSON body."""
    document = client.get("/api/v1/openapi.json").get_json()
    found = []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if "requestBody" in operation:
                found.append((method.upper(), re.sub(r"\{[^}]+\}", "1", path)))
    return found


# --- 400, 413, 415: the body itself --------------------------------------------------------

def test_malformed_json_is_a_400(api, amina):
    for raw in (b"{", b'{"name": "x",}', b"\xff\xfe", b"", b"{'name': 'x'}"):
        response = patch_me(api, data=raw, content_type="application/json")

        assert "not valid JSON" in assert_problem(response, 400, "/api/v1/me")["detail"]
    unchanged(amina)


def test_a_body_that_is_not_an_object_is_a_422(api, amina):
    for raw in ("[]", '"name"', "3", "null", "true"):
        response = patch_me(api, data=raw, content_type="application/json")

        assert "_schema" in assert_problem(response, 422)["errors"]
    unchanged(amina)


def test_a_form_encoded_or_text_body_is_a_415(api, amina):
    form = patch_me(api, data={"name": "Someone"})
    text = patch_me(api, data="name=Someone", content_type="text/plain")

    assert_problem(form, 415, "/api/v1/me")
    assert_problem(text, 415)
    unchanged(amina)


def test_a_body_over_one_mebibyte_is_a_413(api, amina):
    big = json.dumps({"bio": "x" * MAX_JSON_BODY})

    response = patch_me(api, data=big, content_type="application/json")

    assert_problem(response, 413, "/api/v1/me")
    unchanged(amina)


def test_every_operation_with_a_body_refuses_forms_bad_json_and_unknown_fields(
        client, make_member):
    api = Api(client, token_for(make_member(role="administrator")))
    operations = write_operations(client)
    assert ("PATCH", "/api/v1/me") in operations
    for method, path in operations:
        call = getattr(api, method.lower())
        headers = {"If_Match": '"stale"'}

        assert_problem(call(path, data={"a": "b"}, headers=headers), 415)
        assert_problem(call(path, data=b"{", content_type="application/json",
                            headers=headers), 400)
        refused = assert_problem(call(path, json={"surely_not_a_field": 1, "id": 1,
                                                  "created_at": "2025-01-01T00:00:00Z"},
                                      headers=headers), 422)
        for field in ("surely_not_a_field", "id", "created_at"):
            assert field in refused["errors"], (method, path, refused)


# --- 401, 403, 404, 405 --------------------------------------------------------------------

def test_no_credentials_is_a_401_with_the_bearer_challenge(client):
    for method in ("GET", "PATCH"):
        response = client.open("/api/v1/me", method=method, json={})

        assert_problem(response, 401, "/api/v1/me")
        assert response.headers["WWW-Authenticate"].startswith('Bearer realm="r2pnet"')


def test_an_unknown_token_is_a_401(client):
    response = Api(client, "r2p_" + "x" * 43).get("/me")

    body = assert_problem(response, 401)
    assert "unknown, expired or revoked" in body["detail"]
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


def test_a_write_with_a_read_token_is_a_403(client, amina):
    api = Api(client, token_for(amina, scope="read"))

    response = patch_me(api, json={"name": "Someone Else"})

    assert "read-only" in assert_problem(response, 403, "/api/v1/me")["detail"]
    unchanged(amina)


def test_an_unknown_address_is_a_404_problem(api, client):
    for path in ("/api/v1/nowhere", "/api/v1/", "/api/v2/me", "/api/", "/api/v1/me/nowhere",
                 "/api/v1/members/abc"):
        assert_problem(api.get(path), 404, path)
        assert_problem(client.get(path, headers={"Accept": "text/html"}), 404, path)


def test_an_unknown_or_impossible_id_is_a_404_problem(api):
    for path in ("/api/v1/members/999999999", f"/api/v1/members/{2**63}",
                 "/api/v1/members/0", "/api/v1/regions/999999999",
                 "/api/v1/lessons/999999999"):
        assert_problem(api.get(path), 404, path)


def test_a_method_the_address_does_not_take_is_a_405_with_allow(api):
    response = api.delete("/me")

    assert_problem(response, 405, "/api/v1/me")
    assert {"GET", "PATCH"} <= {m.strip() for m in response.headers["Allow"].split(",")}


# --- 422: what the fields hold -------------------------------------------------------------

@pytest.mark.parametrize("body, field", [
    ({"nickname": "Ami"}, "nickname"),                      # unknown
    ({"id": 99}, "id"),                                     # read-only
    ({"role": "administrator"}, "role"),                    # read-only, and a privilege
    ({"email": "someone@example.org"}, "email"),            # read-only
    ({"created_at": "2025-01-01T00:00:00Z"}, "created_at"),  # read-only
    ({"name": 5}, "name"),                                  # wrong type
    ({"name": ["Amina"]}, "name"),                          # wrong type
    ({"name": "Amina\x00Diallo"}, "name"),                  # NUL
    ({"name": "Amina \ud800"}, "name"),                     # a lone surrogate
    ({"languages": "fr"}, "languages"),                     # a list expected
])
def test_invalid_fields_are_a_422_naming_the_field_and_nothing_is_written(api, amina, body,
                                                                          field):
    response = patch_me(api, json=body)

    problem = assert_problem(response, 422, "/api/v1/me")
    assert field in problem["errors"], problem
    assert all(isinstance(m, str) for messages in problem["errors"].values() for m in messages)
    unchanged(amina)


def test_a_lone_surrogate_in_raw_json_is_a_422(api, amina):
    response = patch_me(api, data=b'{"name": "Amina \\udc00"}', content_type="application/json")

    assert "name" in assert_problem(response, 422)["errors"]
    unchanged(amina)


def test_a_bad_query_parameter_is_a_422_naming_it(api):
    for query, field in (({"limit": "0"}, "limit"), ({"limit": "many"}, "limit"),
                         ({"limit": str(2**64)}, "limit"), ({"colour": "red"}, "colour"),
                         ({"cursor": "not-a-cursor"}, "cursor")):
        response = api.get("/members", query_string=query)

        assert field in assert_problem(response, 422, "/api/v1/members")["errors"], query


# --- 412, 428: updates need the version read -----------------------------------------------

def test_an_update_without_if_match_is_a_428(api, amina):
    response = patch_me(api, json={"name": "Someone Else"}, headers={})

    assert "If-Match" in assert_problem(response, 428, "/api/v1/me")["detail"]
    unchanged(amina)


def test_an_update_with_a_stale_etag_is_a_412(api, amina):
    stale = etag(api)
    assert patch_me(api, json={"title": "Director"}).status_code == 200

    response = patch_me(api, json={"name": "Someone Else"}, headers={"If_Match": stale})

    assert_problem(response, 412, "/api/v1/me")
    unchanged(amina)


# --- 429 -------------------------------------------------------------------------------------

@pytest.fixture
def throttled(app, tmp_path):
    """A client of an app allowing two calls a minute per caller."""
    limited = _make_app(app.config["DATABASE_URL"], tmp_path / "throttled", None,
                        API_RATE_LIMIT="2 per minute")
    limited.test_client_class = IsolatedClient
    yield limited.test_client()
    _dispose(limited)


def test_too_many_calls_are_a_429_with_retry_after(throttled, amina):
    api = Api(throttled, token_for(amina))
    assert [api.get("/me").status_code for _ in range(2)] == [200, 200]

    response = api.get("/me")

    assert_problem(response, 429, "/api/v1/me")
    assert int(response.headers["Retry-After"]) > 0


# --- never a page --------------------------------------------------------------------------

def test_no_error_under_api_is_an_html_page(api, client):
    calls = [client.get("/api/v1/me", headers={"Accept": "text/html"}),
             client.post("/api/v1/me", headers={"Accept": "text/html"}),
             api.get("/nowhere", headers={"Accept": "text/html,*/*"}),
             api.put("/me", data="x", headers={"Accept": "text/html"}),
             api.patch("/me", data="x", content_type="text/html"),
             client.get("/api/v1/me", headers={"Authorization": "Basic x"}),
             client.get("/api/v1/openapi.json/extra")]
    for response in calls:
        assert response.status_code >= 400
        assert response.mimetype == PROBLEM, (response.status_code, response.mimetype)
        assert "<html" not in response.get_data(as_text=True).lower()
