"""Login throttling per account and per address, kept in the database every worker shares."""
import datetime as dt
import os
import subprocess
import sys
import textwrap

import time_machine

from r2pnet.accounts import services
from r2pnet.accounts.models import ThrottleEvent
from r2pnet.config import PROJECT_ROOT
from r2pnet.members.models import Member, utcnow
from tests.helpers import PASSWORD, login, post_form
from tests.security_helpers import alert_text, is_signed_in, without_tokens
from tests.signin import sign_in_as

LOCKED = "Too many failed attempts"
WRONG = "The email address or password is not correct."


def _fail(client, email, times):
    for _ in range(times):
        response = login(client, email, "not the password at all")
        assert response.status_code == 400
    return response


def _lock(client, email):
    """Bring the account to the lock: earlier failures on record, then one through the form."""
    account_key, _ = services._throttle_keys(email, "")
    ThrottleEvent.insert_many(
        [{"key": account_key, "created_at": utcnow()}] * (services.ACCOUNT_FAILURE_LIMIT - 1)
    ).execute()
    return _fail(client, email, 1)


def _from(app, address):
    browser = app.test_client()
    browser.environ_base["REMOTE_ADDR"] = address
    return browser


# --- per account -------------------------------------------------------------------------------

def test_four_failures_do_not_lock_the_account(client, make_member):
    member = make_member()
    _fail(client, member.email, 4)
    assert login(client, member.email).status_code == 302


def test_five_failures_lock_the_account_even_for_the_right_password(client, make_member):
    member = make_member()
    _fail(client, member.email, 5)
    response = login(client, member.email)
    assert response.status_code == 400
    assert not is_signed_in(client)


def test_a_locked_account_is_told_why_and_what_to_do(client, make_member):
    member = make_member()
    _lock(client, member.email)
    message = alert_text(login(client, member.email))
    assert LOCKED in message
    assert "15 minutes" in message and "reset your password" in message


def test_the_account_lock_holds_from_another_address(app, client, make_member):
    member = make_member()
    _lock(_from(app, "198.51.100.7"), member.email)
    other = _from(app, "203.0.113.9")
    assert LOCKED in alert_text(login(other, member.email))
    assert not is_signed_in(other)


def test_the_account_lock_holds_for_the_same_email_in_other_case(client, make_member):
    make_member(email="amina@example.org")
    _lock(client, "Amina@Example.org")
    assert LOCKED in alert_text(login(client, " AMINA@example.org "))


def test_the_lock_still_holds_fourteen_minutes_later(client, make_member):
    member = make_member()
    _lock(client, member.email)
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=14), tick=False):
        assert LOCKED in alert_text(login(client, member.email))


def test_the_account_opens_again_once_fifteen_minutes_have_passed(client, make_member):
    member = make_member()
    _lock(client, member.email)
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=16), tick=False):
        assert login(client, member.email).status_code == 302
        assert is_signed_in(client)


def test_an_unknown_address_is_locked_like_a_real_account(client):
    _lock(client, "nobody@example.org")
    assert LOCKED in alert_text(login(client, "nobody@example.org"))


def test_a_password_reset_lifts_the_account_lock(app, client, make_member):
    member = make_member()
    _lock(client, member.email)
    with app.test_request_context():
        token = services.request_password_reset(member.email)
        services.reset_password(token, "a brand new passphrase for 2025")
    assert login(client, member.email, "a brand new passphrase for 2025").status_code == 302


# --- per address -------------------------------------------------------------------------------

def _failures_recorded_elsewhere(address, count):
    """Failed logins from `address` recorded by other workers (rows in the shared table)."""
    _, key = services._throttle_keys("someone@example.org", address)
    ThrottleEvent.insert_many([{"key": key, "created_at": utcnow()}] * count).execute()


def test_an_address_with_too_many_failures_is_locked_out_of_every_account(app, make_member):
    member = make_member()
    attacker = _from(app, "198.51.100.7")
    _failures_recorded_elsewhere("198.51.100.7", services.ADDRESS_FAILURE_LIMIT - 1)
    _fail(attacker, "someone.else@example.org", 1)
    response = login(attacker, member.email)
    assert LOCKED in alert_text(response)
    assert not is_signed_in(attacker)


def test_an_address_below_the_limit_is_not_locked(app, make_member):
    member = make_member()
    visitor = _from(app, "198.51.100.7")
    _failures_recorded_elsewhere("198.51.100.7", services.ADDRESS_FAILURE_LIMIT - 2)
    _fail(visitor, "someone.else@example.org", 1)
    assert login(visitor, member.email).status_code == 302


def test_an_address_lock_does_not_shut_out_other_addresses(app, make_member):
    member = make_member()
    attacker = _from(app, "198.51.100.7")
    _failures_recorded_elsewhere("198.51.100.7", services.ADDRESS_FAILURE_LIMIT - 1)
    _fail(attacker, "someone.else@example.org", 1)
    colleague = _from(app, "203.0.113.9")
    assert login(colleague, member.email).status_code == 302


def test_failures_by_account_and_address_are_rows_in_the_database(client, make_member):
    member = make_member()
    _fail(client, member.email, 2)
    keys = [event.key for event in ThrottleEvent.select()]
    assert sum(member.email in key for key in keys) == 2
    assert sum("127.0.0.1" in key for key in keys) == 2


def test_failures_made_through_another_worker_process_lock_the_account(app, client, make_member,
                                                                       migrated, tmp_path):
    member = make_member()
    worker = textwrap.dedent(f"""
        from r2pnet import create_app
        from tests.helpers import login
        app = create_app({{"TESTING": True, "DATABASE_URL": {migrated!r},
                          "INSTANCE_PATH": {str(tmp_path / "worker")!r}}})
        with app.app_context():
            client = app.test_client()
            for _ in range(5):
                assert login(client, {member.email!r}, "not the password").status_code == 400
    """)
    env = dict(os.environ, DATABASE_URL=migrated, SMTP_URL=f"file://{tmp_path}/outbox",
               SECRET_KEY="w" * 40, BASE_URL="http://r2pnet.test")
    done = subprocess.run([sys.executable, "-c", worker], cwd=PROJECT_ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert LOCKED in alert_text(login(client, member.email))


# --- the same answer whoever asks ---------------------------------------------------------

def test_login_answers_an_unknown_email_and_a_wrong_password_identically(app, make_member):
    make_member(email="amina@example.org")
    known, unknown = app.test_client(), app.test_client()
    wrong_password = login(known, "amina@example.org", "not the password")
    no_account = login(unknown, "nobody0@example.org", "not the password")
    assert wrong_password.status_code == no_account.status_code == 400
    assert alert_text(wrong_password) == alert_text(no_account) == WRONG
    page = without_tokens(wrong_password.get_data(as_text=True))
    assert page.replace("amina@example.org", "EMAIL") == \
        without_tokens(no_account.get_data(as_text=True)).replace("nobody0@example.org", "EMAIL")


def test_a_disabled_member_with_the_right_password_gets_the_same_answer(app, make_member):
    make_member(email="gone@example.org", disabled_at=utcnow())
    response = login(app.test_client(), "gone@example.org", PASSWORD)
    assert response.status_code == 400
    assert alert_text(response) == WRONG


# --- the current password on the change-password form ------------------------------------------

def test_guessing_the_current_password_is_throttled_like_a_login(client, make_member):
    member = make_member()
    sign_in_as(client, member)  # e.g. a stolen session trying to take the account over
    for _ in range(services.ACCOUNT_FAILURE_LIMIT):
        response = post_form(client, "/profile/password", {
            "current_password": "a guess", "new_password": "the thief's passphrase",
            "new_password_confirm": "the thief's passphrase"})
        assert response.status_code == 400
    response = post_form(client, "/profile/password", {
        "current_password": PASSWORD, "new_password": "the thief's passphrase",
        "new_password_confirm": "the thief's passphrase"})
    assert response.status_code == 400
    assert LOCKED in alert_text(response)
    assert Member.get_by_id(member.id).password_hash == member.password_hash
