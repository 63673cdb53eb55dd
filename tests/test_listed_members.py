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


def test_listed_members_bring_their_lists_in_the_order_they_are_attached(app, make_member):
    members = [make_member(languages=("fr", "ar", "en"), expertise=("pillar_2", "pillar_1"),
                           moderates=("europe", "africa"), role="moderator"),
               make_member(languages=("es",)),
               make_member()]
    ids = [member.id for member in members]
    models = [Member.get_by_id(member_id) for member_id in ids]
    services.attach_languages(models)
    services.attach_expertise(models)
    services.attach_moderated_region_ids(models)
    api = {m.id: m for m in _listed_by_id(ids)}
    directory = {m.id: m for m in services.listed_members(ids)}
    for model in models:
        assert api[model.id].languages == directory[model.id].languages == model.languages
        assert api[model.id].expertise == model.expertise
        assert api[model.id].moderated_region_ids == model.moderated_region_ids
    assert models[0].languages == ["fr", "ar", "en"] and models[2].languages == []
