"""Regions: the seeded defaults, creating and editing them (audited), validation, queries."""
import datetime as dt

import pytest

from r2pnet.audit.models import AuditEvent
from r2pnet.members.models import Member, Region
from tests.helpers import QueryCounter, post_form, region, soup
from tests.signin import sign_in_as

CARIBBEAN = {
    "key": "caribbean",
    "name": "Caribbean",
    "organizations": "CARICOM\r\n  Organisation of Eastern Caribbean States  \r\n\r\n",
    "countries": ["TT", "JM", "BB", "JM"],
}


@pytest.fixture
def admin(client, make_member):
    member = make_member(password=None, role="administrator", region_key=None)
    sign_in_as(client, member)
    return member


def region_rows(response):
    """The regions table as (name, key, organizations, countries, members)."""
    rows = []
    for tr in soup(response).find("tbody").find_all("tr"):
        rows.append(tuple(" ".join(td.get_text(" ").split()) for td in tr.find_all("td")))
    return rows


def region_form(page):
    form = page.find("input", attrs={"name": "key"}).find_parent("form")
    return {
        "key": form.find("input", attrs={"name": "key"}).get("value", ""),
        "name": form.find("input", attrs={"name": "name"}).get("value", ""),
        "organizations": form.find("textarea", attrs={"name": "organizations"}).text,
        "countries": sorted(box["value"] for box in
                            form.find_all("input", attrs={"name": "countries", "checked": True})),
    }


def field_error(page, name):
    box = page.find(attrs={"name": name}).find_parent(class_="mb-3")
    feedback = box.find(class_="invalid-feedback")
    return feedback.get_text(" ", strip=True) if feedback else None


def snapshot():
    return sorted(Region.select().tuples())


# --- the defaults ----------------------------------------------------------------------------

def test_the_five_default_regions_are_seeded_with_organizations_and_countries(app):
    regions = {r.key: r for r in Region.select()}

    assert sorted(regions) == ["africa", "americas", "asia_pacific", "europe", "mena"]
    assert regions["africa"].organizations == ["African Union", "ECOWAS", "ICGLR"]
    assert regions["americas"].organizations == ["Organization of American States"]
    assert regions["asia_pacific"].organizations == ["ASEAN"]
    assert {"European Union", "OSCE"} <= set(regions["europe"].organizations)
    assert regions["mena"].organizations == ["League of Arab States"]
    for key, country in (("africa", "NG"), ("americas", "BR"), ("asia_pacific", "JP"),
                         ("europe", "DE"), ("mena", "JO")):
        assert country in regions[key].countries
    assert "EG" in regions["africa"].countries and "EG" in regions["mena"].countries


def test_the_regions_page_lists_regions_with_their_active_members(client, admin, make_member):
    make_member(password=None, region_key="africa")
    make_member(password=None, region_key="africa")
    make_member(password=None, region_key="africa", disabled_at=dt.datetime(2024, 1, 1))
    make_member(password=None, region_key="mena")

    response = client.get("/admin/regions")

    assert response.status_code == 200
    assert region_rows(response) == [
        ("Africa", "africa", "African Union, ECOWAS, ICGLR", "55", "2"),
        ("Americas", "americas", "Organization of American States", "35", "0"),
        ("Asia-Pacific", "asia_pacific", "ASEAN", "44", "0"),
        ("Europe", "europe", "European Union, OSCE, Council of Europe", "49", "0"),
        ("Middle East and North Africa", "mena", "League of Arab States", "24", "1"),
    ]
    page = soup(response)
    assert page.find("a", string="2")["href"] == "/members?region=africa"
    assert page.find("a", string="Africa")["href"] == f"/admin/regions/{region('africa').id}"
    home = soup(client.get("/"))  # the home page's region cards count the same way
    assert {item.find("a").get_text(strip=True): item.find(class_="badge").get_text()
            for item in home.select("li") if item.find(class_="badge")} == {
        "Africa": "2", "Americas": "0", "Asia-Pacific": "0", "Europe": "0",
        "Middle East and North Africa": "1"}


# --- creating and editing --------------------------------------------------------------------

def test_an_administrator_creates_a_region_and_it_is_audited(client, admin):
    response = post_form(client, "/admin/regions/new", CARIBBEAN)

    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/regions"
    created = region("caribbean")
    assert created.name == "Caribbean"
    assert created.organizations == ["CARICOM", "Organisation of Eastern Caribbean States"]
    assert created.countries == ["BB", "JM", "TT"]
    event = AuditEvent.get(AuditEvent.action == "region_created")
    assert (event.actor_id, event.detail) == (admin.id, "caribbean: Caribbean")

    listing = client.get("/admin/regions")
    assert "Region saved." in listing.get_data(as_text=True)
    assert ("Caribbean", "caribbean", "CARICOM, Organisation of Eastern Caribbean States",
            "3", "0") in region_rows(listing)
    directory = soup(client.get("/members"))
    assert directory.find("select", attrs={"name": "region"}).find("option", value="caribbean")


def test_an_administrator_edits_a_region_and_it_is_audited(client, admin, make_member):
    europe = region("europe")
    member = make_member(password=None, region_key="europe")
    form = region_form(soup(client.get(f"/admin/regions/{europe.id}")))
    assert form["key"] == "europe" and form["organizations"].splitlines()[0] == "European Union"

    response = post_form(client, f"/admin/regions/{europe.id}", {
        "key": "europe", "name": "Europe and Central Asia",
        "organizations": "European Union\nOSCE\nCouncil of Europe\nCIS",
        "countries": form["countries"] + ["KZ"]})

    assert response.status_code == 302
    saved = region("europe")
    assert saved.id == europe.id and saved.name == "Europe and Central Asia"
    assert saved.organizations[-1] == "CIS" and "KZ" in saved.countries
    event = AuditEvent.get(AuditEvent.action == "region_edited")
    assert (event.actor_id, event.detail) == (admin.id, "europe: Europe and Central Asia")
    assert "Europe and Central Asia" in client.get(f"/members/{member.id}").get_data(
        as_text=True)


# --- bad input -------------------------------------------------------------------------------

@pytest.mark.parametrize("changes, field, message", [
    ({"key": "Caribbean"}, "key", "Use 2 to 40 lower-case letters"),
    ({"key": "1caribbean"}, "key", "Use 2 to 40 lower-case letters"),
    ({"key": "c"}, "key", "Use 2 to 40 lower-case letters"),
    ({"key": "carib bean"}, "key", "Use 2 to 40 lower-case letters"),
    ({"key": "caribe-sea"}, "key", "Use 2 to 40 lower-case letters"),
    ({"key": "c" * 41}, "key", "Use 2 to 40 lower-case letters"),
    ({"key": ""}, "key", "Use 2 to 40 lower-case letters"),
    ({"key": None}, "key", "This field is required."),
    ({"name": None}, "name", "This field is required."),
    ({"name": "n" * 121}, "name", "120"),
    ({"name": "Caribbean\r\nBcc: x@example.org"}, "name", "single line"),
    ({"countries": ["JM", "XX"]}, "countries", "Choose countries from the list."),
    ({"organizations": "o" * 2001}, "organizations", "2000"),
], ids=["capitals", "digit first", "one letter", "space", "dash", "too long", "empty",
        "missing key", "missing name", "long name", "CR/LF in name", "unknown country",
        "long organizations"])
def test_bad_region_input_says_why_keeps_what_was_typed_and_saves_nothing(
        client, admin, changes, field, message):
    typed = {k: v for k, v in dict(CARIBBEAN, **changes).items() if v is not None}
    before = snapshot()

    response = post_form(client, "/admin/regions/new", typed)

    assert response.status_code == 400
    page = soup(response)
    assert message in (field_error(page, field) or "")
    shown = region_form(page)
    for name in ("key", "name", "organizations"):
        assert shown[name] == typed.get(name, ""), name
    assert shown["countries"] == sorted({c for c in typed["countries"] if c != "XX"})
    assert snapshot() == before
    assert not AuditEvent.select().exists()


def test_a_duplicate_key_is_refused_next_to_the_key(client, admin):
    before = snapshot()

    response = post_form(client, "/admin/regions/new", dict(CARIBBEAN, key="africa"))

    assert response.status_code == 400
    page = soup(response)
    assert field_error(page, "key") == "Another region already uses this key."
    assert region_form(page)["name"] == "Caribbean"
    assert snapshot() == before
    assert not AuditEvent.select().exists()
    # The connection is still usable after the failed insert (PostgreSQL aborts transactions).
    assert post_form(client, "/admin/regions/new", CARIBBEAN).status_code == 302


def test_renaming_a_key_to_one_in_use_is_refused(client, admin):
    europe = region("europe")
    before = snapshot()

    response = post_form(client, f"/admin/regions/{europe.id}",
                         {"key": "mena", "name": "Europe", "organizations": "OSCE",
                          "countries": ["FR"]})

    assert response.status_code == 400
    assert field_error(soup(response), "key") == "Another region already uses this key."
    assert snapshot() == before
    assert not AuditEvent.select().exists()


def test_an_unknown_region_is_not_found(client, admin):
    assert client.get("/admin/regions/987654").status_code == 404
    assert client.get("/admin/regions/" + "9" * 30).status_code == 404


# --- query counts ----------------------------------------------------------------------------

def test_the_regions_page_costs_the_same_queries_with_10_or_1000_members(client, admin):
    def bulk(count, offset):
        regions = [r.id for r in Region.select()]
        rows = [{"email": f"bulk{offset + n}@example.org", "name": f"Bulk {n}",
                 "session_version": "x", "region": regions[n % len(regions)]}
                for n in range(count)]
        for start in range(0, count, 500):
            Member.insert_many(rows[start:start + 500]).execute()

    bulk(9, 0)
    with QueryCounter() as small:
        client.get("/admin/regions")
    bulk(991, 100)
    Region.insert_many([{"key": f"extra_{n}", "name": f"Extra {n}", "organizations": ["Org"],
                         "countries": ["FR"]} for n in range(20)]).execute()
    with QueryCounter() as large:
        response = client.get("/admin/regions")

    assert len(region_rows(response)) == 25
    assert sum(int(row[4]) for row in region_rows(response)) == 1000
    # The signed-in member, then every region with its member count in one query.
    assert (small.count, large.count) == (2, 2)
