"""Helpers for tests: a clock you can move by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

DEFAULT_ZONE = ZoneInfo("Europe/Berlin")


class FakeClock:
    """Satisfies :class:`microapp.core.clock.Clock`; time moves only when a test moves it."""

    def __init__(self, start: datetime | None = None, zone: ZoneInfo = DEFAULT_ZONE) -> None:
        self._zone = zone
        self._now = (start or datetime(2026, 3, 10, 9, 0, tzinfo=zone)).astimezone(zone)

    def now(self) -> datetime:
        return self._now

    def zone(self) -> ZoneInfo:
        return self._zone

    def set(self, instant: datetime) -> None:
        self._now = instant.astimezone(self._zone)

    def advance(self, **delta: float) -> datetime:
        # Real elapsed time (through UTC), not wall-clock arithmetic: DST nights are 23 or 25 h.
        self._now = (self._now.astimezone(UTC) + timedelta(**delta)).astimezone(self._zone)
        return self._now

    def move_to_zone(self, zone: ZoneInfo) -> None:
        """The user travels: same instant, another zone."""
        self._zone = zone
        self._now = self._now.astimezone(zone)
