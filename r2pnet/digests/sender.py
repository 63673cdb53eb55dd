"""Sending: claim one due delivery at a time, compose it for that member now, send, record.

A row is claimed by a conditional update (on PostgreSQL from a `FOR UPDATE SKIP LOCKED`
pick, on SQLite inside an IMMEDIATE transaction), so two senders never take the same row. A
row is claimed just before its message goes out; if the sender dies in that moment the row
stays "sending", and `recover_interrupted` marks it failed instead of sending it again: at
most once, and every other row is still pending for the next run. "sent" is written in the
transaction of the next claim (one commit per digest), still before the next message goes out.
On PostgreSQL that record, the next claim and that digest's member are one statement.

The messages of a run go through one SMTP connection (`mail.Connection`), each handed over in
full before the next is claimed; a failure drops the connection and the next message opens
a new one.

One run composes every digest through one `shared.Shared`: members who may see the same
items share the lists read for the first of them, and each digest is checked against its
member's visibility right before it goes out (see `compose`).
"""
import datetime as dt
import logging
import smtplib
import socket

from flask import current_app
from peewee import JOIN, SQL, DatabaseError, Select, fn

from r2pnet.digests.models import MAX_BOUNCES, DigestDelivery, DigestSettings
from r2pnet.discussions.models import Post
from r2pnet.extensions import PREPARE_WHEN_ASKED, db, is_postgres
from r2pnet.mail import Connection, _is_permanent
from r2pnet.members.models import Member, MemberExpertise, utcnow

log = logging.getLogger(__name__)
DIGEST_PREPARE_THRESHOLD = 5  # runs of one SQL text before a digest run's connection prepares it
# Minutes before each retry of a temporary failure; none after RETRY_FOR has passed.
RETRY_MINUTES = (5, 15, 30, 60, 120, 240, 480, 720)
RETRY_FOR = dt.timedelta(days=3)
INTERRUPTED_AFTER = dt.timedelta(minutes=15)
# The columns of the PostgreSQL claiming statement, in order (see `_take_next_of`).
_DELIVERY = DigestDelivery._meta.sorted_fields
_MEMBER = Member._meta.sorted_fields
_SETTINGS = DigestSettings._meta.sorted_fields
# Where the member's and the settings' columns end in a claiming row (then the checks).
_MEMBER_ENDS = len(_DELIVERY) + len(_MEMBER)
_SETTINGS_ENDS = _MEMBER_ENDS + len(_SETTINGS)
# The versions of what decides who may see a digest's items, as one text: read in the claim,
# before the digest's lists, so that lists read at the same versions need no check again
# (shared.Shared.get).
_CATALOGUES = SQL("(SELECT string_agg(name || ':' || generation || ':' || counter, ',' "
                  "ORDER BY name) FROM catalogue_version "
                  "WHERE name IN ('deliberations', 'discussions', 'lessons')) AS catalogues")


def claim(now, member_id=None):
    """Mark one due pending delivery as "sending" for this sender; its id, or None."""
    row = _claim(now, member_id)
    return row.id if row is not None else None


def _claim(now, member_id=None, shared=None, sent=()):
    """The claimed delivery row (as it is now: "sending"), or None.

    `sent`: digests that went out since the previous claim, recorded as sent in the same
    transaction (one commit per digest instead of two; the record still precedes the next
    message). On PostgreSQL the row also carries `.reader`: its member as `_reader` reads it
    (None: no such member), and `.catalogues` on it, returned by the claiming statement itself.
    """
    from r2pnet.digests.shared import Shared

    shared = shared or Shared(many=False)
    if is_postgres() and len(sent) <= 1:
        # One statement, so one round trip and one commit: the record of the previous
        # digest (a data-modifying CTE), the claim of the next, picked `SKIP LOCKED`, and
        # that delivery's member with what `_reader` reads.
        record = sent[0] if sent else ()
        quiet_since = _quiet_since(now)
        if member_id is None:
            rows = shared.rows(("claim", bool(sent)), _take_next, now, quiet_since, *record)
        else:
            rows = shared.rows(("claim member", bool(sent)), _take_next_of, now, quiet_since,
                               member_id, *record)
        return _claimed(rows[0]) if rows else None
    with db.atomic():
        for record in sent:
            shared.run("sent", _sent, *record)
        if member_id is None:
            rows = shared.run("pick", _pick, now)
        else:
            rows = shared.run("pick member", _pick, now, member_id)
        if not rows:
            return None
        row = rows[0]
        taken = shared.run("take", _take, now, row.id)
    if taken != 1:
        return _claim(now, member_id, shared)
    row.status, row.claimed_at, row.attempts = "sending", now, row.attempts + 1
    return row


def _take_next(now, quiet_since, *sent):
    """PostgreSQL: claim the next due row in one statement, after recording `sent` (now,
    message id, delivery id) if given; the row, then its member's `_reader` columns."""
    return _take_next_of(now, quiet_since, None, *sent)


def _take_next_of(now, quiet_since, member_id, *sent):
    """`_take_next` for one member's rows only (`member_id` None: anyone's)."""
    pick = _pick(now, member_id).select(DigestDelivery.id)
    taken = (DigestDelivery.update(status="sending", claimed_at=now,
                                   attempts=DigestDelivery.attempts + 1)
             .where(DigestDelivery.id == pick, DigestDelivery.status == "pending")
             .returning(*_DELIVERY)
             .cte("taken"))
    superseded, posted, expertise = _reader_checks(taken.c.member_id, taken.c.due_at,
                                                   quiet_since)
    ctes = (_sent(*sent).cte("sent"), taken) if sent else (taken,)
    return (Select((taken,), [*(taken.c[f.column_name] for f in _DELIVERY), *_MEMBER,
                              *_SETTINGS, superseded, posted, expertise, _CATALOGUES])
            .join(Member, JOIN.LEFT_OUTER, on=(Member.id == taken.c.member_id))
            .join(DigestSettings, JOIN.LEFT_OUTER, on=(DigestSettings.member == Member.id))
            .with_cte(*ctes)
            .bind(db))


def _claimed(row):
    """The delivery of a `_take_next` row, its `.reader` as `_reader` returns it."""
    delivery = _instance(DigestDelivery, _DELIVERY, row[:len(_DELIVERY)])
    member = _instance(Member, _MEMBER, row[len(_DELIVERY):_MEMBER_ENDS])
    settings = _instance(DigestSettings, _SETTINGS, row[_MEMBER_ENDS:_SETTINGS_ENDS])
    if member.id is not None:
        member.settings = settings if settings.id is not None else None
        (member.superseded, member.posted_recently, member.expertise,
         member.catalogues) = row[_SETTINGS_ENDS:]
    delivery.reader = member if member.id is not None else None
    return delivery


def _instance(model, fields, values):
    """A `model` row from these columns' values (what peewee's row conversion would give,
    without resolving the columns of every result anew)."""
    obj = model(__no_default__=True)
    obj.__data__ = {f.name: None if value is None else f.python_value(value)
                    for f, value in zip(fields, values, strict=True)}
    return obj


def _pick(now, member_id=None):
    due = ((DigestDelivery.status == "pending") & (DigestDelivery.next_attempt_at <= now))
    if member_id is not None:
        due &= DigestDelivery.member == member_id
    # A fixed order, read from the (status, next_attempt_at, id) index without a sort.
    pick = (DigestDelivery.select()
            .where(due)
            .order_by(DigestDelivery.next_attempt_at, DigestDelivery.id)
            .limit(1))
    return pick.for_update("FOR UPDATE SKIP LOCKED") if is_postgres() else pick


def _take(now, delivery_id):
    return (DigestDelivery.update(status="sending", claimed_at=now,
                                  attempts=DigestDelivery.attempts + 1)
            .where(DigestDelivery.id == delivery_id, DigestDelivery.status == "pending"))


def send_due(now=None, member_id=None, limit=None):
    """Send every due digest (or `limit` of them); returns {status: count}."""
    from r2pnet.digests.compose import compose
    from r2pnet.digests.shared import Shared
    from r2pnet.digests.message import digest_email

    now = now or utcnow()
    recover_interrupted(now)
    shared = Shared()
    counts = {}
    done = 0
    sent = []  # sent, not yet recorded: recorded with the next claim
    connection = Connection(current_app.config["SMTP"])  # one for the run, while it works
    _keep_plans(True)
    try:
        while limit is None or done < limit:
            delivery = _claim(now, member_id, shared, sent)
            sent = []
            if delivery is None:
                break
            status = _process(delivery, now, shared, compose, digest_email, sent,
                              connection.send)
            counts[status] = counts.get(status, 0) + 1
            done += 1
    finally:
        connection.close()
        try:
            if sent:
                with db.atomic():
                    for record in sent:
                        shared.run("sent", _sent, *record)
        finally:
            _keep_plans(False)
    return counts


def _keep_plans(keep):
    """PostgreSQL: let this connection prepare what a run repeats (after five runs, psycopg's
    default), or prepare only what asks again, as the other connections do (see extensions).

    The claim and the re-check run once a digest with the same SQL; planning them anew each
    time cost about as much as running them. PostgreSQL still keeps a generic plan only
    when it is estimated no dearer than the plans made for each run's values.
    """
    if not is_postgres():
        return
    try:
        db.connection().prepare_threshold = (DIGEST_PREPARE_THRESHOLD if keep
                                             else PREPARE_WHEN_ASKED)
    except DatabaseError:
        if keep:
            raise
        log.warning("could not restore the connection's preparing after a digest run",
                    exc_info=True)


def _reader(member_id, due_at, quiet_since):
    """The delivery's member with `.settings` (or None), `.superseded` (a newer digest), and
    what composing would otherwise ask apart: `.expertise_keys` and `.posted_recently`
    (posted since `quiet_since`)."""
    superseded, posted, expertise = _reader_checks(Member.id, due_at, quiet_since)
    return (Member.select(Member, DigestSettings, superseded, posted, expertise)
            .join(DigestSettings, JOIN.LEFT_OUTER, on=(DigestSettings.member == Member.id),
                  attr="settings")
            .where(Member.id == member_id)
            .limit(1))


def _reader_checks(member_id, due_at, quiet_since):
    """(superseded, posted_recently, expertise) of a member: a newer digest than the one due
    at `due_at`, a post since `quiet_since`, their expertise keys joined by spaces."""
    newer = DigestDelivery.alias("newer")
    superseded = fn.EXISTS(newer.select(SQL("1")).where(newer.member == member_id,
                                                        newer.due_at > due_at))
    posted = fn.EXISTS(Post.select(SQL("1")).where(Post.author == member_id,
                                                   Post.created_at >= quiet_since))
    join_keys = fn.STRING_AGG if is_postgres() else fn.GROUP_CONCAT
    expertise = (MemberExpertise.select(join_keys(MemberExpertise.key, " "))
                 .where(MemberExpertise.member == member_id))
    return (superseded.alias("superseded"), posted.alias("posted_recently"),
            expertise.alias("expertise"))


def _quiet_since(now):
    from r2pnet.digests.compose import QUIET_WEEKS

    return now - dt.timedelta(weeks=QUIET_WEEKS)


def _sent(now, message_id, delivery_id):
    return (DigestDelivery.update(status="sent", sent_at=now, reason="", message_id=message_id)
            .where(DigestDelivery.id == delivery_id))


def _process(delivery, now, shared, compose, digest_email, sent, send):
    if hasattr(delivery, "reader"):
        member = delivery.reader  # read by the claiming statement (PostgreSQL)
    else:
        rows = shared.run("reader", _reader, delivery.member_id, delivery.due_at,
                          _quiet_since(now))
        member = rows[0] if rows else None
    if member is None or not member.is_active:
        return _finish(delivery, "skipped", "the member is disabled")
    settings = getattr(member, "settings", None)
    if settings is not None and settings.id is None:
        settings = None  # no row: the defaults
    if settings is not None and (settings.frequency == "off" or settings.stopped_at):
        return _finish(delivery, "skipped", "digests are turned off")
    if member.superseded:
        # Retried past its own period (a long outage): the newer digest covers it.
        return _finish(delivery, "skipped", "superseded by a newer digest")
    member.expertise_keys = tuple(sorted((member.expertise or "").split()))
    try:
        digest = compose(member, delivery.since, now, shared)
        msg = None if digest.is_empty else digest_email(member, digest, delivery)
    except Exception:  # noqa: BLE001 - one member's failure must not stop the others
        log.exception("composing digest %s failed", delivery.id)
        return _retry_or_fail(delivery, now, "could not compose the digest (see the log)")
    if msg is None:
        return _finish(delivery, "skipped", digest.skip_reason)
    try:
        send(msg)
    except (smtplib.SMTPException, OSError, socket.timeout) as exc:
        if _is_bounce(exc):
            return _bounce(delivery, now, _describe(exc))
        return _retry_or_fail(delivery, now, _describe(exc))
    if settings is None or not settings.bounces:
        sent.append((now, msg.message_id[:250], delivery.id))
        return "sent"
    with db.atomic():
        shared.run("sent", _sent, now, msg.message_id[:250], delivery.id)
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
