"""TZID resolution, for the iCalendar reader (:mod:`microapp.core.ics`).

A TZID is looked up as an IANA name, then as a Windows name, then in the calendar's own
VTIMEZONE (its X-LIC-LOCATION first), then as a "globally unique" ``/vendor/Area/City`` id;
anything else is local time, with one warning per TZID. :func:`_settle` makes one value aware,
applying Google's X-WR-TIMEZONE.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import vDDDTypes, vRecur
from icalendar.cal.component import Component
from icalendar.timezone import tzp
from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

from microapp.core.ics_blocks import _parse_block
from microapp.core.ics_rules import _never_matches, _rule_part
from microapp.core.ics_values import _holds, _text, _values

log = logging.getLogger("microapp.core.ics")  # one logger for the whole reader


class _Zones:
    """TZIDs to zones for one parse, with a warning for each one that is not known."""

    def __init__(self, local_zone: tzinfo) -> None:
        self.local_zone = local_zone
        self.definitions: dict[str, Component] = {}  # VTIMEZONE by TZID, first one wins
        self.warnings: list[str] = []
        self._cache: dict[tuple[str, int], tzinfo | None] = {}
        self._unknown: set[str] = set()

    def add_definitions(self, blocks: list[list[str]]) -> dict[str, Component]:
        """Parse VTIMEZONE blocks; returns the document's own ones by TZID."""
        own: dict[str, Component] = {}
        for lines in blocks:
            try:
                component = _parse_block("VTIMEZONE", lines)
            except Exception:  # an unreadable definition is no definition
                continue
            if component is None:
                continue
            tzid = _text(component.get("TZID")).strip()
            if tzid:
                own.setdefault(tzid, component)
                self.definitions.setdefault(tzid, component)
        return own

    def zone(self, tzid: str, own: dict[str, Component]) -> tzinfo:
        """The zone a TZID means; unknown ones are local time, with a warning."""
        definition = own.get(tzid) or self.definitions.get(tzid)
        key = (tzid, id(definition))
        if key not in self._cache:
            self._cache[key] = self._lookup(tzid, definition)
        found = self._cache[key]
        if found is not None:
            return found
        if tzid not in self._unknown:
            self._unknown.add(tzid)
            self.warnings.append(f'unknown time zone "{tzid}": treated as local time')
        return self.local_zone

    def _lookup(self, tzid: str, definition: Component | None) -> tzinfo | None:
        # IANA and Windows names first, also when a VTIMEZONE is given: the tz database knows
        # past and future rule changes, and a zone from a VTIMEZONE (dateutil) steps through
        # its rules from their DTSTART, often 1601, on every offset lookup.
        clean = tzid.strip().strip("/").strip()
        found = _iana(clean) or _iana(WINDOWS_TO_OLSON.get(clean, ""))
        if found is not None:
            return found
        if definition is not None:
            found = _iana(_text(definition.get("X-LIC-LOCATION")).strip())
            if found is not None:
                return found
            try:
                usable = _for_dateutil(definition)
                if usable is not None:
                    return _RememberingZone(tzp.create_timezone(usable))
            except Exception:  # a definition dateutil cannot read
                log.debug("VTIMEZONE %r could not be read", tzid, exc_info=True)
        if tzid.startswith("/"):  # "globally unique": /freeassociation.sourceforge.net/Area/City
            parts = clean.split("/")
            for first in range(1, len(parts)):
                found = _iana("/".join(parts[first:]))
                if found is not None:
                    return found
        return None


def _usable_zone_rule(rule: Any, start: Any) -> bool:
    """A yearly rule that moves on and falls on some day, from a readable DTSTART."""
    if not isinstance(rule, vRecur) or not _holds(start, datetime):
        return False
    interval = _rule_part(rule, "INTERVAL")
    return (str(_rule_part(rule, "FREQ")).upper() == "YEARLY"
            and not ("COUNT" in rule and "UNTIL" in rule)
            and ("INTERVAL" not in rule or (isinstance(interval, int) and interval > 0))
            and not _never_matches(rule, start.dt))


class _RememberingZone(tzinfo):
    """A zone made from a VTIMEZONE by dateutil, remembering its answers.

    dateutil finds the offset of a time by walking the zone's rules, and keeps only the last
    10 answers. Comparing and sorting times in such a zone asks for offsets thousands of times
    (Exchange calendars with TZIDs like "(UTC+01:00) Amsterdam, Berlin, ..." use one for every
    event), so the answers are kept here, a bounded number of them.
    """

    _LIMIT = 50_000

    def __init__(self, zone: tzinfo) -> None:
        self._zone = zone
        self._offsets: dict[tuple[datetime, int], tuple[Any, Any, Any]] = {}

    def _answer(self, dt: datetime | None) -> tuple[Any, Any, Any]:
        if dt is None:
            return None, None, None
        key = (dt.replace(tzinfo=None), dt.fold)
        found = self._offsets.get(key)
        if found is None:
            inner = dt.replace(tzinfo=self._zone)
            found = (self._zone.utcoffset(inner), self._zone.dst(inner),
                     self._zone.tzname(inner))
            if len(self._offsets) >= self._LIMIT:
                self._offsets.clear()
            self._offsets[key] = found
        return found

    def utcoffset(self, dt: datetime | None) -> timedelta | None:
        return self._answer(dt)[0]

    def dst(self, dt: datetime | None) -> timedelta | None:
        return self._answer(dt)[1]

    def tzname(self, dt: datetime | None) -> str | None:
        return self._answer(dt)[2]

    def fromutc(self, dt: datetime) -> datetime:
        # dateutil's own conversion knows which of two equal wall times is meant (fold).
        return self._zone.fromutc(dt.replace(tzinfo=self._zone)).replace(tzinfo=self)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._zone!r})"


_RULES_FROM = 1970  # VTIMEZONE rules are walked from this year on (see _for_dateutil)


def _for_dateutil(definition: Component) -> Component | None:
    """A VTIMEZONE as dateutil can use it quickly and safely, or None when it should not.

    dateutil walks each STANDARD/DAYLIGHT rule from its DTSTART on every offset lookup that
    misses its small cache, and every comparison of two times in the zone makes one. Outlook
    starts its rules in 1601, a mangled file in the year 1: hundreds to thousands of steps
    per lookup. Rules are yearly in every real VTIMEZONE, and where the onset falls is decided
    by the rule, so a ruled part that starts earlier starts on the same day of 1970 here (its
    offsets before 1970 are lost, which no meeting needs). A rule stepping faster than yearly,
    not at all (INTERVAL=0) or never falling on a day could stall each lookup for good, and
    without a STANDARD part dateutil has nothing to fall back on before the first onset (it
    raises there): all are refused, and the TZID is then looked up like one without a
    definition.
    """
    copy = definition.copy(recursive=True)
    if not any(part.name == "STANDARD" for part in copy.subcomponents):
        return None
    for part in copy.subcomponents:
        rules = _values(part, "RRULE")
        start = part.get("DTSTART")
        if not all(_usable_zone_rule(rule, start) for rule in rules):
            return None
        if rules and _holds(start, datetime) and start.dt.year < _RULES_FROM:
            onset = start.dt
            day = min(onset.day, 28) if onset.month == 2 else onset.day
            part["DTSTART"] = vDDDTypes(onset.replace(year=_RULES_FROM, day=day))
    return copy


def _iana(name: str) -> ZoneInfo | None:
    if not name or len(name) > 80 or name.startswith((".", "/")) or "\\" in name:
        return None
    try:
        return ZoneInfo(name)
    except Exception:  # not found, a folder, a bad key: not an IANA name
        return None


def _is_utc(value: datetime) -> bool:
    return value.utcoffset() == timedelta(0) and (value.tzname() or "").upper() in ("UTC", "Z")


def _settle(value: Any, zone: tzinfo | None, calendar_zone: tzinfo | None,
            local_zone: tzinfo) -> Any:
    """Make one DTSTART/DTEND/RDATE/... value timezone-aware (dates stay dates)."""
    if isinstance(value, tuple):  # an RDATE period: (start, end) or (start, duration)
        return tuple(_settle(v, zone, calendar_zone, local_zone) for v in value)
    if not isinstance(value, datetime):
        return value
    if value.tzinfo is None:
        return value.replace(tzinfo=zone or calendar_zone or local_zone)
    if calendar_zone is not None and zone is None and _is_utc(value):
        return value.astimezone(calendar_zone)  # X-WR-TIMEZONE: UTC times mean that zone
    return value
