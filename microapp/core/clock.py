"""The one source of "now" and the one place that decides which practice day an instant is.

Every instant in microapp is timezone-aware. Logic never calls ``datetime.now()`` itself:
it is handed a :class:`Clock`, so tests can pass a fake one and move it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Protocol
from zoneinfo import ZoneInfo

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
        tz = tzlocal.get_localzone()
        if isinstance(tz, ZoneInfo):
            return tz
        return ZoneInfo(str(tz))

    def now(self) -> datetime:
        return datetime.now(self.zone())

    def reload_zone(self) -> ZoneInfo:
        """Forget the cached zone (after the OS zone changed) and read it again."""
        tzlocal.reload_localzone()
        return self.zone()


def zone_name(tz: tzinfo | None) -> str:
    """The IANA name of ``tz`` ("UTC" for UTC-like zones without a key)."""
    key = getattr(tz, "key", None)
    if key:
        return str(key)
    return "UTC"


def practice_day(instant: datetime, day_starts_at: time = DEFAULT_DAY_STARTS_AT,
                 zone: tzinfo | None = None) -> date:
    """The practice day an aware instant belongs to.

    It is the local date of the instant after subtracting ``day_starts_at``: with the default
    04:00, a pause at 00:30 on Tuesday still belongs to Monday. The subtraction is done on
    wall-clock time, so a DST night never shifts the boundary by an hour.
    """
    if instant.tzinfo is None:
        raise ValueError("practice_day needs a timezone-aware instant")
    local = instant.astimezone(zone) if zone is not None else instant
    day = local.date()
    if local.time().replace(tzinfo=None) < day_starts_at:
        day -= timedelta(days=1)
    return day


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
            tz=zone_name(instant.tzinfo),
            day=practice_day(instant, day_starts_at),
        )


def today(clock: Clock, day_starts_at: time = DEFAULT_DAY_STARTS_AT) -> date:
    """The current practice day: the one place that decides "today"."""
    return practice_day(clock.now(), day_starts_at)


def next_day_start(now: datetime, day_starts_at: time = DEFAULT_DAY_STARTS_AT) -> datetime:
    """The next instant at which the practice day changes, in real local clock time.

    Built from calendar dates and wall time, then resolved in the zone, so a DST night does
    not move it by an hour.
    """
    if now.tzinfo is None:
        raise ValueError("next_day_start needs a timezone-aware instant")
    current = practice_day(now, day_starts_at)
    boundary = datetime.combine(current + timedelta(days=1), day_starts_at, tzinfo=now.tzinfo)
    # A wall time that does not exist (skipped by DST) resolves forward; compare as instants.
    while boundary <= now:
        boundary += timedelta(days=1)
    return boundary
