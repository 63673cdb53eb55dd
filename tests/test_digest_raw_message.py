"""The digest is written out as SMTP bytes directly: any name or text still arrives intact."""
import datetime as dt

from r2pnet.digests.compose import compose
from r2pnet.digests.message import digest_email, digest_message
from r2pnet.digests.models import DigestDelivery
from r2pnet.digests.sender import send_due
from r2pnet.members.models import Member, utcnow
from tests.helpers import html_of, text_of
from tests.moderation_helpers import make_thread

WEEK = dt.timedelta(days=7)


def _delivery(member, now):
    return DigestDelivery(member=member.id, period="2026-W49", frequency="weekly", due_at=now,
                          since=now - WEEK, next_attempt_at=now)


def _digest_of(member):
    member = Member.get_by_id(member.id)
    now = utcnow() + dt.timedelta(minutes=1)
    return member, compose(member, now - WEEK, now), _delivery(member, now)


def test_names_and_titles_beyond_ascii_are_encoded_and_read_back_unchanged(make_member):
    zoe = make_member(name="Zoë Müller-Ndiaye", email="zoe@example.org", region_key="africa",
                      password=None)
    make_thread(make_member(region_key="africa", password=None),
                title="Sécurité des élections : « alerte précoce »")

    raw = digest_email(*_digest_of(zoe))
    msg = digest_message(*_digest_of(zoe))

    assert raw.data.isascii()
    assert all(len(line) <= 998 for line in raw.data.split(b"\r\n"))
    assert b"\n" not in raw.data.replace(b"\r\n", b"")  # every line ends in CRLF
    assert msg["To"] == "Zoë Müller-Ndiaye <zoe@example.org>"
    assert "Sécurité des élections : « alerte précoce »" in text_of(msg)
    assert "Sécurité des élections : « alerte précoce »" in html_of(msg)
    assert "Hello Zoë Müller-Ndiaye" in text_of(msg)


def test_a_long_name_is_folded_onto_short_header_lines(make_member):
    long_name = "Ngozi " + "Okonjo " * 12 + "Iweala"  # 102 characters (at most 120)
    ngozi = make_member(name=long_name, email="ngozi@example.org", password=None)
    plain = digest_email(*_digest_of(ngozi))
    headers = plain.data.split(b"\r\n\r\n", 1)[0].decode().split("\r\n")
    start = next(n for n, line in enumerate(headers) if line.startswith("To:"))
    to = [headers[start]] + [line for line in headers[start + 1:start + 4] if line[0] == " "]
    assert len(to) > 1 and all(len(line) <= 78 for line in to)
    assert digest_message(*_digest_of(ngozi))["To"] == f"{long_name} <ngozi@example.org>"


def test_what_goes_out_through_smtp_parses_back_to_the_same_digest(make_member, mailbox):
    zoe = make_member(name="Zoë Müller", email="zoe@example.org", region_key="africa",
                      password=None)
    make_thread(make_member(region_key="africa", password=None), title="Élections = tension?")
    now = utcnow() + dt.timedelta(minutes=1)
    DigestDelivery.create(member=zoe.id, period="test", frequency="weekly", due_at=now,
                          since=now - WEEK, next_attempt_at=now)

    assert send_due(now=now) == {"sent": 1}

    received = mailbox.last_to("zoe@example.org")
    assert received["To"] == "Zoë Müller <zoe@example.org>"
    assert "- Élections = tension?" in text_of(received)
    assert "Élections = tension?" in html_of(received)
    stored = DigestDelivery.get(DigestDelivery.member == zoe.id)
    assert stored.status == "sent" and stored.message_id == received["Message-ID"]
