"""Main user journeys, clicked through in Chromium against the live app."""
import re

import pytest
from playwright.sync_api import expect

from r2pnet.accounts.services import create_setup_link
from r2pnet.extensions import db
from tests.helpers import PASSWORD, link_in

pytestmark = pytest.mark.browser

ADMIN_PASSWORD = "quiet river under granite bridges"
NEW_PASSWORD = "seven lanterns over the harbour"
SIGN_IN_FOR_DIRECTORY = re.compile(r"/login\?next=(/|%2F)members$")
PASSWORD_LABEL = re.compile(r"^Password(?! again)")  # not "Password again"


def nav(page):
    return page.get_by_role("navigation", name="Main navigation")


def fill_password_twice(page, password):
    page.get_by_label(PASSWORD_LABEL).fill(password)
    page.get_by_label("Password again").fill(password)


def sign_in(page, email, password=PASSWORD):
    page.get_by_label("Email address").fill(email)
    page.get_by_label(PASSWORD_LABEL).fill(password)
    page.get_by_role("button", name="Sign in").click()


def sign_out(page):
    nav(page).get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.get_by_text("You are signed out on every device.")).to_be_visible()


def directory_card(page, name):
    """A member's card in the directory results (not the navbar link to one's own profile)."""
    return page.locator("main a.directory-card").filter(has_text=name)


def filter_directory(page, q="", **selects):
    """Type a name or organization, choose options by their visible labels, press Filter.

    Filters not named are set back to their "all" option, as the Clear link would. The
    caller asserts something only the new results show (the URL, a card) before asserting
    an absence, so an absence is never read off the previous page.
    """
    page.get_by_label("Name or organization").fill(q)
    for field in ("region", "country", "language", "expertise", "role"):
        select = page.get_by_label(field.capitalize(), exact=True)
        if field in selects:
            select.select_option(label=selects[field])
        else:
            select.select_option("")
    page.get_by_role("button", name="Filter").click()


def test_first_administrator_sets_up_and_invites_a_member_who_joins_from_the_email(
        app, page, new_page, mailbox):
    with db.connection_context():
        token = create_setup_link()  # what `make run` prints

    # The first administrator opens the setup link and creates the account.
    page.goto(f"/setup/{token}")
    expect(page.get_by_role("heading", name="Create the first administrator")).to_be_visible()
    page.get_by_label("Email address").fill("Admin@Example.org")
    page.get_by_label("Full name").fill("Grace Admin")
    fill_password_twice(page, ADMIN_PASSWORD)
    page.get_by_role("button", name="Create administrator").click()

    expect(page).to_have_url(re.compile(r"/profile$"))
    expect(page.get_by_role("heading", name="Your profile")).to_be_visible()
    expect(page.get_by_text("Welcome to r2pnet. Complete your profile")).to_be_visible()
    nav(page).get_by_text("Admin", exact=True).click()  # administrator-only sections
    for section in ("Invitations", "Regions", "Audit log"):
        expect(nav(page).get_by_role("link", name=section)).to_be_visible()
    nav(page).get_by_role("link", name="Grace Admin").click()
    expect(page.get_by_role("heading", name="Grace Admin")).to_be_visible()
    expect(page.locator("main .badge", has_text="administrator")).to_be_visible()
    expect(page.get_by_role("link", name="admin@example.org")).to_be_visible()

    # The administrator invites a member of Europe.
    nav(page).get_by_text("Admin", exact=True).click()
    nav(page).get_by_role("link", name="Invitations").click()
    expect(page.get_by_role("heading", name="Invitations", exact=True)).to_be_visible()
    page.get_by_label("Email address").fill("amina@example.org")
    page.get_by_label("Role").select_option(label="Member")
    page.get_by_label("Region").select_option(label="Europe")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text("Invitation sent to amina@example.org.")).to_be_visible()
    sent = page.get_by_role("row").filter(has_text="amina@example.org")
    expect(sent).to_contain_text("Europe")
    expect(sent).to_contain_text("pending")

    # The invitee opens the link from the email, in their own browser.
    path = link_in(mailbox.last_to("amina@example.org"), "/invitations/")
    invitee = new_page()
    invitee.goto(path)
    expect(invitee.get_by_role("heading", name="Join r2pnet")).to_be_visible()
    expect(invitee.get_by_text("You are invited as member in Europe with the address "
                               "amina@example.org")).to_be_visible()
    invitee.get_by_label("Full name").fill("Amina Diallo")
    fill_password_twice(invitee, NEW_PASSWORD)
    invitee.get_by_role("button", name="Join the network").click()

    expect(invitee).to_have_url(re.compile(r"/profile$"))
    expect(invitee.get_by_role("heading", name="Your profile")).to_be_visible()
    expect(nav(invitee).get_by_role("link", name="Amina Diallo")).to_be_visible()
    expect(nav(invitee).get_by_role("link", name="Directory")).to_be_visible()
    expect(nav(invitee).get_by_role("link", name="Invitations")).to_have_count(0)

    # The link worked once; the administrator sees the invitation accepted.
    invitee.goto(path)
    expect(invitee.get_by_text("This link is invalid or has expired.")).to_be_visible()
    page.reload()
    expect(sent).to_contain_text("accepted")


def test_member_signs_in_completes_profile_and_a_peer_finds_them_in_the_directory(
        app, page, make_member):
    with db.connection_context():
        make_member(email="ngozi@example.org", name="Ngozi Okafor", region_key="europe")
        make_member(email="pierre@example.org", name="Pierre Martin", region_key="europe",
                    country="FR", organization="Ministère des Affaires étrangères",
                    languages=("fr",))

    # Signed out, the directory sends people to the sign-in page.
    page.goto("/members")
    expect(page).to_have_url(SIGN_IN_FOR_DIRECTORY)
    expect(page.get_by_role("heading", name="Sign in to r2pnet")).to_be_visible()

    # The member signs in through the form and lands where they were going.
    sign_in(page, "ngozi@example.org")
    expect(page).to_have_url(re.compile(r"/members$"))
    expect(page.get_by_role("heading", name="Directory")).to_be_visible()

    # They complete their profile.
    nav(page).get_by_role("link", name="Ngozi Okafor").click()
    page.get_by_role("link", name="Edit profile").click()
    expect(page.get_by_role("heading", name="Your profile")).to_be_visible()
    page.get_by_label("Title").fill("Director, Human Rights Department")
    page.get_by_label("Ministry or organization").fill("Ministry of Foreign Affairs")
    page.get_by_label("Country").select_option(label="Kenya")
    page.get_by_label("Region", exact=True).select_option(label="The region of my country")
    page.get_by_label("Narrow the list of working languages").fill("span")
    page.get_by_label("Spanish", exact=True).check()
    expect(page.get_by_label("English", exact=True)).to_be_hidden()  # narrowed out of view
    page.get_by_label("Narrow the list of working languages").fill("")
    page.get_by_label("English", exact=True).check()
    page.get_by_label("Strengthening peer networks").check()
    page.get_by_label("Time zone").select_option("Africa/Nairobi")
    page.get_by_role("button", name="Save profile").click()

    expect(page.get_by_text("Profile saved.")).to_be_visible()
    expect(page.get_by_role("heading", name="Ngozi Okafor")).to_be_visible()
    expect(page.get_by_text("Director, Human Rights Department, Ministry of Foreign Affairs")
           ).to_be_visible()
    profile = page.locator("dl.profile-dl")
    for term, shown in (("Country", "Kenya"), ("Region", "Africa"),
                        ("Languages", "English, Spanish"),
                        ("Expertise", "Strengthening peer networks"),
                        ("Time zone", "Africa/Nairobi")):
        expect(profile.locator(f"dt:text-is('{term}') + dd")).to_have_text(shown)

    # The edit form comes back with what was saved.
    page.get_by_role("link", name="Edit profile").click()
    expect(page.get_by_label("Title")).to_have_value("Director, Human Rights Department")
    expect(page.get_by_label("English", exact=True)).to_be_checked()
    expect(page.get_by_label("Spanish", exact=True)).to_be_checked()
    expect(page.get_by_label("French", exact=True)).not_to_be_checked()
    expect(page.get_by_label("Strengthening peer networks")).to_be_checked()
    expect(page.get_by_label("Time zone")).to_have_value("Africa/Nairobi")

    # Signing out ends the session: the directory is closed again.
    sign_out(page)
    page.goto("/members")
    expect(page).to_have_url(SIGN_IN_FOR_DIRECTORY)
    expect(page.get_by_role("heading", name="Sign in to r2pnet")).to_be_visible()

    # A peer signs in on the same browser and finds the member by filters and by name.
    sign_in(page, "pierre@example.org")
    expect(page.get_by_role("heading", name="Directory")).to_be_visible()
    expect(directory_card(page, "Ngozi Okafor")).to_be_visible()

    filter_directory(page, language="Spanish")
    expect(page).to_have_url(re.compile(r"language=es"))
    expect(directory_card(page, "Ngozi Okafor")).to_contain_text("Ministry of Foreign Affairs")
    expect(directory_card(page, "Ngozi Okafor")).to_contain_text("Kenya")
    expect(directory_card(page, "Pierre Martin")).to_have_count(0)
    expect(page.get_by_text("1 member", exact=True)).to_be_visible()

    filter_directory(page, country="Kenya", expertise="Strengthening peer networks")
    expect(page).to_have_url(re.compile(r"country=KE&.*expertise=peer_networks"))
    expect(directory_card(page, "Ngozi Okafor")).to_be_visible()
    expect(directory_card(page, "Pierre Martin")).to_have_count(0)

    filter_directory(page, language="French")
    expect(directory_card(page, "Pierre Martin")).to_be_visible()
    expect(directory_card(page, "Ngozi Okafor")).to_have_count(0)

    filter_directory(page, q="okafor")
    expect(page).to_have_url(re.compile(r"q=okafor"))
    expect(page.get_by_label("Name or organization")).to_have_value("okafor")
    expect(directory_card(page, "Ngozi Okafor")).to_be_visible()
    expect(directory_card(page, "Pierre Martin")).to_have_count(0)

    filter_directory(page, q="Nobody Like This")
    expect(page.get_by_text("No member matches these filters.")).to_be_visible()
    expect(directory_card(page, "Ngozi Okafor")).to_have_count(0)

    page.get_by_role("link", name="Clear").click()
    directory_card(page, "Ngozi Okafor").click()
    expect(page.get_by_role("heading", name="Ngozi Okafor")).to_be_visible()
    expect(page.get_by_role("link", name="Edit profile")).to_have_count(0)


def test_wrong_password_shows_the_error_and_keeps_the_typed_email(app, page, make_member):
    with db.connection_context():
        make_member(email="ngozi@example.org", name="Ngozi Okafor")

    page.goto("/login")
    sign_in(page, "ngozi@example.org", "not the right passphrase")

    expect(page.get_by_role("alert")).to_have_text(
        "The email address or password is not correct.")
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.get_by_label("Email address")).to_have_value("ngozi@example.org")
    expect(page.get_by_label(PASSWORD_LABEL)).to_have_value("")
    expect(nav(page).get_by_role("button", name="Sign out")).to_have_count(0)
