"""One-click unsubscribe: GET only asks, POST without a session turns the digest off."""
import pytest
from itsdangerous import URLSafeSerializer

from r2pnet.audit.models import AuditEvent
from r2pnet.digests.models import DigestSettings
from r2pnet.digests.tokens import member_for_unsubscribe_token, unsubscribe_token
from r2pnet.knowledge.exports import feed_token
from tests.helpers import soup
from tests.security_helpers import database_snapshot


@pytest.fixture
def amina(make_member):
    return make_member(name="Amina Diallo", email="amina@example.org", password=None)


def settings_of(member):
    return DigestSettings.get_or_none(DigestSettings.member == member.id)


def test_opening_the_link_only_asks_and_changes_nothing(client, amina):
    token = unsubscribe_token(amina)
    before = database_snapshot()

    response = client.get(f"/unsubscribe/{token}")

    assert response.status_code == 200
    form = soup(response).find("form", attrs={"method": "post"})
    assert form["action"] == f"/unsubscribe/{token}"
    assert form.find("button").get_text(strip=True) == "Unsubscribe"
    assert database_snapshot() == before


def test_a_one_click_post_without_cookies_or_csrf_token_unsubscribes(app, amina):
    mail_client = app.test_client()  # no session, no cookies: what a mail client sends
    DigestSettings.create(member=amina, frequency="daily", weekday=3, hour=7)

    response = mail_client.post(f"/unsubscribe/{unsubscribe_token(amina)}",
                                data={"List-Unsubscribe": "One-Click"})

    assert response.status_code == 200  # no redirect: mail clients do not follow one
    assert "You are unsubscribed" in response.get_data(as_text=True)
    saved = settings_of(amina)
    assert (saved.frequency, saved.weekday, saved.hour) == ("off", 3, 7)
    assert AuditEvent.get(AuditEvent.action == "digest_unsubscribed").target_id == amina.id
    # Twice is harmless.
    assert mail_client.post(f"/unsubscribe/{unsubscribe_token(amina)}").status_code == 200
    assert settings_of(amina).frequency == "off"


def test_a_member_without_settings_gets_an_off_row(app, amina):
    response = app.test_client().post(f"/unsubscribe/{unsubscribe_token(amina)}")
    assert response.status_code == 200
    assert settings_of(amina).frequency == "off"


def _other_purpose(app, amina):
    return URLSafeSerializer(app.config["SECRET_KEY"], salt="lesson-feed").dumps(amina.id)


@pytest.mark.parametrize("forge", [
    lambda app, amina: "not-a-token",
    lambda app, amina: unsubscribe_token(amina)[:-2] + "xx",
    lambda app, amina: URLSafeSerializer("another key", salt="digest-unsubscribe").dumps(
        amina.id),
    lambda app, amina: feed_token(amina),
    _other_purpose,
    lambda app, amina: URLSafeSerializer(app.config["SECRET_KEY"],
                                         salt="digest-unsubscribe").dumps("1"),
    lambda app, amina: URLSafeSerializer(app.config["SECRET_KEY"],
                                         salt="digest-unsubscribe").dumps(2**70),
    lambda app, amina: URLSafeSerializer(app.config["SECRET_KEY"],
                                         salt="digest-unsubscribe").dumps(amina.id + 1000),
], ids=["garbage", "tampered", "other key", "feed token", "other salt", "text id",
        "huge id", "unknown member"])
def test_bad_forged_or_foreign_tokens_are_the_same_404(app, amina, forge):
    token = forge(app, amina)
    assert member_for_unsubscribe_token(token) is None
    before = database_snapshot()
    browser = app.test_client()
    answers = {browser.get(f"/unsubscribe/{token}").status_code,
               browser.post(f"/unsubscribe/{token}").status_code}
    assert answers == {404}
    assert database_snapshot() == before
    unknown = browser.post("/unsubscribe/unknown").get_data(as_text=True)
    assert browser.post(f"/unsubscribe/{token}").get_data(as_text=True) == unknown
