"""Passwords: Argon2id, 8+ characters, long and Unicode ones kept whole, common ones refused."""
import re
import unicodedata

import pytest

from r2pnet.accounts import services
from r2pnet.members.models import Member
from tests.helpers import PASSWORD, login, post_form, region
from tests.security_helpers import alert_text, database_snapshot
from tests.signin import sign_in_as

LONG = "".join(f"{i:03d}-lighthouse " for i in range(15))[:200]
UNICODE = "Grüße aus Genève, 東京 и Київ 🌍"


@pytest.fixture
def as_member(client, make_member):
    """Sign the client in as a new member whose password is PASSWORD (without the form)."""
    def sign_in_as_new(**fields):
        member = make_member(**fields)
        sign_in_as(client, member)
        return member
    return sign_in_as_new


def _change(client, new, confirm=None):
    return post_form(client, "/profile/password", {
        "current_password": PASSWORD, "new_password": new,
        "new_password_confirm": new if confirm is None else confirm})


def _signs_in(app, email, password):
    return login(app.test_client(), email, password).status_code == 302


def test_passwords_are_stored_as_argon2id_hashes(as_member, client):
    member = as_member()
    assert _change(client, "a brand new passphrase").status_code == 302
    stored = Member.get_by_id(member.id).password_hash
    assert stored.startswith("$argon2id$")
    assert "brand new passphrase" not in stored


def test_argon2id_parameters_meet_the_owasp_minimum(as_member, client):
    member = as_member()
    _change(client, "a brand new passphrase")
    stored = Member.get_by_id(member.id).password_hash
    params = dict(re.findall(r"([mtp])=(\d+)", stored))
    memory_kib, iterations = int(params["m"]), int(params["t"])
    # OWASP: m=19 MiB with t=2, or more memory with fewer passes (m=46 MiB, t=1).
    assert (memory_kib >= 19 * 1024 and iterations >= 2) or memory_kib >= 46 * 1024


def test_a_seven_character_password_is_refused_with_a_clear_message(as_member, client):
    member = as_member()
    before = database_snapshot()
    response = _change(client, "k3$Rv9q")
    assert response.status_code == 400
    assert "at least 8 characters" in alert_text(response)
    assert database_snapshot() == before
    assert Member.get_by_id(member.id).password_hash == member.password_hash


def test_an_eight_character_password_is_enough(app, as_member, client):
    member = as_member()
    assert _change(client, "k3$Rv9qZ").status_code == 302
    assert _signs_in(app, member.email, "k3$Rv9qZ")


def test_a_200_character_password_is_accepted_and_works(app, as_member, client):
    member = as_member()
    assert len(LONG) == 200
    assert _change(client, LONG).status_code == 302
    assert _signs_in(app, member.email, LONG)


def test_a_200_character_password_is_never_truncated(app, as_member, client):
    member = as_member()
    _change(client, LONG)
    assert not _signs_in(app, member.email, LONG[:-1] + ("x" if LONG[-1] != "x" else "y"))
    assert not _signs_in(app, member.email, LONG[:128])


def test_a_unicode_password_is_accepted_and_works(app, as_member, client):
    member = as_member()
    assert _change(client, UNICODE).status_code == 302
    assert _signs_in(app, member.email, UNICODE)
    assert not _signs_in(app, member.email, UNICODE.replace("🌍", "🌎"))


def test_a_unicode_password_typed_in_decomposed_form_still_works(app, as_member, client):
    member = as_member()
    _change(client, UNICODE)
    decomposed = unicodedata.normalize("NFD", UNICODE)
    assert decomposed != UNICODE
    assert _signs_in(app, member.email, decomposed)


@pytest.mark.parametrize("common", ["password123", "qwertyuiop", "iloveyou2", "Password123"])
def test_a_common_password_is_refused_with_a_clear_message(as_member, client, common):
    member = as_member()
    before = database_snapshot()
    response = _change(client, common)
    assert response.status_code == 400
    assert "too common" in alert_text(response)
    assert database_snapshot() == before
    assert Member.get_by_id(member.id).password_hash == member.password_hash


def test_a_common_password_is_refused_when_accepting_an_invitation(app, client):
    with app.test_request_context():
        token = services.invite("newcomer@example.org", "member", region("africa").id)
    response = post_form(client, f"/invitations/{token}", {
        "name": "Newcomer", "password": "qwertyuiop", "password_confirm": "qwertyuiop"})
    assert response.status_code == 400
    assert "too common" in alert_text(response)
    assert not Member.select().where(Member.email == "newcomer@example.org").exists()


def test_a_password_made_of_the_email_name_is_refused(as_member, client):
    as_member(email="amina.diallo@example.org")
    response = _change(client, "amina.diallo2025")
    assert response.status_code == 400
    assert "name or email" in alert_text(response)


def test_the_current_password_is_required_to_change_it(app, as_member, client):
    member = as_member()
    response = post_form(client, "/profile/password", {
        "current_password": "not the password", "new_password": "a brand new passphrase",
        "new_password_confirm": "a brand new passphrase"})
    assert response.status_code == 400
    assert "current password is not correct" in alert_text(response)
    assert Member.get_by_id(member.id).password_hash == member.password_hash

