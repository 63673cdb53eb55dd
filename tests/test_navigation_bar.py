"""The navigation bar is kept per process: it still follows the page, the member's name and
rights, the app's path, and carries the page's own CSRF token."""
from r2pnet.members.models import Member
from tests.helpers import soup
from tests.signin import sign_in_as


def bar(page):
    return page.find("nav", attrs={"aria-label": "Main navigation"})


def current_link(client, path):
    link = bar(soup(client.get(path))).find("a", attrs={"aria-current": "page"})
    return link.get_text(strip=True) if link else None


def test_the_link_of_the_page_visited_is_marked_current(client, make_member):
    sign_in_as(client, make_member())
    assert current_link(client, "/lessons") == "Lessons"
    assert current_link(client, "/members") == "Directory"
    assert current_link(client, "/") is None


def test_a_renamed_member_sees_the_new_name(client, make_member):
    amina = make_member(name="Amina Diallo")
    sign_in_as(client, amina)
    assert "Amina Diallo" in bar(soup(client.get("/"))).text
    Member.update(name="Amina Diallo-Ba").where(Member.id == amina.id).execute()
    assert "Amina Diallo-Ba" in bar(soup(client.get("/"))).text


def test_the_admin_menu_follows_the_members_rights(client, make_member):
    kofi = make_member(name="Kofi Mensah")
    sign_in_as(client, kofi)
    assert "Audit log" not in bar(soup(client.get("/"))).text
    Member.update(role="administrator").where(Member.id == kofi.id).execute()
    assert "Audit log" in bar(soup(client.get("/"))).text
    Member.update(role="member").where(Member.id == kofi.id).execute()
    assert "Audit log" not in bar(soup(client.get("/"))).text


def test_each_member_sees_their_own_name_and_profile_link(client, app, make_member):
    amina, kofi = make_member(name="Amina Diallo"), make_member(name="Kofi Mensah")
    sign_in_as(client, amina)
    client.get("/")
    other = sign_in_as(app.test_client(), kofi)
    shown = bar(soup(other.get("/")))
    assert "Kofi Mensah" in shown.text and "Amina Diallo" not in shown.text
    assert shown.find("a", href=f"/members/{kofi.id}")


def test_the_sign_out_form_carries_the_pages_token_and_signs_out(client, make_member):
    sign_in_as(client, make_member())
    client.get("/")
    page = soup(client.get("/"))
    token = bar(page).find("input", attrs={"name": "csrf_token"})["value"]
    assert token == page.find("meta", attrs={"name": "csrf-token"})["content"]
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/members").status_code == 302  # signed out: sent to the login page


def test_links_follow_the_apps_path(client, make_member):
    sign_in_as(client, make_member())
    client.get("/")
    mounted = bar(soup(client.get("/", environ_overrides={"SCRIPT_NAME": "/r2p"})))
    assert mounted.find("a", string="Lessons")["href"] == "/r2p/lessons"
    assert bar(soup(client.get("/"))).find("a", string="Lessons")["href"] == "/lessons"


def test_two_sessions_of_one_member_each_get_their_own_token(client, app, make_member):
    amina = make_member()
    for browser in (sign_in_as(client, amina), sign_in_as(app.test_client(), amina)):
        browser.get("/")
        page = soup(browser.get("/"))
        token = bar(page).find("input", attrs={"name": "csrf_token"})["value"]
        assert token == page.find("meta", attrs={"name": "csrf-token"})["content"]
