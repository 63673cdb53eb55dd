"""Members read for the directory and the API's list as plain rows show what their model
shows."""
import datetime as dt

from r2pnet.members import services
from r2pnet.members.api import _listed_by_id
from r2pnet.members.listed import ROW_VALUES
from r2pnet.members.models import Member

DIRECTORY = ("id", "name", "title", "organization", "country", "region_id", "is_focal_point",
             "role", "disabled_at", "is_active")


def _members(make_member):
    return [make_member(name="Amina", title="Director", country="KE", is_focal_point=True,
                        focal_point_since=dt.date(2024, 3, 1)),
            make_member(name="Bo", region_key=None),
            make_member(name="Cy", disabled_at=dt.datetime(2026, 1, 2, 3, 4, 5))]


def _region(member):
    return (member.region.id, member.region.key, member.region.name) if member.region_id else None


def test_a_directory_member_holds_the_models_values(app, make_member):
    members = _members(make_member)
    listed = {m.id: m for m in services.listed_members([m.id for m in members])}
    for member in members:
        model, row = Member.get_by_id(member.id), listed[member.id]
        assert {name: getattr(row, name) for name in DIRECTORY} == {
            name: getattr(model, name) for name in DIRECTORY}
        assert _region(row) == _region(model)


def test_an_api_listed_member_holds_the_models_values(app, make_member):
    members = _members(make_member)
    listed = {m.id: m for m in _listed_by_id([m.id for m in members])}
    for member in members:
        model, row = Member.get_by_id(member.id), listed[member.id]
        shown = [name for name in ROW_VALUES if name != "region"] + ["is_active"]
        assert {name: getattr(row, name) for name in shown} == {
            name: getattr(model, name) for name in shown}
        assert _region(row) == _region(model)
