"""The audit log page: filters by action, member, email and dates; bad filters; queries."""
import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine

from r2pnet.audit.models import AuditEvent
from r2pnet.audit.services import record
from r2pnet.members.models import Member
from tests.helpers import QueryCounter, soup
from tests.signin import sign_in_as

UTC = dt.UTC


@pytest.fixture
def admin(client, make_member):
    member = make_member(password=None, role="administrator", name="Secretariat Admin",
                         email="admin@example.org", region_key=None)
    sign_in_as(client, member)
    return member


@pytest.fixture
def people(make_member):
    return {
        "amina": make_member(password=None, name="Amina Diallo", email="amina@example.org"),
        "kwame": make_member(password=None, name="Kwame Mensah", email="kwame@example.org"),
    }


@pytest.fixture
def history(admin, people):
    """Four events on 9, 10 (twice, at the day's edges) and 11 January 2024."""
    amina, kwame = people["amina"], people["kwame"]
    timeline = [
        (dt.datetime(2024, 1, 9, 10, 0), "logged_in",
         dict(actor=amina, target=amina, email="amina@example.org", ip="192.0.2.1")),
        (dt.datetime(2024, 1, 10, 0, 0, 0), "disabled",
         dict(actor=admin, target=kwame, email="kwame@example.org", detail="Left the post")),
        (dt.datetime(2024, 1, 10, 23, 59, 59), "invited",
         dict(actor=admin, email="new.person@example.org", detail="role member")),
        (dt.datetime(2024, 1, 11, 0, 0, 0), "login_failed",
         dict(target=amina, email="amina@example.org", ip="198.51.100.7")),
    ]
    for when, action, fields in timeline:
        with time_machine.travel(when.replace(tzinfo=UTC), tick=False):
            record(action, **fields)
    return timeline


def rows(response):
    """The log as (when, event, by, member, email, address, detail) rows."""
    table = soup(response).find("tbody")
    return [tuple(" ".join(td.get_text(" ").split()) for td in tr.find_all("td"))
            for tr in table.find_all("tr") if len(tr.find_all("td")) > 1]


def actions(response):
    return [row[1] for row in rows(response)]


def test_the_log_lists_events_newest_first_with_who_and_whom(client, history):
    response = client.get("/audit")

    assert response.status_code == 200
    assert rows(response) == [
        ("11 Jan 2024 00:00:00 UTC", "Failed login", "—", "Amina Diallo", "amina@example.org",
         "198.51.100.7", ""),
        ("10 Jan 2024 23:59:59 UTC", "Invited", "Secretariat Admin", "—",
         "new.person@example.org", "", "role member"),
        ("10 Jan 2024 00:00:00 UTC", "Disabled", "Secretariat Admin", "Kwame Mensah",
         "kwame@example.org", "", "Left the post"),
        ("09 Jan 2024 10:00:00 UTC", "Logged in", "Amina Diallo", "Amina Diallo",
         "amina@example.org", "192.0.2.1", ""),
    ]
    links = {a.text: a["href"] for a in soup(response).find("tbody").find_all("a")}
    assert links["Kwame Mensah"] == f"/members/{Member.get(Member.name == 'Kwame Mensah').id}"


@pytest.mark.parametrize("query, expected", [
    ("action=disabled", ["Disabled"]),
    ("action=login_failed", ["Failed login"]),
    ("action=role_changed", []),
    ("email=AMINA", ["Failed login", "Logged in"]),
    ("email=+new.person%40example.org+", ["Invited"]),
    ("email=example.org", ["Failed login", "Invited", "Disabled", "Logged in"]),
    ("since=2024-01-10&until=2024-01-10", ["Invited", "Disabled"]),
    ("since=2024-01-10", ["Failed login", "Invited", "Disabled"]),
    ("until=2024-01-09", ["Logged in"]),
    ("since=2024-01-12", []),
    ("since=2024-01-11&until=2024-01-09", []),
    ("until=9999-12-31", ["Failed login", "Invited", "Disabled", "Logged in"]),
    ("since=0001-01-01", ["Failed login", "Invited", "Disabled", "Logged in"]),
    ("action=invited&since=2024-01-10&email=new", ["Invited"]),
    ("action=logged_in&since=2024-01-10", []),
])
def test_filters_narrow_the_log(client, history, query, expected):
    response = client.get(f"/audit?{query}")

    assert response.status_code == 200
    assert actions(response) == expected


def test_the_member_filter_matches_the_member_as_actor_or_target(client, history, people,
                                                                   admin):
    amina = people["amina"].id
    assert actions(client.get(f"/audit?member={amina}")) == ["Failed login", "Logged in"]
    assert actions(client.get(f"/audit?member={admin.id}")) == ["Invited", "Disabled"]
    page = soup(client.get(f"/audit?member={amina}&action=logged_in"))
    assert page.find("input", attrs={"name": "member", "type": "hidden"})["value"] == str(amina)
    assert page.find("select", attrs={"name": "action"}).find("option", selected=True)[
        "value"] == "logged_in"


@pytest.mark.parametrize("bad, field", [
    ("action=bogus", "action"),
    ("member=abc", "member"),
    ("member=0", "member"),
    ("member=" + "9" * 30, "member"),
    ("since=2024-13-01", "since"),
    ("until=yesterday", "until"),
    ("since=2024-01-10T00:00", "since"),
    ("page=0", "page"),
    ("page=abc", "page"),
    ("page=" + "9" * 30, "page"),
    ("email=" + "e" * 255, "email"),
])
def test_bad_filter_values_are_reported_and_ignored(client, history, bad, field):
    response = client.get(f"/audit?{bad}&action=disabled" if field != "action" else
                          f"/audit?{bad}&email=amina")

    assert response.status_code == 400
    warning = soup(response).find(class_="alert-warning").text
    assert "were not understood and were ignored" in warning and field in warning
    # The good filter still applies.
    expected = ["Disabled"] if field != "action" else ["Failed login", "Logged in"]
    assert actions(response) == expected


def test_pages_of_50_with_links_that_keep_the_filters(client, admin):
    AuditEvent.insert_many([{"action": "login_failed", "email": f"n{n}@example.org",
                             "created_at": dt.datetime(2024, 1, 1) + dt.timedelta(minutes=n)}
                            for n in range(60)]).execute()
    record("logged_in", actor=admin, email="n999@example.org")

    first = client.get("/audit?action=login_failed&email=example.org")
    assert len(rows(first)) == 50 and rows(first)[0][4] == "n59@example.org"
    older = soup(first).find("a", string="Older")["href"]
    assert parse_qs(urlsplit(older).query) == {
        "action": ["login_failed"], "email": ["example.org"], "page": ["2"]}
    second = client.get(older)

    assert [row[4] for row in rows(second)] == [f"n{n}@example.org" for n in range(9, -1, -1)]
    assert soup(second).find("a", string="Older") is None
    newer = soup(second).find("a", string="Newer")["href"]
    assert parse_qs(urlsplit(newer).query)["page"] == ["1"]


def test_unknown_query_parameters_do_not_leak_into_page_links(client, admin):
    AuditEvent.insert_many([{"action": "login_failed", "created_at": dt.datetime(2024, 1, 1)}
                            for _ in range(51)]).execute()

    response = client.get("/audit?_method=DELETE&_anchor=x&_external=1")

    assert response.status_code == 200
    assert soup(response).find("a", string="Older")["href"] == "/audit?page=2"


def test_the_log_costs_the_same_queries_with_10_or_500_events(client, admin):
    def bulk(count, offset):
        members = [{"email": f"m{offset + n}@example.org", "name": f"M {n}",
                    "session_version": "x"} for n in range(count)]
        Member.insert_many(members).execute()
        ids = [m.id for m in Member.select(Member.id).where(Member.email.startswith("m"))]
        AuditEvent.insert_many([{"action": "role_changed", "actor": ids[n % len(ids)],
                                 "target": ids[-1 - n % len(ids)], "email": "x@example.org"}
                                for n in range(count)]).execute()

    bulk(10, 0)
    with QueryCounter() as small:
        assert client.get("/audit").status_code == 200
    bulk(490, 1000)
    with QueryCounter() as large:
        response = client.get("/audit?email=x@&action=role_changed")

    assert len(rows(response)) == 50
    # The signed-in member, one page of events, the members named on it.
    assert (small.count, large.count) == (3, 3)
