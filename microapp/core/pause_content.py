"""What a doorway pause says: which meetings it is for, when they start, where to join.

Pure data and wording, no Qt: the overlay (``ui/pause_session.py``) shows it, the app stores
:attr:`PauseContent.meeting_label` in the history. Titles come from calendars and are untrusted;
this module only joins them into sentences, it is the UI's job to show them as plain text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from microapp.core.planner import Cue

PAUSE_NOW_HEADING = "A doorway pause"

#: A meeting starting less than this far ahead is "starting now" rather than "starts at …".
STARTING_NOW_AHEAD = timedelta(seconds=30)
#: …and until it is this far behind; after that it "started N min ago".
STARTING_NOW_BEHIND = timedelta(seconds=60)


@dataclass(frozen=True)
class PauseContent:
    """The meetings a pause is for (several when they start in the same minute), or none for
    "Pause now"."""

    titles: tuple[str, ...] = ()
    start: datetime | None = None  # the earliest start, timezone-aware
    service: str | None = None  # of the first meeting that has a call link
    join_url: str | None = None
    keys: tuple[str, ...] = ()  # Meeting.key of each, in the same order as titles

    def __post_init__(self) -> None:
        if self.start is not None and self.start.utcoffset() is None:
            raise ValueError("a pause's start must be timezone-aware")

    @classmethod
    def from_cue(cls, cue: Cue) -> PauseContent:
        linked = next((m for m in cue.meetings if m.join_url), None)
        return cls(
            titles=tuple(m.title for m in cue.meetings),
            start=min(m.start for m in cue.meetings),
            service=linked.service if linked else None,
            join_url=linked.join_url if linked else None,
            keys=cue.keys,
        )

    @property
    def heading(self) -> str:
        """"Before Weekly sync", "Before Weekly sync and Design review", "Before A, B and C";
        "A doorway pause" when the pause is not for a meeting."""
        titles = [_one_line(t) or "your meeting" for t in self.titles]
        if not titles:
            return PAUSE_NOW_HEADING
        if len(titles) == 1:
            return f"Before {titles[0]}"
        return f"Before {', '.join(titles[:-1])} and {titles[-1]}"

    @property
    def meeting_label(self) -> str | None:
        """What the history stores as the meeting ("Weekly sync · Design review"); ``None``
        for a pause that is not for a meeting."""
        if not self.titles:
            return None
        return " · ".join(_one_line(t) or "Untitled meeting" for t in self.titles)

    def when_text(self, now: datetime) -> str:
        """"Starts at 10:00 · Zoom", "Starting now · Zoom", "Started 2 min ago · Zoom".

        The clock time is given in ``now``'s zone (the user's local time), 24-hour. Empty for a
        pause that is not for a meeting.
        """
        if self.start is None:
            return ""
        if now.utcoffset() is None:
            raise ValueError("now must be timezone-aware")
        # Real elapsed time (through UTC): wall-clock subtraction is wrong across DST.
        ahead = self.start.astimezone(UTC) - now.astimezone(UTC)
        if ahead >= STARTING_NOW_AHEAD:
            text = f"Starts at {self.start.astimezone(now.tzinfo):%H:%M}"
        elif ahead > -STARTING_NOW_BEHIND:
            text = "Starting now"
        else:
            text = f"Started {int(-ahead / timedelta(minutes=1))} min ago"
        return f"{text} · {self.service}" if self.service else text


def _one_line(title: str) -> str:
    """Calendar titles may hold line breaks and runs of spaces: one line, single-spaced."""
    return " ".join(title.split())
