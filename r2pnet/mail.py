"""Build email from templates and send it through SMTP_URL, after the database commits."""
import datetime as dt
import logging
import smtplib
import ssl
import uuid
from email.message import EmailMessage
from email.utils import formataddr, format_datetime, make_msgid, parseaddr
from pathlib import Path

import css_inline
from flask import current_app, g, has_app_context, render_template

from r2pnet.extensions import db

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


def send_after_commit(msg):
    """Send once the current transaction commits; nothing goes out for a rolled-back action."""
    app = current_app._get_current_object()
    db.after_commit(lambda: _deliver_logged(app, msg))


def _deliver_logged(app, msg):
    try:
        deliver(app.config["SMTP"], msg)
    except (OSError, smtplib.SMTPException) as exc:
        log.exception("could not send %r to %s", msg["Subject"], msg["To"])
        if has_app_context():
            g.setdefault("mail_failures", []).append(f"{type(exc).__name__}: {exc}")


def delivery_failures():
    """Why messages sent in this app context could not be delivered (for the command line)."""
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
    context = ssl.create_default_context()
    cls = smtplib.SMTP_SSL if settings["ssl"] else smtplib.SMTP
    kwargs = {"context": context} if settings["ssl"] else {}
    with cls(settings["host"], settings["port"], timeout=settings["timeout"], **kwargs) as smtp:
        if settings["starttls"]:
            smtp.starttls(context=context)
        if settings["username"]:
            smtp.login(settings["username"], settings["password"] or "")
        smtp.send_message(msg)


def _now_local():
    return dt.datetime.now(dt.UTC)
