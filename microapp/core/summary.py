"""What `microapp status`, the tray tooltip and the Today panel say: built once, here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, tzinfo
from typing import Any

from microapp.core.meetings import Meeting
from microapp.core.records import Outcome, PauseRecord
from microapp.core.streaks import StreakSummary


@dataclass(frozen=True)
class TodaySummary:
    day: date
    pauses: list[PauseRecord]
    pause_streak: StreakSummary
    gratitude_streak: StreakSummary
    next_meeting: Meeting | None = None
    calendar_problems: tuple[str, ...] = ()  # one redacted line per broken source

    @property
    def completed(self) -> int:
        return sum(1 for p in self.pauses if p.outcome is Outcome.COMPLETED)

    def as_json(self) -> dict[str, Any]:
        """The `status --json` document (DESIGN's contract, plus today's pauses)."""
        return {
            "next_meeting": self.next_meeting.as_json() if self.next_meeting else None,
            "streaks": {
                "pause": self.pause_streak.as_dict(),
                "gratitude": self.gratitude_streak.as_dict(),
            },
            "today": {
                "day": self.day.isoformat(),
                "pauses": [
                    {
                        "at": p.at.isoformat(timespec="seconds"),
                        "tz": p.tz,
                        "outcome": p.outcome.value,
                        "intention": p.intention.value if p.intention else None,
                        "meeting": p.meeting,
                    }
                    for p in self.pauses
                ],
            },
        }


def days_phrase(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def streak_line(label: str, streak: StreakSummary) -> str:
    if streak.longest == 0:
        return f"{label}: not started yet"
    line = f"{label}: {days_phrase(streak.current)}"
    extras = []
    if streak.longest > streak.current:
        extras.append(f"longest {days_phrase(streak.longest)}")
    extras.append(f"strength {round(streak.strength * 100)}%")
    return line + " (" + ", ".join(extras) + ")"


def pause_line(p: PauseRecord) -> str:
    when = p.at.strftime("%H:%M")
    what = p.outcome.value
    if p.intention:
        what += f", {p.intention.value}"
    about = f" before {p.meeting}" if p.meeting else ""
    return f"{when}  {what}{about}"


def today_heading(summary: TodaySummary) -> str:
    n = len(summary.pauses)
    if n == 0:
        return "No pauses yet today"
    noun = "pause" if n == 1 else "pauses"
    return f"{n} {noun} today, {summary.completed} completed"


def meeting_line(meeting: Meeting, zone: tzinfo | None = None, today: date | None = None) -> str:
    """"Next: Tue 14:00 Design review · Zoom" — the weekday only when it is not ``today``'s."""
    start = meeting.start.astimezone(zone) if zone else meeting.start
    service = f" · {meeting.service}" if meeting.service else ""
    when = f"{start:%H:%M}" if today is not None and start.date() == today else f"{start:%a %H:%M}"
    return f"Next: {when} {meeting.title}{service}"


def format_status(summary: TodaySummary) -> str:
    """Plain text for `microapp status`."""
    lines = [f"Today ({summary.day.strftime('%a %d %b %Y')}): {today_heading(summary)}"]
    lines += [f"  {pause_line(p)}" for p in summary.pauses]
    if summary.next_meeting is not None:
        lines.append(meeting_line(summary.next_meeting, today=summary.day))
    lines += [f"Calendar problem: {line}" for line in summary.calendar_problems]
    lines.append(streak_line("Pause streak", summary.pause_streak))
    lines.append(streak_line("Gratitude streak", summary.gratitude_streak))
    return "\n".join(lines)


def tooltip_text(summary: TodaySummary) -> str:
    lines = ["microapp"]
    if summary.next_meeting is not None:
        lines.append(meeting_line(summary.next_meeting, today=summary.day))
    lines += [
        today_heading(summary),
        streak_line("Pause streak", summary.pause_streak),
        streak_line("Gratitude streak", summary.gratitude_streak),
    ]
    lines += [f"⚠ {line}" for line in summary.calendar_problems]
    return "\n".join(lines)
