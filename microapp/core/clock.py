"""The one source of "now" and the one place that decides which practice day an instant is.

Every instant in microapp is timezone-aware. Logic never calls ``datetime.now()`` itself:
it is handed a :class:`Clock`, so tests can pass a fake one and move it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import tzlocal

DEFAULT_DAY_STARTS_AT = time(4, 0)


class Clock(Protocol):
    """Anything that can tell the current aware instant and the zone in force."""

    def now(self) -> datetime:
        """The current instant, timezone-aware, in the local zone."""
        ...

    def zone(self) -> ZoneInfo:
        """The IANA zone in force now (what gets stored beside each instant)."""
        ...


class SystemClock:
    """The real clock: the OS wall clock in the OS's current IANA zone."""

    def zone(self) -> ZoneInfo:
        try:
            tz = tzlocal.get_localzone()
        except Exception as exc:  # e.g. TZ=Nowhere/Atlantis: tzlocal cannot name a zone
            return _fallback_zone(exc)
        if isinstance(tz, ZoneInfo):
            return tz
        try:
            return ZoneInfo(str(tz))
        except Exception as exc:
            return _fallback_zone(exc)

    def now(self) -> datetime:
        return datetime.now(self.zone())

    def reload_zone(self) -> ZoneInfo:
        """Forget the cached zone (after the OS zone changed) and read it again."""
        tzlocal.reload_localzone()
        return self.zone()


_warned_zone_problems: set[str] = set()


def _fallback_zone(problem: Exception) -> ZoneInfo:
    """The OS names a time zone that does not exist: run in UTC (stored instants stay right)
    and say so once per distinct problem instead of failing every command."""
    text = str(problem) or type(problem).__name__
    if text not in _warned_zone_problems:
        _warned_zone_problems.add(text)
        logging.getLogger(__name__).warning(
            "the local time zone could not be read (%s); using UTC", text)
    return ZoneInfo("UTC")


def zone_name(tz: tzinfo | None, at: datetime | None = None) -> str:
    """The IANA name of ``tz`` (its offset at ``at`` decides when it has none).

    A zone without a usable key - the fixed offsets ``datetime.fromisoformat`` gives, or
    tzlocal's ``ZoneInfo.from_file(..., key="local")`` when the OS zone has no name - is named
    ``Etc/GMT±N`` for its whole-hour offset at ``at``, so events still show at the right hour.
    Anything else (a zero or half-hour offset, or no offset known) is "UTC": the stored UTC
    instant and practice day stay right either way.
    """
    if tz is None:
        return "UTC"
    key = getattr(tz, "key", None)
    if key and _is_iana(str(key)):
        return str(key)
    offset = tz.utcoffset(at)
    if offset:
        hours, rest = divmod(int(offset.total_seconds()), 3600)
        if rest == 0 and -12 <= hours <= 14:
            return f"Etc/GMT{-hours:+d}"  # POSIX sign: Etc/GMT-2 is two hours *ahead* of UTC
    return "UTC"


def _is_iana(key: str) -> bool:
    try:
        ZoneInfo(key)  # cached by zoneinfo after the first call
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def day_start(day: date, day_starts_at: time, zone: tzinfo) -> datetime:
    """The first instant at which the local wall clock on ``day`` reaches ``day_starts_at``.

    On a DST night that wall time may happen twice (the earlier one counts) or not at all
    (then the day starts when the clock jumps past it).
    """
    wall = datetime.combine(day, day_starts_at)
    earlier = wall.replace(tzinfo=zone, fold=0)
    if earlier.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == wall:
        return earlier  # the wall time exists; fold=0 is its first occurrence
    # Skipped by the clock: find the jump between "just before" and "just after" it.
    lo = wall.replace(tzinfo=zone, fold=1).astimezone(UTC)
    hi = earlier.astimezone(UTC)
    lo, hi = min(lo, hi), max(lo, hi)
    while hi - lo > timedelta(microseconds=1):
        mid = lo + (hi - lo) / 2
        if mid.astimezone(zone).replace(tzinfo=None) >= wall:
            hi = mid
        else:
            lo = mid
    return hi.astimezone(zone)


def practice_day(instant: datetime, day_starts_at: time = DEFAULT_DAY_STARTS_AT,
                 zone: tzinfo | None = None) -> date:
    """The practice day an aware instant belongs to.

    It is the local date of the instant after subtracting ``day_starts_at``: with the default
    04:00, a pause at 00:30 on Tuesday still belongs to Monday. The subtraction is done on
    wall-clock time, so a DST night never shifts the boundary by an hour; and once a day has
    started it stays started, even when a fall-back night repeats the hour before its start.
    """
    if instant.tzinfo is None:
        raise ValueError("practice_day needs a timezone-aware instant")
    local = instant.astimezone(zone) if zone is not None else instant
    day = local.date()
    if local.time() >= day_starts_at:
        return day
    # Before the start by the wall clock: yesterday, unless this is the repeated hour of a
    # fall-back night and today's start already happened. Compare as instants (in UTC):
    # datetimes sharing a tzinfo compare by wall time, which is exactly what a fold breaks.
    start = day_start(day, day_starts_at, local.tzinfo)  # type: ignore[arg-type]
    if local.astimezone(UTC) >= start.astimezone(UTC):
        return day
    return day - timedelta(days=1)


@dataclass(frozen=True)
class Stamp:
    """How an event is stored: the UTC instant, the zone in force and the practice day.

    The practice day is computed once, when the event is logged, and never again.
    """

    at_utc: datetime
    tz: str
    day: date

    @classmethod
    def of(cls, instant: datetime, day_starts_at: time = DEFAULT_DAY_STARTS_AT) -> Stamp:
        if instant.tzinfo is None:
            raise ValueError("Stamp.of needs a timezone-aware instant")
        return cls(
            at_utc=instant.astimezone(ZoneInfo("UTC")),
            tz=zone_name(instant.tzinfo, instant),
            day=practice_day(instant, day_starts_at),
        )


def today(clock: Clock, day_starts_at: time = DEFAULT_DAY_STARTS_AT) -> date:
    """The current practice day: the one place that decides "today"."""
    return practice_day(clock.now(), day_starts_at)


def next_day_start(now: datetime, day_starts_at: time = DEFAULT_DAY_STARTS_AT) -> datetime:
    """The next instant at which the practice day changes, in real local clock time.

    Built from calendar dates and wall time, then resolved in the zone, so a DST night does
    not move it by an hour. Always later than ``now``.
    """
    if now.tzinfo is None:
        raise ValueError("next_day_start needs a timezone-aware instant")
    day = practice_day(now, day_starts_at) + timedelta(days=1)
    boundary = day_start(day, day_starts_at, now.tzinfo)
    # Compare as instants (in UTC), never as wall times; practice days only move forward,
    # so this loop is a safety net rather than a search.
    while boundary.astimezone(UTC) <= now.astimezone(UTC):
        day += timedelta(days=1)
        boundary = day_start(day, day_starts_at, now.tzinfo)
    return boundary
