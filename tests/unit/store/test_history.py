"""Tests for microapp.store.history, report and demo, on a real SQLite file."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from peewee import IntegrityError

from microapp.core.clock import practice_day
from microapp.core.paths import Profile
from microapp.core.records import Intention, Outcome
from microapp.store.db import open_store
from microapp.store.demo import seed_demo_history
from microapp.store.history import History
from microapp.store.report import today_summary
from tests.helpers import FakeClock

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def berlin(month: int, day: int, hh: int, mm: int = 0) -> datetime:
    return datetime(2026, month, day, hh, mm, tzinfo=BERLIN)


@pytest.fixture
def history(profile: Profile, clock: FakeClock) -> Iterator[History]:
    opened = open_store(profile.database_path, clock.now())
    assert opened.persistent and opened.problem is None
    h = History(opened.db)
    yield h
    h.close()


def raw_pauses(history: History) -> list[tuple]:
    return history.db.execute_sql(
        "SELECT at_utc, tz, day, outcome, intention, meeting FROM pause_event ORDER BY id"
    ).fetchall()


# --- pauses -----------------------------------------------------------------------------------


def test_record_pause_stores_utc_the_zone_and_the_practice_day(history: History) -> None:
    record = history.record_pause(berlin(3, 10, 9, 0), Outcome.COMPLETED, Intention.LISTEN,
                                  "Team stand-up")
    assert raw_pauses(history) == [("2026-03-10T08:00:00.000000Z", "Europe/Berlin",
                                    "2026-03-10", "completed", "listen", "Team stand-up")]
    assert record.at == berlin(3, 10, 9, 0)
    assert record.at.tzinfo == BERLIN
    assert (record.tz, record.day, record.outcome, record.intention, record.meeting) == (
        "Europe/Berlin", date(2026, 3, 10), Outcome.COMPLETED, Intention.LISTEN, "Team stand-up")
    assert history.pauses_on(date(2026, 3, 10)) == [record]


def test_strings_are_accepted_for_outcome_and_intention(history: History) -> None:
    record = history.record_pause(berlin(3, 10, 9), "skipped", "", "")
    assert (record.outcome, record.intention, record.meeting) == (Outcome.SKIPPED, None, None)
    assert raw_pauses(history)[0][3:] == ("skipped", None, None)


def test_a_pause_at_half_past_midnight_belongs_to_the_day_before(history: History) -> None:
    record = history.record_pause(berlin(3, 11, 0, 30), "completed")
    assert record.day == date(2026, 3, 10)
    assert raw_pauses(history)[0][:3] == ("2026-03-10T23:30:00.000000Z", "Europe/Berlin",
                                          "2026-03-10")
    assert history.pauses_on(date(2026, 3, 11)) == []
    assert [p.at for p in history.pauses_on(date(2026, 3, 10))] == [berlin(3, 11, 0, 30)]


def test_changing_the_day_start_later_never_changes_stored_days(history: History) -> None:
    history.record_pause(berlin(3, 10, 5, 0), "completed")  # 04:00 start: Mar 10
    history.day_starts_at = time(6, 0)
    assert [p.day for p in history.pauses_on(date(2026, 3, 10))] == [date(2026, 3, 10)]
    history.record_pause(berlin(3, 11, 5, 0), "completed")  # 06:00 start: still Mar 10
    assert [p.at.day for p in history.pauses_on(date(2026, 3, 10))] == [10, 11]
    assert sorted(history.pause_outcomes_by_day()) == [date(2026, 3, 10)]
    # A new History with yet another setting reads the same stored days.
    again = History(history.db, time(0, 0))
    assert [p.day for p in again.pauses_on(date(2026, 3, 10))] == [date(2026, 3, 10)] * 2


def test_a_pause_keeps_its_zone_and_day_after_the_user_travels(
    history: History, clock: FakeClock
) -> None:
    clock.set(berlin(3, 10, 4, 30))
    history.record_pause(clock.now(), "completed")
    clock.move_to_zone(NEW_YORK)  # 23:30 on Mar 9 over there
    history.record_pause(clock.advance(minutes=10), "skipped")
    berlin_pause, = history.pauses_on(date(2026, 3, 10))
    new_york_pause, = history.pauses_on(date(2026, 3, 9))
    assert (berlin_pause.tz, berlin_pause.at.hour) == ("Europe/Berlin", 4)
    assert (new_york_pause.tz, new_york_pause.at.hour) == ("America/New_York", 23)


def test_pauses_on_is_in_time_order_whatever_the_insert_order_or_zone(history: History) -> None:
    day = date(2026, 3, 10)
    # 15:00 Berlin, 08:00 New York (= 13:00 Berlin), 09:00 Berlin.
    history.record_pause(berlin(3, 10, 15), "completed")
    history.record_pause(datetime(2026, 3, 10, 8, 0, tzinfo=NEW_YORK), "missed")
    history.record_pause(berlin(3, 10, 9), "skipped")
    assert [p.outcome.value for p in history.pauses_on(day)] == ["skipped", "missed", "completed"]
    assert history.pauses_on(date(2026, 3, 11)) == []


def test_pause_outcomes_by_day(history: History) -> None:
    history.record_pause(berlin(3, 8, 10), "completed")
    history.record_pause(berlin(3, 8, 11), "skipped")
    history.record_pause(berlin(3, 9, 3, 59), "missed")  # the night: Mar 8
    history.record_pause(berlin(3, 10, 9), "suppressed")
    by_day = history.pause_outcomes_by_day()
    assert set(by_day) == {date(2026, 3, 8), date(2026, 3, 10)}
    assert all(type(d) is date for d in by_day)
    assert sorted(by_day[date(2026, 3, 8)]) == ["completed", "missed", "skipped"]
    assert by_day[date(2026, 3, 10)] == ["suppressed"]
    assert history.pause_count() == 4


def test_recording_the_same_pause_twice_stores_it_once(history: History) -> None:
    for _ in range(2):
        history.record_pause(berlin(3, 10, 9), "completed", "notice", "Planning")
    assert history.pause_count() == 1


@pytest.mark.parametrize(
    ("outcome", "intention"), [("maybe", None), ("COMPLETED!", None), ("completed", "shout")])
def test_an_invalid_outcome_or_intention_is_rejected_and_nothing_stored(
    history: History, outcome: str, intention: str | None
) -> None:
    with pytest.raises(ValueError, match=repr(intention or outcome)):
        history.record_pause(berlin(3, 10, 9), outcome, intention)
    assert history.pause_count() == 0


def test_the_database_itself_refuses_an_invalid_outcome(history: History) -> None:
    with pytest.raises(IntegrityError):
        history.db.execute_sql(
            "INSERT INTO pause_event (at_utc, tz, day, outcome) VALUES (?, ?, ?, ?)",
            ("2026-03-10T08:00:00.000000Z", "UTC", "2026-03-10", "maybe"))


def test_a_naive_instant_is_rejected(history: History) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        history.record_pause(datetime(2026, 3, 10, 9, 0), "completed")
    with pytest.raises(ValueError, match="timezone-aware"):
        history.add_gratitude(datetime(2026, 3, 10, 21, 0), "Sam", "Thanks.")
    assert history.pause_count() == 0
    assert history.gratitude_days() == set()


# --- gratitude --------------------------------------------------------------------------------


def test_add_gratitude_and_read_it_back(history: History) -> None:
    record = history.add_gratitude(berlin(3, 10, 20, 45), "  Sam ",
                                   " You stay after stand-up to help. ", "colleague", "email")
    assert (record.recipient, record.text, record.relationship, record.sent_via) == (
        "Sam", "You stay after stand-up to help.", "colleague", "email")
    assert record.day == date(2026, 3, 10)
    assert record.backfilled is False
    assert history.gratitude_on(date(2026, 3, 10)) == [record]


def test_gratitude_days(history: History) -> None:
    history.add_gratitude(berlin(3, 8, 21), "Mum", "You listen.")
    history.add_gratitude(berlin(3, 8, 22), "Jo", "You take our parcels in.")
    history.add_gratitude(berlin(3, 10, 1, 0), "Alex", "You keep the kettle warm.")  # Mar 9
    assert history.gratitude_days() == {date(2026, 3, 8), date(2026, 3, 9)}
    assert [g.recipient for g in history.gratitude_on(date(2026, 3, 8))] == ["Mum", "Jo"]


@pytest.mark.parametrize(("recipient", "text"), [("", "Thanks."), ("Sam", "   "), (" ", "")])
def test_gratitude_needs_a_recipient_and_a_sentence(
    history: History, recipient: str, text: str
) -> None:
    with pytest.raises(ValueError, match="recipient and a sentence"):
        history.add_gratitude(berlin(3, 10, 21), recipient, text)
    assert history.gratitude_days() == set()


@pytest.mark.parametrize("relationship", [None, "", "   "])
def test_an_empty_relationship_is_stored_as_none(history: History,
                                                 relationship: str | None) -> None:
    history.add_gratitude(berlin(3, 10, 21), "Sam", "Thanks.", relationship)
    stored = history.db.execute_sql("SELECT relationship FROM gratitude_entry").fetchall()
    assert stored == [(None,)]
    assert history.gratitude_on(date(2026, 3, 10))[0].relationship is None


# --- a second process -------------------------------------------------------------------------


def test_a_second_store_on_the_same_file_sees_the_writes(
    history: History, profile: Profile, clock: FakeClock
) -> None:
    other = open_store(profile.database_path, clock.now(), repair=False)
    try:
        reader = History(other.db)
        history.record_pause(clock.now(), "completed")
        assert reader.pause_count() == 1
        reader.add_gratitude(clock.now().replace(hour=21), "Sam", "Thanks.")
        assert history.gratitude_days() == {date(2026, 3, 10)}
    finally:
        other.db.close()


def test_two_stores_in_one_process_stay_apart(tmp_path: Path, clock: FakeClock) -> None:
    first = open_store(tmp_path / "a.sqlite3", clock.now())
    second = open_store(tmp_path / "b.sqlite3", clock.now())  # opened last
    try:
        History(first.db).record_pause(clock.now(), "completed")
        History(first.db).add_gratitude(clock.now(), "Sam", "Thanks.")
        assert History(first.db).pause_count() == 1
        assert History(second.db).pause_count() == 0
        assert History(second.db).pauses_on(clock.now().date()) == []
        assert History(second.db).gratitude_days() == set()
        count = "SELECT COUNT(*) FROM pause_event"
        assert first.db.execute_sql(count).fetchone()[0] == 1
        assert second.db.execute_sql(count).fetchone()[0] == 0
    finally:
        first.db.close()
        second.db.close()


def test_another_process_writing_while_we_are_open(history: History, profile: Profile) -> None:
    script = textwrap.dedent(f"""
        from datetime import datetime
        from pathlib import Path
        from zoneinfo import ZoneInfo
        from microapp.store.db import open_store
        from microapp.store.history import History
        now = datetime(2026, 3, 10, 11, 0, tzinfo=ZoneInfo("Europe/Berlin"))
        opened = open_store(Path({str(profile.database_path)!r}), now, repair=False)
        History(opened.db).record_pause(now, "completed", "encourage", "From the CLI")
        opened.db.close()
    """)
    history.record_pause(berlin(3, 10, 9), "skipped")
    result = subprocess.run([sys.executable, "-W", "error", "-c", script], capture_output=True,
                            text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert [p.meeting for p in history.pauses_on(date(2026, 3, 10))] == [None, "From the CLI"]


# --- the Today summary, end to end ------------------------------------------------------------


def test_today_summary_end_to_end(history: History, clock: FakeClock) -> None:
    for day in (7, 8, 9):
        clock.set(berlin(3, day, 10))
        history.record_pause(clock.now(), "completed", "listen", "Stand-up")
    clock.set(berlin(3, 9, 21))
    history.add_gratitude(clock.now(), "Sam", "You help.")

    clock.set(berlin(3, 10, 9))
    history.record_pause(clock.now(), "skipped", meeting="Planning")
    summary = today_summary(history, clock)
    assert summary.day == date(2026, 3, 10)
    assert [p.outcome for p in summary.pauses] == [Outcome.SKIPPED]
    assert (summary.pause_streak.current, summary.pause_streak.longest) == (3, 3)  # today pending
    assert (summary.gratitude_streak.current, summary.gratitude_streak.longest) == (1, 1)

    history.record_pause(clock.advance(hours=2), "completed", "notice", "1:1")
    summary = today_summary(history, clock)
    assert summary.completed == 1
    assert (summary.pause_streak.current, summary.pause_streak.longest) == (4, 4)

    clock.set(berlin(3, 11, 0, 30))  # after midnight: still the 10th's practice day
    assert today_summary(history, clock).day == date(2026, 3, 10)
    clock.advance(hours=3, minutes=30)  # 04:00: a new day, nothing done yet
    summary = today_summary(history, clock)
    assert summary.day == date(2026, 3, 11)
    assert summary.pauses == []
    assert summary.pause_streak.current == 4
    doc = json.loads(json.dumps(summary.as_json()))
    assert doc["streaks"]["pause"]["current"] == 4
    assert doc["streaks"]["gratitude"]["current"] == 1
    assert doc["today"] == {"day": "2026-03-11", "pauses": []}


def test_today_summary_uses_the_historys_day_start(history: History, clock: FakeClock) -> None:
    clock.set(berlin(3, 10, 5, 0))
    history.record_pause(clock.now(), "completed")
    assert today_summary(history, clock).day == date(2026, 3, 10)
    history.day_starts_at = time(6, 0)
    summary = today_summary(history, clock)
    assert summary.day == date(2026, 3, 9)
    assert summary.pauses == []  # the pause was logged as Mar 10 and stays there


def test_an_empty_history_summarises_to_zeros(history: History, clock: FakeClock) -> None:
    summary = today_summary(history, clock)
    assert summary.pauses == []
    assert summary.as_json()["streaks"] == {
        "pause": {"current": 0, "longest": 0, "strength": 0.0},
        "gratitude": {"current": 0, "longest": 0, "strength": 0.0}}


# --- demo seeding -----------------------------------------------------------------------------


def test_seed_demo_history_fills_an_empty_history_once(history: History,
                                                        clock: FakeClock) -> None:
    seed_demo_history(history, clock.now())
    count = history.pause_count()
    days = history.gratitude_days()
    assert count > 20
    assert days
    today = practice_day(clock.now())
    assert max(history.pause_outcomes_by_day()) < today
    assert max(days) < today
    seed_demo_history(history, clock.now())
    assert history.pause_count() == count


def test_seed_demo_history_after_midnight_leaves_today_empty(history: History,
                                                              clock: FakeClock) -> None:
    clock.set(berlin(3, 11, 1, 0))  # the practice day is still Mar 10
    seed_demo_history(history, clock.now())
    assert history.pauses_on(date(2026, 3, 10)) == []
    assert history.gratitude_on(date(2026, 3, 10)) == []


def test_close_is_idempotent(history: History) -> None:
    history.close()
    history.close()
    assert history.db.is_closed()


def test_history_survives_a_reopen_with_local_times(profile: Profile, clock: FakeClock) -> None:
    opened = open_store(profile.database_path, clock.now())
    History(opened.db).record_pause(datetime(2026, 7, 1, 18, 0, tzinfo=NEW_YORK), "completed")
    opened.db.close()
    reopened = open_store(Path(profile.database_path), clock.now())
    try:
        pause, = History(reopened.db).pauses_on(date(2026, 7, 1))
        assert pause.at == datetime(2026, 7, 1, 18, 0, tzinfo=NEW_YORK)
        assert pause.at.utcoffset() == NEW_YORK.utcoffset(datetime(2026, 7, 1, 18, 0))
    finally:
        reopened.db.close()
