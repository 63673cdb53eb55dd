"""Bearer tokens: 256 random bits, only their SHA-256 kept in the database."""
import hashlib
import secrets


def new_token():
    """A fresh token and the hash to store for it."""
    raw = secrets.token_urlsafe(32)
    return raw, hash_token(raw)


def hash_token(raw):
    """The stored form of a token."""
    return hashlib.sha256((raw or "").encode("utf-8", "replace")).hexdigest()
