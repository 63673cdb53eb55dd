"""The directory's member cards are kept per process: each still follows every change to the
member it shows."""
from r2pnet.members.models import Member, MemberLanguage
from tests.helpers import soup
from tests.signin import sign_in_as


def card_of(client, member):
    page = soup(client.get("/members"))
    return next(card.get_text(" ", strip=True) for card in page.select(".directory-card")
                if card["href"].endswith(f"/members/{member.id}"))


def test_a_renamed_member_shows_under_the_new_name(client, make_member):
    amina = make_member(name="Amina Diallo", organization="Ministry of Foreign Affairs")
    sign_in_as(client, make_member())
    assert "Amina Diallo" in card_of(client, amina)
    Member.update(name="Amina Diallo-Ba").where(Member.id == amina.id).execute()
    assert "Amina Diallo-Ba" in card_of(client, amina)


def test_a_new_language_and_a_new_role_show_on_the_card(client, make_member):
    kofi = make_member(name="Kofi Mensah", languages=["en"])
    sign_in_as(client, make_member())
    assert "French" not in card_of(client, kofi)
    MemberLanguage.create(member=kofi, code="fr")
    assert "French" in card_of(client, kofi)
    Member.update(role="moderator").where(Member.id == kofi.id).execute()
    assert "moderator" in card_of(client, kofi)
