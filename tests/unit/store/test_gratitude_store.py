"""Tests for the gratitude half of the store (History's GratitudeQueries), on real SQLite files:
writing and backfilling sentences, how they were sent, recipients, and the micro-round."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from microapp.core.paths import Profile
from microapp.core.records import GratitudeRecord, MicroRound, RecipientSummary
from microapp.store.db import open_store
from microapp.store.history import History
from tests.helpers import FakeClock

BERLIN = ZoneInfo("Europe/Berlin")
TUESDAY = date(2026, 3, 10)
MONDAY = date(2026, 3, 9)


def berlin(month: int, day: int, hh: int, mm: int = 0) -> datetime:
    return datetime(2026, month, day, hh, mm, tzinfo=BERLIN)


def open_history(path: Path) -> History:
    opened = open_store(path, berlin(3, 10, 9))
    assert opened.persistent and opened.problem is None
    return History(opened.db)


@pytest.fixture
def history(profile: Profile) -> Iterator[History]:
    h = open_history(profile.database_path)
    yield h
    h.close()


def raw_gratitude(history: History) -> list[tuple]:
    return history.db.execute_sql(
        "SELECT at_utc, tz, day, recipient, relationship, text, sent_via, backfilled "
        "FROM gratitude_entry ORDER BY id").fetchall()


# --- add_gratitude ----------------------------------------------------------------------------


def test_a_sentence_is_stored_with_utc_zone_and_practice_day(history: History) -> None:
    record = history.add_gratitude(berlin(3, 10, 20, 40), "  Sam ", " You walk me through it. ",
                                   "Colleague")
    assert record == GratitudeRecord(at=berlin(3, 10, 20, 40), tz="Europe/Berlin", day=TUESDAY,
                                     recipient="Sam", relationship="colleague",
                                     text="You walk me through it.")
    assert raw_gratitude(history) == [("2026-03-10T19:40:00.000000Z", "Europe/Berlin",
                                       "2026-03-10", "Sam", "colleague",
                                       "You walk me through it.", None, 0)]


def test_half_past_midnight_counts_for_the_evening_before(history: History) -> None:
    record = history.add_gratitude(berlin(3, 11, 0, 30), "Mum", "You listen to the whole story.")
    assert record.day == TUESDAY and not record.backfilled
    assert history.gratitude_days() == {TUESDAY}


@pytest.mark.parametrize(("given", "stored"), [
    ("neighbor", "neighbour"), ("FAMILY", "family"), ("", None), ("  ", None), (None, None)])
def test_relationships_are_normalised(history: History, given: str | None,
                                      stored: str | None) -> None:
    assert history.add_gratitude(berlin(3, 10, 21), "Jo", "You take our parcel in.",
                                 given).relationship == stored
    assert raw_gratitude(history)[0][4] == stored


def test_bad_input_is_refused_and_nothing_is_stored(history: History) -> None:
    with pytest.raises(ValueError, match="friend, partner, colleague"):
        history.add_gratitude(berlin(3, 10, 21), "Jo", "You take our parcel in.", "boss")
    with pytest.raises(ValueError, match="recipient and a sentence"):
        history.add_gratitude(berlin(3, 10, 21), "  ", "You take our parcel in.")
    with pytest.raises(ValueError, match="recipient and a sentence"):
        history.add_gratitude(berlin(3, 10, 21), "Jo", " \n ")
    with pytest.raises(ValueError):
        history.add_gratitude(datetime(2026, 3, 10, 21), "Jo", "You take our parcel in.")
    assert raw_gratitude(history) == []


def test_the_same_sentence_twice_is_stored_once(history: History) -> None:
    for _ in range(2):
        history.add_gratitude(berlin(3, 10, 21), "Jo", "You take our parcel in.")
    assert len(raw_gratitude(history)) == 1


def test_yesterday_can_be_filled_in_and_is_flagged(history: History) -> None:
    record = history.add_gratitude(berlin(3, 10, 9), "Priya", "Your voice note helps.",
                                   day=MONDAY)
    assert (record.day, record.backfilled) == (MONDAY, True)
    assert record.at == berlin(3, 10, 9)  # when it was written stays true
    assert raw_gratitude(history)[0][2:] == ("2026-03-09", "Priya", None,
                                             "Your voice note helps.", None, 1)
    assert history.gratitude_on(MONDAY)[0].backfilled
    same_day = history.add_gratitude(berlin(3, 10, 21), "Priya", "You call back.", day=TUESDAY)
    assert (same_day.day, same_day.backfilled) == (TUESDAY, False)


def test_a_day_that_has_not_begun_is_refused(history: History) -> None:
    with pytest.raises(ValueError, match="has not begun"):
        # 02:00 on Wednesday is still Tuesday's practice day.
        history.add_gratitude(berlin(3, 11, 2), "Sam", "You save me a seat.", day=date(2026, 3, 11))
    assert raw_gratitude(history) == []


def test_the_day_start_setting_decides_new_entries(profile: Profile) -> None:
    opened = open_store(profile.database_path, berlin(3, 10, 9))
    history = History(opened.db, day_starts_at=time(0, 0))
    try:
        assert history.add_gratitude(berlin(3, 11, 0, 30), "Mum", "You ring.").day == date(
            2026, 3, 11)
    finally:
        history.close()


# --- mark_gratitude_sent ----------------------------------------------------------------------


def test_sent_ways_accumulate_sorted_without_duplicates(history: History) -> None:
    record = history.add_gratitude(berlin(3, 10, 21), "Sam", "You save me a seat.")
    other = history.add_gratitude(berlin(3, 10, 21), "Sam", "You fix the build.")
    emailed = history.mark_gratitude_sent(record, "email")
    assert emailed.sent_via == "email"
    assert history.mark_gratitude_sent(emailed, "email").sent_via == "email"
    assert history.mark_gratitude_sent(emailed, "copy").sent_via == "copy,email"
    assert history.mark_gratitude_sent(record, "email").sent_via == "copy,email"
    by_text = {g.text: g.sent_via for g in history.gratitude_on(TUESDAY)}
    assert by_text == {"You save me a seat.": "copy,email", other.text: None}


def test_sent_when_saved_and_later_another_way(history: History) -> None:
    record = history.add_gratitude(berlin(3, 10, 21), "Sam", "You save me a seat.", None, "copy")
    assert record.sent_via == "copy"
    assert history.mark_gratitude_sent(record, "email").sent_via == "copy,email"


def test_marking_something_unknown_is_refused(history: History) -> None:
    record = history.add_gratitude(berlin(3, 10, 21), "Sam", "You save me a seat.")
    with pytest.raises(ValueError, match="copy, email"):
        history.mark_gratitude_sent(record, "pigeon")
    stranger = GratitudeRecord(at=berlin(3, 10, 22), tz="Europe/Berlin", day=TUESDAY,
                               recipient="Sam", relationship=None, text="You save me a seat.")
    with pytest.raises(LookupError):
        history.mark_gratitude_sent(stranger, "copy")
    assert raw_gratitude(history)[0][6] is None


# --- recipients and their entries ---------------------------------------------------------------


def test_recipients_group_names_in_any_case(history: History) -> None:
    history.add_gratitude(berlin(3, 1, 21), "sam", "You fix the build.", "friend")
    history.add_gratitude(berlin(3, 5, 21), "SAM", "You save me a seat.", "colleague")
    history.add_gratitude(berlin(3, 8, 21), "Sam", "You stay late.")  # no relationship given
    history.add_gratitude(berlin(3, 7, 21), "Mum", "You ring on Sundays.", "family")
    history.add_gratitude(berlin(2, 2, 21), "Zoë", "You hum while cooking.", "neighbour")
    history.add_gratitude(berlin(3, 9, 21), "zoë", "You water the plants.")
    assert history.recipients() == [
        RecipientSummary("zoë", "neighbour", date(2026, 3, 9), 2),
        RecipientSummary("Sam", "colleague", date(2026, 3, 8), 3),
        RecipientSummary("Mum", "family", date(2026, 3, 7), 1),
    ]


def test_a_backfilled_entry_does_not_move_the_last_day_back(history: History) -> None:
    history.add_gratitude(berlin(3, 10, 9), "Sam", "You save me a seat.")
    history.add_gratitude(berlin(3, 10, 10), "sam", "You fix the build.", day=MONDAY)
    assert history.recipients() == [RecipientSummary("sam", None, TUESDAY, 2)]


def test_no_recipients_yet(history: History) -> None:
    assert history.recipients() == []
    assert history.gratitude_for("Sam") == []


def test_entries_for_one_person_newest_first(history: History) -> None:
    for day, name in ((3, "Sam"), (1, "sam"), (5, "SAM"), (4, "Samantha"), (6, "Mum")):
        history.add_gratitude(berlin(3, day, 21), name, f"Note {day}.")
    assert [g.text for g in history.gratitude_for(" sam ")] == ["Note 5.", "Note 3.", "Note 1."]
    assert [g.text for g in history.gratitude_for("Sam", limit=2)] == ["Note 5.", "Note 3."]
    assert history.gratitude_for("Sam", limit=0) == []
    assert history.gratitude_for("Nobody") == []


def test_unicode_names_round_trip(history: History) -> None:
    history.add_gratitude(berlin(3, 10, 21), "李雷", "你每天早上给我泡茶。🙏", "friend")
    history.add_gratitude(berlin(3, 10, 22), "Zoë", "You make the café feel like home.")
    assert [g.text for g in history.gratitude_for("李雷")] == ["你每天早上给我泡茶。🙏"]
    assert [g.recipient for g in history.gratitude_for("zoë")] == ["Zoë"]
    assert {r.name for r in history.recipients()} == {"李雷", "Zoë"}


# --- the micro-round ------------------------------------------------------------------------------


def test_the_micro_round_is_saved_replaced_and_forgotten(history: History) -> None:
    assert history.micro_round(TUESDAY) is None
    saved = history.save_micro_round(TUESDAY, " the pause before planning ", "", "Sam's demo",
                                     berlin(3, 10, 21))
    assert saved == MicroRound(TUESDAY, "the pause before planning", "", "Sam's demo")
    assert history.micro_round(TUESDAY) == saved
    history.save_micro_round(TUESDAY, "", "why the chime was off", "", berlin(3, 10, 22))
    assert history.micro_round(TUESDAY) == MicroRound(TUESDAY, confusing="why the chime was off")
    assert history.db.execute_sql("SELECT day, updated_utc FROM micro_round").fetchall() == [
        ("2026-03-10", "2026-03-10T21:00:00.000000Z")]
    history.save_micro_round(MONDAY, "walk", "", "", berlin(3, 10, 22))
    assert history.save_micro_round(TUESDAY, " ", "\n", "", berlin(3, 10, 23)) == MicroRound(
        TUESDAY)
    assert history.micro_round(TUESDAY) is None
    assert history.micro_round(MONDAY) == MicroRound(MONDAY, useful="walk")


def test_a_naive_save_time_changes_nothing(history: History) -> None:
    history.save_micro_round(TUESDAY, "walk", "", "", berlin(3, 10, 21))
    with pytest.raises(ValueError):
        history.save_micro_round(TUESDAY, "", "", "", datetime(2026, 3, 10, 22))
    assert history.micro_round(TUESDAY) == MicroRound(TUESDAY, useful="walk")


# --- files ----------------------------------------------------------------------------------------


def test_everything_survives_closing_and_two_stores_stay_apart(tmp_path: Path) -> None:
    clock = FakeClock(berlin(3, 10, 21))
    first, second = open_history(tmp_path / "a.sqlite3"), open_history(tmp_path / "b.sqlite3")
    record = first.add_gratitude(clock.now(), "Sam", "You save me a seat.", "colleague")
    first.mark_gratitude_sent(record, "copy")
    first.save_micro_round(TUESDAY, "walk", "", "", clock.now())
    assert second.recipients() == [] and second.micro_round(TUESDAY) is None
    second.close()
    first.close()
    again = open_history(tmp_path / "a.sqlite3")
    try:
        assert again.gratitude_for("sam")[0].sent_via == "copy"
        assert again.gratitude_for("sam")[0].at.astimezone(UTC) == clock.now().astimezone(UTC)
        assert again.recipients() == [RecipientSummary("Sam", "colleague", TUESDAY, 1)]
        assert again.micro_round(TUESDAY) == MicroRound(TUESDAY, useful="walk")
    finally:
        again.close()
