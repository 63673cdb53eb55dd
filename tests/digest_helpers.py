"""Helpers for the digest delivery tests: the clock, members in zones, news, SMTP servers."""
import contextlib
import datetime as dt
import socket
import time

import time_machine
from aiosmtpd.controller import Controller

from r2pnet.config import parse_smtp_url
from r2pnet.digests.models import DigestDelivery, DigestSettings
from r2pnet.discussions import services
from r2pnet.discussions.schemas import ThreadSchema
from tests.helpers import MailCollector, region


def utc(*parts):
    """A naive UTC datetime, as the database stores them."""
    return dt.datetime(*parts)


LONG_AGO = utc(2026, 1, 1)


def travel(when):
    """Stop the clock at `when` (naive UTC); move it on with `.move_to(...)`."""
    return time_machine.travel(when.replace(tzinfo=dt.UTC), tick=False)


def digest_member(make_member, zone="UTC", joined=LONG_AGO, email=None,
                  region_key="africa", **settings):
    """A member in `zone` who joined at `joined`, with digest settings when any are given."""
    member = make_member(email=email, password=None, timezone=zone, created_at=joined,
                         region_key=region_key)
    if settings:
        DigestSettings.create(member=member, **settings)
    return member


def news_in(make_member, region_key="africa", title="Elections and hate speech"):
    """A new thread in a region's space, by a member who takes no digest: something to send."""
    author = make_member(password=None, region_key=region_key)
    DigestSettings.create(member=author, frequency="off")
    data = ThreadSchema().load({"title": title, "body_md": "What worked before the vote?"})
    return services.create_thread(author, region(region_key).id, data).thread


def deliveries(member=None):
    """Delivery rows (of one member), oldest period first."""
    query = DigestDelivery.select().order_by(DigestDelivery.due_at, DigestDelivery.id)
    if member is not None:
        query = query.where(DigestDelivery.member == member.id)
    return list(query)


def free_port():
    """A loopback port nobody listens on (until someone binds it)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def smtp_settings(port):
    return parse_smtp_url(f"smtp://127.0.0.1:{port}")


@contextlib.contextmanager
def smtp_server(app, handler=None, port=None):
    """A real SMTP server on loopback with `handler`; the app sends through it meanwhile."""
    handler = handler or MailCollector()
    port = port or free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    before = app.config["SMTP"]
    app.config["SMTP"] = smtp_settings(port)
    try:
        yield handler
    finally:
        controller.stop()
        app.config["SMTP"] = before


class AnswersByAddress(MailCollector):
    """Answers RCPT with `answers[address]` ("451 ...", "550 ...") and accepts the others."""

    def __init__(self, answers=None):
        super().__init__()
        self.answers = dict(answers or {})

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        answer = self.answers.get(address.lower())
        if answer:
            return answer
        envelope.rcpt_tos.append(address)
        return "250 OK"


class CountsConnections(AnswersByAddress):
    """Also notes the client port of each message: one port, one connection."""

    def __init__(self, answers=None):
        super().__init__(answers)
        self.ports = []

    async def handle_DATA(self, server, session, envelope):
        self.ports.append(session.peer[1])
        return await super().handle_DATA(server, session, envelope)

    @property
    def connections(self):
        return len(set(self.ports))


def recipients(messages):
    """The To addresses of messages, sorted."""
    return sorted(str(m["To"]).rsplit("<", 1)[-1].rstrip(">").lower() for m in messages)


def wait_until(condition, timeout=20.0, what="the condition"):
    """Poll `condition` every 20 ms until it is true; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)
