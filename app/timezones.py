"""Time zones: which ones a user may choose, the default of a new user, and what a meeting's
times are in a given zone.

A user's zone comes from their (first) national cohort's country, which has a `time_zone`; a user
with no country yet gets the zone of the country that speaks their language, else FALLBACK_ZONE.
Users change their own zone on the account page."""
from __future__ import annotations

from datetime import UTC, date, datetime, time
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from babel.dates import get_timezone_location
from flask_babel import get_locale
from sqlalchemy import select

from .extensions import db
from .models import Country

#: The five partner countries' zones, offered first in every list (and what the first migration's
#: countries are given).
PARTNER_ZONES = {"SE": "Europe/Stockholm", "NO": "Europe/Oslo", "SI": "Europe/Ljubljana", "PT": "Europe/Lisbon",
                 "IT": "Europe/Rome"}
#: For a user with neither a country nor a language that names one.
FALLBACK_ZONE = "Europe/Stockholm"
COMMON_ZONES = [*PARTNER_ZONES.values(), "UTC"]


@lru_cache(maxsize=1)
def _all_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def is_zone(name: str | None) -> bool:
    """A name zoneinfo knows (Europe/Lisbon), not a file path or an abbreviation."""
    if not name or name not in _all_zones():
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def zone_choices() -> list[tuple[str, str]]:
    """For a select field: the partners' zones first, then every other, alphabetically; each
    named in the user's language ("Italientid (Europe/Rome)"), not only by its English id."""
    return list(_zone_choices_in(str(get_locale() or "en")))


@lru_cache(maxsize=8)
def _zone_choices_in(locale: str) -> tuple[tuple[str, str], ...]:
    rest = sorted(z for z in _all_zones() if z not in COMMON_ZONES)
    return tuple((z, _zone_label(z, locale)) for z in COMMON_ZONES + rest)


def _zone_label(zone: str, locale: str) -> str:
    plain = zone.replace("_", " ")
    if zone == "UTC" or "/" not in zone:
        return plain  # UTC and the old aliases (EST, GB) have no place to name
    try:
        return f"{get_timezone_location(zone, locale=locale)} ({plain})"
    except (LookupError, ValueError):
        return plain


def zone_of(name: str | None) -> ZoneInfo:
    """The zone called `name`, or the fallback one for a name zoneinfo does not know."""
    return ZoneInfo(name) if is_zone(name) else ZoneInfo(FALLBACK_ZONE)


def zone_for_country(country) -> str:
    """The zone of a Country row (None: the fallback zone)."""
    zone = getattr(country, "time_zone", None)
    return zone if is_zone(zone) else FALLBACK_ZONE


def zone_for_locale(locale: str | None) -> str:
    """A new user without a country: the zone of the country whose national language they chose
    (pt: Portugal, Europe/Lisbon), else the fallback zone."""
    if locale:
        zone = db.session.scalar(select(Country.time_zone).where(Country.default_locale == locale)
                                 .order_by(Country.id).limit(1))
        if is_zone(zone):
            return zone
    return FALLBACK_ZONE


def today_in(zone_name: str | None) -> date:
    return datetime.now(zone_of(zone_name)).date()


def day_in(moment: datetime, zone_name: str | None) -> date:
    """The calendar day a stored moment (naive UTC) falls on in the zone: 23:30 UTC on 6 December
    is already 7 December in Stockholm, the day a Swedish user's own dates are written in."""
    return moment.replace(tzinfo=UTC).astimezone(zone_of(zone_name)).date()


def at(day: date, clock: time, zone_name: str | None) -> datetime:
    """The moment `clock` on `day` in the zone (aware), for converting to a viewer's zone."""
    return datetime.combine(day, clock, tzinfo=zone_of(zone_name))


def first_day_span(meeting) -> tuple[datetime, datetime]:
    """The meeting's first day, start and end, as aware moments in the meeting's zone."""
    return (at(meeting.starts_on, meeting.starts_at, meeting.time_zone),
            at(meeting.starts_on, meeting.ends_at, meeting.time_zone))
