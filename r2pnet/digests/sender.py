"""Sending: claim one due delivery at a time, compose it for that member now, send, record.

A row is claimed by a conditional update (on PostgreSQL from a `FOR UPDATE SKIP LOCKED`
pick, on SQLite inside an IMMEDIATE transaction), so two senders never take the same row. A
row is claimed just before its message goes out; if the sender dies in that moment the row
stays "sending", and `recover_interrupted` marks it failed instead of sending it again: at
most once, and every other row is still pending for the next run.
"""
import datetime as dt
import logging
import smtplib
import socket

from flask import current_app
from peewee import SQL

from r2pnet.digests.models import MAX_BOUNCES, DigestDelivery, DigestSettings
from r2pnet.extensions import db, is_postgres
from r2pnet.mail import _is_permanent, deliver
from r2pnet.members.models import Member, utcnow

log = logging.getLogger(__name__)
# Minutes before each retry of a temporary failure; none after RETRY_FOR has passed.
RETRY_MINUTES = (5, 15, 30, 60, 120, 240, 480, 720)
RETRY_FOR = dt.timedelta(days=3)
INTERRUPTED_AFTER = dt.timedelta(minutes=15)


def claim(now, member_id=None):
    """Mark one due pending delivery as "sending" for this sender; its id, or None."""
    due = ((DigestDelivery.status == "pending") & (DigestDelivery.next_attempt_at <= now))
    if member_id is not None:
        due &= DigestDelivery.member == member_id
    with db.atomic():
        pick = DigestDelivery.select(DigestDelivery.id).where(due).order_by(
            DigestDelivery.next_attempt_at, DigestDelivery.id).limit(1)
        if is_postgres():
            pick = pick.for_update("FOR UPDATE SKIP LOCKED")
        row = pick.first()
        if row is None:
            return None
        taken = (DigestDelivery.update(status="sending", claimed_at=now,
                                       attempts=DigestDelivery.attempts + 1)
                 .where(DigestDelivery.id == row.id, DigestDelivery.status == "pending")
                 .execute())
    return row.id if taken == 1 else claim(now, member_id)


def send_due(now=None, member_id=None, limit=None):
    """Send every due digest (or `limit` of them); returns {status: count}."""
    from r2pnet.digests.compose import compose
    from r2pnet.digests.message import digest_message

    now = now or utcnow()
    recover_interrupted(now)
    counts = {}
    done = 0
    while limit is None or done < limit:
        delivery_id = claim(now, member_id)
        if delivery_id is None:
            break
        status = _process(DigestDelivery.get_by_id(delivery_id), now, compose, digest_message)
        counts[status] = counts.get(status, 0) + 1
        done += 1
    return counts


def _process(delivery, now, compose, digest_message):
    member = Member.get_or_none(Member.id == delivery.member_id)
    settings = DigestSettings.get_or_none(DigestSettings.member == delivery.member_id)
    if member is None or not member.is_active:
        return _finish(delivery, "skipped", "the member is disabled")
    if settings is not None and (settings.frequency == "off" or settings.stopped_at):
        return _finish(delivery, "skipped", "digests are turned off")
    if DigestDelivery.select().where(DigestDelivery.member == member.id,
                                     DigestDelivery.due_at > delivery.due_at).exists():
        # Retried past its own period (a long outage): the newer digest covers it.
        return _finish(delivery, "skipped", "superseded by a newer digest")
    try:
        digest = compose(member, delivery.since, now)
        msg = None if digest.is_empty else digest_message(member, digest, delivery)
    except Exception:  # noqa: BLE001 - one member's failure must not stop the others
        log.exception("composing digest %s failed", delivery.id)
        return _retry_or_fail(delivery, now, "could not compose the digest (see the log)")
    if msg is None:
        return _finish(delivery, "skipped", digest.skip_reason)
    try:
        deliver(current_app.config["SMTP"], msg)
    except (smtplib.SMTPException, OSError, socket.timeout) as exc:
        if _is_bounce(exc):
            return _bounce(delivery, now, _describe(exc))
        return _retry_or_fail(delivery, now, _describe(exc))
    with db.atomic():
        DigestDelivery.update(status="sent", sent_at=now, reason="",
                              message_id=str(msg["Message-ID"])[:250]).where(
            DigestDelivery.id == delivery.id).execute()
        DigestSettings.update(bounces=0).where(DigestSettings.member == member.id).execute()
    return "sent"


def _finish(delivery, status, reason):
    DigestDelivery.update(status=status, reason=reason[:300]).where(
        DigestDelivery.id == delivery.id).execute()
    return status


def _retry_or_fail(delivery, now, reason):
    if now - delivery.due_at >= RETRY_FOR:
        return _finish(delivery, "failed", f"gave up after {delivery.attempts} attempts: {reason}")
    wait = RETRY_MINUTES[min(delivery.attempts, len(RETRY_MINUTES)) - 1]
    DigestDelivery.update(status="pending", reason=reason[:300],
                          next_attempt_at=now + dt.timedelta(minutes=wait)).where(
        DigestDelivery.id == delivery.id).execute()
    return "retry"


def _bounce(delivery, now, reason):
    with db.atomic():
        _finish(delivery, "bounced", reason)
        settings, _ = DigestSettings.get_or_create(member=delivery.member_id)
        bounces = settings.bounces + 1
        DigestSettings.update(bounces=bounces,
                              stopped_at=now if bounces >= MAX_BOUNCES else None).where(
            DigestSettings.id == settings.id).execute()
    return "bounced"


def _is_bounce(exc):
    """A 5xx answer about this recipient or message; not one about our sender, login or relay,
    which would otherwise count as a bounce of every member and stop all digests."""
    return _is_permanent(exc) and isinstance(
        exc, (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError))


def _describe(exc):
    code = getattr(exc, "smtp_code", None)
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, text = next(iter(exc.recipients.values()), (None, b""))
        return f"{code} {text.decode(errors='replace') if isinstance(text, bytes) else text}"
    if code:
        error = getattr(exc, "smtp_error", b"")
        return f"{code} {error.decode(errors='replace') if isinstance(error, bytes) else error}"
    return f"{type(exc).__name__}: {exc}"[:300]


def recover_interrupted(now):
    """Rows a dead sender left "sending": failed, never sent again (it may have gone out)."""
    return (DigestDelivery.update(status="failed",
                                  reason="the sender stopped while sending it; not sent again "
                                         "in case it went out")
            .where(DigestDelivery.status == "sending",
                   DigestDelivery.claimed_at < now - INTERRUPTED_AFTER)
            .execute())


def report(period=None):
    """{period: {status or "skipped: reason": count}} and the last errors, newest periods first."""
    query = (DigestDelivery.select(DigestDelivery.period, DigestDelivery.status,
                                   DigestDelivery.reason, SQL("COUNT(*)"))
             .group_by(DigestDelivery.period, DigestDelivery.status, DigestDelivery.reason)
             .order_by(DigestDelivery.period.desc()))
    if period:
        query = query.where(DigestDelivery.period == period)
    periods = {}
    for key, status, reason, count in query.tuples():
        row = periods.setdefault(key, {"due": 0, "sent": 0, "skipped": {}, "failed": [],
                                       "bounced": [], "pending": 0})
        row["due"] += count
        if status == "skipped":
            row["skipped"][reason] = row["skipped"].get(reason, 0) + count
        elif status in ("failed", "bounced"):
            row[status].append((reason, count))
        elif status == "sent":
            row["sent"] += count
        else:
            row["pending"] += count
    return periods
