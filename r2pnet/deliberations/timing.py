"""Deliberation times: local time to UTC, zones, when a deliberation starts and ends."""
import datetime as dt
from zoneinfo import ZoneInfo

from r2pnet.errors import DomainError
from r2pnet.members.models import utcnow


def to_utc(day, time, zone):
    """Naive UTC for a local date and time in `zone`.

    :raise DomainError: when that local time does not exist (clocks jump forward) or happens
        twice (clocks go back): the moderator chooses, nothing is guessed
    """
    tz = ZoneInfo(zone)
    local = dt.datetime.combine(day, time).replace(second=0, microsecond=0)
    first, second = local.replace(tzinfo=tz, fold=0), local.replace(tzinfo=tz, fold=1)
    if first.utcoffset() != second.utcoffset():
        back = first.astimezone(dt.UTC).astimezone(tz).replace(tzinfo=None)
        if back != local:
            raise DomainError(f"{local:%H:%M} does not exist on {local:%d %B %Y} in {zone}: "
                              "the clocks move forward then. Choose another time.", "time")
        raise DomainError(f"{local:%H:%M} happens twice on {local:%d %B %Y} in {zone}: the "
                          "clocks go back then. Choose a time outside that hour.", "time")
    return first.astimezone(dt.UTC).replace(tzinfo=None)


def zone_of(name):
    """A ZoneInfo for a stored zone name (UTC when the name is unknown)."""
    try:
        return ZoneInfo(name or "UTC")
    except (KeyError, ValueError):
        return ZoneInfo("UTC")


def in_zone(value, zone):
    """A naive UTC datetime as an aware datetime in `zone`."""
    return value.replace(tzinfo=dt.UTC).astimezone(zone_of(zone))


def ends_at(deliberation):
    """When the deliberation ends (naive UTC)."""
    return deliberation.starts_at + dt.timedelta(minutes=deliberation.duration_minutes)


def is_over(deliberation, now=None):
    return ends_at(deliberation) <= (now or utcnow())


def has_started(deliberation, now=None):
    return deliberation.starts_at <= (now or utcnow())
