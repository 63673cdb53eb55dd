"""Password hashing (Argon2id) and the password policy."""
import unicodedata
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn.frequency_lists import FREQUENCY_LISTS

MIN_LENGTH = 8
MAX_LENGTH = 256
_hasher = PasswordHasher()  # argon2-cffi's default type is Argon2id
# Verified against when the account is unknown, so both paths cost the same time.
_DUMMY_HASH = _hasher.hash("r2pnet-timing-equaliser")


@lru_cache(maxsize=1)
def common_passwords():
    """The 30,000 most common passwords, from zxcvbn's frequency list."""
    return frozenset(FREQUENCY_LISTS["passwords"])


def _normalise(password):
    return unicodedata.normalize("NFKC", password)


def password_problem(password, email="", name=""):
    """Why a new password is refused, or None when it is acceptable."""
    password = _normalise(password or "")
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters."
    if len(password) > MAX_LENGTH:
        return f"Use at most {MAX_LENGTH} characters."
    lowered = password.lower()
    if lowered in common_passwords() or len(set(password)) < 3:
        return "This password is too common; choose one that is harder to guess."
    local = (email or "").split("@")[0].lower()
    if (local and len(local) >= 4 and local in lowered) or (name and lowered == name.lower()):
        return "Do not use your name or email address as the password."
    return None


def hash_password(password):
    """An Argon2id hash of the (Unicode-normalised) password."""
    return _hasher.hash(_normalise(password))


def verify_password(password_hash, password):
    """True when the password matches; spends the same time when there is no hash."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, _normalise(password or "")) and \
            password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash):
    """True when the hash was made with weaker parameters than today's."""
    return _hasher.check_needs_rehash(password_hash)
