"""Streaks and habit strength for the two practices (pause and gratitude).

Everything here works on practice days (:class:`datetime.date`), never on instants: the caller
has already decided which practice day each event belongs to, so the results cannot depend on
a time zone, a DST change or the hour the code runs at. Calendar days are walked with
``day + timedelta(days=1)``.

Each practice day is in one :class:`DayState`:

* ``DONE`` - pause: at least one ``completed`` pause; gratitude: at least one entry.
* ``NEUTRAL`` - pause: no pause event at all; gratitude: a rest weekday without an entry.
* ``MISSED`` - any other day that has ended.
* ``PENDING`` - today, while it is not done (today is never missed before it ends).

A streak is a run of done days in which neutral days are passed over and a missed day is
*forgiven* when neither calendar neighbour is missed and no other forgiven day lies in the six
calendar days before it (decided left to right). Any other missed day ends the run. Neutral and
forgiven days add nothing to the length.

All functions are single linear passes over the calendar days involved.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from types import MappingProxyType

__all__ = [
    "EMPTY",
    "PAUSE_OUTCOMES",
    "STRENGTH_MULTIPLIER",
    "DayState",
    "StreakSummary",
    "gratitude_day_states",
    "gratitude_streaks",
    "pause_day_states",
    "pause_streaks",
    "summarize",
]

PAUSE_OUTCOMES = ("completed", "skipped", "suppressed", "missed")
"""Every outcome a logged pause can have; only ``completed`` makes its day done."""

STRENGTH_MULTIPLIER = 0.5 ** (1 / 13)
"""Per-day decay of the strength score: an old day's weight halves every 13 counted days."""

_COMPLETED = PAUSE_OUTCOMES[0]
_ONE_DAY = timedelta(days=1)
# A forgiven day blocks forgiveness of any miss up to this many calendar days after it.
_FORGIVENESS_GAP_DAYS = 6


class DayState(StrEnum):
    """What one practice day counts as."""

    DONE = "done"
    NEUTRAL = "neutral"
    MISSED = "missed"
    PENDING = "pending"


@dataclass(frozen=True)
class StreakSummary:
    """The streak figures of one practice, as of one day."""

    current: int
    longest: int
    strength: float
    """Habit strength in 0..1 (an exponential moving average of done vs missed days)."""
    forgiven: frozenset[date]
    """Missed days that were forgiven (still ``MISSED`` in :attr:`states`; the UI marks them)."""
    states: Mapping[date, DayState] = field(hash=False)
    """Every calendar day from the first event day through today, in order (read-only)."""

    def as_dict(self) -> dict[str, int | float]:
        """The numbers only, e.g. for JSON export: strength is rounded to 3 places."""
        return {
            "current": self.current,
            "longest": self.longest,
            "strength": round(self.strength, 3),
        }


EMPTY = StreakSummary(
    current=0, longest=0, strength=0.0, forgiven=frozenset(), states=MappingProxyType({})
)


def _check_day(value: object, what: str) -> date:
    # datetime is a subclass of date, and a datetime key would silently never equal a date key;
    # taking .date() here would pick a time zone behind the caller's back, so refuse instead.
    if isinstance(value, datetime) or not isinstance(value, date):
        raise TypeError(f"{what} must be a datetime.date (a practice day), got {value!r}")
    return value


def _calendar_days(first: date, last: date) -> Iterable[date]:
    day = first
    while day <= last:
        yield day
        day += _ONE_DAY


def pause_day_states(
    outcomes_by_day: Mapping[date, Iterable[str]], today: date
) -> dict[date, DayState]:
    """The state of every calendar day from the first pause event through ``today``.

    ``outcomes_by_day`` maps a practice day to the outcomes of the pauses logged that day.
    Days after ``today`` are ignored; a day absent from the mapping, or mapped to an empty
    collection, is neutral and cannot be the first day. Today is ``DONE`` or ``PENDING``.
    An outcome other than ``completed`` (including one not in :data:`PAUSE_OUTCOMES`) is an
    event that does not complete the day.
    """
    _check_day(today, "today")
    non_neutral: dict[date, DayState] = {}
    for day, outcomes in outcomes_by_day.items():
        _check_day(day, "a pause day")
        if day > today:
            continue
        has_event = False
        for outcome in outcomes:
            has_event = True
            if outcome == _COMPLETED:
                non_neutral[day] = DayState.DONE
                break
        else:
            if has_event:
                non_neutral[day] = DayState.MISSED
    if not non_neutral:
        return {}
    states: dict[date, DayState] = {}
    for day in _calendar_days(min(non_neutral), today):
        states[day] = non_neutral.get(day, DayState.NEUTRAL)
    if states[today] is not DayState.DONE:
        states[today] = DayState.PENDING
    return states


def gratitude_day_states(
    entry_days: Iterable[date], today: date, rest_weekdays: Collection[int] = ()
) -> dict[date, DayState]:
    """The state of every calendar day from the first gratitude entry through ``today``.

    ``entry_days`` are the practice days that have at least one entry (duplicates are fine);
    days after ``today`` are ignored. ``rest_weekdays`` uses :meth:`date.weekday` numbering
    (Monday is 0): such a day without an entry is neutral, with an entry it is done.
    Today is ``DONE`` or ``PENDING``.
    """
    _check_day(today, "today")
    rest = frozenset(rest_weekdays)
    if not rest <= frozenset(range(7)):
        raise ValueError(f"rest weekdays must be in 0..6 (Monday=0), got {sorted(rest)!r}")
    entries = {_check_day(day, "an entry day") for day in entry_days}
    entries = {day for day in entries if day <= today}
    if not entries:
        return {}
    states: dict[date, DayState] = {}
    for day in _calendar_days(min(entries), today):
        if day in entries:
            states[day] = DayState.DONE
        elif day == today:
            states[day] = DayState.PENDING
        elif day.weekday() in rest:
            states[day] = DayState.NEUTRAL
        else:
            states[day] = DayState.MISSED
    return states


def _normalized(states: Mapping[date, DayState], today: date) -> dict[date, DayState]:
    """Every calendar day from the first day in ``states`` through ``today``.

    Gaps are neutral, days after today are dropped, today is ``DONE`` or ``PENDING``. A
    ``PENDING`` day before today (e.g. states computed yesterday) says nothing about what
    happened, so it is neutral rather than missed.
    """
    days = [_check_day(day, "a state day") for day in states]
    first = min((day for day in days if day <= today), default=None)
    if first is None:
        return {}
    full: dict[date, DayState] = {}
    for day in _calendar_days(first, today):
        raw = states.get(day)
        state = DayState.NEUTRAL if raw is None else DayState(raw)
        if state is DayState.PENDING:
            state = DayState.NEUTRAL
        full[day] = state
    if full[today] is not DayState.DONE:
        full[today] = DayState.PENDING
    return full


def summarize(states: Mapping[date, DayState], today: date) -> StreakSummary:
    """Current and longest streak, strength and forgiven days of one practice.

    ``states`` is normally the output of :func:`pause_day_states` or
    :func:`gratitude_day_states`; any mapping is accepted and normalised first (see
    :func:`_normalized`). One forward pass decides forgiveness left to right, tracks the run
    in progress and the longest run, and updates the strength.
    """
    _check_day(today, "today")
    full = _normalized(states, today)
    if not full:
        return EMPTY

    m = STRENGTH_MULTIPLIER
    strength = 0.0
    forgiven: list[date] = []
    last_forgiven: date | None = None
    # Done days in the run in progress; an unforgiven miss resets it to 0. After the loop it is
    # the current streak: looking back from today, the first day reached (neutral days and a
    # pending today passed over) is the last done-or-missed day; if it is an unforgiven miss,
    # run is 0; otherwise it belongs to the run in progress, whose length run is.
    run = 0
    longest = 0

    for day, state in full.items():
        if state is DayState.DONE:
            run += 1
            longest = max(longest, run)
            strength = strength * m + (1 - m)
        elif state is DayState.MISSED:
            # Neighbours are calendar days; today (the last key) is never MISSED, and a day
            # before the first one does not exist, so .get() returning None means "not missed".
            neighbour_missed = (
                full.get(day - _ONE_DAY) is DayState.MISSED
                or full.get(day + _ONE_DAY) is DayState.MISSED
            )
            too_soon = (
                last_forgiven is not None and (day - last_forgiven).days <= _FORGIVENESS_GAP_DAYS
            )
            if neighbour_missed or too_soon:
                run = 0
            else:
                forgiven.append(day)
                last_forgiven = day
            strength = strength * m
        # NEUTRAL and PENDING days are passed over.

    return StreakSummary(
        current=run,
        longest=longest,
        strength=min(max(strength, 0.0), 1.0),
        forgiven=frozenset(forgiven),
        states=MappingProxyType(full),
    )


def pause_streaks(outcomes_by_day: Mapping[date, Iterable[str]], today: date) -> StreakSummary:
    """:func:`summarize` of :func:`pause_day_states`."""
    return summarize(pause_day_states(outcomes_by_day, today), today)


def gratitude_streaks(
    entry_days: Iterable[date], today: date, rest_weekdays: Collection[int] = ()
) -> StreakSummary:
    """:func:`summarize` of :func:`gratitude_day_states`."""
    return summarize(gratitude_day_states(entry_days, today, rest_weekdays), today)
