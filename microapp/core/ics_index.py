"""The parsed calendar and its queries, for the iCalendar reader (:mod:`microapp.core.ics`).

:class:`ParsedCalendar` is what :func:`~microapp.core.ics.parse_calendar` returns. One-off
events are kept sorted by start and found by bisection; the recurrence query
(recurring-ical-events) only holds the series. Occurrences become :class:`Meeting` objects.
"""

from __future__ import annotations

import logging
import threading
from bisect import bisect_left
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from itertools import chain
from typing import TYPE_CHECKING, Any

import recurring_ical_events
from icalendar import Calendar, Event

from microapp.core.ics_rules import MAX_OCCURRENCES, MAX_RULE_STEPS, _RuleCost
from microapp.core.ics_values import _aware
from microapp.core.links import LinkPattern
from microapp.core.meetings import Meeting, MeetingStatus

if TYPE_CHECKING:
    from microapp.core.ics import _Parse, _Record

log = logging.getLogger("microapp.core.ics")  # one logger for the whole reader


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
