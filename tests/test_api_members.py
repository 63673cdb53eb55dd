"""GET /members and /members/{id}: the directory's filters and order, paging, email visibility."""
import datetime as dt

import pytest

from r2pnet import pages
from r2pnet.members.models import Member, MemberLanguage
from tests.api_helpers import Api, all_pages, token_for
from tests.helpers import QueryCounter, region


@pytest.fixture
def network(make_member):
    """Six members across four regions, one of them disabled (as in the directory's tests)."""
    people = [
        dict(name="Amina Diallo", title="Director of Human Rights",
             organization="Ministry of Foreign Affairs", country="SN", region_key="africa",
             languages=("fr", "wo"), expertise=("pillar_1",), is_focal_point=True,
             email_visibility="region"),
        dict(name="Kwame Mensah", title="Senior Adviser", organization="Ministry of Defence",
             country="GH", region_key="africa", languages=("en",), expertise=("pillar_2",),
             role="moderator", moderates=("africa",), email_visibility="administrators"),
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
def viewer(make_member, network):
    return make_member(name="Zoe Viewer", region_key="mena", password=None)


@pytest.fixture
def api(client, viewer):
    return Api(client, token_for(viewer))


EVERYONE = ["Amina Diallo", "Claire Dubois", "Kwame Mensah", "Lucía Fernández",
            "Nguyễn Thị Lan", "Zoe Viewer"]


def names(response):
    assert response.status_code == 200, response.get_data(as_text=True)
    return [item["name"] for item in response.get_json()["items"]]


def by_name(items):
    return {item["name"]: item for item in items}


# --- the list --------------------------------------------------------------------------------

def test_the_directory_lists_active_members_by_name(api):
    assert names(api.get("/members")) == EVERYONE


def test_a_listed_member_carries_what_the_profile_page_shows(api, network):
    amina = by_name(api.get("/members").get_json()["items"])["Amina Diallo"]

    assert amina == {
        "id": network["Amina Diallo"].id, "name": "Amina Diallo",
        "title": "Director of Human Rights", "organization": "Ministry of Foreign Affairs",
        "country": "SN", "region_id": region("africa").id,
        "region": {"id": region("africa").id, "key": "africa", "name": region("africa").name},
        "role": "member", "is_focal_point": True, "focal_point_since": None,
        "languages": ["fr", "wo"], "expertise": ["pillar_1"], "moderated_region_ids": [],
        "bio": "", "timezone": "UTC", "email": None, "is_disabled": False,
        "url": f"http://r2pnet.test/members/{network['Amina Diallo'].id}",
    }


def test_a_moderator_lists_the_regions_they_run(api):
    kwame = by_name(api.get("/members").get_json()["items"])["Kwame Mensah"]
    assert kwame["role"] == "moderator"
    assert kwame["moderated_region_ids"] == [region("africa").id]


@pytest.mark.parametrize("query, expected", [
    ({"region": "africa"}, ["Amina Diallo", "Kwame Mensah"]),
    ({"country": "CR"}, ["Lucía Fernández"]),
    ({"language": "fr"}, ["Amina Diallo", "Claire Dubois"]),
    ({"expertise": "pillar_1"}, ["Amina Diallo", "Claire Dubois"]),
    ({"role": "focal_point"}, ["Amina Diallo", "Lucía Fernández"]),
    ({"role": "moderator"}, ["Kwame Mensah"]),
    ({"role": "administrator"}, ["Claire Dubois"]),
    ({"q": "lucia"}, ["Lucía Fernández"]),
    ({"q": "NGUYEN"}, ["Nguyễn Thị Lan"]),
    ({"q": "ministry foreign"}, ["Amina Diallo", "Nguyễn Thị Lan"]),
    ({"region": "africa", "language": "en"}, ["Kwame Mensah"]),
    ({"region": "nowhere"}, []),
])
def test_the_directory_filters_apply(api, query, expected):
    assert names(api.get("/members", query_string=query)) == expected


def test_disabled_members_are_listed_to_administrators_only(client, api, make_member):
    assert names(api.get("/members", query_string={"role": "disabled"})) == EVERYONE

    admin = Api(client, token_for(make_member(role="administrator", region_key="europe")))
    listed = admin.get("/members", query_string={"role": "disabled"}).get_json()["items"]
    assert [(m["name"], m["is_disabled"]) for m in listed] == [("Omar Benali", True)]


@pytest.mark.parametrize("query, field", [
    ({"role": "king"}, "role"),
    ({"country": "XX"}, "country"),
    ({"language": "klingon"}, "language"),
    ({"expertise": "astrology"}, "expertise"),
    ({"limit": "0"}, "limit"),
    ({"limit": "101"}, "limit"),
    ({"page": "2"}, "page"),
    ({"cursor": "not-a-cursor"}, "cursor"),
])
def test_a_bad_filter_is_a_422_naming_it(api, query, field):
    response = api.get("/members", query_string=query)

    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert field in response.get_json()["errors"]


@pytest.mark.parametrize("forged", [["name", "a\x00", 1], ["name", "\ud800", 1],
                                    ["name", "x" * 700, 1], ["name", 1, 1],
                                    ["name", "amina", "1"], ["amina", 1]])
def test_a_forged_cursor_is_a_422_not_a_database_error(api, forged):
    from r2pnet.api.paging import encode_cursor

    response = api.get("/members", query_string={"cursor": encode_cursor(forged)})

    assert response.status_code == 422
    assert "cursor" in response.get_json()["errors"]


def test_nobody_signed_in_gets_401(client):
    assert Api(client).get("/members").status_code == 401


# --- paging ----------------------------------------------------------------------------------

def _bulk_members(count, prefix="Bulk Member", region_key="europe", languages=("en",)):
    rows = [{"email": f"{prefix.lower().replace(' ', '.')}{n}@example.org",
             "name": f"{prefix} {n:04d}", "region": region(region_key).id,
             "search_text": f"{prefix.lower()} {n:04d}", "session_version": "x" * 32}
            for n in range(count)]
    Member.insert_many(rows).execute()
    members = Member.select(Member.id).where(Member.name.startswith(prefix))
    MemberLanguage.insert_many([{"member": m.id, "code": code} for m in members
                                for code in languages]).execute()


def test_paging_follows_the_directory_order_without_duplicates_or_gaps(api, make_member):
    make_member(name="amina diallo", region_key="europe")  # same name, other case
    _bulk_members(30)
    expected = names(api.get("/members", query_string={"limit": 100}))

    items, pages = all_pages(api, "/members", limit=4)

    assert pages == -(-len(expected) // 4) > 1
    assert [item["name"] for item in items] == expected
    assert len({item["id"] for item in items}) == len(items)
    assert [n.casefold() for n in expected[:2]] == ["amina diallo", "amina diallo"]


def test_a_page_links_to_the_next_one_with_the_same_filters(api):
    _bulk_members(5)

    first = api.get("/members", query_string={"q": "bulk", "limit": 2})

    body = first.get_json()
    assert [m["name"] for m in body["items"]] == ["Bulk Member 0000", "Bulk Member 0001"]
    link = first.headers["Link"]
    assert link.endswith('>; rel="next"') and "q=bulk" in link and "limit=2" in link
    second = api.get(link[1:link.index(">")])
    assert names(second) == ["Bulk Member 0002", "Bulk Member 0003"]


def test_the_last_page_has_no_next_cursor(api):
    response = api.get("/members", query_string={"limit": 100})
    assert response.get_json()["next_cursor"] is None
    assert "Link" not in response.headers


# --- email visibility ------------------------------------------------------------------------

@pytest.mark.parametrize("viewer_kind, shown", [
    ("self", {"Amina Diallo", "Kwame Mensah", "Lucía Fernández", "Claire Dubois",
              "Nguyễn Thị Lan"}),
    ("same_region", {"Amina Diallo", "Lucía Fernández", "Claire Dubois", "Nguyễn Thị Lan"}),
    ("other_region", {"Lucía Fernández", "Claire Dubois", "Nguyễn Thị Lan"}),
    ("moderator_of_region", {"Amina Diallo", "Lucía Fernández", "Claire Dubois",
                             "Nguyễn Thị Lan"}),
    ("administrator", {"Amina Diallo", "Kwame Mensah", "Lucía Fernández", "Claire Dubois",
                       "Nguyễn Thị Lan"}),
])
def test_an_email_is_shown_only_where_its_owner_shares_it(client, make_member, network,
                                                          viewer_kind, shown):
    """Amina shares with her region, Kwame with administrators, the others with everyone."""
    viewers = {
        "self": lambda: network["Kwame Mensah"],
        "same_region": lambda: make_member(region_key="africa"),
        "other_region": lambda: make_member(region_key="mena"),
        "moderator_of_region": lambda: make_member(role="moderator", region_key="mena",
                                                   moderates=("africa",)),
        "administrator": lambda: make_member(role="administrator", region_key="europe"),
    }
    me = viewers[viewer_kind]()
    api = Api(client, token_for(me))

    items = by_name(api.get("/members", query_string={"limit": 100}).get_json()["items"])
    emails = {name: item["email"] for name, item in items.items() if name in network}

    assert {name for name, email in emails.items() if email} == shown
    for name in shown:
        assert emails[name] == network[name].email
    for name in network:
        if name in items:
            single = api.get(f"/members/{network[name].id}").get_json()
            assert single["email"] == emails[name]


# --- one member ------------------------------------------------------------------------------

def test_one_member_has_an_etag_and_answers_304_when_unchanged(api, network):
    path = f"/members/{network['Lucía Fernández'].id}"

    first = api.get(path)

    assert first.status_code == 200
    assert first.get_json()["name"] == "Lucía Fernández"
    tag = first.headers["ETag"]
    assert api.get(path, headers={"If-None-Match": tag}).status_code == 304
    Member.update(title="Minister").where(Member.id == network["Lucía Fernández"].id).execute()
    changed = api.get(path, headers={"If-None-Match": tag})
    assert changed.status_code == 200 and changed.headers["ETag"] != tag


def test_an_unknown_member_is_404(api):
    response = api.get("/members/999999")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert api.get(f"/members/{2**63}").status_code == 404


def test_a_disabled_member_is_404_except_to_administrators(client, api, network, make_member):
    path = f"/members/{network['Omar Benali'].id}"
    admin = Api(client, token_for(make_member(role="administrator", region_key="europe")))

    assert api.get(path).status_code == 404
    response = admin.get(path)
    assert response.status_code == 200 and response.get_json()["is_disabled"] is True


# --- queries ---------------------------------------------------------------------------------

@pytest.mark.parametrize("query", [
    {},
    {"language": "en", "q": "member"},
    {"region": "europe", "role": "member", "language": "fr", "q": "member"},
])
def test_the_directory_costs_the_same_queries_with_10_or_200_members(client, make_member, query):
    api = Api(client, token_for(make_member(role="moderator", region_key="africa",
                                            moderates=("africa",))))
    _bulk_members(9, prefix="Small Member", languages=("en", "fr"))
    api.get("/members")  # the token's first use is recorded once
    pages.forget()  # the list written anew each time, not the token's kept answer
    with QueryCounter() as small:
        assert api.get("/members", query_string=query).status_code == 200

    _bulk_members(190, languages=("en", "fr", "es"))
    pages.forget()
    with QueryCounter() as large:
        response = api.get("/members", query_string=query)

    assert len(names(response)) == 25
    assert small.count == large.count
