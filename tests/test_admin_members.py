"""Administration of members: roles, moderated regions, disabling; and who may not."""
import pytest

from r2pnet.audit.models import AuditEvent
from r2pnet.members.models import Member, ModeratorRegion
from tests.helpers import login, post_form, region, soup
from tests.signin import sign_in_as


@pytest.fixture
def admin(client, make_member):
    member = make_member(password=None, role="administrator", name="Secretariat Admin",
                         region_key=None)
    sign_in_as(client, member)
    return member


@pytest.fixture
def kwame(make_member):
    return make_member(password=None, email="kwame@example.org", name="Kwame Mensah",
                       region_key="africa")


def set_role(client, member, role, *regions):
    """Submit the role form; returns the page the administrator lands on."""
    response = post_form(client, f"/admin/members/{member.id}/role",
                         {"role": role, "region_ids": [str(r) for r in regions]},
                         csrf_from=f"/admin/members/{member.id}")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/admin/members/{member.id}"
    return client.get(response.headers["Location"])


def set_status(client, member, disabled, reason=""):
    response = post_form(client, f"/admin/members/{member.id}/status",
                         {"disabled": "true" if disabled else "false", "reason": reason},
                         csrf_from=f"/admin/members/{member.id}")
    assert response.status_code == 302
    return client.get(response.headers["Location"])


def alerts(page):
    return [" ".join(a.text.split()) for a in soup(page).select(".alert")]


def events(action=None):
    query = AuditEvent.select().order_by(AuditEvent.id)
    if action:
        query = query.where(AuditEvent.action == action)
    return [(e.action, e.actor_id, e.target_id, e.detail) for e in query]


def moderated(member):
    return sorted(r.region.key for r in ModeratorRegion.select()
                  .where(ModeratorRegion.member == member.id))


def role_of(member):
    return Member.get_by_id(member.id).role


# --- roles -----------------------------------------------------------------------------------

def test_the_role_page_shows_the_current_role_and_regions(client, admin, make_member):
    moderator = make_member(password=None, role="moderator", moderates=("africa", "mena"))

    page = soup(client.get(f"/admin/members/{moderator.id}"))

    assert page.find("input", attrs={"name": "role", "checked": True})["value"] == "moderator"
    chosen = [box.find_next("label").text for box in
              page.find_all("input", attrs={"name": "region_ids", "checked": True})]
    assert chosen == ["Africa", "Middle East and North Africa"]
    assert page.find("a", string="This member in the audit log")["href"] == \
        f"/audit?member={moderator.id}"


def test_an_administrator_makes_a_member_moderator_of_two_regions(client, admin, kwame):
    page = set_role(client, kwame, "moderator", region("africa").id, region("europe").id)

    assert "Role saved." in alerts(page)
    assert role_of(kwame) == "moderator"
    assert moderated(kwame) == ["africa", "europe"]
    assert events() == [
        ("role_changed", admin.id, kwame.id, "member -> moderator"),
        ("moderator_regions_changed", admin.id, kwame.id, "Africa, Europe"),
    ]
    profile = " ".join(soup(client.get(f"/members/{kwame.id}")).get_text(" ").split())
    assert "Moderates Africa, Europe" in profile


def test_changing_only_the_regions_of_a_moderator_is_audited_alone(client, admin,
                                                                   make_member):
    moderator = make_member(password=None, role="moderator", moderates=("africa",))

    set_role(client, moderator, "moderator", region("mena").id)

    assert moderated(moderator) == ["mena"]
    assert events() == [("moderator_regions_changed", admin.id, moderator.id,
                         "Middle East and North Africa")]


def test_a_moderator_becomes_administrator_then_member_again(client, admin, make_member):
    moderator = make_member(password=None, role="moderator", moderates=("africa",))

    set_role(client, moderator, "administrator", region("africa").id)
    assert (role_of(moderator), moderated(moderator)) == ("administrator", [])
    set_role(client, moderator, "member")
    assert role_of(moderator) == "member"

    assert events() == [
        ("role_changed", admin.id, moderator.id, "moderator -> administrator"),
        ("moderator_regions_changed", admin.id, moderator.id, "none"),
        ("role_changed", admin.id, moderator.id, "administrator -> member"),
    ]


def test_saving_the_same_role_writes_no_audit_event(client, admin, kwame):
    page = set_role(client, kwame, "member")

    assert "Role saved." in alerts(page)
    assert events() == []


@pytest.mark.parametrize("role, regions, message", [
    ("moderator", [], "A moderator needs at least one region."),
    ("moderator", ["987654"], "Choose regions from the list."),
    ("moderator", ["africa"], "Choose regions from the list."),
    ("moderator", ["9" * 30], "Choose regions from the list."),
    ("overlord", [], "Choose a role from the list."),
    ("", [], "Choose a role from the list."),
])
def test_a_refused_role_change_says_why_and_changes_nothing(client, admin, kwame, role,
                                                            regions, message):
    page = set_role(client, kwame, role, *regions)

    assert message in alerts(page)
    assert (role_of(kwame), moderated(kwame), events()) == ("member", [], [])


def test_an_administrator_cannot_remove_their_own_administrator_role(client, admin):
    page = set_role(client, admin, "moderator", region("africa").id)

    assert "You cannot remove your own administrator role." in alerts(page)
    assert (role_of(admin), moderated(admin), events()) == ("administrator", [], [])


def test_the_role_page_of_an_unknown_member_is_not_found(client, admin):
    assert client.get("/admin/members/987654").status_code == 404
    response = post_form(client, "/admin/members/987654/role", {"role": "member"},
                         csrf_from="/audit")
    assert response.status_code == 404


# --- disabling -------------------------------------------------------------------------------

def test_disabling_ends_the_members_sessions_and_stops_sign_in(app, client, admin,
                                                              make_member):
    amina = make_member(email="amina@example.org", name="Amina Diallo")
    her_browser = app.test_client()
    assert login(her_browser, "amina@example.org").status_code == 302
    assert her_browser.get("/").status_code == 200

    page = set_status(client, amina, True, reason="Left the ministry")

    assert "Member disabled; every session ended." in alerts(page)
    assert "Disabled since" in page.get_data(as_text=True)
    assert Member.get_by_id(amina.id).disabled_at is not None
    assert events("disabled") == [("disabled", admin.id, amina.id, "Left the ministry")]
    assert her_browser.get("/").status_code == 302  # signed out at once
    refused = login(her_browser, "amina@example.org")
    assert refused.status_code == 400
    assert "The email address or password is not correct." in refused.get_data(as_text=True)

    page = set_status(client, amina, False, reason="Back in post")

    assert "Member re-enabled." in alerts(page)
    assert Member.get_by_id(amina.id).disabled_at is None
    assert events("enabled") == [("enabled", admin.id, amina.id, "Back in post")]
    assert login(her_browser, "amina@example.org").status_code == 302


def test_disabling_twice_is_audited_once(client, admin, kwame):
    set_status(client, kwame, True)
    set_status(client, kwame, True)

    assert [e[0] for e in events()] == ["disabled"]


def test_an_administrator_cannot_disable_their_own_account(client, admin):
    page = set_status(client, admin, True)

    assert "You cannot disable your own account." in alerts(page)
    assert Member.get_by_id(admin.id).disabled_at is None
    assert events() == []


def test_a_bad_status_form_is_refused(client, admin, kwame):
    response = post_form(client, f"/admin/members/{kwame.id}/status",
                         {"disabled": "perhaps", "reason": "x"},
                         csrf_from=f"/admin/members/{kwame.id}")

    assert response.status_code == 400
    assert Member.get_by_id(kwame.id).disabled_at is None


# --- who may not -----------------------------------------------------------------------------

@pytest.mark.parametrize("role, moderates", [("member", ()), ("moderator", ("africa",))])
def test_members_and_moderators_may_not_administer(client, make_member, kwame, role,
                                                   moderates):
    sign_in_as(client, make_member(password=None, role=role, moderates=moderates))
    africa = region("africa").id

    for url in (f"/admin/members/{kwame.id}", "/admin/regions", "/admin/regions/new",
                f"/admin/regions/{africa}", "/audit", f"/audit?member={kwame.id}"):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "kwame@example.org" not in response.get_data(as_text=True)
    for url, data in ((f"/admin/members/{kwame.id}/role",
                       {"role": "administrator", "region_ids": []}),
                      (f"/admin/members/{kwame.id}/status", {"disabled": "true"}),
                      ("/admin/regions/new", {"key": "oceania", "name": "Oceania"}),
                      (f"/admin/regions/{africa}", {"key": "africa", "name": "Hijacked"})):
        assert post_form(client, url, data, csrf_from="/").status_code == 403, url

    assert (role_of(kwame), Member.get_by_id(kwame.id).disabled_at) == ("member", None)
    assert region("africa").name == "Africa"
    assert not AuditEvent.select().exists()
    navigation = soup(client.get("/")).find("nav").text
    assert "Regions" not in navigation and "Audit log" not in navigation
