"""Personal access tokens: made on a page and shown once, stored hashed, used, expired, revoked."""
import datetime as dt
import hashlib

import time_machine

from r2pnet.api.models import ApiToken
from r2pnet.api.tokens import MAX_ACTIVE_TOKENS, create_token
from r2pnet.audit.models import AuditEvent
from r2pnet.knowledge.models import Lesson
from r2pnet.members.models import Member, utcnow
from r2pnet.models import MODELS
from tests.api_helpers import Api, token_for
from tests.helpers import post_form, soup
from tests.signin import sign_in_as

PAGE = "/settings/tokens"
PROBLEM = "application/problem+json"


def make_token_on_page(client, name="Regional dashboard", scope="read", days="30"):
    """Fill in and send the new-token form; the response and the token it shows (or None)."""
    response = post_form(client, PAGE, {"name": name, "scope": scope, "days": days})
    shown = soup(response).find("input", id="new-token-value")
    return response, (shown["value"] if shown else None)


def row_of(page, name):
    """The list row of the token called `name` on the tokens page."""
    for row in page.select("#token-list tbody tr"):
        if row.find("td").get_text(strip=True) == name:
            return row
    raise AssertionError(f"no token {name!r} listed")


def me(client, token):
    return Api(client, token).get("/me")


# --- making a token --------------------------------------------------------------------------

def test_a_new_token_is_shown_once_right_after_it_is_made(client, signed_in):
    member = signed_in()

    response, token = make_token_on_page(client, "Regional dashboard", "read", "90")

    assert response.status_code == 200
    assert token and token.startswith("r2p_") and len(token) > 40
    assert "no-store" in response.headers["Cache-Control"]
    assert "Copy it now" in response.get_data(as_text=True)
    row = ApiToken.get(ApiToken.member == member.id)
    assert (row.name, row.scope) == ("Regional dashboard", "read")
    assert row.expires_at - row.created_at == dt.timedelta(days=90)
    # Not on the list page, not on a reload, not in the session, never in an address.
    for path in (PAGE, PAGE, f"/members/{member.id}"):
        assert token not in client.get(path).get_data(as_text=True)
    with client.session_transaction() as session:
        assert token not in repr(dict(session))
    assert token not in response.headers.get("Location", "")


def test_sending_the_same_form_again_makes_no_second_token(client, signed_in):
    member = signed_in()
    form_id = soup(client.get(PAGE)).find("input", attrs={"name": "form_id"})["value"]
    fields = {"name": "Regional dashboard", "scope": "read", "days": "30", "form_id": form_id}

    first = post_form(client, PAGE, fields)
    again = post_form(client, PAGE, fields)  # a reload of the page that showed the token

    assert first.status_code == 200 and again.status_code == 302
    assert ApiToken.select().where(ApiToken.member == member.id).count() == 1
    assert "already sent" in client.get(again.headers["Location"]).get_data(as_text=True)


def test_the_list_shows_name_prefix_scope_dates_and_status(client, signed_in):
    signed_in()
    _, token = make_token_on_page(client, "Ministry sync", "read-write", "7")

    page = soup(client.get(PAGE))

    row = row_of(page, "Ministry sync")
    cells = [td.get_text(" ", strip=True) for td in row.find_all("td")]
    assert cells[1] == token[:10] + "…"
    assert cells[2] == "Read and write"
    assert cells[5] == "Never"
    assert row.select_one(".token-status").get_text(strip=True) == "active"
    assert row.find("a", string="Revoke")


def test_bad_input_comes_back_with_the_error_and_what_was_typed(client, signed_in):
    member = signed_in()
    for form, field in (({"name": "", "scope": "read", "days": "30"}, "name"),
                        ({"name": "x" * 81, "scope": "read", "days": "30"}, "name"),
                        ({"name": "two\nlines", "scope": "read", "days": "30"}, "name"),
                        ({"name": "Sync", "scope": "admin", "days": "30"}, "scope"),
                        ({"name": "Sync", "scope": "read", "days": "5"}, "days"),
                        ({"name": "Sync", "scope": "read", "days": "soon"}, "days"),
                        ({"name": "Sync", "days": "30"}, "scope")):
        response = post_form(client, PAGE, form, csrf_from=PAGE)

        assert response.status_code == 400, form
        page = soup(response)
        assert page.find(id=f"{field}-error"), form
        assert page.find("input", id="new-token-value") is None
        if field != "name":
            assert page.find("input", attrs={"name": "name"})["value"] == form["name"]
    assert ApiToken.select().where(ApiToken.member == member.id).count() == 0


def test_the_form_needs_its_csrf_token(client, signed_in):
    member = signed_in()

    response = client.post(PAGE, data={"name": "Sync", "scope": "read", "days": "30"})

    assert response.status_code == 400
    assert ApiToken.select().where(ApiToken.member == member.id).count() == 0


def test_a_member_may_have_only_so_many_active_tokens(client, signed_in):
    member = signed_in()
    for n in range(MAX_ACTIVE_TOKENS):
        create_token(member, f"token {n}", "read", 7)

    response, token = make_token_on_page(client, "one too many")

    assert response.status_code == 400 and token is None
    assert "revoke one first" in soup(response).find(id="name-error").get_text()


def test_the_tokens_page_needs_a_signed_in_member(client):
    response = client.get(PAGE)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_own_profile_links_to_the_tokens_page_and_others_do_not(client, signed_in,
                                                                   make_member):
    member = signed_in()
    other = make_member()

    assert soup(client.get(f"/members/{member.id}")).find("a", href=PAGE)
    assert soup(client.get(f"/members/{other.id}")).find("a", href=PAGE) is None


def test_the_tokens_page_links_to_the_api_reference(client, signed_in):
    signed_in()
    assert soup(client.get(PAGE)).find("a", href="/api/v1/docs")


# --- stored hashed -------------------------------------------------------------------------

def test_only_the_sha256_and_a_short_prefix_are_stored(client, signed_in):
    member = signed_in()
    _, token = make_token_on_page(client)
    me(client, token)  # a use writes "last used": still nothing in clear

    row = ApiToken.get(ApiToken.member == member.id)
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert row.prefix == token[:10] and len(row.prefix) < len(token) // 4
    secret = token[len("r2p_"):]
    for model in MODELS:  # api_token, the audit log and every other table
        for values in model.select().dicts():
            text = repr(values)
            assert secret not in text and secret[10:30] not in text, model.__name__
    assert AuditEvent.select().where(AuditEvent.action == "api_token_created",
                                     AuditEvent.actor == member.id).count() == 1


# --- using a token -------------------------------------------------------------------------

def test_a_token_signs_its_calls_in_and_its_owner_sees_when_and_from_where(client, signed_in):
    member = signed_in()
    _, token = make_token_on_page(client, "Dashboard")
    assert "Never" in row_of(soup(client.get(PAGE)), "Dashboard").select_one(
        ".last-used").get_text()

    response = me(client, token)

    assert response.status_code == 200
    assert response.get_json()["id"] == member.id
    last_used = row_of(soup(client.get(PAGE)), "Dashboard").select_one(".last-used").get_text()
    assert "127.0.0.1" in last_used and "Never" not in last_used
    assert ApiToken.get(ApiToken.member == member.id).last_used_at is not None


def test_a_read_token_cannot_write_and_nothing_is_written(client, make_member):
    member = make_member(name="Amina Diallo")
    api = Api(client, token_for(member, scope="read"))
    lessons = Lesson.select().count()
    etag = api.get("/me").headers.get("ETag", '"any"')

    refused = [api.patch("/me", json={"name": "Someone Else"}, headers={"If_Match": etag}),
               api.post("/lessons", json={"title": "A lesson", "summary": "Short."})]

    for response in refused:
        assert response.status_code == 403, response.get_data(as_text=True)
        assert response.mimetype == PROBLEM
        assert "read-only" in response.get_json()["detail"]
    assert Member.get_by_id(member.id).name == "Amina Diallo"
    assert Lesson.select().count() == lessons
    assert api.get("/me").status_code == 200


def test_an_expired_token_is_refused(client, signed_in):
    member = signed_in()
    _, token = make_token_on_page(client, "Short-lived", days="7")
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=7, minutes=1)

    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=6), tick=False):
        assert me(client, token).status_code == 200
    with time_machine.travel(later, tick=False):
        response = me(client, token)
        sign_in_as(client, member)  # the page's session would have ended a week later
        status = row_of(soup(client.get(PAGE)), "Short-lived").select_one(".token-status")

    assert response.status_code == 401 and response.mimetype == PROBLEM
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]
    assert status.get_text(strip=True) == "expired"


def test_an_already_expired_row_is_refused(client, make_member):
    member = make_member()
    row, token = create_token(member, "old", "read-write", 30)
    ApiToken.update(expires_at=utcnow() - dt.timedelta(seconds=1)).where(
        ApiToken.id == row.id).execute()

    assert me(client, token).status_code == 401


def test_a_revoked_token_stops_working_at_once(client, signed_in):
    member = signed_in()
    _, token = make_token_on_page(client, "Leaked")
    assert me(client, token).status_code == 200
    row = ApiToken.get(ApiToken.member == member.id)

    ask = client.get(f"{PAGE}/{row.id}/revoke")
    assert ask.status_code == 200 and "Revoke token" in ask.get_data(as_text=True)
    assert ApiToken.get_by_id(row.id).revoked_at is None  # asking changes nothing
    response = post_form(client, f"{PAGE}/{row.id}/revoke", csrf_from=PAGE)

    assert response.status_code == 302 and response.headers["Location"].endswith(PAGE)
    refused = me(client, token)
    assert refused.status_code == 401 and refused.mimetype == PROBLEM
    listed = row_of(soup(client.get(PAGE)), "Leaked")
    assert listed.select_one(".token-status").get_text(" ", strip=True).startswith("revoked")
    assert listed.find("a", string="Revoke") is None
    assert AuditEvent.select().where(AuditEvent.action == "api_token_revoked",
                                     AuditEvent.actor == member.id).count() == 1


def test_another_member_cannot_see_or_revoke_my_token(client, make_member):
    owner, other = make_member(), make_member()
    token = token_for(owner, name="Owner's sync")
    row = ApiToken.get(ApiToken.member == owner.id)
    sign_in_as(client, other)

    assert "Owner's sync" not in client.get(PAGE).get_data(as_text=True)
    assert client.get(f"{PAGE}/{row.id}/revoke").status_code == 404
    assert post_form(client, f"{PAGE}/{row.id}/revoke", csrf_from=PAGE).status_code == 404

    assert ApiToken.get_by_id(row.id).revoked_at is None
    assert me(client, token).status_code == 200


def test_a_disabled_members_tokens_are_refused(client, make_member):
    member = make_member()
    token = token_for(member)
    assert me(client, token).status_code == 200

    Member.update(disabled_at=utcnow()).where(Member.id == member.id).execute()

    assert me(client, token).status_code == 401


def test_malformed_authorization_headers_are_401_problems(client, make_member):
    token = token_for(make_member())
    for header in ("Bearer", "Bearer ", "Bearer  ", "Basic dXNlcjpwYXNz", f"Token {token}",
                   token, f"Bearer {token}x", f"Bearer {token[:-1]}", "Bearer r2p_",
                   "Bearer r2p_" + "a" * 300, "Bearer not-a-token", f"Bearer {token} extra",
                   "Bearer r2p_\u00e9\u00e8"):
        response = client.get("/api/v1/me", headers={"Authorization": header})

        assert response.status_code == 401, header
        assert response.mimetype == PROBLEM, header
        assert response.get_json()["status"] == 401
        assert response.headers["WWW-Authenticate"].startswith("Bearer "), header
    assert me(client, token).status_code == 200
    assert client.get("/api/v1/me", headers={"Authorization": f"bearer {token}"}).status_code \
        == 200
