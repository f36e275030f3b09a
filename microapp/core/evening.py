"""When to invite the evening sentence of gratitude, and whether to do it now.

Pure decisions over aware instants: the caller (the UI's scheduler) keeps the little state,
sets one timer to ``wake_at`` and asks again when it fires, on wake, on a zone change and
when the settings change. Instants are compared in UTC; dates move in calendar days.

The rules (DESIGN.md, issue 5): at a local wall-clock time, on the chosen weekdays, once per
practice day; a machine that slept through the time is invited on waking while it is still
the same practice day, never for a day that has ended; snooze and "not tonight"; nothing
more once today's sentence is written.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from microapp.core.clock import day_start, practice_day

SNOOZE_CHOICES = {"15m": timedelta(minutes=15), "1h": timedelta(hours=1)}
_ONE_DAY = timedelta(days=1)
_TICK = timedelta(microseconds=1)


def prompt_instant(day: date, at: time, day_starts_at: time, zone: tzinfo) -> datetime:
    """The instant of practice day ``day``'s invitation, in ``zone``.

    It is the first instant of the practice day at which the wall clock reads ``at``: on the
    day's own date, or on the next one when ``at`` comes before ``day_starts_at`` (an
    invitation at 00:30 with days starting at 04:00). A time skipped by a DST jump moves to
    just after the gap; a repeated one happens at its first occurrence.
    """
    on = day if at >= day_starts_at else day + _ONE_DAY
    instant = day_start(on, at, zone)  # the same "first reaching of a wall time" rule
    end = day_start(day + _ONE_DAY, day_starts_at, zone)
    if instant.astimezone(UTC) >= end.astimezone(UTC):
        # Only when ``at`` and the day's end fall into the same skipped hour: the wall time
        # never happens inside this practice day, so the invitation takes its last instant.
        instant = (end.astimezone(UTC) - _TICK).astimezone(zone)
    return instant


@dataclass(frozen=True)
class EveningState:
    """What the caller remembers between plans."""

    written_today: bool = False  # a sentence is saved for the current practice day
    prompted_day: date | None = None  # the practice day the invitation was last shown for
    dismissed_day: date | None = None  # "not tonight" was chosen for this practice day
    snoozed_until: datetime | None = None  # aware


@dataclass(frozen=True)
class EveningPlan:
    show_now: bool
    wake_at: datetime | None  # aware; plan again then (None: nothing to wait for)
    day: date  # the practice day it is about


def _next_prompt(today: date, at: time, rest_days: Collection[int], day_starts_at: time,
                 zone: tzinfo) -> datetime | None:
    """The invitation of the first practice day after ``today`` that is not a rest day."""
    for offset in range(1, 8):
        day = today + timedelta(days=offset)
        if day.weekday() not in rest_days:
            return prompt_instant(day, at, day_starts_at, zone)
    return None  # every weekday rests


def plan_evening(now: datetime, *, enabled: bool, at: time, rest_days: Collection[int],
                 day_starts_at: time, state: EveningState) -> EveningPlan:
    """Whether to show the invitation now, and when to plan again.

    The practice day follows the zone ``now`` is in (the zone in force). The caller records
    ``prompted_day`` when it shows the invitation; on snooze it records ``snoozed_until`` and
    clears ``prompted_day``, so the invitation shows again when the snooze ends.
    """
    if now.tzinfo is None:
        raise ValueError("plan_evening needs a timezone-aware instant")
    zone = now.tzinfo
    today = practice_day(now, day_starts_at)
    if not enabled:
        return EveningPlan(show_now=False, wake_at=None, day=today)
    now_utc = now.astimezone(UTC)
    prompt = prompt_instant(today, at, day_starts_at, zone).astimezone(UTC)
    open_today = (today.weekday() not in rest_days and not state.written_today
                  and state.dismissed_day != today)
    later = _next_prompt(today, at, rest_days, day_starts_at, zone)
    if not open_today:
        return EveningPlan(show_now=False, wake_at=later, day=today)
    if now_utc < prompt:
        # Already shown today before its prompt time here: only after flying west.
        wake = prompt.astimezone(zone) if state.prompted_day != today else later
        return EveningPlan(show_now=False, wake_at=wake, day=today)
    snoozed_until = state.snoozed_until
    if snoozed_until is not None and snoozed_until.astimezone(UTC) > now_utc:
        day_end = day_start(today + _ONE_DAY, day_starts_at, zone).astimezone(UTC)
        if snoozed_until.astimezone(UTC) < day_end:
            return EveningPlan(show_now=False, wake_at=snoozed_until.astimezone(zone),
                               day=today)
        return EveningPlan(show_now=False, wake_at=later, day=today)  # the day ends first
    return EveningPlan(show_now=state.prompted_day != today, wake_at=later, day=today)


def backfill_day(now: datetime, *, at: time, day_starts_at: time) -> date | None:
    """The practice day that may still be filled in afterwards (yesterday's), or None.

    Yesterday stays open until today's invitation: once the new evening has come, it is
    today's sentence that counts.
    """
    if now.tzinfo is None:
        raise ValueError("backfill_day needs a timezone-aware instant")
    today = practice_day(now, day_starts_at)
    closes = prompt_instant(today, at, day_starts_at, now.tzinfo)
    if now.astimezone(UTC) < closes.astimezone(UTC):
        return today - _ONE_DAY
    return None


def backfill_closes(now: datetime, *, at: time, day_starts_at: time) -> datetime:
    """When filling in yesterday stops (today's invitation), in the zone of ``now``."""
    if now.tzinfo is None:
        raise ValueError("backfill_closes needs a timezone-aware instant")
    return prompt_instant(practice_day(now, day_starts_at), at, day_starts_at, now.tzinfo)
