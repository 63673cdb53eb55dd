"""The digest settings form and the banner after bounces."""
import datetime as dt

from r2pnet.digests.models import DigestSettings
from r2pnet.members.models import utcnow
from tests.helpers import QueryCounter, post_form, soup


def settings_of(member):
    return DigestSettings.get_or_none(DigestSettings.member == member.id)


def test_the_form_shows_the_defaults_and_the_members_zone(client, signed_in):
    signed_in(timezone="Africa/Nairobi")

    page = soup(client.get("/settings/digest"))

    assert page.find("input", attrs={"name": "frequency", "value": "weekly"}).has_attr("checked")
    assert page.find("select", attrs={"name": "weekday"}).find(
        "option", selected=True).get_text() == "Monday"
    hours = page.find("select", attrs={"name": "hour"})
    assert hours.find("option", selected=True).get_text() == "08:00"
    assert [o.get_text() for o in hours.find_all("option")][:2] == ["00:00", "01:00"]
    assert len(hours.find_all("option")) == 24
    assert "Africa/Nairobi" in page.get_text()
    assert page.find("a", href="/profile")


def test_saving_stores_the_choice_and_lifts_a_stop_after_bounces(client, signed_in):
    member = signed_in()
    DigestSettings.create(member=member, bounces=3, stopped_at=utcnow())

    response = post_form(client, "/settings/digest",
                         {"frequency": "daily", "weekday": "4", "hour": "17"})

    assert response.status_code == 302
    saved = settings_of(member)
    assert (saved.frequency, saved.weekday, saved.hour) == ("daily", 4, 17)
    assert saved.bounces == 0 and saved.stopped_at is None
    page = soup(client.get("/settings/digest"))
    assert page.find("input", attrs={"name": "frequency", "value": "daily"}).has_attr("checked")
    assert page.find("select", attrs={"name": "hour"}).find("option", selected=True)[
        "value"] == "17"


def test_bad_values_are_a_400_with_what_was_chosen_kept(client, signed_in):
    member = signed_in()
    for form, field in (({"frequency": "weekly", "weekday": "3", "hour": "24"}, "hour"),
                        ({"frequency": "weekly", "weekday": "7", "hour": "9"}, "weekday"),
                        ({"frequency": "weekly", "weekday": "x", "hour": "9"}, "weekday"),
                        ({"frequency": "hourly", "weekday": "3", "hour": "9"}, "frequency"),
                        ({"frequency": "weekly", "weekday": "3", "hour": "-1"}, "hour")):
        response = post_form(client, "/settings/digest", form, csrf_from="/settings/digest")
        assert response.status_code == 400, form
        page = soup(response)
        assert page.find(id=f"{field}-error"), form
        if field != "frequency":
            assert page.find("input", attrs={"name": "frequency",
                                             "value": "weekly"}).has_attr("checked")
        if field != "weekday":
            assert page.find("select", attrs={"name": "weekday"}).find(
                "option", selected=True)["value"] == "3"
    assert settings_of(member) is None


def test_the_profile_edit_page_links_to_the_digest_settings(client, signed_in):
    signed_in()
    assert soup(client.get("/profile")).find("a", href="/settings/digest")


def test_a_member_whose_digests_stopped_sees_a_banner_on_every_page(client, signed_in):
    member = signed_in(email="amina@example.org")
    assert "bounced" not in client.get("/").get_data(as_text=True)
    DigestSettings.create(member=member, bounces=3,
                          stopped_at=utcnow() - dt.timedelta(hours=1))

    for path in ("/", "/lessons", "/profile"):
        banner = soup(client.get(path)).find(string=lambda s: s and "bounced" in s)
        assert banner and "amina@example.org" in banner, path
        assert banner.parent.find("a", href="/settings/digest"), path

    post_form(client, "/settings/digest", {"frequency": "weekly", "weekday": "0", "hour": "8"})
    assert "bounced" not in client.get("/").get_data(as_text=True)


def test_the_banner_costs_no_query_of_its_own(client, signed_in, app):
    member = signed_in()
    DigestSettings.create(member=member, bounces=3, stopped_at=utcnow())
    client.get("/lessons")
    with QueryCounter() as counter:
        response = client.get("/lessons")
    assert "bounced" in response.get_data(as_text=True)
    # Read with the signed-in member, in the one query that loads them.
    digest_queries = [q for q in counter.queries if "digest_settings" in q]
    assert len(digest_queries) == 1 and '"member"' in digest_queries[0]


def test_settings_need_a_session(client):
    response = client.get("/settings/digest")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
