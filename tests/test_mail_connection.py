"""Bulk mail (digests) goes through one SMTP connection, renewed after a failure, after many
messages, and after a pause; every message is handed over in full before `send` returns."""
import smtplib

import pytest

from r2pnet.mail import Connection, RawMessage
from tests.digest_helpers import CountsConnections, smtp_server


def _message(to):
    data = (f"From: digest@r2pnet.test\r\nTo: {to}\r\nSubject: Your digest\r\n\r\n"
            "A week of regional activity.\r\n").encode()
    return RawMessage(f"<{to}>", "digest@r2pnet.test", to, data)


def test_messages_share_one_connection_and_each_is_received_when_send_returns(app):
    with smtp_server(app, CountsConnections()) as server:
        with Connection(app.config["SMTP"]) as connection:
            for n in range(3):
                connection.send(_message(f"member{n}@example.org"))
                assert len(server.messages) == n + 1
    assert server.connections == 1


def test_after_a_refused_recipient_the_next_message_goes_out_on_a_new_connection(app):
    with smtp_server(app, CountsConnections(
            {"refused@example.org": "550 no such mailbox"})) as server:
        with Connection(app.config["SMTP"]) as connection:
            connection.send(_message("amina@example.org"))
            with pytest.raises(smtplib.SMTPRecipientsRefused):
                connection.send(_message("refused@example.org"))
            connection.send(_message("kofi@example.org"))
    assert [str(m["To"]) for m in server.messages] == ["amina@example.org", "kofi@example.org"]
    assert server.connections == 2


def test_a_connection_is_renewed_after_its_share_of_messages_and_after_a_pause(app):
    with smtp_server(app, CountsConnections()) as server:
        with Connection(app.config["SMTP"]) as connection:
            connection.REUSE_FOR = 2
            for n in range(5):
                connection.send(_message(f"member{n}@example.org"))
        assert server.connections == 3
        with Connection(app.config["SMTP"]) as connection:
            connection.REUSE_IDLE = 0
            for n in range(2):
                connection.send(_message(f"later{n}@example.org"))
        assert server.connections == 5
    assert len(server.messages) == 7


def test_a_server_that_is_down_fails_each_message_and_the_first_after_it_is_back_goes_out(
        app):
    with smtp_server(app, CountsConnections()) as server:
        port = app.config["SMTP"]["port"]
    settings = dict(app.config["SMTP"], port=port)
    with Connection(settings) as connection:
        for n in range(2):
            with pytest.raises(OSError):
                connection.send(_message(f"member{n}@example.org"))
        with smtp_server(app, server, port=port):
            connection.send(_message("member2@example.org"))
    assert [str(m["To"]) for m in server.messages] == ["member2@example.org"]
