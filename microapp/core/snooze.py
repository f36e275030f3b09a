"""Snoozing doorway pauses from the tray: for half an hour, an hour, or the rest of the day.

A snooze is one instant, "until": pauses due before it are suppressed (recorded, never shown).
"The rest of the day" ends where the practice day does (``day_starts_at``, 04:00 by default),
the one place that decides what "today" means.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from enum import StrEnum

from microapp.core.clock import DEFAULT_DAY_STARTS_AT, next_day_start


class SnoozeChoice(StrEnum):
    HALF_HOUR = "30m"
    HOUR = "1h"
    REST_OF_DAY = "day"


SNOOZE_LABELS: dict[SnoozeChoice, str] = {
    SnoozeChoice.HALF_HOUR: "For 30 minutes",
    SnoozeChoice.HOUR: "For 1 hour",
    SnoozeChoice.REST_OF_DAY: "For the rest of the day",
}

_LENGTHS = {SnoozeChoice.HALF_HOUR: timedelta(minutes=30), SnoozeChoice.HOUR: timedelta(hours=1)}


def snooze_until(choice: SnoozeChoice | str, now: datetime,
                 day_starts_at: time = DEFAULT_DAY_STARTS_AT) -> datetime:
    """When a snooze chosen at ``now`` ends (aware, in ``now``'s zone).

    Durations are real elapsed time (through UTC), so a DST change in the next hour does not
    stretch or shorten "one hour".
    """
    if now.tzinfo is None:
        raise ValueError("snooze_until needs a timezone-aware instant")
    choice = SnoozeChoice(choice)
    if choice is SnoozeChoice.REST_OF_DAY:
        return next_day_start(now, day_starts_at)
    return (now.astimezone(UTC) + _LENGTHS[choice]).astimezone(now.tzinfo)


def is_snoozed(until: datetime | None, now: datetime) -> bool:
    """Whether a snooze that ends at ``until`` is still on at ``now``."""
    return until is not None and now.astimezone(UTC) < until.astimezone(UTC)


def snooze_text(until: datetime, now: datetime) -> str:
    """A short, kind phrase for the tray: "Pauses snoozed until 14:30" (or "until tomorrow")."""
    local = until.astimezone(now.tzinfo)
    when = local.strftime("%H:%M")
    if local.date() != now.date():
        when = f"{when} tomorrow" if local.date() == now.date() + timedelta(days=1) else (
            local.strftime("%a %H:%M"))
    return f"Pauses snoozed until {when}"
