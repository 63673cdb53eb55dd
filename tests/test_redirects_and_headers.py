"""`next` redirects stay on the site; security headers and cookie flags on every answer."""
from urllib.parse import urlencode

import pytest
from bs4 import BeautifulSoup

from r2pnet.accounts.services import invite
from tests.conftest import _dispose, _make_app
from tests.helpers import PASSWORD, login, region, soup
from tests.security_helpers import REMEMBER_COOKIE, SESSION_COOKIE, rules_with, sign_in
from tests.signin import sign_in_as

HTTPS = "https://localhost"


@pytest.fixture
def as_member(client, make_member):
    """Sign the client in (without the login form's hashing) as a new member."""
    def sign_in_as_new(**fields):
        return sign_in_as(client, make_member(password=None, **fields))
    return sign_in_as_new

OFF_SITE = [
    "//evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "https:evil.example",
    "javascript:alert(1)",
    "%2F%2Fevil.example",
    "https://evil.example",
    "http://evil.example/members",
    "/\t/evil.example",
    "/\n/evil.example",
    " //evil.example",
    "\\/evil.example",
    "///evil.example",
    "//evil.example/%2F..",
    "data:text/html,<script>alert(1)</script>",
]


# --- next ----------------------------------------------------------------------------------------

def test_signing_in_never_redirects_off_the_site(app, make_member):
    member = make_member()
    landed = {}
    for target in OFF_SITE[:7]:  # each sign-in costs a hash; the rest are checked below
        response = sign_in(app.test_client(), member.email, PASSWORD, next_url=target)
        assert response.status_code == 302, target
        landed[target] = response.headers["Location"]
    assert landed == {target: "/" for target in OFF_SITE[:7]}


def test_a_signed_in_visit_to_login_never_redirects_off_the_site(as_member, client):
    as_member()
    landed = {target: client.get("/login?" + urlencode({"next": target})).headers["Location"]
              for target in OFF_SITE}
    assert landed == {target: "/" for target in OFF_SITE}


def test_the_percent_encoded_form_of_an_off_site_next_is_refused_too(as_member, client):
    as_member()
    response = client.get("/login?next=%2F%2Fevil.example")  # arrives as //evil.example
    assert response.headers["Location"] == "/"


def test_a_next_given_twice_in_the_url_still_stays_on_the_site(as_member, client):
    as_member()
    response = client.get("/login?next=%2F%2Fevil.example&next=/members")
    assert response.headers["Location"] in ("/", "/members")


def test_signing_in_keeps_a_next_page_on_this_site(client, make_member):
    member = make_member()
    response = sign_in(client, member.email, PASSWORD, next_url="/members?region=africa")
    assert response.headers["Location"] == "/members?region=africa"


# --- headers on every answer -------------------------------------------------------------------

def _csp(response):
    policy = response.headers.get("Content-Security-Policy", "")
    directives = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = words[1:]
    return directives


def _sample_answers(client):
    """A public page, a signed-in page, an error page and a refused form."""
    return {
        "login": client.get("/login"),
        "not found": client.get("/no-such-page"),
        "health": client.get("/healthz"),
        "refused form": client.post("/login", data={"email": "x@example.org"}),
    }


def _signed_in_answers(client):
    return {"home": client.get("/"), "directory": client.get("/members"),
            "forbidden": client.get("/audit")}


@pytest.fixture
def answers(as_member, client):
    public = _sample_answers(client)
    as_member()
    return {**public, **_signed_in_answers(client)}


def test_content_security_policy_allows_no_inline_or_evaluated_script(answers):
    for name, response in answers.items():
        csp = _csp(response)
        scripts = csp.get("script-src", csp.get("default-src"))
        assert scripts, f"{name}: no script policy"
        assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts, name
        assert "*" not in scripts and "data:" not in scripts, name
        assert csp.get("object-src") == ["'none'"], name
        assert csp.get("base-uri") in (["'none'"], ["'self'"]), name


def test_content_security_policy_forbids_framing(answers):
    for name, response in answers.items():
        assert _csp(response).get("frame-ancestors") == ["'none'"], name
        assert response.headers.get("X-Frame-Options") == "DENY", name


def test_answers_forbid_content_sniffing(answers):
    for name, response in answers.items():
        assert response.headers.get("X-Content-Type-Options") == "nosniff", name


def test_answers_keep_the_address_from_other_sites(answers):
    for name, response in answers.items():
        assert response.headers.get("Referrer-Policy") in (
            "no-referrer", "same-origin", "strict-origin",
            "strict-origin-when-cross-origin"), name


def test_pages_carry_no_inline_script_the_policy_would_block(answers):
    for name, response in answers.items():
        if response.mimetype != "text/html":
            continue
        page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
        inline = [tag for tag in page.find_all("script") if not tag.get("src")]
        handlers = [tag.name for tag in page.find_all(True)
                    if any(attr.lower().startswith("on") for attr in tag.attrs)]
        assert inline == [] and handlers == [], name


def test_authenticated_pages_are_never_stored_by_caches(app, as_member, client):
    as_member(role="administrator", region_key=None)
    stored = []
    for rule in rules_with(app, "GET"):
        if rule.arguments or rule.endpoint == "accounts.login":
            continue
        response = client.get(rule.rule)
        if "no-store" not in response.headers.get("Cache-Control", ""):
            stored.append((rule.rule, response.status_code))
    assert stored == []


def test_a_signed_in_member_s_error_page_is_not_stored_either(as_member, client):
    as_member()
    assert "no-store" in client.get("/audit").headers.get("Cache-Control", "")


def test_pages_with_a_secret_link_are_not_stored(app, client):
    with app.test_request_context():
        token = invite("newcomer@example.org", "member", region("africa").id)
    assert "no-store" in client.get(f"/invitations/{token}").headers.get("Cache-Control", "")


def test_no_hsts_on_a_plain_http_site(client):
    assert "Strict-Transport-Security" not in client.get("/login").headers


# --- cookies -------------------------------------------------------------------------------------

def _set_cookies(response):
    """{name: set of lower-cased attributes} for every Set-Cookie header."""
    cookies = {}
    for header in response.headers.getlist("Set-Cookie"):
        name = header.split("=", 1)[0]
        cookies[name] = {part.strip().lower() for part in header.split(";")[1:]}
    return cookies


def test_session_and_remember_cookies_are_http_only_and_same_site(client, make_member):
    member = make_member()
    cookies = _set_cookies(login(client, member.email, remember=True))
    for name in (SESSION_COOKIE, REMEMBER_COOKIE):
        assert "httponly" in cookies[name], name
        assert {"samesite=lax", "samesite=strict"} & cookies[name], name


@pytest.fixture
def https_app(app, migrated, tmp_path, smtp_server):
    """The app as deployed behind HTTPS (BASE_URL https://...)."""
    application = _make_app(migrated, tmp_path / "https", smtp_server.url,
                            BASE_URL="https://r2pnet.test")
    with application.app_context():
        yield application
    _dispose(application)


def _https_login(browser, email):
    page = browser.get("/login", base_url=HTTPS)
    token = soup(page).find("meta", attrs={"name": "csrf-token"})["content"]
    return browser.post("/login", base_url=HTTPS, data={
        "email": email, "password": PASSWORD, "remember": "y", "csrf_token": token})


def test_cookies_are_secure_behind_https(https_app, make_member):
    member = make_member()
    response = _https_login(https_app.test_client(), member.email)
    assert response.status_code == 302
    cookies = _set_cookies(response)
    for name in (SESSION_COOKIE, REMEMBER_COOKIE):
        assert "secure" in cookies[name], name
        assert "httponly" in cookies[name], name


def test_hsts_is_sent_behind_https(https_app):
    response = https_app.test_client().get("/login", base_url=HTTPS)
    hsts = response.headers.get("Strict-Transport-Security", "")
    max_age = int(hsts.split("max-age=")[1].split(";")[0]) if "max-age=" in hsts else 0
    assert max_age >= 180 * 24 * 3600

