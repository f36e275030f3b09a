"""Tests for microapp.store.history_view: the History window's read model, on a real SQLite file."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from microapp.core.clock import practice_day
from microapp.core.paths import Profile
from microapp.core.streaks import gratitude_streaks, pause_streaks
from microapp.store.db import open_store
from microapp.store.history import History
from microapp.store.history_view import (
    NO_INTENTION,
    WeekNote,
    intention_shares,
    load_history,
    practice_days,
    practice_week,
    save_weekly_note,
    search,
    weekly_note,
)
from tests.helpers import FakeClock

BERLIN = ZoneInfo("Europe/Berlin")
TOKYO = ZoneInfo("Asia/Tokyo")
TODAY = date(2026, 3, 10)  # a Tuesday


def at(day: date, hh: int, mm: int = 0, zone: ZoneInfo = BERLIN) -> datetime:
    return datetime(day.year, day.month, day.day, hh, mm, tzinfo=zone)


def ago(n: int) -> date:
    return TODAY - timedelta(days=n)


@pytest.fixture
def history(profile: Profile, clock: FakeClock) -> Iterator[History]:
    opened = open_store(profile.database_path, clock.now())
    h = History(opened.db)
    yield h
    h.close()


class QueryCounter:
    def __init__(self, history: History, monkeypatch: pytest.MonkeyPatch) -> None:
        self.sql: list[str] = []
        real = history.db.execute_sql

        def counting(sql: str, params=None, *args, **kwargs):
            self.sql.append(sql)
            return real(sql, params, *args, **kwargs)

        monkeypatch.setattr(history.db, "execute_sql", counting)


def seed(history: History) -> None:
    history.record_pause(at(ago(2), 9), "completed", "listen", "Stand-up")
    history.record_pause(at(ago(2), 14), "completed", "notice", "Design review")
    history.record_pause(at(ago(2), 16), "skipped", None, "1:1")
    history.record_pause(at(ago(1), 9), "missed", None, "Stand-up")
    history.record_pause(at(TODAY, 8, 30), "completed", None, None)
    history.add_gratitude(at(ago(2), 21), "Sam", "You walk me through the deploy.", "colleague")
    history.add_gratitude(at(ago(5), 21), "Mum", "You listen to the whole story.", "family")


# --- practice days ---------------------------------------------------------------------------


def test_practice_days_count_both_practices_per_day(history: History) -> None:
    seed(history)
    days = practice_days(history.db)
    assert dict(days.pause_counts) == {ago(2): (2, 3), ago(1): (0, 1), TODAY: (1, 1)}
    assert dict(days.gratitude_counts) == {ago(2): 1, ago(5): 1}
    assert days.event_days() == [TODAY, ago(1), ago(2), ago(5)]
    assert days.gratitude_days() == history.gratitude_days()


def test_practice_days_give_the_same_streaks_as_the_full_history(history: History) -> None:
    seed(history)
    days = practice_days(history.db)
    assert pause_streaks(days.pause_outcomes(), TODAY) == pause_streaks(
        history.pause_outcomes_by_day(), TODAY)
    assert gratitude_streaks(days.gratitude_days(), TODAY) == gratitude_streaks(
        history.gratitude_days(), TODAY)


def test_an_empty_history_has_no_days(history: History) -> None:
    days = practice_days(history.db)
    assert days.event_days() == [] and days.pause_outcomes() == {}
    assert load_history(history.db).newest_first() == []


# --- load_history ----------------------------------------------------------------------------


def test_load_history_groups_entries_per_day_newest_day_first(history: History) -> None:
    seed(history)
    data = load_history(history.db)
    assert [d.day for d in data.newest_first()] == [TODAY, ago(1), ago(2), ago(5)]
    two_days_ago = data.get(ago(2))
    assert two_days_ago is not None
    assert [(p.at.hour, p.outcome.value, p.intention and p.intention.value, p.meeting)
            for p in two_days_ago.pauses] == [
        (9, "completed", "listen", "Stand-up"), (14, "completed", "notice", "Design review"),
        (16, "skipped", None, "1:1")]
    assert two_days_ago.completed == 2
    assert [(g.recipient, g.relationship, g.backfilled) for g in two_days_ago.gratitude] == [
        ("Sam", "colleague", False)]
    assert data.get(ago(5)).pauses == ()  # type: ignore[union-attr]


def test_load_history_matches_what_history_reads_day_by_day(history: History) -> None:
    seed(history)
    data = load_history(history.db)
    for entries in data.newest_first():
        assert list(entries.pauses) == history.pauses_on(entries.day)
        assert list(entries.gratitude) == history.gratitude_on(entries.day)


def test_load_history_keeps_each_event_in_the_zone_it_was_logged_in(history: History) -> None:
    history.record_pause(at(ago(1), 9, zone=TOKYO), "completed", "encourage", "Call")
    (entries,) = load_history(history.db).newest_first()
    assert entries.pauses[0].at == at(ago(1), 9, zone=TOKYO)
    assert entries.pauses[0].at.utcoffset() == timedelta(hours=9)
    assert entries.pauses[0].tz == "Asia/Tokyo"


def test_load_history_bounds_are_inclusive_practice_days(history: History) -> None:
    seed(history)
    data = load_history(history.db, since=ago(2), until=ago(1))
    assert list(data.days) == [ago(1), ago(2)]
    assert list(load_history(history.db, since=ago(1)).days) == [TODAY, ago(1)]
    assert list(load_history(history.db, until=ago(3)).days) == [ago(5)]


def test_a_pause_after_midnight_belongs_to_the_day_before(history: History) -> None:
    history.record_pause(at(TODAY, 1, 30), "completed", "listen", "Late call")
    assert list(load_history(history.db).days) == [practice_day(at(TODAY, 1, 30))] == [ago(1)]


def test_every_read_is_one_query_per_table_whatever_the_number_of_days(
    history: History, monkeypatch: pytest.MonkeyPatch
) -> None:
    start = at(ago(400), 9)
    with history.db.atomic():
        for n in range(400):
            history.record_pause(start + timedelta(days=n), "completed", "listen", f"Call {n}")
            history.add_gratitude(start + timedelta(days=n, hours=12), "Ana", f"Thanks {n}.")
    counter = QueryCounter(history, monkeypatch)
    days = practice_days(history.db)
    data = load_history(history.db, since=ago(370))
    hits = search(history.db, "thanks 1")
    shares = intention_shares(history.db, TODAY)
    assert len(counter.sql) == 2 + 2 + 1 + 1
    assert len(days.event_days()) == 400
    assert len(data.days) == 371 - 1  # day 0 (400 days ago) .. yesterday, from 370 days ago
    assert len(hits) == 111  # "Thanks 1", "Thanks 1x", "Thanks 1xx"
    assert shares["listen"] == 29  # the last 30 practice days, today has no pause


# --- search ----------------------------------------------------------------------------------


def test_search_finds_sentences_and_recipients_ignoring_case(history: History) -> None:
    seed(history)
    assert [g.recipient for g in search(history.db, "DEPLOY")] == ["Sam"]
    assert [g.recipient for g in search(history.db, "mum")] == ["Mum"]
    assert [g.recipient for g in search(history.db, "  the ")] == ["Sam", "Mum"]  # newest first
    assert search(history.db, "nobody") == []
    assert search(history.db, "   ") == []


@pytest.mark.parametrize("needle", ["100%", "a_b", "50% off", "back\\slash", "%", "_"])
def test_search_takes_like_wildcards_literally(history: History, needle: str) -> None:
    when = at(ago(1), 21)
    history.add_gratitude(when, "Ana", f"Literal {needle} here.")
    history.add_gratitude(when + timedelta(minutes=1), "Bo", "Literal 100 percent, axb, 50 off.")
    history.add_gratitude(when + timedelta(minutes=2), "Cy", "Literal back slash here.")
    assert [g.recipient for g in search(history.db, needle)] == ["Ana"]


def test_search_is_limited_and_untrusted_text_is_only_data(history: History) -> None:
    history.add_gratitude(at(ago(1), 21), "<b>x</b>", "'); DROP TABLE gratitude_entry; --")
    (hit,) = search(history.db, "drop table")
    assert hit.recipient == "<b>x</b>"
    assert practice_days(history.db).gratitude_days() == {ago(1)}
    for n in range(5):
        history.add_gratitude(at(ago(2), 20, n), "Ana", f"Same words {n}.")
    assert len(search(history.db, "same words", limit=3)) == 3


# --- intention shares ------------------------------------------------------------------------


def test_intention_shares_count_completed_pauses_of_the_last_30_days(history: History) -> None:
    seed(history)
    history.record_pause(at(ago(29), 10), "completed", "encourage", "In range")
    history.record_pause(at(ago(30), 10), "completed", "encourage", "Too old")
    history.record_pause(at(TODAY + timedelta(days=1), 10), "completed", "listen", "Tomorrow")
    shares = intention_shares(history.db, TODAY)
    assert shares == {"notice": 1, "listen": 1, "encourage": 1, NO_INTENTION: 1}
    assert intention_shares(history.db, TODAY, days=1) == {
        "notice": 0, "listen": 0, "encourage": 0, NO_INTENTION: 1}


# --- weekly note -----------------------------------------------------------------------------


def test_practice_week_is_the_monday() -> None:
    assert practice_week(date(2026, 3, 10)) == date(2026, 3, 9)
    assert practice_week(date(2026, 3, 9)) == date(2026, 3, 9)
    assert practice_week(date(2026, 3, 15)) == date(2026, 3, 9)  # Sunday
    assert practice_week(date(2026, 1, 1)) == date(2025, 12, 29)  # across a year


def test_a_weekly_note_is_saved_replaced_and_forgotten(history: History) -> None:
    week = practice_week(TODAY)
    assert weekly_note(history.db, week) is None
    first = at(TODAY, 20)
    saved = save_weekly_note(history.db, week, "  The stand-up pause ", "Thanking Sam", first)
    assert saved == WeekNote(week, "The stand-up pause", "Thanking Sam", first)
    got = weekly_note(history.db, week)
    assert got is not None
    assert (got.week, got.easiest, got.meaningful) == (week, "The stand-up pause", "Thanking Sam")
    assert got.updated == first.astimezone(UTC)
    save_weekly_note(history.db, week, "Listening", "", first + timedelta(days=1))
    again = weekly_note(history.db, week)
    assert again is not None and (again.easiest, again.meaningful) == ("Listening", "")
    assert weekly_note(history.db, week - timedelta(weeks=1)) is None
    assert save_weekly_note(history.db, week, " ", "", first) == WeekNote(week)
    assert weekly_note(history.db, week) is None
    assert history.db.execute_sql("SELECT COUNT(*) FROM weekly_note").fetchone()[0] == 0


def test_a_weekly_note_needs_a_monday_and_an_aware_instant(history: History) -> None:
    with pytest.raises(ValueError, match="Monday"):
        save_weekly_note(history.db, TODAY, "a", "b", at(TODAY, 20))
    with pytest.raises(ValueError, match="naive"):
        save_weekly_note(history.db, practice_week(TODAY), "a", "b", datetime(2026, 3, 10, 20))
    assert weekly_note(history.db, practice_week(TODAY)) is None
