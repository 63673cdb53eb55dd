"""Signing a test client in without the login form (and its Argon2 cost).

For tests about what a signed-in member sees; the login form itself is tested through
tests.helpers.login.
"""
from r2pnet.members.models import Member


def sign_in_as(client, member):
    """Put `member`'s session in `client`'s cookie, as a successful login would."""
    version = Member.get_by_id(member.id).session_version
    with client.session_transaction() as session:
        session.clear()
        session["_user_id"] = f"{member.id}:{version}"
        session["_fresh"] = True
    return client
