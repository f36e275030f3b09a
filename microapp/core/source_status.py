"""What the UI says about one calendar source, and how often a remote one is asked again.

Kept apart from :mod:`microapp.core.calendars` so the tray process can hold and show statuses
without importing the calendar engine (icalendar, recurring-ical-events, dateutil): the engine
runs in a short-lived child process, and the tray only unpickles its answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from microapp.core.settings import Settings
from microapp.core.sources import ErrorKind, SourceKind


@dataclass(frozen=True)
class SourceStatus:
    """What the UI says about one source."""

    id: str
    label: str
    kind: SourceKind
    enabled: bool
    ok: bool
    error: str | None = None  # one redacted sentence
    error_kind: ErrorKind | None = None
    stale: bool = False  # showing the last good copy (from an earlier fetch or the disk cache)
    events: int = 0
    warnings: tuple[str, ...] = ()
    last_success: datetime | None = None

    @property
    def summary(self) -> str:
        if not self.enabled:
            return f"{self.label}: turned off"
        if self.ok:
            return f"{self.label}: {self.events} events" + (" (cached copy)" if self.stale else "")
        error = self.error or "could not be read"
        text = error if error.startswith(self.label) else f"{self.label}: {error}"
        return text + (" Showing the last good copy." if self.stale else "")


def refresh_interval(settings: Settings, min_interval: timedelta | None) -> timedelta:
    """How long to wait before asking a URL or CalDAV source again: the user's setting, but
    never more often than the calendar itself asks (REFRESH-INTERVAL / X-PUBLISHED-TTL)."""
    interval = timedelta(minutes=settings.refresh_minutes)
    if min_interval is not None and min_interval > interval:
        interval = min_interval
    return interval
