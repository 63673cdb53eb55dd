"""Build email from templates; queue it with the action's transaction; send it through SMTP_URL.

A queued message is a row (`OutboundMail`) written in the same transaction as the action, so a
rolled-back action sends nothing and a committed one loses nothing: delivery is tried right
after the commit, and the scheduler retries what failed, with backoff, until it goes out.
"""
import datetime as dt
import functools
import os
import logging
import smtplib
import ssl
import uuid
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import formataddr, format_datetime, make_msgid, parseaddr
from pathlib import Path

import css_inline
from flask import current_app, g, has_app_context, has_request_context, render_template
from peewee import BlobField, CharField, DateTimeField, IntegerField, TextField

from r2pnet.extensions import BaseModel, db

log = logging.getLogger(__name__)
_inliner = css_inline.CSSInliner()


def clean_header(value):
    """Collapse CR, LF and other control characters so user text cannot add headers."""
    return " ".join("".join(ch if ch.isprintable() else " " for ch in str(value)).split())


def build_message(template, to, subject, sender=None, headers=None, **context):
    """A multipart text+HTML message from templates/email/<template>.txt|html."""
    config = current_app.config
    context.setdefault("base_url", config["BASE_URL"])
    msg = EmailMessage()
    display, addr = parseaddr(sender or config["MAIL_FROM"])
    msg["From"] = formataddr((clean_header(display), addr))
    to_name, to_addr = to if isinstance(to, tuple) else ("", to)
    msg["To"] = formataddr((clean_header(to_name), clean_header(to_addr)))
    msg["Subject"] = clean_header(subject)
    msg["Date"] = format_datetime(_now_local())
    msg["Message-ID"] = make_msgid(idstring=uuid.uuid4().hex, domain=addr.rsplit("@", 1)[-1])
    msg["Auto-Submitted"] = "auto-generated"
    for name, value in (headers or {}).items():
        msg[name] = clean_header(value)
    msg.set_content(render_template(f"email/{template}.txt", **context))
    html = render_template(f"email/{template}.html", **context)
    msg.add_alternative(_inliner.inline(html), subtype="html")
    return msg


# Minutes to wait before each retry; after the last one the message counts as failed.
RETRY_MINUTES = (1, 5, 15, 60, 180, 360, 720)


def _utcnow():
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class OutboundMail(BaseModel):
    """A message waiting for, or done with, delivery."""

    created_at = DateTimeField(default=_utcnow)
    recipient = CharField(max_length=320)
    subject = CharField(max_length=300)
    message = BlobField()
    status = CharField(max_length=10, default="pending")  # pending, sent, failed
    attempts = IntegerField(default=0)
    next_attempt_at = DateTimeField(default=_utcnow)
    sent_at = DateTimeField(null=True)
    last_error = TextField(default="")

    class Meta:
        indexes = ((("status", "next_attempt_at"), False),)


def init_app(app):
    """Send a request's mail once its response has gone out (see `send_after_commit`)."""
    app.before_request(_expect_a_response)
    app.after_request(_send_when_closed)


def _expect_a_response():
    g.mail_to_send = []


def send_after_commit(msg):
    """Queue the message in the current transaction and try to send it once that commits.

    In a request the attempt waits until the response has been sent: the user does not wait
    for the mail server, and response times do not tell whether an email address is known.
    """
    row = OutboundMail.create(recipient=str(msg["To"])[:320], subject=str(msg["Subject"])[:300],
                              message=msg.as_bytes())
    app = current_app._get_current_object()
    if has_request_context() and g.get("mail_to_send") is not None:
        db.after_commit(lambda: g.mail_to_send.append(row.id))
    else:
        db.after_commit(lambda: _attempt(app, row.id))
    return row


def _send_when_closed(response):
    row_ids = g.pop("mail_to_send", None)
    if row_ids:
        app = current_app._get_current_object()
        response.call_on_close(lambda: _send_rows(app, row_ids))
    return response


def _send_rows(app, row_ids):
    try:
        with app.app_context(), db.connection_context():
            for row_id in row_ids:
                _attempt(app, row_id)
    except Exception:  # noqa: BLE001 - the scheduler retries; never break the response
        log.exception("sending queued mail %s after the response failed", row_ids)


def deliver_due(limit=100):
    """Send every queued message whose time has come (a scheduler job); returns how many went."""
    app = current_app._get_current_object()
    due = (OutboundMail.select(OutboundMail.id)
           .where(OutboundMail.status == "pending", OutboundMail.next_attempt_at <= _utcnow())
           .order_by(OutboundMail.next_attempt_at)
           .limit(limit))
    return sum(_attempt(app, row.id) for row in list(due))


def _attempt(app, row_id):
    """Claim one message (so no other sender takes it meanwhile), send it, record the outcome."""
    now = _utcnow()
    row = OutboundMail.get_or_none(OutboundMail.id == row_id)
    if row is None or row.status != "pending":
        return False
    wait = RETRY_MINUTES[min(row.attempts, len(RETRY_MINUTES) - 1)]
    with db.atomic():
        claimed = (OutboundMail.update(attempts=OutboundMail.attempts + 1,
                                       next_attempt_at=now + dt.timedelta(minutes=wait))
                   .where(OutboundMail.id == row.id, OutboundMail.status == "pending",
                          OutboundMail.attempts == row.attempts,
                          OutboundMail.next_attempt_at <= now)
                   .execute())
    if claimed != 1:
        return False
    msg = message_from_bytes(bytes(row.message), policy=policy.SMTP)
    try:
        deliver(app.config["SMTP"], msg)
    except (OSError, smtplib.SMTPException) as exc:
        permanent = _is_permanent(exc) or row.attempts + 1 >= len(RETRY_MINUTES)
        error = f"{type(exc).__name__}: {exc}"[:2000]
        log.warning("could not send %r to %s (%s)%s", row.subject, row.recipient, error,
                    "; giving up" if permanent else "; will retry")
        (OutboundMail.update(last_error=error, status="failed" if permanent else "pending")
         .where(OutboundMail.id == row.id).execute())
        if has_app_context():
            g.setdefault("mail_failures", []).append(error)
        return False
    # The body goes once sent: it may hold a bearer link (invitation, reset) to keep no longer.
    (OutboundMail.update(status="sent", sent_at=_utcnow(), last_error="", message=b"")
     .where(OutboundMail.id == row.id).execute())
    return True


def purge_sent(days=30):
    """Forget sent and failed messages after a while (a scheduler job)."""
    cutoff = _utcnow() - dt.timedelta(days=days)
    return (OutboundMail.delete()
            .where(OutboundMail.status != "pending", OutboundMail.created_at < cutoff)
            .execute())


def _is_permanent(exc):
    """A 5xx answer from the server: retrying will not help."""
    code = getattr(exc, "smtp_code", None)
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code = min((answer[0] for answer in exc.recipients.values()), default=None)
    return code is not None and 500 <= code < 600


def delivery_failures():
    """Why messages queued in this app context could not be sent yet (for the command line)."""
    return list(g.get("mail_failures", [])) if has_app_context() else []


def deliver(settings, msg):
    """Hand one message to the configured transport; raises on failure."""
    if settings["transport"] == "file":
        outbox = Path(settings["path"])
        outbox.mkdir(parents=True, exist_ok=True)
        name = f"{_now_local():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:12]}.eml"
        tmp = outbox / f".{name}.tmp"
        tmp.write_bytes(msg.as_bytes())
        tmp.rename(outbox / name)
        return
    cls = smtplib.SMTP_SSL if settings["ssl"] else smtplib.SMTP
    kwargs = {"context": _tls_context(*_certificate_settings())} if settings["ssl"] else {}
    with cls(settings["host"], settings["port"], timeout=settings["timeout"], **kwargs) as smtp:
        if settings["starttls"]:
            smtp.starttls(context=_tls_context(*_certificate_settings()))
        if settings["username"]:
            smtp.login(settings["username"], settings["password"] or "")
        smtp.send_message(msg)


def _certificate_settings():
    return os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR")


@functools.cache
def _tls_context(cert_file, cert_dir):
    """One verifying TLS context per certificate setting: loading them takes ~50 ms."""
    return ssl.create_default_context()


def _now_local():
    return dt.datetime.now(dt.UTC)
