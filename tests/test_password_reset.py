"""Password reset: the same answer for every address, a one-hour single-use link by SMTP."""
import datetime as dt

import pytest
import time_machine

from r2pnet.accounts import services
from r2pnet.members.models import Member, utcnow
from tests.helpers import PASSWORD, link_in, login, post_form, text_of
from tests.security_helpers import (REMEMBER_COOKIE, SESSION_COOKIE, browser_with, cookie_value,
                                    database_snapshot, is_signed_in, without_tokens)

NEW_PASSWORD = "a brand new passphrase for 2025"
CHOSEN = {"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD}


def _ask(client, email):
    return post_form(client, "/password/reset", {"email": email})


def _reset_link(client, mailbox, email):
    assert _ask(client, email).status_code == 200
    return link_in(mailbox.last_to(email), "/password/reset/")


def _signs_in(app, email, password):
    return login(app.test_client(), email, password).status_code == 302


# --- asking --------------------------------------------------------------------------------------

def test_asking_for_a_reset_answers_the_same_for_known_and_unknown_addresses(app, make_member):
    make_member(email="amina@example.org")
    known = _ask(app.test_client(), "amina@example.org")
    unknown = _ask(app.test_client(), "nobody0@example.org")
    assert known.status_code == unknown.status_code == 200
    assert without_tokens(known.get_data(as_text=True)).replace("amina@example.org", "E") == \
        without_tokens(unknown.get_data(as_text=True)).replace("nobody0@example.org", "E")


def test_asking_for_a_reset_answers_the_same_for_a_disabled_member(app, make_member, mailbox):
    make_member(email="gone0@example.org", disabled_at=utcnow())
    disabled = _ask(app.test_client(), "gone0@example.org")
    unknown = _ask(app.test_client(), "nobody@example.org")
    assert without_tokens(disabled.get_data(as_text=True)).replace("gone0@", "E@") == \
        without_tokens(unknown.get_data(as_text=True)).replace("nobody@", "E@")
    assert mailbox.messages == []


def test_an_unknown_address_gets_no_email(client, mailbox):
    _ask(client, "nobody@example.org")
    assert mailbox.messages == []


def test_the_reset_email_arrives_by_smtp_addressed_to_the_member(client, make_member, mailbox):
    make_member(email="amina@example.org", name="Amina Diallo")
    _ask(client, "Amina@Example.org ")
    assert len(mailbox.messages) == 1
    msg = mailbox.last_to("amina@example.org")
    assert msg["To"].addresses[0].addr_spec == "amina@example.org"
    assert "/password/reset/" in text_of(msg)


def test_a_fourth_reset_request_within_the_hour_sends_nothing(client, make_member, mailbox):
    make_member(email="amina@example.org")
    for _ in range(4):
        assert _ask(client, "amina@example.org").status_code == 200
    assert len(mailbox.messages) == 3


# --- the link ------------------------------------------------------------------------------------

def test_the_reset_link_sets_a_new_password_and_signs_in(app, client, make_member, mailbox):
    member = make_member(email="amina@example.org")
    link = _reset_link(client, mailbox, member.email)
    assert client.get(link).status_code == 200
    assert post_form(client, link, CHOSEN).status_code == 302
    assert is_signed_in(client)
    assert _signs_in(app, member.email, NEW_PASSWORD)
    assert not _signs_in(app, member.email, PASSWORD)


def test_the_reset_link_works_only_once(app, client, make_member, mailbox):
    member = make_member(email="amina@example.org")
    link = _reset_link(client, mailbox, member.email)
    post_form(client, link, CHOSEN)
    thief = app.test_client()
    assert thief.get(link).status_code == 404
    before = database_snapshot()
    response = post_form(thief, link, {"password": "the thief's passphrase",
                                       "password_confirm": "the thief's passphrase"},
                         csrf_from="/login")
    assert response.status_code == 404
    assert database_snapshot() == before


def test_the_reset_link_still_works_just_before_an_hour(client, make_member, mailbox):
    member = make_member(email="amina@example.org")
    link = _reset_link(client, mailbox, member.email)
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=58), tick=False):
        assert client.get(link).status_code == 200


def test_the_reset_link_expires_after_an_hour(client, make_member, mailbox):
    member = make_member(email="amina@example.org")
    link = _reset_link(client, mailbox, member.email)
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=61), tick=False):
        assert client.get(link).status_code == 404
        assert post_form(client, link, CHOSEN, csrf_from="/login").status_code == 404
    assert Member.get_by_id(member.id).password_hash == member.password_hash


def test_a_reset_ends_every_other_session_and_remember_cookie(app, make_member, mailbox):
    member = make_member(email="amina@example.org")
    laptop = app.test_client()
    assert login(laptop, member.email, remember=True).status_code == 302
    stolen_session = browser_with(app, **{SESSION_COOKIE: cookie_value(laptop, SESSION_COOKIE)})
    stolen_remember = browser_with(app,
                                   **{REMEMBER_COOKIE: cookie_value(laptop, REMEMBER_COOKIE)})
    assert is_signed_in(stolen_session) and is_signed_in(stolen_remember)
    phone = app.test_client()
    post_form(phone, _reset_link(phone, mailbox, member.email), CHOSEN)
    assert not is_signed_in(laptop)
    assert not is_signed_in(browser_with(
        app, **{SESSION_COOKIE: cookie_value(laptop, SESSION_COOKIE)}))
    assert not is_signed_in(browser_with(
        app, **{REMEMBER_COOKIE: cookie_value(laptop, REMEMBER_COOKIE)}))
    assert is_signed_in(phone)


def test_an_older_reset_link_stops_working_once_the_password_is_reset(client, make_member,
                                                                       mailbox):
    member = make_member(email="amina@example.org")
    older = _reset_link(client, mailbox, member.email)
    newer = _reset_link(client, mailbox, member.email)
    assert older != newer
    assert post_form(client, newer, CHOSEN).status_code == 302
    assert client.get(older).status_code == 404


def test_changing_the_password_stops_outstanding_reset_links(as_member, client, mailbox):
    member = as_member(email="amina@example.org")
    link = _reset_link(client, mailbox, member.email)
    response = post_form(client, "/profile/password", {
        "current_password": PASSWORD, "new_password": NEW_PASSWORD,
        "new_password_confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert client.get(link).status_code == 404


def test_a_disabled_member_cannot_use_a_reset_link_sent_before(app, client, make_member,
                                                               mailbox):
    member = make_member(email="amina@example.org")
    link = _reset_link(client, mailbox, member.email)
    Member.update(disabled_at=utcnow()).where(Member.id == member.id).execute()
    response = post_form(client, link, CHOSEN)
    assert response.status_code == 404
    assert not is_signed_in(client)
    assert Member.get_by_id(member.id).password_hash == member.password_hash


# --- the email headers ------------------------------------------------------------------------

@pytest.mark.parametrize("separator", ["\r\n", "\n", "\r", "\u2028", "\x85", "\x0b"])
def test_a_member_name_with_line_breaks_cannot_add_headers_to_the_reset_email(
        app, make_member, mailbox, separator):
    make_member(email="eve@example.org",
                name=f"Eve{separator}Bcc: victim@evil.example{separator}X-Injected: yes")
    with app.test_request_context():
        services.request_password_reset("eve@example.org")
    assert len(mailbox.messages) == 1
    msg = mailbox.messages[0]
    assert msg["Bcc"] is None and msg["X-Injected"] is None
    assert [a.addr_spec for a in msg["To"].addresses] == ["eve@example.org"]


def test_an_address_with_a_line_break_sends_no_email_and_the_same_answer(app, make_member,
                                                                         mailbox):
    make_member(email="amina@example.org")
    injected = _ask(app.test_client(), "amina@example.org\r\nBcc: victim@evil.example")
    plain = _ask(app.test_client(), "nobody@example.org")
    assert injected.status_code == plain.status_code == 200
    assert mailbox.messages == []
