"""Tests for microapp.core.summary: the `status --json` document and the plain-text lines."""

from __future__ import annotations

import json
from datetime import date, datetime
from types import MappingProxyType
from zoneinfo import ZoneInfo

import pytest

from microapp.core.records import Intention, Outcome, PauseRecord
from microapp.core.streaks import EMPTY, StreakSummary
from microapp.core.summary import (
    TodaySummary,
    days_phrase,
    format_status,
    streak_line,
    today_heading,
    tooltip_text,
)

BERLIN = ZoneInfo("Europe/Berlin")
DAY = date(2026, 3, 10)  # a Tuesday


def streak(current: int, longest: int, strength: float) -> StreakSummary:
    return StreakSummary(current=current, longest=longest, strength=strength,
                         forgiven=frozenset(), states=MappingProxyType({}))


def pause(hh: int, mm: int, outcome: Outcome, intention: Intention | None = None,
          meeting: str | None = None) -> PauseRecord:
    return PauseRecord(at=datetime(2026, 3, 10, hh, mm, 7, 123456, tzinfo=BERLIN),
                       tz="Europe/Berlin", day=DAY, outcome=outcome, intention=intention,
                       meeting=meeting)


PAUSES = [
    pause(9, 0, Outcome.COMPLETED, Intention.LISTEN, "Team stand-up"),
    pause(11, 30, Outcome.SKIPPED),
    pause(14, 0, Outcome.COMPLETED, Intention.ENCOURAGE, 'Review <b>"Q1"</b>'),
]


@pytest.fixture
def summary() -> TodaySummary:
    return TodaySummary(day=DAY, pauses=PAUSES, pause_streak=streak(2, 5, 0.61234),
                        gratitude_streak=streak(7, 7, 0.9))


def test_status_json_has_exactly_the_contracted_shape(summary: TodaySummary) -> None:
    doc = json.loads(json.dumps(summary.as_json()))  # must be plain JSON, and survive it
    assert set(doc) == {"next_meeting", "streaks", "today"}
    assert doc["next_meeting"] is None
    assert set(doc["streaks"]) == {"pause", "gratitude"}
    for practice in ("pause", "gratitude"):
        numbers = doc["streaks"][practice]
        assert set(numbers) == {"current", "longest", "strength"}
        assert isinstance(numbers["current"], int)
        assert isinstance(numbers["longest"], int)
        assert isinstance(numbers["strength"], float)
        assert 0.0 <= numbers["strength"] <= 1.0
    assert doc["streaks"]["pause"] == {"current": 2, "longest": 5, "strength": 0.612}
    assert doc["streaks"]["gratitude"] == {"current": 7, "longest": 7, "strength": 0.9}


def test_status_json_lists_todays_pauses(summary: TodaySummary) -> None:
    today = summary.as_json()["today"]
    assert set(today) == {"day", "pauses"}
    assert today["day"] == "2026-03-10"
    assert today["pauses"] == [
        {"at": "2026-03-10T09:00:07+01:00", "tz": "Europe/Berlin", "outcome": "completed",
         "intention": "listen", "meeting": "Team stand-up"},
        {"at": "2026-03-10T11:30:07+01:00", "tz": "Europe/Berlin", "outcome": "skipped",
         "intention": None, "meeting": None},
        {"at": "2026-03-10T14:00:07+01:00", "tz": "Europe/Berlin", "outcome": "completed",
         "intention": "encourage", "meeting": 'Review <b>"Q1"</b>'},
    ]


def test_status_json_with_nothing_yet() -> None:
    doc = TodaySummary(day=DAY, pauses=[], pause_streak=EMPTY, gratitude_streak=EMPTY).as_json()
    assert doc == {
        "next_meeting": None,
        "streaks": {"pause": {"current": 0, "longest": 0, "strength": 0.0},
                    "gratitude": {"current": 0, "longest": 0, "strength": 0.0}},
        "today": {"day": "2026-03-10", "pauses": []},
    }


def test_completed_counts_only_completed_pauses(summary: TodaySummary) -> None:
    assert summary.completed == 2


@pytest.mark.parametrize(("n", "text"), [(0, "0 days"), (1, "1 day"), (2, "2 days")])
def test_days_phrase(n: int, text: str) -> None:
    assert days_phrase(n) == text


@pytest.mark.parametrize(
    ("numbers", "line"),
    [
        ((0, 0, 0.0), "Pause streak: not started yet"),
        ((1, 1, 0.051), "Pause streak: 1 day (strength 5%)"),
        ((3, 3, 0.5), "Pause streak: 3 days (strength 50%)"),
        ((0, 4, 0.2), "Pause streak: 0 days (longest 4 days, strength 20%)"),
        ((2, 5, 0.61234), "Pause streak: 2 days (longest 5 days, strength 61%)"),
        ((30, 30, 1.0), "Pause streak: 30 days (strength 100%)"),
    ],
)
def test_streak_line(numbers: tuple[int, int, float], line: str) -> None:
    assert streak_line("Pause streak", streak(*numbers)) == line


@pytest.mark.parametrize(
    ("pauses", "heading"),
    [
        ([], "No pauses yet today"),
        (PAUSES[1:2], "1 pause today, 0 completed"),
        (PAUSES, "3 pauses today, 2 completed"),
    ],
)
def test_today_heading(pauses: list[PauseRecord], heading: str) -> None:
    summary = TodaySummary(day=DAY, pauses=pauses, pause_streak=EMPTY, gratitude_streak=EMPTY)
    assert today_heading(summary) == heading


def test_format_status(summary: TodaySummary) -> None:
    assert format_status(summary).splitlines() == [
        "Today (Tue 10 Mar 2026): 3 pauses today, 2 completed",
        "  09:00  completed, listen before Team stand-up",
        "  11:30  skipped",
        '  14:00  completed, encourage before Review <b>"Q1"</b>',
        "Pause streak: 2 days (longest 5 days, strength 61%)",
        "Gratitude streak: 7 days (strength 90%)",
    ]


def test_format_status_on_a_fresh_install() -> None:
    summary = TodaySummary(day=DAY, pauses=[], pause_streak=EMPTY, gratitude_streak=EMPTY)
    assert format_status(summary).splitlines() == [
        "Today (Tue 10 Mar 2026): No pauses yet today",
        "Pause streak: not started yet",
        "Gratitude streak: not started yet",
    ]


def test_tooltip_text(summary: TodaySummary) -> None:
    assert tooltip_text(summary).splitlines() == [
        "microapp",
        "3 pauses today, 2 completed",
        "Pause streak: 2 days (longest 5 days, strength 61%)",
        "Gratitude streak: 7 days (strength 90%)",
    ]


def test_next_meeting_names_its_weekday_only_when_it_is_not_today():
    from datetime import timedelta

    from microapp.core.meetings import Meeting
    from microapp.core.summary import meeting_line

    def at(day: int) -> Meeting:
        start = datetime(2026, 3, day, 14, 0, tzinfo=BERLIN)
        return Meeting(title="Design review", start=start, end=start + timedelta(minutes=30),
                       calendar="work", uid=f"u{day}", service="Zoom")

    assert meeting_line(at(10), today=DAY) == "Next: 14:00 Design review · Zoom"
    assert meeting_line(at(11), today=DAY) == "Next: Wed 14:00 Design review · Zoom"
    summary = TodaySummary(day=DAY, pauses=[], pause_streak=EMPTY, gratitude_streak=EMPTY,
                           next_meeting=at(10))
    assert "Next: 14:00 Design review" in tooltip_text(summary)
    assert "Next: 14:00 Design review" in format_status(summary)
