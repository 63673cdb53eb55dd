"""Queued mail: sent after the commit, kept and retried while the server is down, never doubled."""
import datetime as dt
import socket

import time_machine
from aiosmtpd.controller import Controller

from r2pnet.accounts.services import invite
from r2pnet.config import parse_smtp_url
from r2pnet.extensions import db
from r2pnet.mail import RETRY_MINUTES, OutboundMail, deliver_due
from tests.helpers import MailCollector, csrf_token, link_in, region

NOBODY_LISTENS = parse_smtp_url("smtp://127.0.0.1:9")


def _invite(email="kofi@example.org"):
    with db.connection_context():
        return invite(email, "member", region("africa").id)


def _later(minutes):
    return time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=minutes),
                               tick=False)


def test_mail_is_sent_after_the_commit_and_its_body_is_not_kept(app, mailbox):
    token = _invite()
    row = OutboundMail.get()
    assert (row.status, row.attempts, bytes(row.message)) == ("sent", 1, b"")
    assert link_in(mailbox.last_to("kofi@example.org"), "/invitations/").endswith(token)


def test_mail_waits_while_the_server_is_down_and_goes_out_once_it_is_back(app, mailbox):
    up = app.config["SMTP"]
    app.config["SMTP"] = NOBODY_LISTENS
    token = _invite()
    row = OutboundMail.get()
    assert (row.status, row.attempts) == ("pending", 1)
    assert "ConnectionRefusedError" in row.last_error
    assert deliver_due() == 0  # not before its retry time

    app.config["SMTP"] = up
    with _later(RETRY_MINUTES[0] + 1):
        assert deliver_due() == 1
        assert deliver_due() == 0
    assert [str(m["To"]) for m in mailbox.messages] == ["kofi@example.org"]
    assert link_in(mailbox.messages[0], "/invitations/").endswith(token)
    assert OutboundMail.get().status == "sent"


def test_mail_counts_as_failed_after_the_last_retry(app):
    app.config["SMTP"] = NOBODY_LISTENS
    _invite()
    minutes = 0
    for wait in RETRY_MINUTES:
        minutes += wait + 1
        with _later(minutes):
            deliver_due()
    row = OutboundMail.get()
    assert (row.status, row.attempts) == ("failed", len(RETRY_MINUTES))


class _Refusing(MailCollector):
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        return "550 5.1.1 No such user"


def test_a_permanent_refusal_is_not_retried(app):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = Controller(_Refusing(), hostname="127.0.0.1", port=port)
    server.start()
    try:
        app.config["SMTP"] = parse_smtp_url(f"smtp://127.0.0.1:{port}")
        _invite("nobody@example.org")
    finally:
        server.stop()
    row = OutboundMail.get()
    assert (row.status, row.attempts) == ("failed", 1)
    assert "550" in row.last_error


def test_a_rolled_back_action_queues_nothing(app, mailbox):
    try:
        with db.atomic():
            invite("rolled.back@example.org", "member", region("africa").id)
            raise RuntimeError("the action fails after queueing its mail")
    except RuntimeError:
        pass
    assert not OutboundMail.select().exists()
    assert mailbox.messages == []


def test_a_request_sends_its_mail_only_after_the_response_has_gone_out(app, client, mailbox,
                                                                      make_member):
    make_member(email="kofi@example.org", password=None)
    token = csrf_token(client, "/password/reset")

    response = client.post("/password/reset", data={"email": "kofi@example.org",
                                                     "csrf_token": token}, buffered=False)
    assert response.status_code == 200
    assert mailbox.messages == [] and OutboundMail.get().status == "pending"

    response.close()  # what the server does once the response is written
    assert mailbox.last_to("kofi@example.org")["Subject"] == "Reset your r2pnet password"
    assert OutboundMail.get().status == "sent"
