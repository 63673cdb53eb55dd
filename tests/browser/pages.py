"""Steps every browser journey shares: the main navigation and signing in."""
import re

from playwright.sync_api import expect

from tests.helpers import PASSWORD


def nav(page):
    return page.get_by_role("navigation", name="Main navigation")


def sign_in(page, email):
    page.goto("/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label(re.compile(r"^Password")).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(nav(page).get_by_role("button", name="Sign out")).to_be_visible()
