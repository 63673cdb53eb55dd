"""Creating, listing, revoking and checking personal access tokens."""
import datetime as dt
import hashlib
import secrets

from peewee import JOIN

from r2pnet import catalogue, statements
from r2pnet.api.models import SCOPES, ApiToken
from r2pnet.audit.services import record
from r2pnet.errors import DomainError, NotFound
from r2pnet.extensions import db
from r2pnet.members.models import Member, utcnow

TOKEN_PREFIX = "r2p_"
EXPIRY_DAYS = (7, 30, 90, 365)
MAX_ACTIVE_TOKENS = 20
# "Last used" is written at most once a minute per token (unless the address changes),
# so a busy program does not turn every read into a write.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


def digest(token):
    """The stored form of a token: its SHA-256 (tokens carry 256 random bits, so no salt)."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def create_token(member, name, scope, days, ip=""):
    """(row, token): the token is returned once and never stored in clear."""
    name = (name or "").strip()
    if not name or len(name) > 80 or any(not ch.isprintable() for ch in name):
        raise DomainError("Give the token a name of 1 to 80 characters.", "name")
    if scope not in SCOPES:
        raise DomainError("Choose read only, or read and write.", "scope")
    if days not in EXPIRY_DAYS:
        raise DomainError("Choose when the token expires.", "days")
    now = utcnow()
    active = (ApiToken.select()
              .where(ApiToken.member == member.id, ApiToken.revoked_at.is_null(),
                     ApiToken.expires_at > now)
              .count())
    if active >= MAX_ACTIVE_TOKENS:
        raise DomainError(f"You have {MAX_ACTIVE_TOKENS} active tokens; revoke one first.",
                          "name")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with db.atomic():
        row = ApiToken.create(member=member.id, name=name, scope=scope,
                              prefix=token[:len(TOKEN_PREFIX) + 6], token_hash=digest(token),
                              created_at=now, expires_at=now + dt.timedelta(days=days))
        record("api_token_created", actor=member, ip=ip,
               detail=f"token {row.id} ({scope}, {days} days)")
    return row, token


def tokens_of(member):
    """A member's tokens, newest first, revoked and expired ones included."""
    return list(ApiToken.select().where(ApiToken.member == member.id)
                .order_by(ApiToken.created_at.desc(), ApiToken.id.desc()))


def revoke_token(member, token_id, ip=""):
    """Revoke one of the member's own tokens: it stops working at once."""
    row = ApiToken.get_or_none(ApiToken.id == token_id, ApiToken.member == member.id)
    if row is None:
        raise NotFound("There is no such token.")
    if row.revoked_at is None:
        with db.atomic():
            ApiToken.update(revoked_at=utcnow()).where(ApiToken.id == row.id).execute()
            record("api_token_revoked", actor=member, ip=ip, detail=f"token {row.id}")
    return row


def authenticate(token, ip=""):
    """The live ApiToken (its member loaded) for a presented token, else None."""
    if not token or not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    now = utcnow()
    rows = statements.run_kept("api token", lambda token_hash: catalogue.with_versions(
        ApiToken.select(ApiToken, Member)
        .join(Member, JOIN.INNER, on=(ApiToken.member == Member.id))
        .where(ApiToken.token_hash == token_hash)
        .limit(1)), digest(token))
    row = rows[0] if rows else None
    if row is not None:
        catalogue.remember(row.catalogue_versions)
    if row is None or row.status(now) != "active" or not row.member.is_active:
        return None
    if (row.last_used_at is None or now - row.last_used_at >= LAST_USED_RESOLUTION
            or row.last_used_ip != ip[:64]):
        (ApiToken.update(last_used_at=now, last_used_ip=ip[:64])
         .where(ApiToken.id == row.id).execute())
        row.last_used_at, row.last_used_ip = now, ip[:64]
    return row
