"""Email is built from templates as text + HTML and delivered through SMTP_URL."""
from email import message_from_bytes, policy

from r2pnet import mail
from r2pnet.accounts.services import invite
from r2pnet.extensions import db
from tests.helpers import html_of, link_in, region, text_of


def test_invitation_reaches_the_smtp_server_as_text_and_html(app, mailbox):
    with db.connection_context():
        token = invite("new.member@example.org", "member", region("africa").id)
    msg = mailbox.last_to("new.member@example.org")
    assert msg["Subject"] == "You are invited to join r2pnet"
    assert msg["Message-ID"] and msg["Date"] and msg["Auto-Submitted"] == "auto-generated"
    assert "List-Unsubscribe" not in msg
    assert link_in(msg, "/invitations/") == f"/invitations/{token}"
    assert f"http://r2pnet.test/invitations/{token}" in text_of(msg)
    html = html_of(msg)
    assert f'href="http://r2pnet.test/invitations/{token}"' in html
    assert 'style="' in html and "<style" not in html  # CSS inlined for mail clients


def test_nothing_is_sent_when_the_action_rolls_back(app, mailbox):
    class Abort(Exception):
        pass

    try:
        with db.atomic():
            invite("rolled.back@example.org", "member", region("africa").id)
            raise Abort()
    except Abort:
        pass
    assert not [m for m in mailbox.messages if "rolled.back" in str(m["To"])]


def test_header_values_cannot_carry_new_lines(app):
    to = ("Eve\r\nBcc: victim@example.org", "eve@example.org")
    msg = mail.build_message("already_member", to,
                             "Hello\nBcc: victim@example.org",
                             member=type("M", (), {"name": "Eve"})())
    raw = msg.as_bytes()
    parsed = message_from_bytes(raw, policy=policy.default)
    assert parsed["Bcc"] is None
    assert "\n" not in parsed["Subject"]


def test_the_file_outbox_keeps_each_message_as_an_eml_file(app, tmp_path):
    msg = mail.build_message("already_member", "someone@example.org", "Subject",
                             member=type("M", (), {"name": "Someone"})())
    mail.deliver({"transport": "file", "path": str(tmp_path / "outbox")}, msg)
    files = list((tmp_path / "outbox").glob("*.eml"))
    assert len(files) == 1
    stored = message_from_bytes(files[0].read_bytes(), policy=policy.default)
    assert stored["To"] == "someone@example.org"
