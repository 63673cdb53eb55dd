"""Markup typed into profiles comes out as text in the profile page and the directory."""
import pytest

from r2pnet.members.models import Member
from tests.helpers import live_markup, post_form, soup
from tests.signin import sign_in_as

PAYLOADS = {
    "script": "<script>alert(1)</script>",
    "onerror": "<img src=x onerror=alert(1)>",
    "javascript link": '<a href="javascript:alert(1)">click</a>',
    "svg": "<svg onload=alert(1)>",
    "attribute breakout": '"><script>alert(1)</script>',
}


@pytest.fixture
def author(app, make_member):
    """A signed-in member; returns (member, browser)."""
    member = make_member(email="eve@example.org", name="Eve", password=None)
    return member, sign_in_as(app.test_client(), member)


def _save_profile(browser, payload):
    response = post_form(browser, "/profile", {
        "name": f"Eve {payload}"[:120], "title": payload, "organization": payload,
        "bio": f"About me {payload}", "timezone": "UTC", "email_visibility": "network"})
    assert response.status_code == 302, response.get_data(as_text=True)


@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=PAYLOADS.keys())
def test_markup_in_a_profile_is_shown_as_text_on_the_profile_page(app, make_member, author,
                                                                  payload):
    member, browser = author
    _save_profile(browser, payload)
    assert Member.get_by_id(member.id).bio == f"About me {payload}"  # kept as typed
    reader = sign_in_as(app.test_client(), make_member(password=None))
    response = reader.get(f"/members/{member.id}")
    assert live_markup(response) == []
    assert f"About me {payload}" in soup(response).get_text()


@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=PAYLOADS.keys())
def test_markup_in_a_profile_is_shown_as_text_in_the_directory(app, make_member, author,
                                                               payload):
    _, browser = author
    _save_profile(browser, payload)
    reader = sign_in_as(app.test_client(), make_member(password=None))
    response = reader.get("/members")
    assert live_markup(response) == []
    assert payload in soup(response).get_text()


@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=PAYLOADS.keys())
def test_markup_in_the_directory_search_box_is_shown_as_text(author, payload):
    _, browser = author
    response = browser.get("/members", query_string={"q": payload})
    assert live_markup(response) == []
    assert soup(response).find("input", id="q")["value"] == payload


def test_markup_in_the_login_email_field_is_shown_as_text(client):
    payload = PAYLOADS["attribute breakout"]
    response = post_form(client, "/login", {"email": payload, "password": "whatever"})
    assert live_markup(response) == []
    assert soup(response).find("input", attrs={"name": "email"})["value"] == payload
