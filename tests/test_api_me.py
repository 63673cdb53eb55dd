"""GET and PATCH /me and /me/digest: your own profile and digest settings, with If-Match."""
import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from r2pnet.audit.models import AuditEvent
from r2pnet.digests.models import DigestSettings
from r2pnet.members.api_schemas import ONE_LINE, TRIMMED
from r2pnet.members.models import Member, MemberExpertise, MemberLanguage, utcnow
from r2pnet.members.schemas import ProfileSchema
from r2pnet.members.services import update_profile
from r2pnet.taxonomy import EXPERTISE
from tests.api_helpers import Api, token_for
from tests.helpers import region

CHANGES = {
    "name": "Lucía Fernández-Ōtani",
    "title": "Director of Human Rights",
    "organization": "Ministerio de Relaciones Exteriores y Culto",
    "country": "CR",
    "region_id": None,
    "is_focal_point": True,
    "focal_point_since": "2019-05-01",
    "languages": ["es", "en", "fr"],
    "expertise": ["risk_factor_9", "pillar_1"],
    "bio": "Works on early warning.\n\nHappy to share\tour   national experience. 🕊",
    "timezone": "America/Costa_Rica",
    "email_visibility": "region",
}


@pytest.fixture
def me(make_member):
    return make_member(email="lucia@example.org", name="Lucía Fernández", region_key="americas",
                       country="CR", languages=("es",), expertise=("pillar_2",),
                       password=None)


@pytest.fixture
def api(client, me):
    return Api(client, token_for(me))


def snapshot(member):
    """Everything stored about a member's profile, to prove nothing changed."""
    row = Member.select().where(Member.id == member.id).dicts().get()
    languages = [r.code for r in MemberLanguage.select()
                 .where(MemberLanguage.member == member.id).order_by(MemberLanguage.id)]
    expertise = [r.key for r in MemberExpertise.select()
                 .where(MemberExpertise.member == member.id).order_by(MemberExpertise.id)]
    return row, languages, expertise


def patch(api, path, body, tag=None):
    """PATCH with the current ETag (read first unless given)."""
    tag = tag or api.get(path).headers["ETag"]
    return api.patch(path, json=body, headers={"If-Match": tag})


# --- reading ---------------------------------------------------------------------------------

def test_me_is_your_own_profile_with_your_account(api, me):
    response = api.get("/me")

    assert response.status_code == 200
    assert response.headers["ETag"]
    body = response.get_json()
    assert body["id"] == me.id and body["email"] == "lucia@example.org"
    assert body["role"] == "member" and body["email_visibility"] == "network"
    assert body["region_id"] == region("americas").id
    assert body["region"]["key"] == "americas"
    assert body["languages"] == ["es"] and body["expertise"] == ["pillar_2"]
    assert body["created_at"].endswith("Z")
    assert body["url"] == f"http://r2pnet.test/members/{me.id}"


def test_me_answers_304_while_unchanged(api):
    tag = api.get("/me").headers["ETag"]
    assert api.get("/me", headers={"If-None-Match": tag}).status_code == 304


def test_me_needs_a_token_or_a_session(client):
    assert Api(client).get("/me").status_code == 401
    assert Api(client).patch("/me", json={"bio": "x"}).status_code == 401


# --- changing the profile --------------------------------------------------------------------

def test_what_you_change_reads_back_unchanged(api):
    response = patch(api, "/me", CHANGES)

    assert response.status_code == 200, response.get_data(as_text=True)
    saved = api.get("/me").get_json()
    for field, value in CHANGES.items():
        if field != "region_id":
            assert saved[field] == value, field
    # No region chosen: the first region (by name) listing the country, as on the page.
    assert saved["region_id"] == region("americas").id
    assert response.get_json() == saved
    assert response.headers["ETag"] == api.get("/me").headers["ETag"]


def test_fields_you_do_not_send_keep_their_values(api, me):
    before = api.get("/me").get_json()

    response = patch(api, "/me", {"title": "Senior Adviser"})

    assert response.status_code == 200
    after = api.get("/me").get_json()
    assert after.pop("title") == "Senior Adviser"
    assert after.pop("updated_at") >= before.pop("updated_at")
    before.pop("title")
    assert after == before


def test_a_region_you_chose_is_kept_when_you_change_something_else(api, me):
    assert patch(api, "/me", {"region_id": region("europe").id}).status_code == 200
    assert patch(api, "/me", {"bio": "Hello."}).status_code == 200
    assert api.get("/me").get_json()["region_id"] == region("europe").id


def test_you_stop_being_a_focal_point_and_the_date_goes_with_it(api):
    assert patch(api, "/me", {"is_focal_point": True,
                              "focal_point_since": "2020-01-31"}).status_code == 200

    response = patch(api, "/me", {"is_focal_point": False})

    assert response.status_code == 200
    assert response.get_json()["focal_point_since"] is None


def test_your_own_edits_are_not_audited_as_an_administrator_edit(api, me):
    assert patch(api, "/me", {"title": "Adviser"}).status_code == 200
    assert not AuditEvent.select().where(AuditEvent.action == "profile_edited").exists()


def test_without_if_match_the_change_is_refused_with_428(api, me):
    before = snapshot(me)

    response = api.patch("/me", json={"title": "Adviser"})

    assert response.status_code == 428
    assert response.mimetype == "application/problem+json"
    assert snapshot(me) == before


def test_a_stale_etag_is_refused_with_412_and_nothing_is_written(api, me):
    stale = api.get("/me").headers["ETag"]
    # Meanwhile the member saves the profile page.
    data = ProfileSchema().load({"name": "Lucía Fernández", "country": "CR",
                                 "title": "Saved on the page"})
    update_profile(me, Member.get_by_id(me.id), data)
    before = snapshot(me)

    response = patch(api, "/me", {"title": "From the API"}, tag=stale)

    assert response.status_code == 412
    assert snapshot(me) == before
    assert api.get("/me").get_json()["title"] == "Saved on the page"


@pytest.mark.parametrize("field, value", [
    ("id", 1), ("email", "other@example.org"), ("role", "administrator"),
    ("created_at", "2020-01-01T00:00:00Z"), ("updated_at", "2020-01-01T00:00:00Z"),
    ("version", 1), ("moderated_region_ids", [1]), ("url", "http://example.org"),
    ("region", {"id": 1}), ("nickname", "Lu"), ("password", "secret secret"),
])
def test_unknown_and_read_only_fields_are_a_422_naming_them(api, me, field, value):
    before = snapshot(me)

    response = patch(api, "/me", {"title": "Adviser", field: value})

    assert response.status_code == 422
    assert field in response.get_json()["errors"]
    assert snapshot(me) == before


@pytest.mark.parametrize("field, value", [
    ("name", ""), ("name", " Lucía"), ("name", "Lucía "), ("name", "Lucía\nFernández"),
    ("name", "Lucía\u2028Fernández"), ("name", "x" * 121), ("title", "Adviser\t"),
    ("title", "Head\rof unit"), ("organization", "\u00a0Ministry"), ("bio", "Hello.\n"),
    ("bio", " Hello."), ("bio", "x" * 2001), ("name", None), ("name", 5),
    ("country", "XX"), ("country", "cr"), ("region_id", 0), ("region_id", 2**63),
    ("region_id", 999999), ("region_id", "1"), ("region_id", 1.5), ("region_id", True),
    ("region_id", 1e300),
    ("is_focal_point", "yes"), ("is_focal_point", 1), ("is_focal_point", None),
    ("focal_point_since", "2999-01-01"), ("focal_point_since", "1980-01-01"),
    ("focal_point_since", "31/01/2020"), ("languages", ["es", "es"]),
    ("languages", ["xx"]), ("languages", "es"), ("languages", ["en"] * 21),
    ("expertise", ["astrology"]), ("expertise", ["pillar_1", "pillar_1"]),
    ("timezone", "Mars/Olympus"), ("timezone", ""), ("email_visibility", "everyone"),
])
def test_what_the_page_would_refuse_or_alter_is_a_422(api, me, field, value):
    before = snapshot(me)

    response = patch(api, "/me", {field: value})

    assert response.status_code == 422, (field, value)
    assert [key for key in response.get_json()["errors"] if key.split(".")[0] == field]
    assert snapshot(me) == before


def test_a_date_without_being_a_focal_point_is_refused(api, me):
    before = snapshot(me)

    response = patch(api, "/me", {"is_focal_point": False, "focal_point_since": "2020-01-01"})

    assert response.status_code == 422
    assert "focal_point_since" in response.get_json()["errors"]
    assert snapshot(me) == before


@pytest.mark.parametrize("body, content_type, status", [
    ("{", "application/json", 400),
    ('{"title": "x"}', "text/plain", 415),
    ('["title"]', "application/json", 422),
    ('{"title": "a\\u0000b"}', "application/json", 422),
])
def test_a_body_that_is_not_a_json_object_is_refused(api, me, body, content_type, status):
    before = snapshot(me)
    tag = api.get("/me").headers["ETag"]

    response = api.patch("/me", data=body, headers={"If-Match": tag,
                                                     "Content-Type": content_type})

    assert response.status_code == status
    assert snapshot(me) == before


def test_a_read_only_token_cannot_change_the_profile(client, me):
    reader = Api(client, token_for(me, scope="read"))
    before = snapshot(me)

    response = patch(reader, "/me", {"title": "Adviser"})

    assert response.status_code == 403
    assert snapshot(me) == before


def test_a_concurrent_save_between_check_and_write_is_a_409(api, me, monkeypatch):
    """The page's optimistic locking still guards the write after If-Match was checked."""
    from r2pnet.api import me as resource

    real = resource.services.update_profile

    def save_meanwhile(actor, member, data, ip=""):
        Member.update(version=Member.version + 1).where(Member.id == member.id).execute()
        return real(actor, member, data, ip)

    monkeypatch.setattr(resource.services, "update_profile", save_meanwhile)
    response = patch(api, "/me", {"title": "Adviser"})

    assert response.status_code == 409
    assert Member.get_by_id(me.id).title == ""


# --- digest settings -------------------------------------------------------------------------

def test_digest_settings_start_as_the_defaults(api):
    response = api.get("/me/digest")

    assert response.status_code == 200 and response.headers["ETag"]
    assert response.get_json() == {"frequency": "weekly", "weekday": 0, "hour": 8,
                                   "timezone": "UTC", "stopped_at": None, "updated_at": None}


@pytest.mark.parametrize("change", [
    {"frequency": "daily"}, {"frequency": "off"}, {"weekday": 6}, {"hour": 0},
    {"frequency": "weekly", "weekday": 3, "hour": 23},
    {"hour": 7.0},  # a JSON integer written with a fraction of zero, as JSON Schema allows
])
def test_digest_changes_read_back_and_keep_the_rest(api, me, change):
    response = patch(api, "/me/digest", change)

    assert response.status_code == 200, response.get_data(as_text=True)
    expected = dict({"frequency": "weekly", "weekday": 0, "hour": 8}, **change)
    saved = api.get("/me/digest").get_json()
    assert {k: saved[k] for k in expected} == expected
    assert saved["updated_at"].endswith("Z")
    row = DigestSettings.get(DigestSettings.member == me.id)
    assert (row.frequency, row.weekday, row.hour) == tuple(expected.values())


def test_saving_digest_settings_restarts_digests_stopped_after_bounces(api, me):
    DigestSettings.create(member=me, bounces=3, stopped_at=utcnow())
    assert api.get("/me/digest").get_json()["stopped_at"] is not None

    assert patch(api, "/me/digest", {"hour": 9}).status_code == 200

    row = DigestSettings.get(DigestSettings.member == me.id)
    assert row.bounces == 0 and row.stopped_at is None


def test_digest_changes_need_if_match_and_a_fresh_one(api, me):
    stale = api.get("/me/digest").headers["ETag"]
    assert api.patch("/me/digest", json={"hour": 9}).status_code == 428
    assert not DigestSettings.select().exists()
    DigestSettings.create(member=me, frequency="daily",
                          updated_at=utcnow() - dt.timedelta(minutes=1))

    response = patch(api, "/me/digest", {"hour": 9}, tag=stale)

    assert response.status_code == 412
    assert DigestSettings.get(DigestSettings.member == me.id).hour == 8


@pytest.mark.parametrize("field, value", [
    ("frequency", "monthly"), ("frequency", None), ("weekday", 7), ("weekday", -1),
    ("weekday", "1"), ("hour", 24), ("hour", 8.5), ("hour", True), ("hour", 2**64),
    ("hour", 24.0), ("hour", float("nan")), ("hour", float("inf")), ("weekday", [1]),
    ("timezone", "Europe/Paris"), ("stopped_at", None), ("updated_at", None),
    ("bounces", 0), ("member_id", 1),
])
def test_bad_unknown_and_read_only_digest_fields_are_a_422(api, me, field, value):
    response = patch(api, "/me/digest", {field: value})

    assert response.status_code == 422
    assert field in response.get_json()["errors"]
    assert not DigestSettings.select().exists()


def test_a_read_only_token_cannot_change_digest_settings(client, me):
    response = patch(Api(client, token_for(me, scope="read")), "/me/digest", {"hour": 9})

    assert response.status_code == 403
    assert not DigestSettings.select().exists()


# --- whatever is accepted reads back unchanged -----------------------------------------------

ONE_LINE_TEXT = st.from_regex(ONE_LINE, fullmatch=True)
TRIMMED_TEXT = st.from_regex(TRIMMED, fullmatch=True)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(change=st.fixed_dictionaries({}, optional={
    "name": ONE_LINE_TEXT.filter(lambda text: 1 <= len(text) <= 120),
    "title": ONE_LINE_TEXT.filter(lambda text: len(text) <= 160),
    "organization": ONE_LINE_TEXT.filter(lambda text: len(text) <= 200),
    "bio": TRIMMED_TEXT.filter(lambda text: len(text) <= 2000),
    "languages": st.lists(st.sampled_from(["ar", "zh", "en", "fr", "ru", "es", "pt", "sw"]),
                          max_size=8, unique=True),
    "expertise": st.lists(st.sampled_from(sorted(EXPERTISE)), max_size=6, unique=True),
    "email_visibility": st.sampled_from(["network", "region", "administrators"]),
}))
def test_any_accepted_profile_change_reads_back_unchanged(api, change):
    response = patch(api, "/me", change)

    assert response.status_code == 200, response.get_data(as_text=True)
    saved = api.get("/me").get_json()
    assert {field: saved[field] for field in change} == change
