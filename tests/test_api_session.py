"""Same-site calls with the browser session: reads as the member, writes only with CSRF."""
import pytest

from r2pnet.members.models import Member
from tests.api_helpers import Api, token_for
from tests.helpers import csrf_token
from tests.signin import sign_in_as

PROBLEM = "application/problem+json"


@pytest.fixture
def amina(client, make_member):
    """Amina, signed in on `client` (no token anywhere)."""
    member = make_member(name="Amina Diallo")
    sign_in_as(client, member)
    return member


def name_of(member):
    return Member.get_by_id(member.id).name


def test_a_signed_in_browser_reads_the_api_without_a_token(client, amina):
    response = client.get("/api/v1/me")

    assert response.status_code == 200
    assert response.get_json()["id"] == amina.id


def test_a_write_without_the_csrf_header_is_a_403_problem(client, amina):
    etag = client.get("/api/v1/me").headers["ETag"]

    for headers in ({"If-Match": etag}, {"If-Match": etag, "X-CSRFToken": "forged"}):
        response = client.patch("/api/v1/me", json={"name": "Someone Else"}, headers=headers)

        assert response.status_code == 403, response.get_data(as_text=True)
        assert response.mimetype == PROBLEM
        assert "X-CSRFToken" in response.get_json()["detail"]
    assert name_of(amina) == "Amina Diallo"


def test_a_write_with_the_pages_csrf_token_works(client, amina):
    token = csrf_token(client, "/")
    etag = client.get("/api/v1/me").headers["ETag"]

    response = client.patch("/api/v1/me", json={"name": "Amina N. Diallo"},
                            headers={"If-Match": etag, "X-CSRFToken": token})

    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["name"] == "Amina N. Diallo"
    assert name_of(amina) == "Amina N. Diallo"


def test_another_sessions_csrf_token_does_not_work(app, client, amina, make_member):
    stranger = app.test_client()
    sign_in_as(stranger, make_member())
    their_token = csrf_token(stranger, "/")
    etag = client.get("/api/v1/me").headers["ETag"]

    response = client.patch("/api/v1/me", json={"name": "Someone Else"},
                            headers={"If-Match": etag, "X-CSRFToken": their_token})

    assert response.status_code == 403 and response.mimetype == PROBLEM
    assert name_of(amina) == "Amina Diallo"


def test_a_token_needs_no_csrf_and_speaks_for_its_own_member(client, amina, make_member):
    kofi = make_member(name="Kofi Mensah")
    api = Api(client, token_for(kofi))  # sent from a client that holds Amina's session

    assert api.get("/me").get_json()["id"] == kofi.id
    etag = api.get("/me").headers["ETag"]
    assert api.patch("/me", json={"title": "Director"},
                     headers={"If_Match": etag}).status_code == 200
    assert Member.get_by_id(kofi.id).title == "Director"
    assert Member.get_by_id(amina.id).title != "Director"


def test_signing_out_ends_the_api_session_too(client, amina):
    assert client.get("/api/v1/me").status_code == 200

    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})

    response = client.get("/api/v1/me")
    assert response.status_code == 401 and response.mimetype == PROBLEM
