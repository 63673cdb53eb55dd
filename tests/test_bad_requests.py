"""Malformed requests get a clear answer, never a server error."""
from tests.helpers import csrf_token, soup
from tests.signin import sign_in_as


def test_an_oversized_body_is_refused_with_413(client):
    response = client.post("/login", data={"email": "x" * (17 * 1024 * 1024)})
    assert response.status_code == 413
    assert "too large" in soup(response).get_text()


def test_invalid_utf8_in_a_form_is_answered_without_a_server_error(client, make_member):
    token = csrf_token(client)
    body = b"email=%FF%FE%FD&password=%C3%28&csrf_token=" + token.encode()
    response = client.post("/login", data=body,
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert "not correct" in soup(response).get_text()


def test_invalid_utf8_in_a_query_string_is_answered_without_a_server_error(client,
                                                                           make_member):
    sign_in_as(client, make_member(password=None))
    response = client.get("/members?q=%FF%FE&country=%C3%28")
    assert response.status_code in (200, 400)


def test_an_unknown_address_and_a_wrong_method_get_clear_pages(client, make_member):
    sign_in_as(client, make_member(password=None))
    missing = client.get("/no/such/page")
    assert missing.status_code == 404 and "no page at this address" in soup(missing).get_text()
    wrong = client.delete("/members")
    assert wrong.status_code == 405


def test_a_json_client_gets_errors_as_json(client):
    response = client.get("/no/such/page", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.get_json() == {"error": "Not Found", "status": 404}
