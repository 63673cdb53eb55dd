"""Two people editing the same thing: the second save is told, nothing typed is lost."""
from r2pnet.members.models import Member, Region
from tests.helpers import post_form, soup
from tests.signin import sign_in_as
from tests.test_profile import FULL_PROFILE


def _version_in(page):
    return soup(page).find("input", attrs={"name": "version"})["value"]


def test_second_profile_editor_gets_a_conflict_with_their_text_kept(app, make_member):
    member = make_member(email="lucia@example.org", password=None)
    admin = make_member(email="admin@example.org", role="administrator", password=None)
    own, other = app.test_client(), app.test_client()
    sign_in_as(own, member)
    sign_in_as(other, admin)
    version = _version_in(own.get("/profile"))
    assert _version_in(other.get(f"/members/{member.id}/edit")) == version

    first = post_form(other, f"/members/{member.id}/edit",
                      dict(FULL_PROFILE, title="Set by the administrator", version=version))
    assert first.status_code == 302
    second = post_form(own, "/profile", dict(FULL_PROFILE, title="Typed by Lucía",
                                             version=version))

    assert second.status_code == 409
    page = soup(second)
    assert "Someone else saved this while you were editing" in page.get_text()
    assert page.find("input", attrs={"name": "title"})["value"] == "Typed by Lucía"
    assert page.find("a", href=f"/members/{member.id}") is not None
    assert Member.get_by_id(member.id).title == "Set by the administrator"

    again = post_form(own, "/profile", dict(FULL_PROFILE, title="Typed by Lucía",
                                            version=_version_in(second)))
    assert again.status_code == 302
    assert Member.get_by_id(member.id).title == "Typed by Lucía"


def test_second_region_editor_gets_a_conflict_with_their_text_kept(app, make_member):
    admin = make_member(email="admin@example.org", role="administrator", password=None)
    one, two = app.test_client(), app.test_client()
    sign_in_as(one, admin)
    sign_in_as(two, admin)
    africa = Region.get(Region.key == "africa")
    version = _version_in(one.get(f"/admin/regions/{africa.id}"))
    form = {"key": "africa", "name": "Africa", "organizations": "African Union",
            "countries": ["SN", "GH"], "version": version}

    assert post_form(one, f"/admin/regions/{africa.id}",
                     dict(form, name="Africa (AU)")).status_code == 302
    late = post_form(two, f"/admin/regions/{africa.id}", dict(form, name="Africa region"))

    assert late.status_code == 409
    assert soup(late).find("input", attrs={"name": "name"})["value"] == "Africa region"
    assert Region.get_by_id(africa.id).name == "Africa (AU)"
