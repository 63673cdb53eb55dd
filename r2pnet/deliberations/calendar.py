"""A deliberation as an iCalendar file: its own zone (with VTIMEZONE), stable UID, SEQUENCE."""
import datetime as dt
from functools import lru_cache

from icalendar import Calendar, Event, Timezone

from r2pnet import markdown
from r2pnet.deliberations.timing import ends_at, in_zone

PRODID = "-//r2pnet//Deliberations//EN"


@lru_cache(maxsize=64)
def _vtimezone(zone, year):
    """The zone's rules around `year` (building them is slow, hence the cache)."""
    return Timezone.from_tzid(zone, first_date=dt.date(year - 1, 1, 1),
                              last_date=dt.date(year + 2, 1, 1))


def _utc(value):
    return value.replace(tzinfo=dt.UTC)


def ics(deliberation, page_url):
    """The .ics bytes of one deliberation; `page_url` is its absolute page address."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    zone = deliberation.timezone
    start = in_zone(deliberation.starts_at, zone)
    end = in_zone(ends_at(deliberation), zone)
    if zone == "UTC":
        start, end = _utc(deliberation.starts_at), _utc(ends_at(deliberation))
    else:
        calendar.add_component(_vtimezone(zone, start.year))
    event = Event()
    event.add("uid", deliberation.uid)
    event.add("sequence", deliberation.sequence)
    event.add("dtstamp", _utc(deliberation.updated_at))
    event.add("created", _utc(deliberation.created_at))
    event.add("last-modified", _utc(deliberation.updated_at))
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("summary", deliberation.title)
    description = markdown.plain_text(deliberation.agenda_html)
    if deliberation.join_url:
        description = f"Join: {deliberation.join_url}\n\n{description}"
    event.add("description", f"{description}\n\n{page_url}".strip())
    event.add("location", deliberation.location or deliberation.join_url)
    event.add("url", page_url)
    event.add("status", "CANCELLED" if deliberation.cancelled_at else "CONFIRMED")
    calendar.add_component(event)
    return calendar.to_ical()
