"""Build email from templates; queue it with the action's transaction; send it through SMTP_URL.

A queued message is a row (`OutboundMail`) written in the same transaction as the action, so a
rolled-back action sends nothing and a committed one loses nothing: delivery is tried right
after the commit, and the scheduler retries what failed, with backoff, until it goes out.
"""
import binascii
import datetime as dt
import functools
import os
import logging
import smtplib
import ssl
import time
import uuid
from email import message_from_bytes, policy
from email.header import Header
from email.message import EmailMessage
from email.utils import formataddr, format_datetime, make_msgid, parseaddr
from dataclasses import dataclass
from pathlib import Path

import css_inline
from flask import current_app, g, has_app_context, has_request_context, render_template
from peewee import BlobField, CharField, DateTimeField, IntegerField, TextField

from r2pnet.extensions import BaseModel, db

log = logging.getLogger(__name__)
CRLF = "\r\n"
_inliner = css_inline.CSSInliner()


def clean_header(value):
    """Collapse CR, LF and other control characters so user text cannot add headers."""
    text = str(value)
    if not text.isprintable():
        text = "".join(ch if ch.isprintable() else " " for ch in text)
    return " ".join(text.split())


def build_message(template, to, subject, sender=None, headers=None, **context):
    """A multipart text+HTML message from templates/email/<template>.txt|html."""
    config = current_app.config
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
    text, html = render_email(template, **context)
    msg.set_content(text)
    msg.add_alternative(html, subtype="html")
    return msg


def render_email(template, **context):
    """(text, HTML with its CSS inlined) of templates/email/<template>.txt|html."""
    context.setdefault("base_url", current_app.config["BASE_URL"])
    html = render_template(f"email/{template}.html", **context)
    return render_template(f"email/{template}.txt", **context), _inliner.inline(html)


@dataclass(frozen=True)
class RawMessage:
    """A message as SMTP sends it (CRLF lines), with its envelope."""

    message_id: str
    sender: str
    recipient: str
    data: bytes


def build_raw_message(template, to, subject, sender=None, headers=None, **context):
    """What `build_message` makes, written out directly as bytes: for bulk mail (digests).

    Building and flattening an EmailMessage costs some 6 ms; this a few hundred microseconds.
    Header values lose control characters (`clean_header`), non-ASCII ones are RFC 2047
    encoded (addresses must be ASCII, as for `build_message`), and a part that is not ASCII in lines
    of at most 998 characters is quoted-printable: no line is too long for SMTP.
    """
    display, addr = parseaddr(sender or current_app.config["MAIL_FROM"])
    to_name, to_addr = to if isinstance(to, tuple) else ("", to)
    to_addr = clean_header(to_addr)
    message_id = make_msgid(idstring=uuid.uuid4().hex, domain=addr.rsplit("@", 1)[-1])
    fields = [("From", _address(display, addr)), ("To", _address(to_name, to_addr)),
              ("Subject", clean_header(subject)), ("Date", format_datetime(_now_local())),
              ("Message-ID", message_id), ("Auto-Submitted", "auto-generated")]
    fields += [(name, clean_header(value)) for name, value in (headers or {}).items()]
    text, html = render_email(template, **context)
    boundary = f"=_{uuid.uuid4().hex}"
    lines = [_header(name, value) for name, value in fields]
    lines += ["MIME-Version: 1.0",
              f'Content-Type: multipart/alternative; boundary="{boundary}"', "",
              f"--{boundary}", _part("plain", text), f"--{boundary}", _part("html", html),
              f"--{boundary}--", ""]
    return RawMessage(message_id, addr, to_addr, CRLF.join(lines).encode("ascii"))


def _address(name, addr):
    """`Name <addr>`, the name RFC 2047 encoded when it is not ASCII."""
    name = clean_header(name)
    if name and not name.isascii():
        return f"{Header(name, 'utf-8').encode(linesep=CRLF)} <{addr}>"
    return formataddr((name, addr))


def _header(name, value):
    """`Name: value` folded at spaces; non-ASCII text RFC 2047 encoded."""
    if CRLF in value:  # an address with an encoded name: folded already
        return f"{name}: {value}"
    if not value.isascii():
        return f"{name}: {Header(value, 'utf-8', header_name=name).encode(linesep=CRLF)}"
    line, lines = f"{name}:", []
    for word in value.split(" "):
        if len(line) + 1 + len(word) > 78 and line != f"{name}:":
            lines.append(line)
            line = ""
        line += " " + word
    return CRLF.join([*lines, line])


def _part(subtype, content):
    """One text part in UTF-8, its lines ending in CRLF: as it is when it is ASCII in short
    lines, else quoted-printable."""
    lines = content.encode().splitlines()
    if content.isascii() and max(map(len, lines), default=0) <= 998:
        encoding, body = "7bit", CRLF.join(line.decode() for line in lines)
    else:
        encoding = "quoted-printable"
        body = binascii.b2a_qp(b"\n".join(lines), istext=True).decode().replace("\n", CRLF)
    return (f'Content-Type: text/{subtype}; charset="utf-8"{CRLF}'
            f"Content-Transfer-Encoding: {encoding}{CRLF}{CRLF}{body}")


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
    """Hand one message (an EmailMessage or a RawMessage) to the configured transport; raises
    on failure."""
    if settings["transport"] == "file":
        _to_outbox(settings, msg)
        return
    with _connect(settings) as smtp:
        _hand_over(smtp, msg)


class Connection:
    """Many messages through one SMTP connection (bulk mail: digests), each handed over in
    full (the server's 250 read) before `send` returns, as with `deliver`.

    Opened for the first message; dropped after any failure, so that the next message starts
    on a fresh one, and renewed after REUSE_FOR messages or REUSE_IDLE seconds unused (before
    a server's idle timeout closes it under us). Use it as a context manager.
    """

    REUSE_FOR = 100
    REUSE_IDLE = 10.0

    def __init__(self, settings):
        self.settings = settings
        self._smtp = None
        self._sent = 0
        self._used_at = 0.0

    def send(self, msg):
        """Hand `msg` to the server; raises as `deliver` does."""
        if self.settings["transport"] == "file":
            _to_outbox(self.settings, msg)
            return
        if self._smtp is not None and (self._sent >= self.REUSE_FOR or
                                       time.monotonic() - self._used_at > self.REUSE_IDLE):
            self.close()
        if self._smtp is None:
            self._smtp, self._sent = _connect(self.settings), 0
        try:
            _hand_over(self._smtp, msg)
        except BaseException:
            self._smtp, smtp = None, self._smtp
            smtp.close()  # whatever state the session is in, the next message starts afresh
            raise
        self._sent += 1
        self._used_at = time.monotonic()

    def close(self):
        """Say goodbye to the server (QUIT), if connected."""
        self._smtp, smtp = None, self._smtp
        if smtp is not None:
            try:
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                smtp.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _to_outbox(settings, msg):
    outbox = Path(settings["path"])
    outbox.mkdir(parents=True, exist_ok=True)
    name = f"{_now_local():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:12]}.eml"
    tmp = outbox / f".{name}.tmp"
    tmp.write_bytes(msg.data if isinstance(msg, RawMessage) else msg.as_bytes())
    tmp.rename(outbox / name)


def _connect(settings):
    """An SMTP session, past STARTTLS and login when configured."""
    cls = smtplib.SMTP_SSL if settings["ssl"] else smtplib.SMTP
    kwargs = {"context": _tls_context(*_certificate_settings())} if settings["ssl"] else {}
    smtp = cls(settings["host"], settings["port"], timeout=settings["timeout"], **kwargs)
    try:
        if settings["starttls"]:
            smtp.starttls(context=_tls_context(*_certificate_settings()))
        if settings["username"]:
            smtp.login(settings["username"], settings["password"] or "")
    except BaseException:
        smtp.close()
        raise
    return smtp


def _hand_over(smtp, msg):
    if isinstance(msg, RawMessage):
        smtp.sendmail(msg.sender, [msg.recipient], msg.data)
    else:
        smtp.send_message(msg)


def _certificate_settings():
    return os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR")


@functools.cache
def _tls_context(cert_file, cert_dir):
    """One verifying TLS context per certificate setting: loading them takes ~50 ms."""
    return ssl.create_default_context()


def _now_local():
    return dt.datetime.now(dt.UTC)
