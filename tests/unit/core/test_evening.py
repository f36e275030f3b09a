"""Tests for microapp.core.evening: when the evening invitation comes, with a hand-moved clock.

Covers the prompt time, the 04:00 day boundary, DST nights in Berlin (the invitation inside
the skipped and the repeated hour), a machine asleep through the evening, a zone change, rest
days, "not tonight", snooze, a written sentence, and the window for filling in yesterday.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from microapp.core.clock import day_start, practice_day
from microapp.core.evening import (
    SNOOZE_CHOICES,
    EveningPlan,
    EveningState,
    backfill_closes,
    backfill_day,
    plan_evening,
    prompt_instant,
)
from tests.helpers import FakeClock

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
TOKYO = ZoneInfo("Asia/Tokyo")
LONDON = ZoneInfo("Europe/London")
AT = time(20, 30)
FOUR = time(4, 0)
TUESDAY = date(2026, 3, 10)
SPRING = date(2026, 3, 29)  # Berlin: 02:00 CET jumps to 03:00 CEST
FALL = date(2026, 10, 25)  # Berlin: 03:00 CEST falls back to 02:00 CET


def berlin(day: date, hh: int, mm: int = 0, fold: int = 0) -> datetime:
    return datetime.combine(day, time(hh, mm), tzinfo=BERLIN).replace(fold=fold)


def utc(instant: datetime) -> datetime:
    return instant.astimezone(UTC)


def plan(now: datetime, state: EveningState | None = None, *, enabled: bool = True,
         at: time = AT, rest_days: tuple[int, ...] = (),
         day_starts_at: time = FOUR) -> EveningPlan:
    return plan_evening(now, enabled=enabled, at=at, rest_days=rest_days,
                        day_starts_at=day_starts_at, state=state or EveningState())


# --- prompt_instant ---------------------------------------------------------------------------


def test_the_prompt_is_the_wall_clock_time_on_the_day() -> None:
    assert prompt_instant(TUESDAY, AT, FOUR, BERLIN) == berlin(TUESDAY, 20, 30)


def test_a_prompt_before_the_day_start_is_on_the_next_date() -> None:
    got = prompt_instant(TUESDAY, time(0, 30), FOUR, BERLIN)
    assert got == berlin(TUESDAY + timedelta(days=1), 0, 30)
    assert practice_day(got, FOUR) == TUESDAY
    assert prompt_instant(TUESDAY, FOUR, FOUR, BERLIN) == berlin(TUESDAY, 4)


def test_a_prompt_in_the_skipped_hour_moves_to_just_after_the_gap() -> None:
    got = prompt_instant(SPRING, time(2, 30), time(0, 0), BERLIN)
    assert utc(got) == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)  # 03:00 CEST
    # With the default day start the 02:30 of practice day 28 March is on the 29th: skipped.
    got = prompt_instant(SPRING - timedelta(days=1), time(2, 30), FOUR, BERLIN)
    assert utc(got) == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)
    assert practice_day(got, FOUR) == SPRING - timedelta(days=1)


def test_a_prompt_skipped_together_with_the_day_start_stays_inside_its_day() -> None:
    day = SPRING - timedelta(days=1)
    got = prompt_instant(day, time(2, 15), time(2, 30), BERLIN)
    end = day_start(SPRING, time(2, 30), BERLIN)
    assert utc(got) < utc(end) and utc(end) - utc(got) == timedelta(microseconds=1)
    assert practice_day(got, time(2, 30)) == day


def test_a_prompt_in_the_repeated_hour_takes_the_first_one() -> None:
    got = prompt_instant(FALL, time(2, 30), time(0, 0), BERLIN)
    assert utc(got) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 02:30 CEST, not CET
    got = prompt_instant(FALL - timedelta(days=1), time(2, 30), FOUR, BERLIN)
    assert utc(got) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


def test_the_evening_after_a_dst_night_is_at_the_same_wall_time() -> None:
    for day in (SPRING, FALL):
        got = prompt_instant(day, AT, FOUR, BERLIN)
        assert got.astimezone(BERLIN).replace(tzinfo=None) == datetime.combine(day, AT)


# --- plan_evening -----------------------------------------------------------------------------


def test_before_the_prompt_it_waits_for_it() -> None:
    clock = FakeClock(berlin(TUESDAY, 9))
    got = plan(clock.now())
    assert got == EveningPlan(show_now=False, wake_at=berlin(TUESDAY, 20, 30), day=TUESDAY)


def test_at_the_prompt_time_it_shows_once() -> None:
    clock = FakeClock(berlin(TUESDAY, 20, 30))
    got = plan(clock.now())
    assert got.show_now and got.day == TUESDAY
    assert got.wake_at == berlin(TUESDAY + timedelta(days=1), 20, 30)
    shown = EveningState(prompted_day=TUESDAY)
    clock.advance(minutes=5)
    assert not plan(clock.now(), shown).show_now
    assert plan(clock.now(), shown).wake_at == got.wake_at


def test_half_past_midnight_still_belongs_to_the_evening_before() -> None:
    now = berlin(TUESDAY + timedelta(days=1), 0, 30)
    got = plan(now)
    assert got.day == TUESDAY and got.show_now  # not yet prompted: asleep at 20:30
    assert not plan(now, EveningState(written_today=True)).show_now


def test_a_machine_asleep_through_the_evening_is_invited_on_waking_the_same_day() -> None:
    clock = FakeClock(berlin(TUESDAY, 18))
    assert plan(clock.now()).wake_at == berlin(TUESDAY, 20, 30)
    clock.set(berlin(TUESDAY, 23, 10))  # woke up
    assert plan(clock.now()).show_now


def test_never_for_a_day_that_has_ended() -> None:
    now = berlin(TUESDAY + timedelta(days=1), 4, 30)
    got = plan(now)
    assert got == EveningPlan(show_now=False, wake_at=berlin(TUESDAY + timedelta(days=1), 20, 30),
                              day=TUESDAY + timedelta(days=1))


def test_the_practice_day_follows_the_zone_now_in_force() -> None:
    clock = FakeClock(berlin(TUESDAY, 20, 30))
    assert plan(clock.now()).show_now
    shown = EveningState(prompted_day=TUESDAY)
    clock.move_to_zone(NEW_YORK)  # 14:30 in New York, still Tuesday
    got = plan(clock.now(), shown)
    assert not got.show_now and got.day == TUESDAY
    assert got.wake_at == datetime(2026, 3, 11, 20, 30, tzinfo=NEW_YORK)
    clock.move_to_zone(TOKYO)  # 04:30 on Wednesday in Tokyo: a new practice day
    got = plan(clock.now(), shown)
    assert got.day == TUESDAY + timedelta(days=1) and not got.show_now
    assert got.wake_at == datetime(2026, 3, 11, 20, 30, tzinfo=TOKYO)


def test_flying_west_before_the_evening_moves_the_prompt_to_the_new_wall_clock() -> None:
    clock = FakeClock(berlin(TUESDAY, 19))
    clock.move_to_zone(LONDON)
    got = plan(clock.now())
    assert got.wake_at == datetime(2026, 3, 10, 20, 30, tzinfo=LONDON)
    assert utc(got.wake_at) == utc(berlin(TUESDAY, 21, 30))


def test_rest_days_are_skipped() -> None:
    now = berlin(TUESDAY, 21)  # Tuesday is weekday 1
    got = plan(now, rest_days=(1, 2))
    assert not got.show_now
    assert got.wake_at == berlin(date(2026, 3, 12), 20, 30)  # Thursday
    assert plan(berlin(TUESDAY, 9), rest_days=(1,)).wake_at == berlin(date(2026, 3, 11), 20, 30)
    assert plan(now, rest_days=(0, 2, 3, 4, 5, 6)).show_now


def test_every_day_a_rest_day_or_disabled_waits_for_nothing() -> None:
    assert plan(berlin(TUESDAY, 21), rest_days=tuple(range(7))) == EveningPlan(
        show_now=False, wake_at=None, day=TUESDAY)
    assert plan(berlin(TUESDAY, 21), enabled=False) == EveningPlan(
        show_now=False, wake_at=None, day=TUESDAY)
    assert plan(berlin(TUESDAY, 9), enabled=False).wake_at is None


def test_not_tonight_and_written_mean_nothing_more_today() -> None:
    tomorrow = berlin(date(2026, 3, 11), 20, 30)
    for state in (EveningState(dismissed_day=TUESDAY), EveningState(written_today=True)):
        for hour in (9, 21, 23):
            got = plan(berlin(TUESDAY, hour), state)
            assert not got.show_now and got.wake_at == tomorrow
    # Yesterday's "not tonight" says nothing about today.
    assert plan(berlin(TUESDAY, 21), EveningState(dismissed_day=date(2026, 3, 9))).show_now


def test_snooze_then_show_again() -> None:
    assert set(SNOOZE_CHOICES) == {"15m", "1h"}
    clock = FakeClock(berlin(TUESDAY, 20, 30))
    assert plan(clock.now()).show_now
    until = clock.now() + SNOOZE_CHOICES["1h"]
    snoozed = EveningState(prompted_day=None, snoozed_until=until.astimezone(UTC))
    clock.advance(minutes=1)
    got = plan(clock.now(), snoozed)
    assert not got.show_now and got.wake_at == until
    clock.set(until)
    got = plan(clock.now(), snoozed)
    assert got.show_now and got.wake_at == berlin(date(2026, 3, 11), 20, 30)


def test_a_snooze_past_the_end_of_the_day_is_irrelevant() -> None:
    now = berlin(date(2026, 3, 11), 3, 50)
    snoozed = EveningState(snoozed_until=now + SNOOZE_CHOICES["1h"])
    got = plan(now, snoozed)
    assert got == EveningPlan(show_now=False, wake_at=berlin(date(2026, 3, 11), 20, 30),
                              day=TUESDAY)
    later = plan(now + timedelta(minutes=20), snoozed)  # the new day: its evening is ahead
    assert later.day == date(2026, 3, 11) and not later.show_now


def test_an_old_snooze_is_ignored() -> None:
    state = EveningState(snoozed_until=berlin(TUESDAY, 12))
    assert plan(berlin(TUESDAY, 21), state).show_now


def test_the_prompt_on_a_spring_forward_night_inside_the_skipped_hour() -> None:
    day = SPRING - timedelta(days=1)
    at = time(2, 30)  # after midnight: belongs to the evening before, but never happens
    before = berlin(SPRING, 1, 59)
    got = plan(before, at=at)
    assert got.day == day and not got.show_now
    assert utc(got.wake_at) == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)
    got = plan(berlin(SPRING, 3, 0), at=at)
    assert got.day == day and got.show_now
    assert got.wake_at == prompt_instant(SPRING, at, FOUR, BERLIN)


def test_the_prompt_on_a_fall_back_night_inside_the_repeated_hour_shows_once() -> None:
    day = FALL - timedelta(days=1)
    at = time(2, 30)
    first, second = berlin(FALL, 2, 30, fold=0), berlin(FALL, 2, 30, fold=1)
    assert plan(berlin(FALL, 2, 0, fold=0), at=at).wake_at == first
    got = plan(first, at=at)
    assert got.show_now and got.day == day
    assert not plan(second, EveningState(prompted_day=day), at=at).show_now
    assert plan(second, at=at).show_now  # never shown yet (asleep): still the same day


def test_the_evening_after_a_dst_night_comes_at_the_wall_time() -> None:
    for night in (SPRING, FALL):
        got = plan(berlin(night, 12))
        assert got.wake_at == berlin(night, 20, 30)
        assert plan(berlin(night, 20, 30)).show_now


# --- backfill ---------------------------------------------------------------------------------


def backfill(now: datetime) -> date | None:
    return backfill_day(now, at=AT, day_starts_at=FOUR)


def test_yesterday_can_be_filled_in_until_the_next_evenings_prompt() -> None:
    assert backfill(berlin(TUESDAY, 9)) == date(2026, 3, 9)
    assert backfill(berlin(TUESDAY, 4)) == date(2026, 3, 9)
    prompt = berlin(TUESDAY, 20, 30)
    assert backfill(prompt - timedelta(microseconds=1)) == date(2026, 3, 9)
    assert backfill(prompt) is None
    assert backfill(berlin(TUESDAY, 23)) is None
    assert backfill(berlin(date(2026, 3, 11), 0, 30)) is None  # still Tuesday, after its prompt
    assert backfill(berlin(date(2026, 3, 11), 4)) == TUESDAY
    assert backfill_closes(berlin(TUESDAY, 9), at=AT, day_starts_at=FOUR) == prompt


def test_backfill_on_dst_nights() -> None:
    assert backfill(berlin(SPRING, 4)) == SPRING - timedelta(days=1)
    assert backfill(berlin(SPRING, 3, 30)) is None  # practice day 28 March, prompt passed
    assert backfill(berlin(FALL, 20, 29)) == FALL - timedelta(days=1)


def test_naive_instants_are_refused() -> None:
    with pytest.raises(ValueError):
        plan(datetime(2026, 3, 10, 21))
    with pytest.raises(ValueError):
        backfill(datetime(2026, 3, 10, 21))


# --- properties -------------------------------------------------------------------------------

ZONES = [BERLIN, NEW_YORK, TOKYO, ZoneInfo("Australia/Lord_Howe"), ZoneInfo("UTC")]
TIMES = [time(0, 0), time(0, 30), time(2, 0), time(2, 30), time(3, 59), time(4, 0),
         time(20, 30), time(23, 59)]
START = datetime(2026, 3, 20, tzinfo=UTC)


@settings(max_examples=500, deadline=None)
@given(
    minutes=st.integers(min_value=0, max_value=230 * 24 * 60),
    zone=st.sampled_from(ZONES),
    at=st.sampled_from(TIMES),
    starts=st.sampled_from(TIMES),
    enabled=st.booleans(),
    rest_days=st.sets(st.integers(min_value=0, max_value=6)),
    written=st.booleans(),
    prompted=st.sampled_from([None, -1, 0]),
    dismissed=st.sampled_from([None, -1, 0]),
    snooze_minutes=st.sampled_from([None, -30, 15, 60, 600]),
)
def test_wake_at_is_always_later_than_now(
    minutes: int, zone: ZoneInfo, at: time, starts: time, enabled: bool, rest_days: set[int],
    written: bool, prompted: int | None, dismissed: int | None, snooze_minutes: int | None,
) -> None:
    now = (START + timedelta(minutes=minutes)).astimezone(zone)
    today = practice_day(now, starts)
    state = EveningState(
        written_today=written,
        prompted_day=None if prompted is None else today + timedelta(days=prompted),
        dismissed_day=None if dismissed is None else today + timedelta(days=dismissed),
        snoozed_until=None if snooze_minutes is None else now + timedelta(minutes=snooze_minutes),
    )
    got = plan_evening(now, enabled=enabled, at=at, rest_days=rest_days, day_starts_at=starts,
                       state=state)
    assert got.day == today
    if got.wake_at is not None:
        assert got.wake_at.tzinfo is not None
        assert utc(got.wake_at) > utc(now)
    if got.show_now:
        assert utc(now) >= utc(prompt_instant(today, at, starts, zone))
        assert today.weekday() not in rest_days and enabled and not written


@settings(max_examples=300, deadline=None)
@given(
    offset=st.integers(min_value=0, max_value=230),
    zone=st.sampled_from(ZONES),
    at=st.sampled_from(TIMES),
    starts=st.sampled_from(TIMES),
)
def test_the_prompt_lies_inside_its_practice_day(
    offset: int, zone: ZoneInfo, at: time, starts: time
) -> None:
    day = date(2026, 3, 20) + timedelta(days=offset)
    got = prompt_instant(day, at, starts, zone)
    assert utc(day_start(day, starts, zone)) <= utc(got)
    assert utc(got) < utc(day_start(day + timedelta(days=1), starts, zone))
    assert practice_day(got, starts) == day
