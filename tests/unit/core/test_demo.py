"""Tests for microapp.core.demo: believable sample history, the same for the same day."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from microapp.core.clock import practice_day
from microapp.core.demo import MEETINGS, PEOPLE, demo_history
from microapp.core.records import Intention, Outcome

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 3, 10, 9, 0, tzinfo=BERLIN)


def test_the_same_day_gives_the_same_history() -> None:
    assert demo_history(NOW) == demo_history(NOW)
    later_that_day = NOW.replace(hour=18, minute=45)
    assert demo_history(later_that_day) == demo_history(NOW)


def test_another_day_gives_another_history() -> None:
    assert demo_history(NOW + timedelta(days=1)) != demo_history(NOW)


@pytest.mark.parametrize(
    "now",
    [
        NOW,
        datetime(2026, 3, 11, 1, 0, tzinfo=BERLIN),  # after midnight: still Mar 10's practice day
        datetime(2026, 3, 29, 12, 0, tzinfo=BERLIN),  # a DST day
        datetime(2026, 3, 10, 0, 30, tzinfo=ZoneInfo("Pacific/Auckland")),
    ],
    ids=["morning", "after-midnight", "dst-day", "auckland"],
)
def test_everything_is_before_today_and_within_the_weeks(now: datetime) -> None:
    weeks = 5
    pauses, notes = demo_history(now, weeks)
    today = practice_day(now)
    instants = [p.at for p in pauses] + [g.at for g in notes]
    assert instants
    for at in instants:
        assert at.tzinfo is now.tzinfo
        assert at < now
        assert today - timedelta(days=weeks * 7) <= practice_day(at) < today


def test_a_later_day_start_keeps_today_empty_too() -> None:
    now = datetime(2026, 3, 11, 9, 30, tzinfo=BERLIN)
    starts_at = time(10, 0)  # so "today" is still Mar 10
    pauses, notes = demo_history(now, day_starts_at=starts_at)
    assert practice_day(now, starts_at) == date(2026, 3, 10)
    for at in [p.at for p in pauses] + [g.at for g in notes]:
        assert practice_day(at, starts_at) < date(2026, 3, 10)


def test_outcomes_intentions_and_texts_are_valid() -> None:
    pauses, notes = demo_history(NOW, weeks=8)
    assert {p.outcome for p in pauses} <= set(Outcome)
    assert Outcome.COMPLETED in {p.outcome for p in pauses}
    for p in pauses:
        assert isinstance(p.outcome, Outcome)
        if p.outcome is Outcome.COMPLETED:
            assert isinstance(p.intention, Intention)
        else:
            assert p.intention is None  # an intention is chosen only by finishing the pause
        assert p.meeting in MEETINGS
        assert 8 <= p.at.hour <= 16
    people = {(name, rel, text) for name, rel, text in PEOPLE}
    for g in notes:
        assert (g.recipient, g.relationship, g.text) in people
        assert g.at.time() >= time(20, 30)


def test_some_days_are_left_empty_and_at_most_one_note_a_day() -> None:
    pauses, notes = demo_history(NOW, weeks=5)
    pause_days = {p.at.date() for p in pauses}
    note_days = [g.at.date() for g in notes]
    assert len(note_days) == len(set(note_days))
    assert len(pause_days) < 35  # quiet weekends exist: neutral days for the streaks
    assert len(pause_days) >= 20
