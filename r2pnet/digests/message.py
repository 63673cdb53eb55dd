"""The digest email: plain text and HTML, absolute links, one-click unsubscribe headers."""
from email import message_from_bytes, policy
from urllib.parse import urlsplit

from flask import current_app

from r2pnet.deliberations.timing import in_zone
from r2pnet.digests.tokens import unsubscribe_token
from r2pnet.mail import build_raw_message


def base_url():
    return current_app.config["BASE_URL"].rstrip("/")


def unsubscribe_url(member):
    """The one-click unsubscribe address (BASE_URL's scheme: https in production)."""
    return f"{base_url()}/unsubscribe/{unsubscribe_token(member)}"


def list_id():
    host = urlsplit(current_app.config["BASE_URL"]).hostname or "localhost"
    return f"r2pnet digest <digest.r2pnet.{host}>"


def subject(member, digest, delivery):
    """Names the period and the region, never any content (titles stay out of mail headers)."""
    day = in_zone(delivery.due_at, member.timezone).date()
    when = f"{day.day} {day:%B %Y}"
    if delivery.frequency == "daily":
        return f"Your r2pnet daily digest: {digest.region_name}, {when}"
    return f"Your r2pnet digest: {digest.region_name}, week of {when}"


def digest_message(member, digest, delivery):
    """The EmailMessage of `digest` for `member`: what `digest_email` sends, parsed back."""
    raw = digest_email(member, digest, delivery)
    return message_from_bytes(raw.data, policy=policy.default)


def digest_email(member, digest, delivery):
    """The `RawMessage` of `digest` for `member`, sent from DIGEST_FROM."""
    unsubscribe = unsubscribe_url(member)
    headers = {"List-Unsubscribe": f"<{unsubscribe}>",
               "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
               "List-Id": list_id()}
    title = subject(member, digest, delivery)
    return build_raw_message("digest", (member.name, member.email), title,
                             sender=current_app.config["DIGEST_FROM"], headers=headers,
                             base_url=base_url(), member=member, digest=digest,
                             delivery=delivery, title=title, unsubscribe_url=unsubscribe)
