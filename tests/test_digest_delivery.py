"""Sending digests through a real SMTP server: sent, retried, bounced, stopped, given up."""
import datetime as dt

import pytest

from r2pnet.digests.models import DigestDelivery, DigestSettings
from r2pnet.digests.planner import plan
from r2pnet.digests.sender import RETRY_FOR, RETRY_MINUTES, send_due
from r2pnet.extensions import db
from r2pnet.members.models import Member
from tests.conftest import BACKEND
from tests.digest_helpers import (AnswersByAddress, CountsConnections, deliveries,
                                  digest_member, free_port, news_in, recipients, smtp_server,
                                  smtp_settings, travel, utc)
from tests.helpers import MailCollector

JOINED = utc(2026, 5, 27, 12, 0)  # a Wednesday
NEWS_AT = utc(2026, 5, 29, 10, 0)  # the Friday after
DUE = utc(2026, 6, 1, 8, 0)  # Monday 08:00 UTC: week 2026-W23 for members in UTC


def _member(make_member, email, **fields):
    return digest_member(make_member, "UTC", joined=JOINED, email=email, **fields)


def _news(make_member, region_key="africa"):
    with travel(NEWS_AT):
        return news_in(make_member, region_key)


def _run(now):
    """What the scheduler does at `now`: plan, then send what is due."""
    with travel(now):
        plan()
        return send_due()


def _row(member):
    [row] = deliveries(member)
    return row


def test_due_digests_reach_a_real_smtp_server_once_each(app, make_member, mailbox):
    amina = _member(make_member, "amina@example.org")
    kofi = _member(make_member, "kofi@example.org")
    _news(make_member)

    assert _run(DUE) == {"sent": 2}
    assert _run(DUE + dt.timedelta(minutes=15)) == {}

    assert recipients(mailbox.messages) == ["amina@example.org", "kofi@example.org"]
    for member in (amina, kofi):
        msg = mailbox.last_to(member.email)
        row = _row(member)
        assert (row.status, row.attempts, row.sent_at, row.reason) == ("sent", 1, DUE, "")
        assert row.message_id == str(msg["Message-ID"])
        assert "digest@r2pnet.localhost" in str(msg["From"])


def test_a_member_with_nothing_new_is_skipped_with_the_reason(app, make_member, mailbox):
    jan = _member(make_member, "jan@example.org", region_key="europe")
    _news(make_member, "africa")  # not readable from Europe

    assert _run(DUE) == {"skipped": 1}
    row = _row(jan)
    assert (row.status, row.reason) == ("skipped", "nothing new since the last digest")
    assert mailbox.messages == []


def test_a_member_disabled_or_turned_off_after_planning_is_skipped(app, make_member, mailbox):
    gone = _member(make_member, "gone@example.org")
    quiet = _member(make_member, "quiet@example.org")
    _news(make_member)
    with travel(DUE):
        assert plan() == 2
    Member.update(disabled_at=DUE).where(Member.id == gone.id).execute()
    DigestSettings.create(member=quiet, frequency="off")

    assert _run(DUE + dt.timedelta(minutes=1)) == {"skipped": 2}
    assert (_row(gone).status, _row(gone).reason) == ("skipped", "the member is disabled")
    assert (_row(quiet).status, _row(quiet).reason) == ("skipped", "digests are turned off")
    assert mailbox.messages == []



def test_a_digest_still_due_when_the_next_period_is_planned_is_skipped_as_superseded(
        app, make_member, mailbox):
    late = _member(make_member, "late@example.org")
    _news(make_member)
    week = dt.timedelta(days=7)
    # Last week's digest, still waiting for its retry after an outage, and this week's.
    for period, due in (("2026-W22", DUE - week), ("2026-W23", DUE)):
        DigestDelivery.create(member=late, period=period, frequency="weekly", due_at=due,
                              since=due - week, next_attempt_at=DUE)

    with travel(DUE + dt.timedelta(minutes=1)):
        assert send_due() == {"skipped": 1, "sent": 1}
    old, new = deliveries(late)
    assert (old.status, old.reason) == ("skipped", "superseded by a newer digest")
    assert new.status == "sent"
    assert recipients(mailbox.messages) == ["late@example.org"]


def test_451_is_retried_with_growing_delays_and_550_bounces_without_retry(app, make_member):
    busy = _member(make_member, "busy@example.org")
    gone = _member(make_member, "gone@example.org")
    fine = _member(make_member, "fine@example.org")
    _news(make_member)
    server = AnswersByAddress({"busy@example.org": "451 4.2.1 Mailbox busy, try later",
                               "gone@example.org": "550 5.1.1 No such user"})
    with smtp_server(app, server):
        assert _run(DUE) == {"sent": 1, "retry": 1, "bounced": 1}
        assert recipients(server.messages) == ["fine@example.org"]
        assert (_row(gone).status, _row(gone).reason) == ("bounced", "550 5.1.1 No such user")
        assert DigestSettings.get(DigestSettings.member == gone.id).bounces == 1

        now, waits = DUE, []
        for _ in range(3):
            row = _row(busy)
            assert (row.status, row.reason) == ("pending", "451 4.2.1 Mailbox busy, try later")
            waits.append(row.next_attempt_at - now)
            assert _run(row.next_attempt_at - dt.timedelta(seconds=1)) == {}  # not before
            now = row.next_attempt_at
            assert _run(now) == {"retry": 1}
        assert waits == [dt.timedelta(minutes=m) for m in RETRY_MINUTES[:3]]

        del server.answers["busy@example.org"]  # the mailbox has room again
        later = _row(busy).next_attempt_at
        assert _run(later) == {"sent": 1}
        assert _run(later + dt.timedelta(days=1)) == {}

    row = _row(busy)
    assert (row.status, row.attempts, row.sent_at, row.reason) == ("sent", 5, later, "")
    assert recipients(server.messages) == ["busy@example.org", "fine@example.org"]
    row = _row(gone)
    assert (row.status, row.attempts) == ("bounced", 1)  # never tried again
    assert _row(fine).attempts == 1


def _weekly_with(app, server, weeks, start=DUE):
    """Plan and send `weeks` weekly digests through `server`, a week apart from `start`."""
    with smtp_server(app, server):
        for week in range(weeks):
            _run(start + dt.timedelta(weeks=week))


def test_three_consecutive_bounces_stop_the_digests_of_that_member(app, make_member):
    gone = _member(make_member, "gone@example.org")
    fine = _member(make_member, "fine@example.org")
    _news(make_member)  # unanswered, it is worth a line every week
    server = AnswersByAddress({"gone@example.org": "550 5.1.1 No such user"})

    _weekly_with(app, server, 2)
    assert DigestSettings.get(DigestSettings.member == gone.id).stopped_at is None
    _weekly_with(app, server, 2, start=DUE + dt.timedelta(weeks=2))

    settings = DigestSettings.get(DigestSettings.member == gone.id)
    assert (settings.bounces, settings.stopped_at) == (3, DUE + dt.timedelta(weeks=2))
    assert [r.status for r in deliveries(gone)] == ["bounced"] * 3  # no row for week 4
    assert [r.status for r in deliveries(fine)] == ["sent"] * 4
    with travel(DUE + dt.timedelta(weeks=5)):
        assert plan() == 1  # only `fine`


def test_bounces_count_only_when_consecutive(app, make_member):
    flaky = _member(make_member, "flaky@example.org")
    _news(make_member)
    server = AnswersByAddress({"flaky@example.org": "550 5.2.1 Mailbox disabled"})
    _weekly_with(app, server, 2)
    _weekly_with(app, AnswersByAddress(), 1, start=DUE + dt.timedelta(weeks=2))
    _weekly_with(app, server, 2, start=DUE + dt.timedelta(weeks=3))

    assert [r.status for r in deliveries(flaky)] == ["bounced", "bounced", "sent", "bounced",
                                                     "bounced"]
    settings = DigestSettings.get(DigestSettings.member == flaky.id)
    assert (settings.bounces, settings.stopped_at) == (2, None)


def test_a_server_that_is_down_and_comes_back_gets_the_digest_once(app, make_member):
    amina = _member(make_member, "amina@example.org")
    _news(make_member)
    port = free_port()
    app.config["SMTP"] = smtp_settings(port)  # nothing listens there yet

    assert _run(DUE) == {"retry": 1}
    first = _row(amina)
    assert first.status == "pending" and "ConnectionRefusedError" in first.reason
    assert _run(first.next_attempt_at) == {"retry": 1}

    with smtp_server(app, port=port) as server:  # back, on the same port
        retry_at = _row(amina).next_attempt_at
        assert _run(retry_at - dt.timedelta(minutes=1)) == {}
        assert _run(retry_at) == {"sent": 1}
        assert _run(retry_at + dt.timedelta(hours=1)) == {}
        assert recipients(server.messages) == ["amina@example.org"]
    row = _row(amina)
    assert (row.status, row.attempts, row.sent_at) == ("sent", 3, retry_at)


def test_after_three_days_of_failures_the_digest_is_failed_with_the_last_error(
        app, make_member):
    amina = _member(make_member, "amina@example.org")
    _news(make_member)
    port = free_port()
    app.config["SMTP"] = smtp_settings(port)  # down for days
    assert _run(DUE) == {"retry": 1}
    attempts_at = [DUE]
    while _row(amina).status == "pending":
        attempts_at.append(_row(amina).next_attempt_at)
        if attempts_at[-1] - DUE >= RETRY_FOR - dt.timedelta(hours=12):
            # Back for the last half day, but busy: the last error is its answer.
            with smtp_server(app, AnswersByAddress({"amina@example.org": "451 4.3.0 Busy"}),
                             port=port):
                _run(attempts_at[-1])
        else:
            _run(attempts_at[-1])
        assert len(attempts_at) < 50

    row = _row(amina)
    assert row.status == "failed"
    assert row.reason == f"gave up after {row.attempts} attempts: 451 4.3.0 Busy"
    assert row.attempts == len(attempts_at)
    assert attempts_at[-1] - DUE >= RETRY_FOR > attempts_at[-2] - DUE
    gaps = [b - a for a, b in zip(attempts_at, attempts_at[1:], strict=False)]
    assert gaps == sorted(gaps) and gaps[0] == dt.timedelta(minutes=RETRY_MINUTES[0])
    assert gaps[-1] == dt.timedelta(minutes=RETRY_MINUTES[-1])
    with smtp_server(app, port=port) as server:
        assert _run(DUE + dt.timedelta(days=4)) == {}
    assert server.messages == []
    assert DigestDelivery.select().count() == 1


class RefusesOurSender(MailCollector):
    """A relay that will not send as DIGEST_FROM (until the operator sorts it out)."""

    refuse = True

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self.refuse:
            return "553 5.7.1 Sender address rejected: not owned by user"
        envelope.mail_from = address
        return "250 OK"


def test_a_relay_refusing_our_sender_address_is_not_a_bounce_of_every_member(
        app, make_member):
    members = [_member(make_member, f"member{n}@example.org") for n in range(2)]
    _news(make_member)
    server = RefusesOurSender()
    with smtp_server(app, server):
        for week in range(3):  # three weeks of a misconfigured DIGEST_FROM
            _run(DUE + dt.timedelta(weeks=week))
        for member in members:
            settings = DigestSettings.get_or_none(DigestSettings.member == member.id)
            assert settings is None or (settings.bounces, settings.stopped_at) == (0, None)
            assert "bounced" not in {row.status for row in deliveries(member)}
            assert "553 5.7.1 Sender address rejected" in deliveries(member)[-1].reason

        server.refuse = False  # fixed: what is still within its three days goes out
        _run(DUE + dt.timedelta(weeks=2, hours=13))
        with travel(DUE + dt.timedelta(weeks=3)):
            assert plan() == 2  # and digests go on
    assert recipients(server.messages) == ["member0@example.org", "member1@example.org"]


def test_a_run_sends_through_one_connection_and_a_new_one_after_a_bounce(app, make_member):
    for name in ("amina", "gone", "kofi", "lena"):
        _member(make_member, f"{name}@example.org")
    _news(make_member)
    server = CountsConnections({"gone@example.org": "550 5.1.1 No such user"})
    with smtp_server(app, server):
        assert _run(DUE) == {"sent": 3, "bounced": 1}
    assert recipients(server.messages) == ["amina@example.org", "kofi@example.org",
                                           "lena@example.org"]
    # Members are taken in the order they were planned: one before the bounce, two after.
    assert len(set(server.ports)) == 2
    assert server.ports[1] == server.ports[2]


@pytest.mark.skipif(BACKEND != "postgresql", reason="a PostgreSQL setting")
def test_a_run_leaves_its_connection_preparing_only_what_asks(app, make_member, mailbox):
    from r2pnet.extensions import PREPARE_WHEN_ASKED

    _member(make_member, "amina@example.org")
    _news(make_member)
    assert _run(DUE) == {"sent": 1}
    assert db.connection().prepare_threshold == PREPARE_WHEN_ASKED
