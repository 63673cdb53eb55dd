"""The API directory's items are kept per process: each still follows every change to what
it shows, and to the caller's right to read the member's email address."""
from r2pnet.members.models import Member, MemberExpertise, MemberLanguage, ModeratorRegion
from tests.api_helpers import Api, token_for
from tests.helpers import region


def item_of(api, member):
    answer = api.get("/members", query_string={"limit": 100})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return next(item for item in answer.get_json()["items"] if item["id"] == member.id)


def test_a_changed_profile_shows(client, make_member):
    amina = make_member(name="Amina Diallo", title="Director")
    api = Api(client, token_for(make_member()))
    assert (item_of(api, amina)["name"], item_of(api, amina)["title"]) == (
        "Amina Diallo", "Director")
    Member.update(title="Ambassador").where(Member.id == amina.id).execute()
    assert item_of(api, amina)["title"] == "Ambassador"


def test_new_languages_expertise_and_moderated_regions_show(client, make_member):
    kofi = make_member(languages=["en"])
    api = Api(client, token_for(make_member()))
    item = item_of(api, kofi)
    assert (item["languages"], item["expertise"], item["moderated_region_ids"]) == (["en"], [], [])
    MemberLanguage.create(member=kofi.id, code="fr")
    assert item_of(api, kofi)["languages"] == ["en", "fr"]
    MemberExpertise.create(member=kofi.id, key="early_warning")
    assert item_of(api, kofi)["expertise"] == ["early_warning"]
    ModeratorRegion.create(member=kofi.id, region=region("europe"))
    assert item_of(api, kofi)["moderated_region_ids"] == [region("europe").id]


def test_the_email_shows_only_to_callers_the_member_shares_it_with(client, app, make_member):
    amina = make_member(email="amina@example.org", region_key="africa",
                        email_visibility="region")
    near = Api(client, token_for(make_member(region_key="africa")))
    far_member = make_member(region_key="europe")
    far = Api(app.test_client(), token_for(far_member))
    assert item_of(near, amina)["email"] == "amina@example.org"
    assert item_of(far, amina)["email"] is None
    Member.update(role="administrator").where(Member.id == far_member.id).execute()
    assert item_of(far, amina)["email"] == "amina@example.org"


def test_addresses_follow_the_deployment(client, app, make_member):
    amina = make_member()
    api = Api(client, token_for(make_member()))
    base = app.config["BASE_URL"].rstrip("/")
    assert item_of(api, amina)["url"] == f"{base}/members/{amina.id}"
    app.config["BASE_URL"] = "https://r2p.example.org"
    assert item_of(api, amina)["url"] == f"https://r2p.example.org/members/{amina.id}"
    mounted = api.client.get("/api/v1/members", query_string={"limit": 100},
                             headers={"Authorization": f"Bearer {api.token}"},
                             environ_overrides={"SCRIPT_NAME": "/r2p"}).get_json()
    assert {item["url"] for item in mounted["items"]} >= {
        f"https://r2p.example.org/r2p/members/{amina.id}"}
