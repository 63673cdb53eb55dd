"""Profiles: editing your own, administrators editing any, validation, who sees the email."""
import datetime as dt

import pytest

from r2pnet.audit.models import AuditEvent
from r2pnet.members.models import Member, MemberExpertise, MemberLanguage
from r2pnet.members.schemas import ProfileSchema
from r2pnet.members.services import update_profile
from tests.helpers import QueryCounter, post_form, region, soup
from tests.signin import sign_in_as

FULL_PROFILE = {
    "name": "Lucía Fernández",
    "title": "Director of Human Rights",
    "organization": "Ministry of Foreign Affairs",
    "country": "CR",
    "region_id": "",
    "is_focal_point": "y",
    "focal_point_since": "2019-05-01",
    "languages": ["es", "en"],
    "expertise": ["pillar_1", "risk_factor_9"],
    "bio": "Works on early warning.\nHappy to share our national experience.",
    "timezone": "America/Costa_Rica",
    "email_visibility": "region",
}


def snapshot(member):
    """Everything stored about a member's profile, to prove nothing changed."""
    row = Member.select().where(Member.id == member.id).dicts().get()
    languages = [r.code for r in MemberLanguage.select().where(MemberLanguage.member == member.id)
                 .order_by(MemberLanguage.id)]
    expertise = [r.key for r in MemberExpertise.select()
                 .where(MemberExpertise.member == member.id).order_by(MemberExpertise.id)]
    return row, languages, expertise


def profile_form(page):
    """The profile form's fields as the browser would show them."""
    form = page.find("input", attrs={"name": "name"}).find_parent("form")
    state = {}
    for element in form.find_all(["input", "textarea", "select"]):
        name = element.get("name")
        if not name or name == "csrf_token":
            continue
        if element.name == "textarea":
            state[name] = element.text
        elif element.name == "select":
            chosen = [o["value"] for o in element.find_all("option") if o.has_attr("selected")]
            state[name] = sorted(chosen) if element.has_attr("multiple") else \
                (chosen[0] if chosen else "")
        elif element.get("type") == "checkbox" and name in ("languages", "expertise"):
            state.setdefault(name, [])
            if element.has_attr("checked"):
                state[name] = sorted(state[name] + [element["value"]])
        elif element.get("type") == "checkbox":
            state[name] = "y" if element.has_attr("checked") else ""
        else:
            state[name] = element.get("value", "")
    return state


def field_error(page, name):
    """The error message shown next to the form control called `name`, or None."""
    control = page.find(attrs={"name": name})
    box = control.find_parent(class_="mb-3")
    feedback = box.find(class_="invalid-feedback")
    return feedback.get_text(" ", strip=True) if feedback else None


def profile_text(response):
    return " ".join(soup(response).find("main").get_text(" ").split())


@pytest.fixture
def member(signed_in):
    return signed_in(email="claire@example.org", name="Claire Dubois", title="Counsellor",
                     region_key="europe", country="FR", languages=("fr",),
                     expertise=("pillar_2",))


# --- editing your own profile ----------------------------------------------------------------

def test_member_edits_every_field_of_their_profile_and_sees_it(client, member):
    response = post_form(client, "/profile", FULL_PROFILE)

    assert response.status_code == 302
    assert response.headers["Location"] == f"/members/{member.id}"
    saved = Member.get_by_id(member.id)
    assert (saved.name, saved.title, saved.organization) == (
        "Lucía Fernández", "Director of Human Rights", "Ministry of Foreign Affairs")
    assert saved.country == "CR"
    assert saved.region_id == region("americas").id  # from the country
    assert saved.is_focal_point is True
    assert saved.focal_point_since == dt.date(2019, 5, 1)
    assert saved.bio == FULL_PROFILE["bio"]
    assert saved.timezone == "America/Costa_Rica"
    assert saved.email_visibility == "region"
    assert snapshot(member)[1:] == (["es", "en"], ["pillar_1", "risk_factor_9"])

    page = client.get(f"/members/{member.id}")
    text = profile_text(page)
    for shown in ("Lucía Fernández", "Director of Human Rights, Ministry of Foreign Affairs",
                  "National focal point since May 2019", "Costa Rica", "Americas",
                  "Spanish, English", "Pillar I: the protection responsibilities of the State",
                  "9. Intergroup tensions", "America/Costa_Rica", "Works on early warning.",
                  "claire@example.org"):
        assert shown in text, shown
    assert "Profile saved." in text


def test_the_edit_form_shows_the_current_profile(client, member):
    post_form(client, "/profile", FULL_PROFILE)

    form = profile_form(soup(client.get("/profile")))

    expected = dict(FULL_PROFILE, languages=["en", "es"], expertise=["pillar_1", "risk_factor_9"],
                    region_id=str(region("americas").id), version="2")
    assert form == expected


def test_a_chosen_region_wins_over_the_region_of_the_country(client, member):
    post_form(client, "/profile", dict(FULL_PROFILE, country="EG", region_id=region("mena").id))
    assert Member.get_by_id(member.id).region_id == region("mena").id

    post_form(client, "/profile", dict(FULL_PROFILE, country="EG", region_id=""))
    # Egypt is in Africa and in MENA: the default is the first region by name.
    assert Member.get_by_id(member.id).region_id == region("africa").id


def test_no_country_and_no_region_leaves_the_member_without_a_region(client, member):
    post_form(client, "/profile", dict(FULL_PROFILE, country="", region_id=""))

    saved = Member.get_by_id(member.id)
    assert (saved.country, saved.region_id) == (None, None)
    assert "Country — Region —" in profile_text(client.get(f"/members/{member.id}"))


def test_unticking_focal_point_clears_the_date_and_lists_can_be_emptied(client, member):
    post_form(client, "/profile", FULL_PROFILE)
    unticked = {k: v for k, v in FULL_PROFILE.items()
                if k not in ("is_focal_point", "focal_point_since", "languages", "expertise")}

    assert post_form(client, "/profile", unticked).status_code == 302

    saved = Member.get_by_id(member.id)
    assert (saved.is_focal_point, saved.focal_point_since) == (False, None)
    assert snapshot(member)[1:] == ([], [])
    assert "National focal point" not in profile_text(client.get(f"/members/{member.id}"))


def test_the_bio_keeps_its_line_breaks_and_markup_stays_text(client, member):
    bio = "First paragraph.\r\n\r\n<script>alert(1)</script> second <b>paragraph</b>."
    post_form(client, "/profile", dict(FULL_PROFILE, bio=bio))

    shown = soup(client.get(f"/members/{member.id}")).find(class_="profile-bio")

    assert [tag.name for tag in shown.find_all(True)] == ["br", "br"]
    assert list(shown.strings) == ["First paragraph.",
                                   "<script>alert(1)</script> second <b>paragraph</b>."]


def test_own_edits_are_not_reported_as_administrator_edits(client, member):
    post_form(client, "/profile", FULL_PROFILE)
    assert not AuditEvent.select().where(AuditEvent.action == "profile_edited").exists()


# --- bad input -------------------------------------------------------------------------------

# A week ahead, not tomorrow: computed as the tests are collected, it must still be in the
# future when a suite that started before midnight reaches it.
A_WEEK_AHEAD = (dt.date.today() + dt.timedelta(days=7)).isoformat()

BAD_INPUT = [
    # (case, changes to FULL_PROFILE, field at fault, message shown next to it)
    ("unknown country", {"country": "XX"}, "country", "Choose a country from the list."),
    ("unknown language", {"languages": ["es", "xx"]}, "languages",
     "Choose languages from the list."),
    ("too many languages", {"languages": ["ar", "de", "en", "es", "fr", "it", "ja", "pt", "ru",
                                          "zh", "sw", "hi", "ko", "nl", "pl", "sv", "tr", "uk",
                                          "vi", "id", "fa"]},
     "languages", "List at most 20 languages."),
    ("unknown expertise", {"expertise": ["pillar_1", "pillar_9"]}, "expertise",
     "Choose areas of expertise from the list."),
    ("bad time zone", {"timezone": "Mars/Olympus_Mons"}, "timezone",
     "Choose a time zone from the list"),
    ("not a date", {"focal_point_since": "31/12/2020"}, "focal_point_since",
     "Use a date such as 2024-03-31."),
    ("impossible date", {"focal_point_since": "2023-02-30"}, "focal_point_since",
     "Use a date such as 2024-03-31."),
    ("future date", {"focal_point_since": A_WEEK_AHEAD}, "focal_point_since",
     "Give a date between 1990 and today."),
    ("date before 1990", {"focal_point_since": "1989-12-31"}, "focal_point_since",
     "Give a date between 1990 and today."),
    ("date without the focal point box", {"is_focal_point": None}, "focal_point_since",
     "Tick “National focal point” or leave the date empty."),
    ("name too long", {"name": "N" * 121}, "name", "120"),
    ("bio too long", {"bio": "b" * 2001}, "bio", "2000"),
    ("CR/LF in the name", {"name": "Lucía\r\nBcc: everyone@example.org"}, "name",
     "Use a single line without control characters."),
    ("CR/LF in the title", {"title": "Director\nBcc: x@example.org"}, "title",
     "Use a single line without control characters."),
    ("organization too long", {"organization": "o" * 201}, "organization", "200"),
    ("empty name", {"name": "   "}, "name", "120"),
    ("missing name", {"name": None}, "name", "This field is required."),
    ("region id not a number", {"region_id": "africa"}, "region_id",
     "Choose a region from the list."),
    ("unknown region id", {"region_id": "987654"}, "region_id", "Choose a region from the list."),
    ("huge region id", {"region_id": "9" * 30}, "region_id", "Choose a region from the list."),
    ("negative region id", {"region_id": "-1"}, "region_id", "Choose a region from the list."),
    ("bad email visibility", {"email_visibility": "everyone"}, "email_visibility",
     "Choose who may see your email address."),
    ("not a boolean", {"is_focal_point": "maybe"}, "is_focal_point", "boolean"),
]
# Fields a browser cannot show a bad value in (a choice that is not among the options).
CHOICE_FIELDS = {"country", "languages", "expertise", "timezone", "region_id",
                 "email_visibility", "is_focal_point"}


@pytest.mark.parametrize("changes, field, message",
                         [case[1:] for case in BAD_INPUT], ids=[case[0] for case in BAD_INPUT])
def test_bad_input_is_refused_next_to_the_field_and_the_form_keeps_what_was_typed(
        client, member, changes, field, message):
    typed = {k: v for k, v in dict(FULL_PROFILE, **changes).items() if v is not None}
    before = snapshot(member)

    response = post_form(client, "/profile", typed)

    assert response.status_code == 400
    page = soup(response)
    assert message in (field_error(page, field) or ""), page.find(class_="invalid-feedback")
    assert "what you typed is kept" in page.find(class_="alert-danger").text
    shown = profile_form(page)
    for name, value in typed.items():
        if name in CHOICE_FIELDS and name == field:
            continue
        expected = sorted(value) if isinstance(value, list) else value
        assert shown[name] == expected, name
    assert snapshot(member) == before


def test_an_administrator_sees_errors_on_another_members_form_too(client, signed_in,
                                                                    make_member):
    signed_in(role="administrator")
    other = make_member(password=None, name="Kwame Mensah")
    before = snapshot(other)

    response = post_form(client, f"/members/{other.id}/edit",
                         dict(FULL_PROFILE, timezone="Nowhere/Land"))

    assert response.status_code == 400
    assert "time zone" in field_error(soup(response), "timezone")
    assert snapshot(other) == before
    assert not AuditEvent.select().where(AuditEvent.action == "profile_edited").exists()


def test_a_profile_save_does_not_undo_a_disable_or_password_change_made_meanwhile(
        app, make_member):
    amina = make_member(password=None, name="Amina Diallo")
    loaded = Member.get_by_id(amina.id)  # what the profile request read at its start
    # Meanwhile an administrator disables her and a reset rotates her password and sessions.
    Member.update(disabled_at=dt.datetime(2024, 5, 1), password_hash="new-hash",
                  session_version="rotated", role="moderator").where(
        Member.id == amina.id).execute()

    data = ProfileSchema().load({"name": "Amina D.", "languages": [], "expertise": []})
    update_profile(loaded, loaded, data)

    saved = Member.get_by_id(amina.id)
    assert saved.name == "Amina D."
    assert (saved.disabled_at, saved.password_hash, saved.session_version, saved.role) == (
        dt.datetime(2024, 5, 1), "new-hash", "rotated", "moderator")


def test_forbidden_fields_posted_to_the_profile_are_ignored(client, member):
    before, _, _ = snapshot(member)
    attack = dict(FULL_PROFILE, role="administrator", email="evil@example.org",
                  password_hash="$argon2id$forged", session_version="fixed",
                  disabled_at="2020-01-01 00:00:00", id="999", region="1",
                  search_text="anything", created_at="2000-01-01 00:00:00")

    response = post_form(client, "/profile", attack)

    assert response.status_code == 302
    after, _, _ = snapshot(member)
    for column in ("id", "role", "email", "password_hash", "session_version", "disabled_at",
                   "created_at", "last_login_at"):
        assert after[column] == before[column], column
    assert after["name"] == "Lucía Fernández"
    assert "anything" not in after["search_text"]
    assert client.get("/").status_code == 200  # still signed in: the session was not touched


# --- who edits whom --------------------------------------------------------------------------

def test_an_administrator_edits_any_profile_and_it_is_audited(client, signed_in, make_member):
    admin = signed_in(role="administrator", name="Secretariat Admin")
    other = make_member(password=None, email="kwame@example.org", name="Kwame Mensah")

    form = soup(client.get(f"/members/{other.id}/edit"))
    assert "Edit the profile of Kwame Mensah" in form.find("h1").text
    response = post_form(client, f"/members/{other.id}/edit",
                         dict(FULL_PROFILE, name="Kwame A. Mensah", country="GH"))

    assert response.status_code == 302
    assert response.headers["Location"] == f"/members/{other.id}"
    saved = Member.get_by_id(other.id)
    assert (saved.name, saved.region_id) == ("Kwame A. Mensah", region("africa").id)
    event = AuditEvent.get(AuditEvent.action == "profile_edited")
    assert (event.actor_id, event.target_id, event.email) == (admin.id, other.id,
                                                              "kwame@example.org")
    assert Member.get_by_id(admin.id).name == "Secretariat Admin"


@pytest.mark.parametrize("role, moderates", [("member", ()), ("moderator", ("africa",))])
def test_a_member_or_moderator_cannot_edit_another_members_profile(client, signed_in,
                                                                    make_member, role,
                                                                    moderates):
    signed_in(role=role, moderates=moderates)
    other = make_member(password=None, name="Kwame Mensah", region_key="africa")
    before = snapshot(other)

    assert client.get(f"/members/{other.id}/edit").status_code == 403
    response = post_form(client, f"/members/{other.id}/edit",
                         dict(FULL_PROFILE, name="Hijacked"), csrf_from="/profile")

    assert response.status_code == 403
    assert snapshot(other) == before
    assert "Edit profile" not in profile_text(client.get(f"/members/{other.id}"))


def test_a_disabled_or_unknown_members_profile_is_not_found(client, signed_in, make_member):
    signed_in()
    gone = make_member(password=None, disabled_at=dt.datetime(2024, 1, 1))

    assert client.get(f"/members/{gone.id}").status_code == 404
    assert client.get("/members/987654").status_code == 404
    assert client.get("/members/" + "9" * 30).status_code == 404


# --- email visibility ------------------------------------------------------------------------

# Who looks at a profile in Europe: (viewer, expected to see the email for network/region/admins)
VIEWERS = {
    "owner": (True, True, True),
    "member of the same region": (True, True, False),
    "member of another region": (True, False, False),
    "moderator of the region": (True, True, False),
    "moderator of another region": (True, False, False),
    "administrator": (True, True, True),
}
VISIBILITIES = ("network", "region", "administrators")


@pytest.mark.parametrize("visibility", VISIBILITIES)
def test_the_email_is_shown_only_to_those_the_owner_chose(app, make_member, visibility):
    owner = make_member(email="eva.lindqvist@example.org", name="Eva Lindqvist",
                        region_key="europe", email_visibility=visibility, password=None)
    viewers = {
        "owner": owner,
        "member of the same region": make_member(region_key="europe", password=None),
        "member of another region": make_member(region_key="africa", password=None),
        # The moderator's own region is Africa: moderating Europe is what counts.
        "moderator of the region": make_member(role="moderator", region_key="africa",
                                               moderates=("europe",), password=None),
        "moderator of another region": make_member(role="moderator", region_key="africa",
                                                   moderates=("africa",), password=None),
        "administrator": make_member(role="administrator", region_key=None, password=None),
    }
    column = VISIBILITIES.index(visibility)
    for who, viewer in viewers.items():
        page = sign_in_as(app.test_client(), viewer).get(f"/members/{owner.id}")
        assert page.status_code == 200
        sees = VIEWERS[who][column]
        body = page.get_data(as_text=True)
        assert ("eva.lindqvist@example.org" in body) is sees, who
        assert ("Not shared with you" in body) is not sees, who


def test_email_visibility_region_without_a_region_is_for_administrators_only(app, make_member):
    owner = make_member(email="nomad@example.org", region_key=None, email_visibility="region",
                        password=None)
    stranger = make_member(region_key=None, password=None)

    page = sign_in_as(app.test_client(), stranger).get(f"/members/{owner.id}")

    assert "nomad@example.org" not in page.get_data(as_text=True)


# --- query counts ----------------------------------------------------------------------------

def _bulk_members(count):
    rows = [{"email": f"bulk{n}@example.org", "name": f"Bulk Member {n}", "session_version": "x",
             "region": region("asia_pacific").id, "search_text": f"bulk member {n}"}
            for n in range(count)]
    for start in range(0, len(rows), 500):
        Member.insert_many(rows[start:start + 500]).execute()


def test_the_profile_page_costs_the_same_queries_however_large_the_network(
        client, signed_in, make_member):
    viewer = signed_in(role="moderator", moderates=("europe",), region_key="africa")
    small = make_member(password=None, region_key="europe", languages=("fr",),
                        expertise=("pillar_1",), email_visibility="region")
    large = make_member(password=None, region_key="europe", role="moderator",
                        moderates=("europe", "africa", "mena"), email_visibility="region",
                        languages=("fr", "en", "de", "es", "it", "pt", "ar", "ru"),
                        expertise=("pillar_1", "pillar_2", "pillar_3", "risk_factor_1",
                                   "risk_factor_2", "peer_networks"))
    counts = []
    for target in (small, large):
        with QueryCounter() as queries:
            assert client.get(f"/members/{target.id}").status_code == 200
        counts.append(queries.count)
    _bulk_members(1000)
    with QueryCounter() as queries:
        page = client.get(f"/members/{large.id}")
    counts.append(queries.count)

    body = page.get_data(as_text=True)
    assert "Moderates" in body and large.email in body and viewer.id
    # The signed-in member, the profile with its region, its languages, its expertise, the
    # regions it moderates, and the viewer's moderated regions (navigation and email rule).
    assert counts == [6, 6, 6]
