"""Unsubscribe tokens: a signature of the member id, good for unsubscribing and nothing else.

The salt binds a token to this purpose: a lesson feed token (or any other signature made with
the same key) does not unsubscribe anyone. Tokens do not expire: an unsubscribe link in an old
digest must keep working (RFC 8058), and it can do nothing but turn digests off.
"""
from flask import current_app
from itsdangerous import BadData, URLSafeSerializer

from r2pnet.members.models import Member

SALT = "digest-unsubscribe"


def _serializer():
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def unsubscribe_token(member):
    """The token of `member`'s unsubscribe link."""
    return _serializer().dumps(member.id)


def member_for_unsubscribe_token(token):
    """The member this unsubscribe token names, else None (bad, forged or foreign tokens)."""
    try:
        member_id = _serializer().loads(token or "")
    except BadData:
        return None
    if type(member_id) is not int or not 0 < member_id < 2**63:
        return None
    return Member.get_or_none(Member.id == member_id)
