"""Bearer tokens (invitation, setup, reset): 128+ bits, stored hashed, one redemption only."""
import base64
import hashlib
import threading

import pytest

from r2pnet.accounts import services
from r2pnet.accounts.models import Invitation, PasswordReset
from r2pnet.audit.models import AuditEvent
from r2pnet.extensions import db
from r2pnet.members.models import Member
from r2pnet.models import MODELS
from tests.helpers import PASSWORD, link_in, post_form, region

NEW_PASSWORD = "a brand new passphrase for 2025"


def _bits(token):
    """The entropy a URL-safe base64 token can carry."""
    return len(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))) * 8


def _invite(app, email="newcomer@example.org"):
    with app.test_request_context():
        return services.invite(email, "member", region("africa").id)


def _reset(app, member):
    with app.test_request_context():
        return services.request_password_reset(member.email)


def _rows_mentioning(text):
    """(table, row) pairs anywhere in the database whose values contain the text."""
    return [(model.__name__, row) for model in MODELS for row in model.select().dicts()
            if any(text in str(value) for value in row.values())]


# --- entropy ---------------------------------------------------------------------------------

def test_invitation_link_in_the_email_carries_at_least_128_random_bits(app, mailbox):
    _invite(app, "one@example.org")
    _invite(app, "two@example.org")
    first = link_in(mailbox.last_to("one@example.org"), "/invitations/").rsplit("/", 1)[1]
    second = link_in(mailbox.last_to("two@example.org"), "/invitations/").rsplit("/", 1)[1]
    assert _bits(first) >= 128 and _bits(second) >= 128
    assert first != second


def test_reset_link_in_the_email_carries_at_least_128_random_bits(app, mailbox, make_member):
    member = make_member(email="forgetful@example.org")
    _reset(app, member)
    token = link_in(mailbox.last_to(member.email), "/password/reset/").rsplit("/", 1)[1]
    assert _bits(token) >= 128


def test_setup_link_carries_at_least_128_random_bits(app):
    with app.test_request_context():
        assert _bits(services.create_setup_link()) >= 128


# --- stored hashed -----------------------------------------------------------------------------

def test_invitation_token_is_stored_only_as_its_hash(app):
    token = _invite(app)
    assert _rows_mentioning(token) == []
    digest = hashlib.sha256(token.encode()).hexdigest()
    assert Invitation.select().where(Invitation.token_hash == digest).count() == 1


def test_reset_token_is_stored_only_as_its_hash(app, make_member):
    token = _reset(app, make_member(email="forgetful@example.org"))
    assert _rows_mentioning(token) == []
    digest = hashlib.sha256(token.encode()).hexdigest()
    assert PasswordReset.select().where(PasswordReset.token_hash == digest).count() == 1


def test_setup_token_is_stored_only_as_its_hash(app):
    with app.test_request_context():
        token = services.create_setup_link()
    assert _rows_mentioning(token) == []


def test_the_stored_hash_alone_does_not_open_the_invitation(app, client):
    _invite(app)
    stored = Invitation.get().token_hash
    assert client.get(f"/invitations/{stored}").status_code == 404


def test_a_token_with_one_character_changed_is_refused(app, client):
    token = _invite(app)
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert client.get(f"/invitations/{tampered}").status_code == 404
    assert client.get(f"/invitations/{token}").status_code == 200


# --- two redemptions at once -------------------------------------------------------------------

def _race(app, redeem, count=2):
    """Run `redeem(i)` in `count` threads, each with its own app context and connection."""
    start = threading.Barrier(count)
    outcomes = [None] * count

    def worker(i):
        with app.app_context(), db.connection_context():
            start.wait()
            try:
                outcomes[i] = ("ok", redeem(i).id)
            except services.InvalidToken:
                outcomes[i] = ("refused", None)
            except Exception as exc:  # noqa: BLE001 - reported as the test's failure
                outcomes[i] = ("error", repr(exc))

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_two_parallel_invitation_redemptions_let_exactly_one_through(app):
    token = _invite(app)
    outcomes = _race(app, lambda i: services.accept_invitation(token, f"Twin {i}", PASSWORD))
    assert sorted(kind for kind, _ in outcomes) == ["ok", "refused"], outcomes
    assert Member.select().where(Member.email == "newcomer@example.org").count() == 1
    assert AuditEvent.select().where(AuditEvent.action == "joined").count() == 1


def test_two_parallel_setup_redemptions_create_exactly_one_administrator(app):
    with app.test_request_context():
        token = services.create_setup_link()
    outcomes = _race(app, lambda i: services.accept_invitation(
        token, f"Admin {i}", PASSWORD, email=f"admin{i}@example.org"))
    assert sorted(kind for kind, _ in outcomes) == ["ok", "refused"], outcomes
    assert Member.select().where(Member.role == "administrator").count() == 1


def test_two_parallel_reset_redemptions_let_exactly_one_through(app, make_member):
    member = make_member(email="forgetful@example.org")
    token = _reset(app, member)
    outcomes = _race(app, lambda i: services.reset_password(token, f"{NEW_PASSWORD} {i}"))
    assert sorted(kind for kind, _ in outcomes) == ["ok", "refused"], outcomes
    assert AuditEvent.select().where(AuditEvent.action == "reset").count() == 1


@pytest.mark.parametrize("path", ["/invitations/{token}", "/password/reset/{token}"])
def test_a_link_used_through_the_page_cannot_be_used_again(app, client, make_member, path):
    member = make_member(email="forgetful@example.org")
    token = _invite(app) if "invitations" in path else _reset(app, member)
    url = path.format(token=token)
    data = {"name": "Newcomer", "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD}
    assert post_form(client, url, data).status_code == 302
    second = app.test_client()
    assert second.get(url).status_code == 404
    assert post_form(second, url, data, csrf_from="/login").status_code == 404
