"""The .ics file, parsed back: its zone (with VTIMEZONE), stable UID, times, SEQUENCE, status."""
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from r2pnet.deliberations import services
from r2pnet.deliberations.models import Deliberation
from tests.helpers import post_form, region
from tests.signin import sign_in_as
from tests.test_deliberations import FORM, SUMMER_DAY, _edit_form, schedule


@pytest.fixture
def moderator(client, make_member):
    member = make_member(role="moderator", region_key="africa", moderates=("africa",),
                         password=None, timezone="Africa/Lagos")
    sign_in_as(client, member)
    return member


def calendar_of(client, deliberation):
    response = client.get(f"/deliberations/{deliberation.id}.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert "attachment" in response.headers["Content-Disposition"]
    assert f"deliberation-{deliberation.id}.ics" in response.headers["Content-Disposition"]
    return Calendar.from_ical(response.data)


def test_the_ics_file_carries_the_zone_uid_and_times(client, moderator, make_member):
    deliberation = schedule(moderator, duration_minutes="120",
                            location="AU Commission, Addis Ababa")
    sign_in_as(client, make_member(region_key="africa", password=None,
                                   timezone="America/New_York"))

    calendar = calendar_of(client, deliberation)

    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Berlin"]
    [event] = calendar.walk("VEVENT")
    berlin = ZoneInfo("Europe/Berlin")
    assert str(event["UID"]) == deliberation.uid
    assert event["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert event.start == dt.datetime.combine(SUMMER_DAY, dt.time(14, 0), tzinfo=berlin)
    assert event.end == dt.datetime.combine(SUMMER_DAY, dt.time(16, 0), tzinfo=berlin)
    assert event.start.astimezone(dt.UTC) == dt.datetime.combine(SUMMER_DAY, dt.time(12, 0),
                                                                 tzinfo=dt.UTC)
    assert int(event["SEQUENCE"]) == 0
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(event["SUMMARY"]) == FORM["title"]
    assert str(event["LOCATION"]) == "AU Commission, Addis Ababa"
    assert str(event["URL"]) == f"http://r2pnet.test/deliberations/{deliberation.id}"
    assert "https://meet.example.org/sahel" in str(event["DESCRIPTION"])
    assert "Risk factors" in str(event["DESCRIPTION"])
    assert event["DTSTAMP"].dt.tzinfo is not None


def test_the_vtimezone_gives_the_offset_in_force_on_the_day(client, moderator):
    winter = dt.date(SUMMER_DAY.year, 1, 12)
    deliberation = schedule(moderator, date=winter.isoformat(), time="09:30",
                            timezone="America/Sao_Paulo")

    calendar = calendar_of(client, deliberation)

    [zone] = calendar.walk("VTIMEZONE")
    assert zone["TZID"] == "America/Sao_Paulo"
    offsets = {c["TZOFFSETTO"].td for c in zone.walk() if c.name in ("STANDARD", "DAYLIGHT")}
    assert dt.timedelta(hours=-3) in offsets
    [event] = calendar.walk("VEVENT")
    assert event.start.astimezone(dt.UTC).replace(tzinfo=None) \
        == dt.datetime.combine(winter, dt.time(12, 30)) == deliberation.starts_at


def test_a_utc_deliberation_is_written_in_utc(client, moderator):
    deliberation = schedule(moderator, timezone="UTC", time="07:00")

    calendar = calendar_of(client, deliberation)

    [event] = calendar.walk("VEVENT")
    assert event.start == dt.datetime.combine(SUMMER_DAY, dt.time(7, 0), tzinfo=dt.UTC)
    assert calendar.walk("VTIMEZONE") == []


def test_a_change_keeps_the_uid_and_raises_sequence_and_stamp(client, moderator):
    deliberation = schedule(moderator)
    Deliberation.update(updated_at=deliberation.updated_at - dt.timedelta(minutes=5)).where(
        Deliberation.id == deliberation.id).execute()
    before = calendar_of(client, deliberation).walk("VEVENT")[0]
    path = f"/deliberations/{deliberation.id}/edit"
    assert post_form(client, path, dict(_edit_form(client.get(path)), time="15:00",
                                        timezone="Africa/Lagos")).status_code == 302

    after = calendar_of(client, deliberation).walk("VEVENT")[0]

    assert str(after["UID"]) == str(before["UID"]) == deliberation.uid
    assert int(after["SEQUENCE"]) == int(before["SEQUENCE"]) + 1
    assert after["DTSTAMP"].dt > before["DTSTAMP"].dt
    assert after.start == dt.datetime.combine(SUMMER_DAY, dt.time(15, 0),
                                              tzinfo=ZoneInfo("Africa/Lagos"))
    assert after["DTSTART"].params["TZID"] == "Africa/Lagos"


def test_a_cancelled_deliberation_says_so_in_its_calendar_file(client, moderator):
    deliberation = schedule(moderator)
    services.cancel_deliberation(moderator, deliberation)

    [event] = calendar_of(client, deliberation).walk("VEVENT")

    assert str(event["STATUS"]) == "CANCELLED"
    assert int(event["SEQUENCE"]) == 1
    assert str(event["UID"]) == deliberation.uid


def test_the_calendar_file_is_for_the_regions_members_only(client, moderator, make_member):
    deliberation = schedule(moderator)
    sign_in_as(client, make_member(region_key="europe", password=None))
    assert client.get(f"/deliberations/{deliberation.id}.ics").status_code == 404
    assert region("africa").id == deliberation.region_id
