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

import hashlib
import logging
import re
import threading
from bisect import bisect_left
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from itertools import chain
from typing import Any
from zoneinfo import ZoneInfo

import recurring_ical_events
from dateutil.rrule import rrulestr
from icalendar import (
    Calendar,
    ComponentFactory,
    Event,
    vBroken,
    vDDDTypes,
    vDuration,
    vRecur,
    vText,
)
from icalendar.cal.component import Component
from icalendar.parser import Contentline
from icalendar.parser.ical.component import ComponentIcalParser
from icalendar.timezone import tzp
from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

from microapp.core.links import LinkPattern, find_call_link
from microapp.core.meetings import Meeting, MeetingStatus
from microapp.core.sources import ErrorKind, SourceError

__all__ = ["DEFAULT_EVENT_LENGTH", "MAX_OCCURRENCES", "MAX_RULE_STEPS", "ParsedCalendar",
           "parse_calendar"]

log = logging.getLogger(__name__)

DEFAULT_EVENT_LENGTH = timedelta(minutes=30)
"""The length of an event with neither DTEND nor DURATION (an all-day one lasts one day)."""

MAX_RULE_STEPS = 100_000
"""How much of a repeat rule one query may compute: dateutil walks from DTSTART period by
period and makes every occurrence on the way; periods plus occurrences may not exceed this.
About 137 years of a daily rule, 5 of an hourly one, 14 hours of a secondly one."""

MAX_OCCURRENCES = 2_000
"""How many occurrences one series may add to one query: a daily meeting for five years, or
a rule no person keeps (every minute, every second) over a day or two."""

_NO_TITLE = "(no title)"

# Properties that place an event in time: parsed when the calendar is read.
_SCHEDULE = frozenset({
    "UID", "DTSTART", "DTEND", "DURATION", "RRULE", "RDATE", "EXDATE", "RECURRENCE-ID",
    "SEQUENCE", "DTSTAMP", "LAST-MODIFIED", "SUMMARY",
})
# Properties that describe a meeting: kept as text, parsed when an occurrence is asked for.
# SUMMARY is in both (it is also needed to make up a missing UID).
_CONFERENCE_PROPS = ("CONFERENCE", "X-GOOGLE-CONFERENCE", "X-MICROSOFT-SKYPETEAMSMEETINGURL",
                     "URL", "LOCATION", "DESCRIPTION")
_DETAILS = frozenset({"SUMMARY", "STATUS", "TRANSP", "X-MICROSOFT-CDO-BUSYSTATUS", "ATTENDEE",
                      *_CONFERENCE_PROPS})
_SINGLE = ("UID", "DTSTART", "DTEND", "DURATION", "RECURRENCE-ID", "SEQUENCE")
_TIMES = ("DTSTART", "DTEND", "RECURRENCE-ID", "RDATE", "EXDATE")

_STATUS = {"CONFIRMED": MeetingStatus.CONFIRMED, "TENTATIVE": MeetingStatus.TENTATIVE,
           "CANCELLED": MeetingStatus.CANCELLED}

_FREQ_STEP = {"SECONDLY": timedelta(seconds=1), "MINUTELY": timedelta(minutes=1),
              "HOURLY": timedelta(hours=1), "DAILY": timedelta(days=1),
              "WEEKLY": timedelta(days=7), "MONTHLY": timedelta(days=28),
              "YEARLY": timedelta(days=365)}
_DAY_FILTERS = ("BYMONTH", "BYMONTHDAY", "BYYEARDAY", "BYWEEKNO", "BYDAY")
_ALL_WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


# --- The result ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ParsedCalendar:
    """One calendar, read once. :meth:`meetings_between` may be called as often as needed, from
    any thread; it reuses what :func:`parse_calendar` built (the recurrence query included)."""

    name: str | None  # X-WR-CALNAME (or RFC 7986 NAME)
    min_refresh: timedelta | None  # REFRESH-INTERVAL or X-PUBLISHED-TTL, the larger if both
    warnings: tuple[str, ...]  # things repaired or left out, one short sentence each
    event_count: int  # VEVENT components read (overrides of a series included)
    skipped: int = 0  # events left out because they could not be read (also in ``warnings``)
    _index: _Index | None = field(default=None, repr=False, compare=False)

    def meetings_between(self, start: datetime, end: datetime, *, calendar_id: str,
                         my_emails: Collection[str] = (),
                         link_patterns: Sequence[LinkPattern] = ()) -> list[Meeting]:
        """Every occurrence overlapping [start, end), sorted by (start, title).

        Nothing is filtered out here (all-day, cancelled, declined, free and tentative meetings
        are flagged on the :class:`Meeting`) except cancelled single occurrences of a series
        (RECURRENCE-ID with STATUS:CANCELLED): that occurrence no longer exists. Never raises
        for anything in the calendar; a series that cannot be computed is left out and logged.
        """
        if start.tzinfo is None or end.tzinfo is None:
            raise ValueError("meetings_between needs timezone-aware start and end")
        if self._index is None or end <= start:
            return []
        found = self._index.meetings(start, end, _Ask(
            calendar_id, frozenset(email.strip().lower() for email in my_emails),
            tuple(link_patterns)))
        found.sort(key=lambda m: (m.start, m.title, m.uid))
        return found


@dataclass(frozen=True)
class _Ask:
    calendar_id: str
    my_emails: frozenset[str]
    patterns: tuple[LinkPattern, ...]


@dataclass(frozen=True)
class _Single:
    """An event that happens once: placed in time at parse time, found by bisection."""

    start: datetime
    end: datetime
    all_day: bool
    record: _Record
    # The same instants in UTC, to sort and compare by: an offset lookup in a zone made from a
    # VTIMEZONE (dateutil) costs tens of microseconds, and sorting makes many.
    start_utc: datetime
    end_utc: datetime


_LONG = timedelta(days=2)  # one-off events longer than this are checked one by one


@dataclass
class _Index:
    """What a query needs: one-off events sorted by start, and the recurrence-ical-events query
    for the series (events with RRULE, RDATE or EXDATE, or with overrides)."""

    local_zone: tzinfo
    singles: list[_Single]  # sorted by start, none longer than _LONG
    long_singles: list[_Single]
    query: recurring_ical_events.CalendarQuery
    records: dict[tuple[str, Any], _Record]  # by UID and RECURRENCE-ID, see _occurrence_key
    costs: dict[str, tuple[_RuleCost, ...]]  # by UID
    _starts: list[datetime] = field(init=False)  # of ``singles``, in UTC
    _trouble: set[str] = field(default_factory=set)
    # dateutil (2.9) keeps the lock of a cached rule when its iteration raises or ends, and
    # waits for it on the next step, forever. recurring-ical-events caches every rule. So a
    # series that raised once is never asked again, and queries run one at a time.
    _dead: set[int] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self._starts = [single.start_utc for single in self.singles]

    def meetings(self, start: datetime, end: datetime, ask: _Ask) -> list[Meeting]:
        with self._lock:
            return self._meetings(start.astimezone(UTC), end.astimezone(UTC), ask)

    def _meetings(self, start: datetime, end: datetime, ask: _Ask) -> list[Meeting]:
        found: list[Meeting] = []
        first = bisect_left(self._starts, start - _LONG)
        last = bisect_left(self._starts, end)
        for single in chain(self.singles[first:last], self.long_singles):
            if not _overlaps(single.start_utc, single.end_utc, start, end):
                continue
            try:
                meeting = self._meeting(single.record, single.start, single.end,
                                        single.all_day, ask)
            except Exception:  # calendar content must never raise out of here
                self._note_trouble(single.record.uid, "could not be read; it is left out",
                                   exc_info=True)
                continue
            if meeting is not None:
                found.append(meeting)
        # Dates (all-day events) are compared as midnight in the zone of the span: local time.
        lo, hi = start.astimezone(self.local_zone), end.astimezone(self.local_zone)
        for series in self.query.series:
            uid = str(series.uid)
            if id(series) in self._dead or self._too_costly(uid, hi):
                continue
            occurrences = []
            try:
                for occurrence in series.between(lo, hi):
                    if len(occurrences) == MAX_OCCURRENCES:
                        self._note_trouble(uid, f"has more than {MAX_OCCURRENCES} occurrences "
                                                "in one query; the rest are left out")
                        break
                    occurrences.append(occurrence)
            except Exception:  # calendar content must never raise out of here
                self._dead.add(id(series))
                self._note_trouble(uid, "could not be computed; it is left out",
                                   exc_info=True)
                continue
            for occurrence in occurrences:
                try:
                    first_moment = _aware(occurrence.start, self.local_zone)
                    last_moment = _aware(occurrence.end, self.local_zone)
                    if last_moment < first_moment:
                        first_moment, last_moment = last_moment, first_moment
                    if not _overlaps(first_moment, last_moment, start, end):
                        continue
                    record = self.records[_occurrence_key(occurrence.uid,
                                                          occurrence.recurrence_ids)]
                    meeting = self._meeting(record, first_moment, last_moment,
                                            not isinstance(occurrence.start, datetime), ask)
                except Exception:
                    self._note_trouble(uid, "has an occurrence that could not be read; it is "
                                            "left out", exc_info=True)
                    continue
                if meeting is not None:
                    found.append(meeting)
        return found

    def _too_costly(self, uid: str, until: datetime) -> bool:
        for cost in self.costs.get(uid, ()):
            if cost.steps_to(until) > MAX_RULE_STEPS:
                self._note_trouble(uid, f"repeats too often to compute (FREQ={cost.freq}, "
                                        f"from {cost.start.date().isoformat()}); it is left "
                                        "out")
                return True
        return False

    def _note_trouble(self, uid: str, what: str, *, exc_info: bool = False) -> None:
        key = f"{uid}\x1f{what}"
        if key not in self._trouble:  # log each problem once, not on every query
            self._trouble.add(key)
            log.warning("calendar event %r %s", uid, what, exc_info=exc_info)

    @staticmethod
    def _meeting(record: _Record, start: datetime, end: datetime, all_day: bool,
                 ask: _Ask) -> Meeting | None:
        details = record.details()
        status = MeetingStatus.CANCELLED if record.cancel_all else details.status
        if status is MeetingStatus.CANCELLED and record.is_override:
            return None  # a cancelled occurrence of a series: it no longer exists
        link = details.link(ask.patterns)
        return Meeting(
            title=details.title,
            start=start,
            end=end,
            calendar=ask.calendar_id,
            uid=record.uid,
            status=status,
            all_day=all_day,
            transparent=details.transparent,
            declined=any(email.lower() in ask.my_emails and partstat == "DECLINED"
                         for email, partstat in details.attendees),
            join_url=link.url if link else None,
            service=link.service if link else None,
            location=details.location,
            attendees=tuple(email for email, _ in details.attendees),
        )


def _occurrence_key(uid: Any, recurrence_ids: Sequence[Any]) -> tuple[str, Any]:
    """Which VEVENT an occurrence came from: its UID and RECURRENCE-ID (None for the master),
    as recurring-ical-events identifies them (the RECURRENCE-ID as naive UTC)."""
    return str(uid), recurrence_ids[0] if recurrence_ids else None


def _overlaps(first: datetime, last: datetime, start: datetime, end: datetime) -> bool:
    if first == last:  # a zero-length event belongs where it starts
        return start <= first < end
    return first < end and start < last


def _aware(value: date | datetime, local_zone: tzinfo) -> datetime:
    """A DATE is local midnight; a date-time without a zone (should not be left) is local."""
    if not isinstance(value, datetime):
        return datetime.combine(value, time(), tzinfo=local_zone)
    if value.tzinfo is None:
        return value.replace(tzinfo=local_zone)
    return value


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


# --- Guards against endless recurrence ---------------------------------------------------------


@dataclass(frozen=True)
class _RuleCost:
    """What one RRULE costs dateutil to reach a time: it walks from DTSTART one period
    (FREQ x INTERVAL) at a time and makes every occurrence on the way."""

    freq: str
    start: datetime  # DTSTART, UTC
    step: timedelta  # one period
    per_step: int  # the most occurrences one period can make (BY... parts that expand it)
    count: int | None  # COUNT: no more occurrences than that
    limits_steps: bool  # no BY... parts: every period makes one, so COUNT also ends the walk
    until: datetime | None  # UNTIL, UTC

    def steps_to(self, when: datetime) -> float:
        """Periods walked plus occurrences made to reach ``when``."""
        end = when if self.until is None else min(when, self.until)
        periods = max(0.0, (end - self.start) / self.step)
        made = periods * self.per_step
        if self.count is not None:
            made = min(made, self.count)
            if self.limits_steps:
                periods = min(periods, self.count)
        return periods + made


_DAYS_PER_PERIOD = {"YEARLY": 366, "MONTHLY": 31, "WEEKLY": 7}
_TIME_PARTS = (("BYHOUR", ("YEARLY", "MONTHLY", "WEEKLY", "DAILY")),
               ("BYMINUTE", ("YEARLY", "MONTHLY", "WEEKLY", "DAILY", "HOURLY")),
               ("BYSECOND", ("YEARLY", "MONTHLY", "WEEKLY", "DAILY", "HOURLY", "MINUTELY")))


def _rule_cost(rule: vRecur, start: date | datetime, local_zone: tzinfo) -> _RuleCost | None:
    freq = str(_rule_part(rule, "FREQ") or "").upper()
    if freq not in _FREQ_STEP:
        return None  # the recurrence library rejects it: nothing to guard
    keys = {key.upper() for key in rule}
    per_step = 1
    if freq in _DAYS_PER_PERIOD and keys & set(_DAY_FILTERS):
        per_step = _DAYS_PER_PERIOD[freq]
    for part, expanded_in in _TIME_PARTS:
        if freq in expanded_in and part in keys:
            per_step *= max(1, len(_as_list(rule[part])))
    interval = _rule_part(rule, "INTERVAL")
    interval = interval if isinstance(interval, int) and interval > 0 else 1
    count = _rule_part(rule, "COUNT")
    until = _rule_part(rule, "UNTIL")
    return _RuleCost(
        freq=freq,
        start=_aware(start, local_zone).astimezone(UTC),
        step=_FREQ_STEP[freq] * interval,
        per_step=per_step,
        count=count if isinstance(count, int) and count >= 0 else None,
        limits_steps=not any(key.startswith("BY") for key in keys),
        until=_aware(until, local_zone).astimezone(UTC) if isinstance(until, date) else None,
    )


def _rule_part(rule: vRecur, key: str) -> Any:
    value = rule.get(key)
    if isinstance(value, list):
        return value[0] if value else None
    return value


_FINER_THAN_DAILY = {"HOURLY": ("BYHOUR",), "MINUTELY": ("BYHOUR", "BYMINUTE"),
                     "SECONDLY": ("BYHOUR", "BYMINUTE", "BYSECOND")}
_ALL_VALUES = {"BYHOUR": list(range(24)), "BYMINUTE": list(range(60)),
               "BYSECOND": list(range(60))}


def _by_the_day(rule: vRecur) -> vRecur | None:
    """An hourly, minutely or secondly rule with BY... filters, as the daily rule that lists
    its times (the same occurrences), or None when that cannot be done.

    dateutil walks such a rule one period at a time, also through hours and days the filters
    reject: FREQ=SECONDLY;BYHOUR=9;BYYEARDAY=-190 takes it minutes to hours to reach a window.
    The daily form is walked one day at a time. With an INTERVAL above 1 or a BYSETPOS the
    two are not the same; no calendar program writes those, so they are not supported, and
    neither is dateutil's own BYEASTER.
    """
    freq = str(_rule_part(rule, "FREQ") or "").upper()
    keys = {key.upper() for key in rule}
    if "BYEASTER" in keys:
        return None  # dateutil's own extension, in no standard; unchecked by _never_matches
    if freq not in _FINER_THAN_DAILY or not any(key.startswith("BY") for key in keys):
        return rule
    if _rule_part(rule, "INTERVAL") not in (None, 1) or "BYSETPOS" in keys:
        return None
    daily = vRecur({key.upper(): value for key, value in rule.items()})
    daily["FREQ"] = ["DAILY"]
    for part in _FINER_THAN_DAILY[freq]:
        if part not in keys:
            daily[part] = _ALL_VALUES[part]
    return daily


def _never_matches(rule: vRecur, start: date | datetime) -> bool:
    """Whether ``rule`` can never fall on any day, e.g. FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30.

    dateutil only stops looking for the next occurrence at the year 9999, which takes seconds
    (or, stepping by seconds, forever) on every query. The calendar repeats every 400 years
    (146 097 days, a whole number of weeks), so a rule is tried from the same point of a
    400-year cycle that starts in the 9200s: it either falls on a day within 400 years or never
    does, and dateutil gives up at 9999 at the latest.

    Rules that step by days or finer are first tried as the yearly rule with the same day
    filters (a few hundred steps): if no day of the year can match, no step size helps. Their
    BYSETPOS picks from the times of one period, the same every day, so whether it can pick
    anything is known without stepping at all. Only then, for an INTERVAL above 1 (which may
    skip every matching day), are they stepped through; that walk is long only when steps are
    a whole number of days, so it stays within ~300 000 steps.
    """
    if not any(key.upper().startswith("BY") for key in rule):
        return False
    parts: dict[str, Any] = {key.upper(): value for key, value in rule.items()
                             if key.upper() not in ("COUNT", "UNTIL")}
    freq = str(_rule_part(rule, "FREQ") or "").upper()
    if freq in ("DAILY", "HOURLY", "MINUTELY", "SECONDLY"):
        days = {key: parts[key] for key in _DAY_FILTERS if key in parts}
        if "BYDAY" in days:  # ordinals mean nothing for daily rules
            days["BYDAY"] = sorted({str(day)[-2:].upper() for day in _as_list(days["BYDAY"])})
        elif not {"BYMONTHDAY", "BYYEARDAY", "BYWEEKNO"} & days.keys():
            days["BYDAY"] = _ALL_WEEKDAYS  # every day is a candidate
        if _first_in_cycle({"FREQ": "YEARLY", **days}, start):
            return True
        if "BYSETPOS" in parts:
            size = 1  # the times of one period: distinct values, as dateutil counts them
            for part, expanded_in in _TIME_PARTS:
                if freq in expanded_in and part in parts:
                    size *= max(1, len({str(v) for v in _as_list(parts[part])}))
            positions = [p for p in _as_list(parts["BYSETPOS"]) if isinstance(p, int)]
            if not any(1 <= abs(p) <= size for p in positions):
                return True
        if _rule_part(rule, "INTERVAL") in (None, 1):
            return False  # every day is visited: a day that matches will be reached
    return _first_in_cycle(parts, start)


def _first_in_cycle(parts: dict[str, Any], start: date | datetime) -> bool:
    """True when the rule made of ``parts`` has no occurrence from ``start``'s place in a
    400-year cycle that begins in the 9200s (see :func:`_never_matches`)."""
    naive = start if isinstance(start, datetime) else datetime.combine(start, time())
    naive = naive.replace(tzinfo=None)
    shift = max(0, -(-(9200 - naive.year) // 400)) * 400
    try:
        probe = rrulestr(vRecur(parts).to_ical().decode(), dtstart=naive.replace(
            year=naive.year + shift))
        return next(iter(probe), None) is None
    except Exception:  # a rule dateutil rejects is the recurrence library's case
        return False


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


# --- Bytes to logical lines --------------------------------------------------------------------

_CHUNK = 1 << 18  # work on 256 KiB at a time: no single C call holds the GIL for long


def _logical_lines(data: bytes) -> Iterator[str]:
    """Unfolded content lines, decoded. Blank lines are dropped (also between a line and its
    continuation, as icalendar does)."""
    pending: list[str] = []
    for physical in _physical_lines(data):
        if physical[:1] == "\ufeff":  # a byte order mark, also one after server noise
            physical = physical[1:]
        if physical[:1] in (" ", "\t"):
            if pending:
                pending.append(physical[1:])
        elif physical.strip():
            if pending:
                yield "".join(pending)
            pending = [physical]
    if pending:
        yield "".join(pending)


def _physical_lines(data: bytes) -> Iterator[str]:
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):  # UTF-16 with a byte order mark (Windows tools)
        text = data.decode("utf-16", errors="replace")
        yield from text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        return
    position = 0
    while position < len(data):
        # Chunks end just after a LF, so no line (and no CRLF) is cut between two of them.
        cut = data.find(b"\n", position + _CHUNK)
        cut = len(data) if cut < 0 else cut + 1
        chunk = data[position:cut].replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        position = cut
        yield from _decode_lines(_join_split_characters(chunk.split(b"\n")))


def _join_split_characters(lines: list[bytes]) -> list[bytes]:
    """Some exporters fold at exactly 75 bytes, cutting a UTF-8 character in two. Join such a
    line with its continuation at the byte level, before decoding, so the character survives.
    The joined line is marked as not a continuation any more."""
    out: list[bytes] = []
    for line in lines:
        if out and line[:1] in (b" ", b"\t") and _ends_mid_character(out[-1]):
            out[-1] += line[1:]
        else:
            out.append(line)
    return out


def _ends_mid_character(line: bytes) -> bool:
    tail = line[-3:]
    for back in range(1, len(tail) + 1):
        byte = tail[-back]
        if byte & 0xC0 == 0x80:  # a continuation byte: look further back for the lead byte
            continue
        if byte >= 0xC0:  # a lead byte: how many bytes should follow it?
            need = 1 if byte < 0xE0 else 2 if byte < 0xF0 else 3
            return need >= back
        return False
    return False


def _decode_lines(lines: list[bytes]) -> Iterator[str]:
    try:
        yield from b"\n".join(lines).decode("utf-8").split("\n")
    except UnicodeDecodeError:
        for line in lines:
            try:
                yield line.decode("utf-8")
            except UnicodeDecodeError:
                # Not UTF-8: older Outlook and Exchange exports are Windows-1252.
                yield line.decode("cp1252", errors="replace")


# --- Logical lines to raw components ------------------------------------------------------------


class _NotCalendar(Exception):
    """Why one document could not be used; the text completes "<source> …"."""


@dataclass
class _RawEvent:
    schedule: list[str]
    details: list[str]


@dataclass
class _RawCalendar:
    properties: list[str] = field(default_factory=list)
    timezones: list[list[str]] = field(default_factory=list)
    events: list[_RawEvent] = field(default_factory=list)


_NAME = re.compile(r"[^;:]*")


def _line_name(line: str) -> str:
    match = _NAME.match(line)
    return match.group().strip().upper() if match else ""


def _begin_end(line: str) -> tuple[str, str] | None:
    """("BEGIN" | "END", component name) for a BEGIN/END line, else None."""
    head = line[:6].upper()
    if head.startswith("BEGIN:"):
        return "BEGIN", line[6:].strip().upper()
    if head[:4] == "END:":
        return "END", line[4:].strip().upper()
    return None


# Components that only ever stand directly in a VCALENDAR: one starting means the one before
# has ended, whether or not its END line is there.
_TOP_LEVEL = frozenset({"VEVENT", "VTODO", "VJOURNAL", "VFREEBUSY", "VTIMEZONE",
                        "VAVAILABILITY"})


class _Block:
    """The lines of one top-level component while it is read; tracks what is open inside."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.open = [name]  # names of the components open, outermost first
        self.lines = [f"BEGIN:{name}"]  # everything, for a VTIMEZONE
        self.own = []  # its own properties (not those of a VALARM in it), for a VEVENT

    def add(self, line: str, marker: tuple[str, str] | None) -> bool:
        """Take one line; True when the component is complete."""
        if marker is None:
            self.lines.append(line)
            if len(self.open) == 1:
                self.own.append(line)
        elif marker[0] == "BEGIN":
            self.open.append(marker[1])
            self.lines.append(line)
        elif marker[1] in self.open:  # also closes what was left open inside it
            while self.open.pop() != marker[1]:
                self.lines.append(f"END:{marker[1]}")
            self.lines.append(line)
        # else: an END for nothing open here, ignored
        return not self.open


def _split_document(lines: Iterable[str]) -> list[_RawCalendar]:
    """The VCALENDARs of one document, each with its properties, VTIMEZONE blocks and events.

    Tolerant where no meaning is lost: text before BEGIN:VCALENDAR or after END:VCALENDAR (web
    server noise) and stray END lines are ignored, a lost END line is assumed where the next
    event (or other top-level component) begins, other components (VTODO, VALARM...) are passed
    over. A VCALENDAR without its END is not accepted: a cut-off download is better refused,
    so that the last good copy stays in use.
    """
    calendars: list[_RawCalendar] = []
    current: _RawCalendar | None = None
    block: _Block | None = None
    saw_content = False
    for line in lines:
        saw_content = True
        marker = _begin_end(line)
        if current is None:
            if marker == ("BEGIN", "VCALENDAR"):
                current = _RawCalendar()
            continue
        if marker == ("END", "VCALENDAR"):
            if block is not None:
                _finish_block(current, block)
                block = None
            calendars.append(current)
            current = None
            continue
        if marker is not None and marker[0] == "BEGIN" and (
                block is None or marker[1] in _TOP_LEVEL):
            if block is not None:
                _finish_block(current, block)  # its END line was lost
            block = _Block(marker[1])
            continue
        if block is None:
            if marker is None:
                current.properties.append(line)
            continue  # a stray END line at calendar level: ignored
        if block.add(line, marker):
            _finish_block(current, block)
            block = None
    if current is not None:
        raise _NotCalendar("is incomplete: it ends before END:VCALENDAR (cut off?)")
    if not calendars:
        if not saw_content:
            raise _NotCalendar("is empty")
        raise _NotCalendar("is not a calendar: it has no BEGIN:VCALENDAR")
    return calendars


def _finish_block(calendar: _RawCalendar, block: _Block) -> None:
    if block.name == "VTIMEZONE":  # with END lines for whatever was left open
        calendar.timezones.append(block.lines + [f"END:{name}" for name in reversed(block.open)])
    elif block.name == "VEVENT":
        event = _RawEvent([], [])
        for line in block.own:
            name = _line_name(line)
            if name in _SCHEDULE:
                event.schedule.append(line)
            if name in _DETAILS:
                event.details.append(line)
        calendar.events.append(event)


# --- Raw lines to icalendar components ----------------------------------------------------------


class _TolerantParser(ComponentIcalParser):
    """icalendar's parser, made to keep going and to leave time zones to us.

    Every component keeps a line it cannot read as a broken property instead of failing (the
    stock parser does that only inside VEVENT, so one bad VALARM line lost a whole calendar).
    Date-times are read without their TZID (as floating) and placed in a zone afterwards by
    :class:`_Zones`; that also keeps icalendar's process-wide time zone cache out of it, which
    would otherwise remember the first VTIMEZONE ever seen for a TZID (e.g. Outlook's
    "Customized Time Zone") for every later calendar, and warn about guessed TZIDs.
    """

    datetime_names = ()

    def handle_begin_component(self, vals: str) -> None:
        super().handle_begin_component(vals)
        self._stack[-1].ignore_exceptions = True

    def handle_end_component(self, vals: str) -> None:
        if not self._stack:
            raise ValueError("END without BEGIN")
        component = self._stack.pop()
        if self._stack:
            self._stack[-1].add_component(component)
        else:
            self._components.append(component)


class _Unknown(Component):
    """Any component icalendar has no class for; the parser gives each instance its name."""

    name = ""


class _Factory(ComponentFactory):
    """icalendar's factory makes (and keeps, for good) a new class for every unknown component
    name it meets; calendar text is untrusted, so unknown names share one class instead."""

    def get_component_class(self, name: str) -> type[Component]:
        return self.get(name) or _Unknown


_FACTORY = _Factory()


def _parse_block(name: str, lines: list[str]) -> Component | None:
    """Parse the properties (and sub-components) ``lines`` as one ``name`` component."""
    content = [Contentline(f"BEGIN:{name}")]
    for line in lines:
        marker = _begin_end(line)
        if marker == ("BEGIN", name) and len(content) == 1:
            continue  # the block's own BEGIN line, when it is included
        content.append(Contentline(line))
    if _begin_end(content[-1]) != ("END", name):
        content.append(Contentline(f"END:{name}"))
    components = _TolerantParser(content, _FACTORY, Calendar.types_factory).parse()
    return components[0] if len(components) == 1 else None


# --- Time zones --------------------------------------------------------------------------------


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


def _why_not(data: bytes, reason: str) -> str:
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if reason.startswith("is not a calendar") and head.startswith((b"<!doctype html", b"<html",
                                                                   b"<head", b"<?xml", b"<")):
        return "is a web page, not a calendar (is the address right?)"
    if reason == "is empty" or not data.strip():
        return "is empty"
    return reason


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


def _holds(prop: Any, kind: type | tuple[type, ...]) -> bool:
    """Whether ``prop`` is a readable single property whose value is a ``kind``."""
    if prop is None or isinstance(prop, vBroken | list):
        return False
    return isinstance(getattr(prop, "dt", None), kind)


class _Query(recurring_ical_events.CalendarQuery):
    """Skip a series that cannot be built, whatever the error (it is counted as skipped)."""

    suppressed_errors = [Exception]  # noqa: RUF012 - the library's own class attribute


def _build_index(state: _Parse) -> tuple[_Index, int]:
    """The query structures, and how many events (by UID) could not be placed in time."""
    by_uid: dict[str, list[tuple[Event, _Record]]] = {}
    for (uid, _), (_, event, record) in state.events.items():
        by_uid.setdefault(uid, []).append((event, record))
    singles: list[_Single] = []
    calendar = Calendar()
    records: dict[tuple[str, Any], _Record] = {}
    failed = 0
    for members in by_uid.values():
        if len(members) == 1 and not any(
                name in members[0][0] for name in ("RRULE", "RDATE", "EXDATE", "RECURRENCE-ID")):
            event, record = members[0]
            try:
                single = _single(event, record, state.local_zone)
            except Exception:
                log.debug("event could not be placed in time", exc_info=True)
                failed += 1
                continue
            singles.append(single)
            continue
        for event, record in members:
            adapter = recurring_ical_events.EventAdapter(event)
            records[_occurrence_key(adapter.uid, adapter.recurrence_ids)] = record
            calendar.add_component(event)
    query = _Query(calendar, skip_bad_series=True)
    failed += len({str(event["UID"]) for event in calendar.subcomponents}) - len(query.series)
    singles.sort(key=lambda single: single.start_utc)
    short = [single for single in singles if single.end_utc - single.start_utc <= _LONG]
    long = [single for single in singles if single.end_utc - single.start_utc > _LONG]
    index = _Index(state.local_zone, short, long, query, records,
                   {uid: tuple(costs) for uid, costs in state.costs.items()})
    return index, failed


def _single(event: Event, record: _Record, local_zone: tzinfo) -> _Single:
    """Place a one-off event in time the way recurring-ical-events would (its EventAdapter)."""
    adapter = recurring_ical_events.EventAdapter(event)
    start_value, end_value = adapter.start, adapter.end
    start, end = _aware(start_value, local_zone), _aware(end_value, local_zone)
    if end < start:
        start, end = end, start
    return _Single(start, end, not isinstance(start_value, datetime), record,
                   start.astimezone(UTC), end.astimezone(UTC))
