"""Build the :class:`TodaySummary` from the store (one query per part, no per-day queries)."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from microapp.core.clock import Clock, today
from microapp.core.meetings import Meeting
from microapp.core.streaks import gratitude_streaks, pause_streaks
from microapp.core.summary import TodaySummary
from microapp.store.history import History
from microapp.store.history_view import practice_days


def today_summary(history: History, clock: Clock, next_meeting: Meeting | None = None,
                  calendar_problems: Sequence[str] = (),
                  rest_days: Collection[int] = ()) -> TodaySummary:
    """``rest_days``: the user's gratitude rest weekdays (neutral for that streak)."""
    day = today(clock, history.day_starts_at)
    days = practice_days(history.db)  # the streaks' read model, shared with the History window
    return TodaySummary(
        day=day,
        pauses=history.pauses_on(day),
        pause_streak=pause_streaks(days.pause_outcomes(), day),
        gratitude_streak=gratitude_streaks(days.gratitude_days(), day, rest_days),
        next_meeting=next_meeting,
        calendar_problems=tuple(calendar_problems),
    )
