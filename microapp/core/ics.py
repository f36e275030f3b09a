"""Reading iCalendar data into meetings: parse once, then ask for any window many times.

Real calendars are messier than RFC 5545. This module repairs what the big exporters get wrong
and never lets calendar content raise out of :meth:`ParsedCalendar.meetings_between`:

* **Text**: a UTF-8 BOM, CRLF, LF or bare CR line ends, folded lines (also folds that split a
  UTF-8 character), UTF-16 files, and bytes that are not UTF-8 (read as Windows-1252, line by
  line, so one Latin-1 title does not garble the rest).
* **Time zones**: every date-time becomes timezone-aware before recurrence is computed. A TZID
  is looked up as an IANA name, then as a Windows name (Outlook: "W. Europe Standard Time",
  with or without a VTIMEZONE), then in the calendar's own VTIMEZONE (its X-LIC-LOCATION first),
  then as a "globally unique" ``/vendor/Area/City`` id; anything else is read as local time,
  with one warning per TZID. A VTIMEZONE is only handed to dateutil when its rules are sane,
  and made quick to ask (see :func:`_for_dateutil`). Floating times are local time. Google's
  X-WR-TIMEZONE (also a Windows name there) turns UTC and floating times into that zone, the
  rule of the x-wr-timezone package, so that a weekly 9:00 meeting stays at 9:00 across DST.
* **Events**: a missing DTEND means DURATION, else :data:`DEFAULT_EVENT_LENGTH` (a DATE event:
  one day); an unreadable DTEND or DURATION, an end before the start and a negative duration
  are treated the same way (recurring-ical-events would swap start and end, which turns an
  edited DTSTART into an event decades long); a property given twice keeps the first; a missing
  UID gets a stable one from SUMMARY and DTSTART; the same UID and RECURRENCE-ID seen twice (two
  CalDAV objects, a re-sent invitation) keeps the highest SEQUENCE, then the latest
  LAST-MODIFIED/DTSTAMP; the events of a METHOD:CANCEL message are cancelled.
* **Recurrence** (recurring-ical-events over dateutil): an RRULE with both COUNT and UNTIL keeps
  UNTIL (RFC 5545 forbids both; dateutil warns). dateutil looks for the next occurrence until
  the year 9999, so a rule that can never fall on any day (BYMONTH=2;BYMONTHDAY=30, a BYSETPOS
  past the end of its set) is dropped at parse time, leaving DTSTART as the only occurrence, as
  RFC 5545 has it; an hourly/minutely/secondly rule with BY... filters is walked as the daily
  rule listing its times. dateutil walks from DTSTART to the window, so a series that would
  cost more than :data:`MAX_RULE_STEPS` to get there (FREQ=SECONDLY since last year, DAILY
  since the year 1) is left out of that query, and no series adds more than
  :data:`MAX_OCCURRENCES` to one query. A series that fails for any other reason is skipped,
  counted and logged, never raised, and never computed again (dateutil 2.9 would hang on it).

Parsing is the expensive part (icalendar reads every content line in Python), so only the lines
needed to place events in time are parsed up front; the lines that describe a meeting (title,
status, attendees, links) are kept as text and parsed the first time an occurrence of that
event falls in a queried window. One-off events, the bulk of most calendars, are kept sorted by
start and found by bisection; the recurrence query only holds the series.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vBroken, vRecur, vText
from icalendar.cal.component import Component

from microapp.core.ics_blocks import (
    _CONFERENCE_PROPS,
    _NotCalendar,
    _parse_block,
    _RawCalendar,
    _RawEvent,
    _split_document,
    _why_not,
)
from microapp.core.ics_index import ParsedCalendar, _build_index
from microapp.core.ics_lines import _logical_lines
from microapp.core.ics_rules import (
    MAX_OCCURRENCES,
    MAX_RULE_STEPS,
    _by_the_day,
    _never_matches,
    _rule_cost,
    _rule_part,
    _RuleCost,
)
from microapp.core.ics_values import (
    _YEAR,
    _aware,
    _duration,
    _first_text,
    _holds,
    _instant_key,
    _length,
    _made_up_uid,
    _sequence,
    _stamp,
    _text,
    _values,
)
from microapp.core.ics_zones import _settle, _Zones
from microapp.core.links import LinkPattern, find_call_link
from microapp.core.meetings import MeetingStatus
from microapp.core.sources import ErrorKind, SourceError

# The reader is split by stage: ics_lines (bytes to lines), ics_blocks (lines to components),
# ics_values (property values), ics_zones (TZIDs), ics_rules (recurrence guards) and ics_index
# (ParsedCalendar and its queries). This module reads the events and keeps their records;
# :func:`_read_details` looks up :func:`_parse_block` here, where tests replace it.

__all__ = ["DEFAULT_EVENT_LENGTH", "MAX_OCCURRENCES", "MAX_RULE_STEPS", "ParsedCalendar",
           "parse_calendar"]

log = logging.getLogger(__name__)

DEFAULT_EVENT_LENGTH = timedelta(minutes=30)
"""The length of an event with neither DTEND nor DURATION (an all-day one lasts one day)."""

_NO_TITLE = "(no title)"
_SINGLE = ("UID", "DTSTART", "DTEND", "DURATION", "RECURRENCE-ID", "SEQUENCE")
_TIMES = ("DTSTART", "DTEND", "RECURRENCE-ID", "RDATE", "EXDATE")

_STATUS = {"CONFIRMED": MeetingStatus.CONFIRMED, "TENTATIVE": MeetingStatus.TENTATIVE,
           "CANCELLED": MeetingStatus.CANCELLED}


# --- Per-event records -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Details:
    """What an occurrence needs beyond its times, read from the kept detail lines."""

    title: str
    status: MeetingStatus
    transparent: bool
    location: str | None
    attendees: tuple[tuple[str, str], ...]  # (address without mailto:, PARTSTAT upper-case)
    link_texts: tuple[str, ...]  # in the order call links are searched
    _links: dict[tuple[LinkPattern, ...], Any] = field(default_factory=dict, compare=False)

    def link(self, patterns: tuple[LinkPattern, ...]) -> Any:
        try:
            return self._links[patterns]
        except KeyError:
            found = self._links[patterns] = find_call_link(self.link_texts, patterns)
            return found


class _Record:
    """One VEVENT: its identity, and its description lines until they are first needed."""

    __slots__ = ("_details", "_lines", "_lock", "cancel_all", "is_override", "uid")

    def __init__(self, uid: str, lines: list[str], *, is_override: bool,
                 cancel_all: bool) -> None:
        self.uid = uid
        self.is_override = is_override
        self.cancel_all = cancel_all  # from a METHOD:CANCEL message
        self._lines: list[str] | None = lines
        self._details: _Details | None = None
        self._lock = threading.Lock()

    def details(self) -> _Details:
        details = self._details
        if details is None:
            with self._lock:
                if self._details is None:
                    self._details = _read_details(self._lines or [])
                    self._lines = None  # parsed once; the text is no longer needed
                details = self._details
        return details


def _read_details(lines: list[str]) -> _Details:
    try:
        event = _parse_block("VEVENT", lines)
    except Exception:  # unreadable description lines: a meeting without them
        event = None
    if event is None:
        event = Event()
    title = _first_text(event, "SUMMARY").strip() or _NO_TITLE
    status = _STATUS.get(_first_text(event, "STATUS").strip().upper(), MeetingStatus.CONFIRMED)
    transp = _first_text(event, "TRANSP").strip().upper()
    busy = _first_text(event, "X-MICROSOFT-CDO-BUSYSTATUS").strip().upper()
    # Outlook's "Show as: Free" without a TRANSP line means the same as TRANSP:TRANSPARENT.
    transparent = transp == "TRANSPARENT" or (not transp and busy == "FREE")
    attendees: list[tuple[str, str]] = []
    for prop in _values(event, "ATTENDEE"):
        address = _text(prop).strip()
        if address[:7].lower() != "mailto:" or not address[7:].strip():
            continue
        params = getattr(prop, "params", None) or {}
        attendees.append((address[7:].strip(), str(params.get("PARTSTAT", "")).upper()))
    texts: list[str] = []
    for name in _CONFERENCE_PROPS:
        texts.extend(text for text in (_text(v) for v in _values(event, name)) if text)
    location = _first_text(event, "LOCATION").strip() or None
    return _Details(title, status, transparent, location, tuple(attendees), tuple(texts))


# --- Parsing -----------------------------------------------------------------------------------


@dataclass
class _Parse:
    """The state of one :func:`parse_calendar` call."""

    local_zone: tzinfo
    zones: _Zones
    # (UID, RECURRENCE-ID) -> (rank, event, record): one per key, the latest version wins
    events: dict[tuple[str, Any], tuple[tuple[Any, ...], Event, _Record]] = field(
        default_factory=dict)
    event_count: int = 0
    broken: int = 0
    empty_rules: int = 0
    names: list[str] = field(default_factory=list)
    refresh: list[timedelta] = field(default_factory=list)
    costs: dict[str, list[_RuleCost]] = field(default_factory=dict)


def parse_calendar(documents: Sequence[bytes], *, source: str,
                   local_zone: ZoneInfo) -> ParsedCalendar:
    """Read one calendar from one or more iCalendar documents (a file; every .ics file of a
    folder; every object of a CalDAV calendar), merged into one: VTIMEZONEs are shared by TZID,
    and an event sent twice counts once. ``source`` names the calendar in messages.

    Documents that are not calendars are left out with a warning while at least one is one. No
    documents at all is an empty calendar (an empty folder or CalDAV collection). Raises
    :class:`SourceError` (``NOT_CALENDAR``, one sentence naming ``source``) when no document
    holds a calendar: an empty file, a web page, random bytes, a cut-off download. Never raises
    anything else, whatever the bytes.
    """
    try:
        return _parse_calendar(documents, source, local_zone)
    except SourceError:
        raise
    except RecursionError:
        raise SourceError(f"{source} is nested too deeply to be read as a calendar.",
                          ErrorKind.NOT_CALENDAR) from None
    except Exception:  # a bug here must not take the app down: say so, and log it
        log.warning("calendar %s could not be parsed", source, exc_info=True)
        raise SourceError(f"{source} could not be read as a calendar.",
                          ErrorKind.NOT_CALENDAR) from None


def _parse_calendar(documents: Sequence[bytes], source: str,
                    local_zone: ZoneInfo) -> ParsedCalendar:
    state = _Parse(local_zone, _Zones(local_zone))
    readable: list[tuple[_RawCalendar, dict[str, Component]]] = []
    failures: list[str] = []
    for data in documents:
        try:
            raw_calendars = _split_document(_logical_lines(bytes(data)))
        except _NotCalendar as why:
            failures.append(_why_not(bytes(data), str(why)))
            continue
        for raw in raw_calendars:
            readable.append((raw, state.zones.add_definitions(raw.timezones)))
    if failures and not readable:
        if len(failures) == 1:
            raise SourceError(f"{source} {failures[0]}.", ErrorKind.NOT_CALENDAR)
        raise SourceError(f"None of the {len(failures)} documents of {source} is a calendar "
                          f"(the first {failures[0]}).", ErrorKind.NOT_CALENDAR)
    for raw, own_zones in readable:
        _read_calendar(state, raw, own_zones)

    warnings = list(state.zones.warnings)
    if failures:
        warnings.append(f"{_count(len(failures), 'document')} of {len(documents)} could not be "
                        "read as a calendar and left out")
    index, failed = _build_index(state)
    skipped = state.broken + failed
    if skipped:
        warnings.append(f"{_count(skipped, 'event')} could not be read and left out")
    if state.empty_rules:
        warnings.append(f"{_count(state.empty_rules, 'repeat rule')} can never occur: "
                        "only the first date of its event is shown")
    return ParsedCalendar(
        name=state.names[0] if state.names else None,
        min_refresh=max(state.refresh) if state.refresh else None,
        warnings=tuple(warnings),
        event_count=state.event_count,
        skipped=skipped,
        _index=index,
    )


def _count(n: int, what: str) -> str:
    return f"1 {what}" if n == 1 else f"{n} {what}s"


def _read_calendar(state: _Parse, raw: _RawCalendar, own_zones: dict[str, Component]) -> None:
    try:
        calendar = _parse_block("VCALENDAR", raw.properties)
    except Exception:  # calendar-level lines are extras: go on without them
        calendar = None
    calendar = calendar if calendar is not None else Calendar()
    for key in ("X-WR-CALNAME", "NAME"):
        name = _first_text(calendar, key).strip()
        if name:
            state.names.append(name)
            break
    for key in ("REFRESH-INTERVAL", "X-PUBLISHED-TTL"):
        interval = _duration(calendar.get(key))
        if interval is not None:
            state.refresh.append(interval)
    calendar_zone = None
    x_wr = _first_text(calendar, "X-WR-TIMEZONE").strip()
    if x_wr:
        calendar_zone = state.zones.zone(x_wr, own_zones)
    cancel_all = _first_text(calendar, "METHOD").strip().upper() == "CANCEL"
    for raw_event in raw.events:
        state.event_count += 1
        try:
            ok = _read_event(state, raw_event, own_zones, calendar_zone, cancel_all)
        except Exception:  # one unreadable event never costs the calendar
            log.debug("event could not be read", exc_info=True)
            ok = False
        if not ok:
            state.broken += 1


def _read_event(state: _Parse, raw: _RawEvent, own_zones: dict[str, Component],
                calendar_zone: tzinfo | None, cancel_all: bool) -> bool:
    event = _parse_block("VEVENT", raw.schedule)
    if event is None:
        return False
    for name in _SINGLE:  # a property given twice: the first one counts
        value = event.get(name)
        if isinstance(value, list):
            event[name] = value[0]
    if not _holds(event.get("DTSTART"), date):
        return False
    uid = _text(event.get("UID")).strip() or _made_up_uid(raw.schedule)
    event["UID"] = vText(uid)  # as cleaned: the recurrence library groups by it, we look it up
    recurrence_id = event.get("RECURRENCE-ID")
    if recurrence_id is not None and not _holds(recurrence_id, date):
        return False  # an override of an unknown occurrence: it would pass for the series
    for name, kind in (("DTEND", date), ("DURATION", timedelta)):
        if name in event and not _holds(event[name], kind):
            del event[name]  # unreadable: the event gets the default length instead
    if isinstance(event.get("SEQUENCE"), vBroken):
        del event["SEQUENCE"]
    for name in ("RDATE", "EXDATE"):
        if any(isinstance(v, vBroken) or not hasattr(v, "dts") for v in _values(event, name)):
            return False  # an unreadable date list would show wrong occurrences

    # Time zones: every date-time aware before the recurrence library sees it.
    for name in _TIMES:
        for prop in _values(event, name):
            tzid = prop.params.get("TZID") if getattr(prop, "params", None) else None
            zone = state.zones.zone(str(tzid), own_zones) if tzid else None
            items = prop.dts if hasattr(prop, "dts") else [prop]
            for item in items:
                item.dt = _settle(item.dt, zone, calendar_zone, state.local_zone)

    start = event["DTSTART"].dt
    # An end before the start is a mistake (often an edited start). recurring-ical-events
    # would swap the two, which can make an event decades long; it gets the default instead.
    if "DTEND" in event and _aware(event["DTEND"].dt, state.local_zone) < _aware(
            start, state.local_zone):
        del event["DTEND"]
    if "DTEND" not in event and "DURATION" in event and event["DURATION"].dt < timedelta(0):
        del event["DURATION"]
    # The same mistake the other way round: a repeating event that lasts over a year (a start
    # moved back by years). Every occurrence would overlap every window.
    if "RRULE" in event or "RDATE" in event:
        for name in ("DTEND", "DURATION"):
            if name in event and _length(start, event[name].dt, state.local_zone) > _YEAR:
                del event[name]
    if "DTEND" not in event and "DURATION" not in event and isinstance(start, datetime):
        event.add("DURATION", DEFAULT_EVENT_LENGTH)

    rules = _values(event, "RRULE")
    kept = []
    for rule in rules:
        if not isinstance(rule, vRecur):
            return False  # unreadable: the series cannot be computed
        if "COUNT" in rule and "UNTIL" in rule:
            del rule["COUNT"]  # RFC 5545 forbids both; dateutil warns (an error in tests)
        interval = _rule_part(rule, "INTERVAL")
        if "INTERVAL" in rule and not (isinstance(interval, int) and interval > 0):
            del rule["INTERVAL"]  # 0 or less: dateutil divides by it, or never moves on
        usable = _by_the_day(rule)
        if usable is None:
            return False  # a sub-daily rule dateutil could take hours over: not supported
        if _never_matches(usable, start):
            state.empty_rules += 1
            continue
        kept.append(usable)
        cost = _rule_cost(usable, start, state.local_zone)
        if cost is not None:
            state.costs.setdefault(uid, []).append(cost)
    if kept != rules:
        del event["RRULE"]
        for rule in kept:
            event.add("RRULE", rule)

    key = (uid, _instant_key(recurrence_id.dt) if recurrence_id is not None else None)
    rank = (_sequence(event), _stamp(event, "LAST-MODIFIED"), _stamp(event, "DTSTAMP"))
    previous = state.events.get(key)
    if previous is None or rank > previous[0]:
        record = _Record(uid, raw.details, is_override=recurrence_id is not None,
                         cancel_all=cancel_all)
        state.events[key] = (rank, event, record)
    return True
