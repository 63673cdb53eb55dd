"""Statements built once per process run with each call's own values, read fresh each time."""
import datetime as dt

import pytest
from peewee import JOIN

from r2pnet import statements
from r2pnet.members.models import Member, Region


def _member_by_email(email):
    return Member.select(Member, Region).join(Region).where(Member.email == email)


def test_each_call_runs_with_its_own_values_and_reads_fresh_rows(app, make_member):
    ada = make_member("ada@example.org", name="Ada", region_key="africa")
    make_member("bo@example.org", name="Bo", region_key="europe")
    first = statements.run("test: member by email", _member_by_email, "ada@example.org")
    assert [(m.name, m.region.key) for m in first] == [("Ada", "africa")]
    second = statements.run("test: member by email", _member_by_email, "bo@example.org")
    assert [(m.name, m.region.key) for m in second] == [("Bo", "europe")]
    Member.update(name="Ada Lovelace").where(Member.id == ada.id).execute()
    again = statements.run("test: member by email", _member_by_email, "ada@example.org")
    assert [m.name for m in again] == ["Ada Lovelace"]
    assert statements.run("test: member by email", _member_by_email, "nobody@example.org") == []


def test_later_runs_convert_rows_as_peewee_converts_them(app, make_member):
    make_member("ada@example.org", name="Ada", region_key="africa")
    make_member("cy@example.org", name="Cy", region_key=None)

    def with_region(email):
        return (Member.select(Member, Region).join(Region, JOIN.LEFT_OUTER)
                .where(Member.email == email))

    def shown(members):
        return [(m.__data__, m.region.__data__ if m.region_id else None) for m in members]

    # The first run finds nothing; each later one is compared with peewee's own conversion.
    for email in ("nobody@example.org", "ada@example.org", "cy@example.org", "ada@example.org"):
        kept = statements.run("test: with region", with_region, email)
        assert shown(kept) == shown(with_region(email))
    assert statements.run("test: with region", with_region, "cy@example.org")[0].region is None


def test_an_update_reports_the_rows_it_changed(app, make_member):
    make_member("ada@example.org")

    def rename(email, name):
        return Member.update(name=name).where(Member.email == email)

    assert statements.run("test: rename", rename, "ada@example.org", "Ada") == 1
    assert statements.run("test: rename", rename, "nobody@example.org", "Bo") == 0
    assert Member.get(Member.email == "ada@example.org").name == "Ada"


def test_dates_convert_as_peewee_converts_them(app, make_member):
    make_member("ada@example.org")
    since = dt.datetime(2020, 1, 1)

    def joined_after(moment):
        return Member.select(Member.email, Member.created_at).where(Member.created_at > moment)

    rows = statements.run("test: joined after", joined_after, since)
    assert [m.email for m in rows] == ["ada@example.org"]
    assert isinstance(rows[0].created_at, dt.datetime)


def test_a_value_the_sql_does_not_hold_as_it_is_is_refused(app):
    with pytest.raises(ValueError):
        statements.run("test: computed", lambda n: Member.select().where(Member.id == n + 1), 3)
    with pytest.raises(TypeError):
        statements.run("test: a list", lambda ids: Member.select().where(Member.id.in_(ids)),
                       [1, 2])  # a list, not a tuple


def test_tuples_and_none_build_one_statement_per_shape(app, make_member):
    ada = make_member("ada@example.org", region_key="africa", country="ke")
    bo = make_member("bo@example.org", region_key="europe", country="de")
    make_member("cy@example.org", region_key=None, country=None)

    def in_regions(region_ids, country):
        return (Member.select(Member.email)
                .where(Member.region.in_(region_ids) | (Member.country == country))
                .order_by(Member.email))

    def emails(*values):
        return [m.email for m in statements.run("test: in regions", in_regions, *values)]

    assert emails((ada.region_id,), "xx") == ["ada@example.org"]
    assert emails((ada.region_id, bo.region_id), "xx") == ["ada@example.org", "bo@example.org"]
    assert emails((bo.region_id, ada.region_id), "xx") == ["ada@example.org", "bo@example.org"]
    assert emails((bo.region_id,), "ke") == ["ada@example.org", "bo@example.org"]
    assert emails((bo.region_id,), None) == ["bo@example.org", "cy@example.org"]  # IS NULL
    assert emails((bo.region_id,), "xx") == ["bo@example.org"]


def test_none_and_a_tuple_of_one_are_different_shapes(app, make_member):
    ada = make_member("ada@example.org", region_key="africa")
    make_member("cy@example.org", region_key=None)

    def in_regions(region_ids):
        return (Member.select(Member.email)
                .where(Member.region.in_(region_ids) if region_ids is not None
                       else Member.region.is_null())
                .order_by(Member.email))

    def emails(*values):
        return [m.email for m in statements.run("test: none or one", in_regions, *values)]

    assert emails(None) == ["cy@example.org"]
    assert emails((ada.region_id,)) == ["ada@example.org"]


def _with_region(email):
    return (Member.select(Member, Region).join(Region, JOIN.LEFT_OUTER)
            .where(Member.email == email))


def _shown(members):
    return [(m.__data__, m.region.__data__ if m.region_id else None) for m in members]


def test_kept_rows_are_what_peewee_converts_and_follow_every_change(app, make_member):
    ada = make_member("ada@example.org", name="Ada", region_key="africa")
    make_member("cy@example.org", name="Cy", region_key=None)

    for email in ("ada@example.org", "ada@example.org", "cy@example.org", "cy@example.org"):
        kept = statements.run_kept("test: kept with region", _with_region, email)
        assert _shown(kept) == _shown(_with_region(email))
    Member.update(name="Ada Lovelace").where(Member.id == ada.id).execute()
    Region.update(name="All of Africa").where(Region.key == "africa").execute()

    again = statements.run_kept("test: kept with region", _with_region, "ada@example.org")

    assert [(m.name, m.region.name) for m in again] == [("Ada Lovelace", "All of Africa")]
    assert statements.run_kept("test: kept with region", _with_region, "nobody@example.org") == []


def test_each_call_gets_models_of_its_own(app, make_member):
    make_member("ada@example.org", name="Ada", region_key="africa")
    first = statements.run_kept("test: kept with region", _with_region, "ada@example.org")[0]
    organizations = list(first.region.organizations)

    first.name = "Changed in one request"
    first.region.organizations.append("Changed too")
    first.region.name = "Renamed in one request"
    first.noted_for_this_request = True
    second = statements.run_kept("test: kept with region", _with_region, "ada@example.org")[0]

    assert (second.name, second.region.name) == ("Ada", Region.get(Region.key == "africa").name)
    assert second.region.organizations == organizations
    assert not hasattr(second, "noted_for_this_request")
    assert not second.is_dirty() and first.is_dirty()
