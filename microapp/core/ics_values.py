"""Reading property values tolerantly, for the iCalendar reader (:mod:`microapp.core.ics`).

A property may be missing, given twice (a list), or unreadable (``vBroken``); these helpers
give a usable value or a neutral one, never an exception.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

from icalendar import Event, vBroken, vDuration
from icalendar.cal.component import Component

from microapp.core.ics_blocks import _line_name


def _values(component: Component, name: str) -> list[Any]:
    value = component.get(name)
    if value is None:
        return []
    return [v for v in (value if isinstance(value, list) else [value]) if v is not None]


def _text(value: Any) -> str:
    if value is None or isinstance(value, vBroken):
        return ""
    try:
        return str(value)
    except Exception:
        return ""


def _first_text(component: Component, name: str) -> str:
    values = _values(component, name)
    return _text(values[0]) if values else ""


def _holds(prop: Any, kind: type | tuple[type, ...]) -> bool:
    """Whether ``prop`` is a readable single property whose value is a ``kind``."""
    if prop is None or isinstance(prop, vBroken | list):
        return False
    return isinstance(getattr(prop, "dt", None), kind)


def _aware(value: date | datetime, local_zone: tzinfo) -> datetime:
    """A DATE is local midnight; a date-time without a zone (should not be left) is local."""
    if not isinstance(value, datetime):
        return datetime.combine(value, time(), tzinfo=local_zone)
    if value.tzinfo is None:
        return value.replace(tzinfo=local_zone)
    return value


def _duration(value: Any) -> timedelta | None:
    """REFRESH-INTERVAL / X-PUBLISHED-TTL: a positive ISO 8601 duration, else None."""
    if isinstance(value, list):
        value = value[0] if value else None
    if value is None or isinstance(value, vBroken):
        return None
    found = getattr(value, "dt", None)
    if not isinstance(found, timedelta):  # X-PUBLISHED-TTL is read as text
        try:
            found = vDuration.from_ical(str(value).strip().upper())
        except Exception:  # not a duration: no minimum
            return None
    if isinstance(found, timedelta) and found > timedelta(0):
        return found
    return None


_YEAR = timedelta(days=366)


def _length(start: date | datetime, end: date | datetime | timedelta,
            local_zone: tzinfo) -> timedelta:
    if isinstance(end, timedelta):
        return end
    return _aware(end, local_zone) - _aware(start, local_zone)


def _made_up_uid(schedule: list[str]) -> str:
    """A UID for an event without one, the same on every read: from SUMMARY and DTSTART."""
    wanted = {"SUMMARY": "", "DTSTART": ""}
    for line in schedule:
        name = _line_name(line)
        if name in wanted and not wanted[name]:
            wanted[name] = line
    digest = hashlib.sha256(f"{wanted['SUMMARY']}\n{wanted['DTSTART']}".encode()).hexdigest()
    return f"microapp-{digest[:32]}"


def _instant_key(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC) if value.tzinfo else value
    return value


def _sequence(event: Event) -> int:
    value = event.get("SEQUENCE")
    try:
        return int(value) if value is not None and not isinstance(value, vBroken) else -1
    except (TypeError, ValueError):
        return -1


def _stamp(event: Event, name: str) -> datetime:
    prop = event.get(name)
    value = prop.dt if _holds(prop, datetime) else None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.min.replace(tzinfo=UTC)
