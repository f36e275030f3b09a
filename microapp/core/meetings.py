"""A meeting: one occurrence of a calendar event, as microapp reasons about it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any


class MeetingStatus(StrEnum):
    CONFIRMED = "confirmed"
    TENTATIVE = "tentative"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class Meeting:
    """One occurrence. Instants are timezone-aware; all-day ones start at local midnight."""

    title: str
    start: datetime
    end: datetime
    calendar: str  # the source's id
    uid: str
    status: MeetingStatus = MeetingStatus.CONFIRMED
    all_day: bool = False
    transparent: bool = False  # TRANSP:TRANSPARENT, shown as "free"
    declined: bool = False  # the user (one of their e-mail addresses) declined it
    join_url: str | None = None
    service: str | None = None  # e.g. "Zoom", "Google Meet"; None when no call link
    location: str | None = None
    attendees: tuple[str, ...] = field(default=(), compare=False)  # e-mail addresses

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("a Meeting needs timezone-aware start and end")

    @property
    def key(self) -> str:
        """Identifies this occurrence across refreshes: calendar + UID + occurrence start.

        A cue is fired at most once per key, so re-reading a calendar never repeats a pause.
        """
        return f"{self.calendar}\x1f{self.uid}\x1f{self.start.astimezone(UTC).isoformat()}"

    def as_json(self) -> dict[str, Any]:
        """DESIGN.md's `meetings --json` object."""
        return {
            "title": self.title,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "calendar": self.calendar,
            "uid": self.uid,
            "join_url": self.join_url,
            "service": self.service,
            "status": self.status.value,
        }
