"""The member directory: filters, search, pagination, disabled members, bad filters, queries."""
import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest

from r2pnet.members.models import Member, MemberLanguage
from tests.helpers import QueryCounter, region, soup


@pytest.fixture
def network(make_member):
    """Six members across four regions, one of them disabled."""
    people = [
        dict(name="Amina Diallo", title="Director of Human Rights",
             organization="Ministry of Foreign Affairs", country="SN", region_key="africa",
             languages=("fr", "wo"), expertise=("pillar_1",), is_focal_point=True),
        dict(name="Kwame Mensah", title="Senior Adviser", organization="Ministry of Defence",
             country="GH", region_key="africa", languages=("en",), expertise=("pillar_2",),
             role="moderator", moderates=("africa",)),
        dict(name="Lucía Fernández", title="Coordinator", organization="Cancillería",
             country="CR", region_key="americas", languages=("es", "en"),
             expertise=("risk_factor_9",), is_focal_point=True),
        dict(name="Claire Dubois", title="Head of Unit",
             organization="Ministère de l'Europe et des Affaires étrangères", country="FR",
             region_key="europe", languages=("fr", "en"), expertise=("pillar_1",),
             role="administrator"),
        dict(name="Nguyễn Thị Lan", title="Deputy Director",
             organization="Ministry of Foreign Affairs", country="VN",
             region_key="asia_pacific", languages=("vi",)),
        dict(name="Omar Benali", title="Adviser", organization="Ministry of Foreign Affairs",
             country="MA", region_key="africa", languages=("ar", "fr"), is_focal_point=True,
             disabled_at=dt.datetime(2024, 1, 1)),
    ]
    return {p["name"]: make_member(password=None, **p) for p in people}


@pytest.fixture
def viewer(signed_in, network):
    return signed_in(name="Zoe Viewer", region_key="mena")


EVERYONE = ["Amina Diallo", "Claire Dubois", "Kwame Mensah", "Lucía Fernández",
            "Nguyễn Thị Lan", "Zoe Viewer"]


def names(response):
    """The names on the directory page, in order."""
    return [card.find("strong").text for card in soup(response).select(".directory-card")]


def total_shown(response):
    return soup(response).find(role="status").text.strip()


def test_the_directory_lists_active_members_by_name(client, viewer):
    response = client.get("/members")

    assert response.status_code == 200
    assert names(response) == EVERYONE
    assert total_shown(response) == "6 members"
    cards = " ".join(soup(response).find(class_="list-group").get_text(" ").split())
    assert "Cancillería · Costa Rica · Americas" in cards
    assert "Focal point" in cards and "Spanish" in cards


@pytest.mark.parametrize("query, expected", [
    ("region=africa", ["Amina Diallo", "Kwame Mensah"]),
    ("region=mena", ["Zoe Viewer"]),
    ("country=CR", ["Lucía Fernández"]),
    ("language=fr", ["Amina Diallo", "Claire Dubois"]),
    ("language=en", ["Claire Dubois", "Kwame Mensah", "Lucía Fernández"]),
    ("expertise=pillar_1", ["Amina Diallo", "Claire Dubois"]),
    ("expertise=risk_factor_9", ["Lucía Fernández"]),
    ("role=moderator", ["Kwame Mensah"]),
    ("role=administrator", ["Claire Dubois"]),
    ("role=member", ["Amina Diallo", "Lucía Fernández", "Nguyễn Thị Lan", "Zoe Viewer"]),
    ("role=focal_point", ["Amina Diallo", "Lucía Fernández"]),
    ("region=africa&language=fr&role=focal_point", ["Amina Diallo"]),
    ("region=africa&expertise=pillar_2&country=GH", ["Kwame Mensah"]),
    ("language=fr&role=administrator", ["Claire Dubois"]),
    ("region=europe&q=amina", []),
    ("region=oceania", []),
    ("country=", EVERYONE),
], ids=lambda value: value if isinstance(value, str) else None)
def test_filters_narrow_the_directory(client, viewer, query, expected):
    response = client.get(f"/members?{query}")

    assert response.status_code == 200
    assert names(response) == expected


@pytest.mark.parametrize("q, expected", [
    ("lucía", ["Lucía Fernández"]),
    ("LUCÍA", ["Lucía Fernández"]),
    ("Lucia", ["Lucía Fernández"]),            # without the accent
    ("Luci\u0301a", ["Lucía Fernández"]),      # the accent typed as a combining mark
    ("fernandez cancilleria", ["Lucía Fernández"]),
    ("  cancillería   FERNÁNDEZ ", ["Lucía Fernández"]),
    ("nguyen", ["Nguyễn Thị Lan"]),
    ("ministry diallo", ["Amina Diallo"]),
    ("ministry", ["Amina Diallo", "Kwame Mensah", "Nguyễn Thị Lan"]),
    ("affaires étrangères", ["Claire Dubois"]),
    ("deputy", ["Nguyễn Thị Lan"]),            # the title is searched too
    ("amina kwame", []),                      # every word must match
    ("%", []),                                # no SQL wildcards
    ("_", []),
    ("benali", []),                           # disabled
])
def test_the_search_box_matches_names_and_organizations(client, viewer, q, expected):
    response = client.get("/members", query_string={"q": q})

    assert response.status_code == 200
    assert names(response) == expected
    assert soup(response).find("input", id="q")["value"] == q


def test_the_filter_form_shows_the_chosen_filters(client, viewer):
    page = soup(client.get("/members?region=africa&language=fr&role=focal_point&q=amina"))

    for name, value in (("region", "africa"), ("language", "fr"), ("role", "focal_point")):
        assert page.find("select", attrs={"name": name}).find("option", selected=True)["value"] \
            == value
    assert page.find("input", id="q")["value"] == "amina"


def test_the_country_and_language_lists_are_whole_with_one_choice_marked(client, viewer):
    from r2pnet.members.reference import countries, languages
    for _ in range(2):  # the second page reuses the options built for the first
        page = soup(client.get("/members?country=SN&language=wo"))
        for name, choices, value in (("country", countries(), "SN"),
                                     ("language", languages(), "wo")):
            select = page.find("select", attrs={"name": name})
            assert [o["value"] for o in select.find_all("option")] == ["", *choices]
            assert [o["value"] for o in select.find_all("option", selected=True)] == [value]
            assert select.find("option", value=value).text == choices[value]
    page = soup(client.get("/members"))
    assert not page.find("select", attrs={"name": "country"}).find_all("option", selected=True)


# --- disabled members ------------------------------------------------------------------------

def test_members_never_see_disabled_members(client, viewer):
    assert "Omar Benali" not in client.get("/members").get_data(as_text=True)
    response = client.get("/members?role=disabled")
    assert "Omar Benali" not in response.get_data(as_text=True)
    assert "Disabled accounts" not in response.get_data(as_text=True)


def test_administrators_find_disabled_members_with_the_disabled_filter(client, signed_in,
                                                                        network):
    signed_in(role="administrator", name="Zoe Admin", region_key=None)

    assert "Omar Benali" not in names(client.get("/members"))
    response = client.get("/members?role=disabled")
    assert names(response) == ["Omar Benali"]
    assert "disabled" in soup(response).find(class_="directory-card").text
    assert names(client.get("/members?role=disabled&region=europe")) == []


# --- pagination ------------------------------------------------------------------------------

def _bulk_members(count, region_key="asia_pacific", languages=("en",), prefix="Bulk Member"):
    """Insert many members fast (no password hashing, one statement per 500 rows)."""
    region_id = region(region_key).id
    rows = [{"email": f"{prefix.replace(' ', '.').lower()}{n}@example.org",
             "name": f"{prefix} {n:04d}", "session_version": "x", "region": region_id,
             "organization": "Bulk Ministry",
             "search_text": f"{prefix.lower()} {n:04d} bulk ministry"} for n in range(count)]
    for start in range(0, count, 500):
        Member.insert_many(rows[start:start + 500]).execute()
    ids = [m.id for m in Member.select(Member.id).where(Member.email.startswith(
        prefix.replace(" ", ".").lower()))]
    language_rows = [{"member": member_id, "code": code} for member_id in ids
                     for code in languages]
    for start in range(0, len(language_rows), 500):
        MemberLanguage.insert_many(language_rows[start:start + 500]).execute()
    return ids


def _link(response, rel):
    link = soup(response).find("a", rel=rel)
    return link["href"], link.find_parent("li").get("class")


def test_pages_of_25_with_links_that_keep_the_filters(client, viewer):
    _bulk_members(60, region_key="africa", languages=("sw",))

    first = client.get("/members?region=africa&language=sw&q=bulk")
    assert first.status_code == 200
    assert total_shown(first) == "60 members"
    assert "Page 1 of 3" in first.get_data(as_text=True)
    assert len(names(first)) == 25
    assert "disabled" in _link(first, "prev")[1]

    href, _ = _link(first, "next")
    query = parse_qs(urlsplit(href).query)
    assert query == {"region": ["africa"], "language": ["sw"], "q": ["bulk"], "page": ["2"]}
    second = client.get(href)
    third = client.get(_link(second, "next")[0])

    assert len(names(second)) == 25 and len(names(third)) == 10
    seen = names(first) + names(second) + names(third)
    assert seen == sorted(seen) and len(set(seen)) == 60
    assert "disabled" in _link(third, "next")[1]
    assert names(client.get("/members?region=africa&language=sw&q=bulk&page=4")) == []


def test_no_pagination_when_everything_fits_on_one_page(client, viewer):
    assert soup(client.get("/members")).find("a", rel="next") is None


def test_unknown_query_parameters_do_not_leak_into_page_links(client, viewer):
    _bulk_members(30)

    response = client.get("/members?_method=DELETE&_external=1&_scheme=javascript&x=1")

    assert response.status_code == 200
    href, _ = _link(response, "next")
    assert href == "/members?page=2"


# --- bad filter values -----------------------------------------------------------------------

@pytest.mark.parametrize("bad, field", [
    ("page=abc", "page"),
    ("page=0", "page"),
    ("page=-3", "page"),
    ("page=" + "1" + "0" * 30, "page"),
    ("page=1.5", "page"),
    ("role=bogus", "role"),
    ("q=" + "x" * 201, "q"),
    ("country=FRA", "country"),
    ("region=" + "r" * 41, "region"),
    ("expertise=" + "e" * 41, "expertise"),
    ("language=" + "l" * 4, "language"),
])
def test_bad_filter_values_are_reported_and_ignored(client, viewer, bad, field):
    response = client.get(f"/members?{bad}&region=africa" if field != "region" else
                          f"/members?{bad}&language=fr")

    assert response.status_code == 400
    warning = soup(response).find(class_="alert-warning").text
    assert "were not understood and were ignored" in warning and field in warning
    # The good filter still applies.
    expected = ["Amina Diallo", "Kwame Mensah"] if field != "region" else \
        ["Amina Diallo", "Claire Dubois"]
    assert names(response) == expected


# --- query counts ----------------------------------------------------------------------------

@pytest.mark.parametrize("url, queries", [  # on a first visit
    ("/members", 4),
    ("/members?language=en&q=bulk", 4),
    ("/members?region=asia_pacific&role=member&language=fr&q=ministry", 4),
    ("/members?q=nobody", 4),
])
def test_the_directory_costs_the_same_queries_with_10_or_1000_members(client, signed_in, url,
                                                                       queries):
    signed_in(region_key="europe")
    _bulk_members(9, prefix="Small Member", languages=("en", "fr"))
    with QueryCounter() as small:
        assert client.get(url).status_code == 200

    _bulk_members(990, languages=("en", "fr", "es"))
    with QueryCounter() as large:
        response = client.get(url)
    assert response.status_code == 200

    if url == "/members":
        assert len(names(response)) == 25
    # The signed-in member, the regions for the filter, the count, the page, its languages.
    assert (small.count, large.count) == (queries, queries)
