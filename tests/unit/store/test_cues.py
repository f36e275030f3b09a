"""Tests for the doorway pause cues and app state in microapp.store.history, on real SQLite
files: a handled cue never fires again (refresh, restart), and a snooze outlives a restart."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from peewee import IntegrityError

from microapp.core.paths import Profile
from microapp.core.records import Intention, Outcome, PauseRecord
from microapp.store.db import open_store
from microapp.store.history import History
from tests.helpers import FakeClock

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
STANDUP = "work\x1fstandup-1\x1f2026-03-10T08:00:00+00:00"
REVIEW = "home\x1freview-7\x1f2026-03-10T08:00:00+00:00"
LATER = "work\x1fplanning-2\x1f2026-03-10T13:00:00+00:00"


def berlin(day: int, hh: int, mm: int = 0, ss: int = 0) -> datetime:
    return datetime(2026, 3, day, hh, mm, ss, tzinfo=BERLIN)


DUE = berlin(10, 8, 59)  # a minute before the 09:00 meetings


def open_history(path: Path, clock: FakeClock) -> History:
    opened = open_store(path, clock.now())
    assert opened.persistent and opened.problem is None
    return History(opened.db)


@pytest.fixture
def history(profile: Profile, clock: FakeClock) -> Iterator[History]:
    h = open_history(profile.database_path, clock)
    yield h
    h.close()


def cue_rows(history: History) -> list[tuple]:
    return history.db.execute_sql(
        "SELECT key, due_utc, shown_utc, outcome, pause_id FROM cue ORDER BY key").fetchall()


def pause_ids(history: History) -> list[int]:
    return [i for (i,) in history.db.execute_sql("SELECT id FROM pause_event ORDER BY id")]


# --- claiming and recording -------------------------------------------------------------------


def test_a_recorded_cue_survives_reopening_the_file(
    history: History, profile: Profile, clock: FakeClock
) -> None:
    history.claim_cue([STANDUP, REVIEW], DUE, DUE)
    record = history.record_cue([STANDUP, REVIEW], DUE, berlin(10, 8, 59, 5), Outcome.COMPLETED,
                                Intention.LISTEN, "Stand-up · Review")
    history.close()

    again = open_history(profile.database_path, clock)
    try:
        assert again.handled_cue_keys(DUE) == {STANDUP, REVIEW}
        assert again.pauses_on(date(2026, 3, 10)) == [record]
        assert (record.at, record.outcome, record.intention, record.meeting) == (
            berlin(10, 8, 59, 5), Outcome.COMPLETED, Intention.LISTEN, "Stand-up · Review")
        pause_id, = pause_ids(again)
        assert cue_rows(again) == [
            (REVIEW, "2026-03-10T07:59:00.000000Z", "2026-03-10T07:59:00.000000Z", "completed",
             pause_id),
            (STANDUP, "2026-03-10T07:59:00.000000Z", "2026-03-10T07:59:00.000000Z", "completed",
             pause_id)]
    finally:
        again.close()


def test_a_refresh_reclaiming_a_cue_never_duplicates_or_resets_it(history: History) -> None:
    history.claim_cue([STANDUP], DUE, DUE)
    history.claim_cue([STANDUP, STANDUP], DUE, DUE + timedelta(seconds=30))  # a refresh
    assert cue_rows(history) == [
        (STANDUP, "2026-03-10T07:59:00.000000Z", "2026-03-10T07:59:00.000000Z", None, None)]
    history.record_cue([STANDUP], DUE, berlin(10, 8, 59, 6), "skipped")
    history.claim_cue([STANDUP], DUE, berlin(10, 9, 0))  # after a restart
    assert [row[3] for row in cue_rows(history)] == ["skipped"]
    assert history.pause_count() == 1


def test_a_claimed_cue_is_handled_before_it_has_an_outcome(history: History) -> None:
    history.claim_cue(iter([STANDUP]), DUE, DUE)  # any iterable of keys
    history.claim_cue(REVIEW, DUE, DUE)  # a bare string is one key, not its letters
    history.claim_cue([], DUE, DUE)
    assert history.handled_cue_keys(DUE) == {STANDUP, REVIEW}
    assert history.pause_count() == 0


@pytest.mark.parametrize("second_at", [berlin(10, 8, 59, 5), berlin(10, 9, 5)])
def test_recording_the_same_cue_twice_adds_no_second_pause(
    history: History, second_at: datetime
) -> None:
    first = history.record_cue([STANDUP], DUE, berlin(10, 8, 59, 5), "completed", "notice",
                               "Stand-up")
    again = history.record_cue([STANDUP], DUE, second_at, "missed")
    assert again == first  # the first outcome is final
    assert history.pause_count() == 1
    assert [row[3] for row in cue_rows(history)] == ["completed"]


def test_a_cue_recorded_over_an_existing_pause_points_at_that_pause(history: History) -> None:
    # The same pause already logged (e.g. imported), then another row inserted after it: the
    # cue must find the right id, not SQLite's last inserted one.
    history.record_pause(berlin(10, 8, 59, 5), "completed", "notice", "Stand-up")
    history.record_pause(berlin(10, 7, 0), "skipped")
    history.record_cue([STANDUP], DUE, berlin(10, 8, 59, 5), "completed", "notice", "Stand-up")
    assert history.pause_count() == 2
    assert cue_rows(history)[0][4] == pause_ids(history)[0]


def test_a_new_key_joining_a_recorded_cue_gets_its_own_pause(history: History) -> None:
    history.record_cue([STANDUP], DUE, berlin(10, 8, 59, 5), "completed")
    history.record_cue([STANDUP, REVIEW], DUE, berlin(10, 8, 59, 40), "skipped")
    first, second = pause_ids(history)
    assert [(key, outcome, pause) for key, _, _, outcome, pause in cue_rows(history)] == [
        (REVIEW, "skipped", second), (STANDUP, "completed", first)]


def test_missed_and_completed_cues_land_in_the_days_outcomes(history: History) -> None:
    history.record_cue([STANDUP], DUE, berlin(10, 9, 30), Outcome.MISSED, meeting="Stand-up")
    history.claim_cue([LATER], berlin(10, 13, 59), berlin(10, 13, 59))
    history.record_cue([LATER], berlin(10, 13, 59), berlin(10, 13, 59, 5), "completed",
                       "encourage", "Planning")
    history.record_cue([REVIEW], berlin(11, 2, 0), berlin(11, 2, 0), "suppressed")  # still 10th
    by_day = history.pause_outcomes_by_day()
    assert set(by_day) == {date(2026, 3, 10)}
    assert sorted(by_day[date(2026, 3, 10)]) == ["completed", "missed", "suppressed"]
    assert [p.meeting for p in history.pauses_on(date(2026, 3, 10))] == [
        "Stand-up", "Planning", None]


def test_shown_is_kept_from_the_claim_and_only_set_for_pauses_that_showed(
    history: History
) -> None:
    history.claim_cue([STANDUP], DUE, DUE)
    history.record_cue([STANDUP], DUE, berlin(10, 8, 59, 5), "completed")
    history.record_cue([REVIEW], DUE, berlin(10, 9, 5), "missed")  # never on screen
    history.record_cue([LATER], DUE, berlin(10, 8, 59, 2), "skipped")  # shown, no claim
    shown = {key: shown for key, _, shown, _, _ in cue_rows(history)}
    assert shown == {STANDUP: "2026-03-10T07:59:00.000000Z", REVIEW: None,
                     LATER: "2026-03-10T07:59:02.000000Z"}


def test_the_practice_day_follows_the_historys_day_start(history: History) -> None:
    history.day_starts_at = history.day_starts_at.replace(hour=1)
    record = history.record_cue([STANDUP], DUE, berlin(11, 2, 0), "completed")
    assert record.day == date(2026, 3, 11)


@pytest.mark.parametrize(
    ("outcome", "intention"), [("maybe", None), ("completed", "shout")])
def test_an_invalid_cue_outcome_stores_nothing(
    history: History, outcome: str, intention: str | None
) -> None:
    with pytest.raises(ValueError, match=repr(intention or outcome)):
        history.record_cue([STANDUP], DUE, DUE, outcome, intention)
    assert (history.pause_count(), cue_rows(history)) == (0, [])


def test_naive_instants_and_no_keys_are_refused(history: History) -> None:
    naive = datetime(2026, 3, 10, 9, 0)
    with pytest.raises(ValueError, match="timezone-aware"):
        history.record_cue([STANDUP], naive, DUE, "completed")
    with pytest.raises(ValueError, match="timezone-aware"):
        history.record_cue([STANDUP], DUE, naive, "completed")
    with pytest.raises(ValueError, match="timezone-aware"):
        history.claim_cue([STANDUP], DUE, naive)
    with pytest.raises(ValueError, match="at least one key"):
        history.record_cue([], DUE, DUE, "completed")
    assert (history.pause_count(), cue_rows(history)) == (0, [])


def test_the_pause_and_its_cue_are_one_transaction(history: History) -> None:
    history.db.execute_sql("CREATE TEMP TRIGGER no_cues BEFORE INSERT ON main.cue "
                           "BEGIN SELECT RAISE(ABORT, 'disk full'); END")
    with pytest.raises(IntegrityError, match="disk full"):
        history.record_cue([STANDUP], DUE, DUE, "completed")
    assert history.pause_count() == 0  # the pause event was rolled back with the cue


# --- which cues were handled, and forgetting old ones -----------------------------------------


def test_handled_cue_keys_counts_from_since_inclusive_in_any_zone(history: History) -> None:
    history.claim_cue([STANDUP], DUE, DUE)
    history.record_cue([LATER], berlin(10, 13, 59), berlin(10, 14, 5), "missed")
    assert history.handled_cue_keys(DUE) == {STANDUP, LATER}
    same_instant = DUE.astimezone(NEW_YORK)  # 03:59 there; text order is still time order
    assert history.handled_cue_keys(same_instant) == {STANDUP, LATER}
    assert history.handled_cue_keys(same_instant + timedelta(microseconds=1)) == {LATER}
    assert history.handled_cue_keys(berlin(10, 14, 0)) == set()


def test_prune_cues_forgets_old_cues_but_keeps_their_pauses(history: History) -> None:
    history.record_cue([STANDUP], berlin(8, 8, 59), berlin(8, 9, 0), "completed")
    history.claim_cue([REVIEW], berlin(9, 8, 59), berlin(9, 8, 59))
    history.claim_cue([LATER], DUE, DUE)
    assert history.prune_cues(DUE) == 2
    assert history.handled_cue_keys(berlin(1, 0)) == {LATER}
    assert history.pause_count() == 1
    assert history.prune_cues(DUE) == 0


def test_two_stores_keep_their_cues_apart(tmp_path: Path, clock: FakeClock) -> None:
    first = open_history(tmp_path / "a.sqlite3", clock)
    second = open_history(tmp_path / "b.sqlite3", clock)  # opened last
    try:
        first.record_cue([STANDUP], DUE, DUE, "completed")
        first.set_snoozed_until(berlin(10, 10))
        assert second.handled_cue_keys(DUE) == set()
        assert second.snoozed_until() is None
        assert first.handled_cue_keys(DUE) == {STANDUP}
    finally:
        first.close()
        second.close()


# --- app state and the snooze -----------------------------------------------------------------


def test_state_is_set_replaced_and_forgotten(history: History) -> None:
    assert history.get_state("theme") is None
    history.set_state("theme", "dark")
    history.set_state("theme", "light")
    assert history.get_state("theme") == "light"
    history.set_state("theme", None)
    history.set_state("theme", None)  # forgetting twice is fine
    assert history.get_state("theme") is None


def test_a_snooze_survives_a_restart(history: History, profile: Profile,
                                     clock: FakeClock) -> None:
    history.set_snoozed_until(berlin(10, 9, 30))
    history.close()
    again = open_history(profile.database_path, clock)
    try:
        until = again.snoozed_until()
        assert until == berlin(10, 9, 30)
        assert until is not None and until.tzinfo is UTC
        assert again.get_state("snoozed_until") == "2026-03-10T08:30:00.000000Z"
        again.set_snoozed_until(None)
        assert again.snoozed_until() is None
    finally:
        again.close()


@pytest.mark.parametrize("text", ["", "tomorrow", "2026-03-10 09:30", "2026-03-10T08:30:00Z",
                                  "2026-02-30T08:30:00.000000Z"])
def test_an_unreadable_stored_snooze_is_no_snooze(history: History, text: str) -> None:
    history.set_state("snoozed_until", text)
    assert history.snoozed_until() is None


def test_a_naive_snooze_is_refused(history: History) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        history.set_snoozed_until(datetime(2026, 3, 10, 9, 30))
    assert history.snoozed_until() is None


def test_record_cue_returns_a_pause_record(history: History) -> None:
    record = history.record_cue([STANDUP], DUE, DUE.astimezone(NEW_YORK), "completed")
    assert isinstance(record, PauseRecord)
    assert (record.tz, record.at.tzinfo) == ("America/New_York", NEW_YORK)
    assert history.pauses_on(record.day) == [record]
