"""Tests for microapp.core.clock: practice days, stamps and day boundaries, across DST and zones."""

from __future__ import annotations

import dataclasses
import zoneinfo
from datetime import UTC, date, datetime, time, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import tzlocal
from hypothesis import given, settings
from hypothesis import strategies as st

from microapp.core.clock import (
    DEFAULT_DAY_STARTS_AT,
    Stamp,
    SystemClock,
    day_start,
    next_day_start,
    practice_day,
    today,
    zone_name,
)
from tests.helpers import FakeClock

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
TOKYO = ZoneInfo("Asia/Tokyo")

# 2026 DST nights. Berlin: 02:00 CET -> 03:00 CEST on Mar 29, 03:00 CEST -> 02:00 CET on Oct 25.
# New York: 02:00 EST -> 03:00 EDT on Mar 8, 02:00 EDT -> 01:00 EST on Nov 1.
BERLIN_SPRING, BERLIN_FALL = date(2026, 3, 29), date(2026, 10, 25)
NY_SPRING, NY_FALL = date(2026, 3, 8), date(2026, 11, 1)


def at(day: date, hh: int, mm: int, zone: ZoneInfo, fold: int = 0) -> datetime:
    return datetime.combine(day, time(hh, mm), tzinfo=zone).replace(fold=fold)


def hours_between(a: datetime, b: datetime) -> float:
    return (b.astimezone(UTC) - a.astimezone(UTC)).total_seconds() / 3600


# --- practice_day ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hh", "mm", "expected"),
    [
        (3, 59, date(2026, 3, 9)),  # one minute before the default start: still yesterday
        (4, 0, date(2026, 3, 10)),  # on the dot: the new day
        (4, 1, date(2026, 3, 10)),
        (0, 0, date(2026, 3, 9)),
        (23, 59, date(2026, 3, 10)),
    ],
)
def test_default_day_starts_at_four(hh: int, mm: int, expected: date) -> None:
    assert time(4, 0) == DEFAULT_DAY_STARTS_AT
    assert practice_day(at(date(2026, 3, 10), hh, mm, BERLIN)) == expected


def test_a_pause_at_half_past_midnight_counts_for_the_evening_before() -> None:
    tuesday_0030 = at(date(2026, 3, 10), 0, 30, BERLIN)
    assert tuesday_0030.strftime("%A") == "Tuesday"
    assert practice_day(tuesday_0030) == date(2026, 3, 9)


@pytest.mark.parametrize(
    ("starts_at", "hh", "mm", "expected"),
    [
        (time(6, 0), 5, 59, date(2026, 3, 9)),
        (time(6, 0), 6, 0, date(2026, 3, 10)),
        (time(0, 0), 0, 0, date(2026, 3, 10)),  # midnight start: the plain calendar date
        (time(0, 0), 23, 59, date(2026, 3, 10)),
        (time(0, 0), 0, 30, date(2026, 3, 10)),
        (time(2, 30), 2, 29, date(2026, 3, 9)),
        (time(2, 30), 2, 30, date(2026, 3, 10)),
    ],
)
def test_custom_day_start(starts_at: time, hh: int, mm: int, expected: date) -> None:
    assert practice_day(at(date(2026, 3, 10), hh, mm, BERLIN), starts_at) == expected


@pytest.mark.parametrize(
    ("zone", "night"),
    [(BERLIN, BERLIN_SPRING), (BERLIN, BERLIN_FALL), (NEW_YORK, NY_SPRING), (NEW_YORK, NY_FALL)],
    ids=["berlin-spring", "berlin-fall", "new-york-spring", "new-york-fall"],
)
def test_dst_nights_are_calendar_days_not_24_hour_blocks(zone: ZoneInfo, night: date) -> None:
    eve = night - timedelta(days=1)
    start_of_eve = at(eve, 4, 0, zone)
    # A clock change at ~02:00 makes the practice day before it 23 or 25 hours long ...
    boundary = at(night, 4, 0, zone)
    length = hours_between(start_of_eve, boundary)
    assert length in (23.0, 25.0)
    # ... and the day still ends at 04:00 on the wall clock, not 24 real hours after it began.
    just_before = (boundary.astimezone(UTC) - timedelta(minutes=1)).astimezone(zone)
    assert just_before.time() == time(3, 59)
    assert practice_day(just_before) == eve
    assert practice_day(boundary) == night
    twenty_four_hours_later = (start_of_eve.astimezone(UTC) + timedelta(hours=24)).astimezone(zone)
    expected = night if length == 23.0 else eve
    assert practice_day(twenty_four_hours_later) == expected
    # Every minute of the night, whatever the zone's offset, belongs to the evening before.
    t = at(eve, 22, 0, zone).astimezone(UTC)
    while t < boundary.astimezone(UTC):
        assert practice_day(t.astimezone(zone)) == eve, t.astimezone(zone)
        t += timedelta(minutes=1)


def test_the_repeated_hour_of_a_fall_back_night_never_turns_the_day_back() -> None:
    # Day start 02:30 on the Berlin fall-back night: 02:30 happens at 00:30 UTC (CEST) and
    # again at 01:30 UTC (CET). The day starts at the first one and stays started.
    starts_at = time(2, 30)
    first_pass = at(BERLIN_FALL, 2, 40, BERLIN, fold=0)
    second_pass = at(BERLIN_FALL, 2, 10, BERLIN, fold=1)
    assert hours_between(first_pass, second_pass) > 0  # later in real time
    assert practice_day(at(BERLIN_FALL, 2, 20, BERLIN, fold=0), starts_at) == date(2026, 10, 24)
    assert practice_day(first_pass, starts_at) == BERLIN_FALL
    assert practice_day(second_pass, starts_at) == BERLIN_FALL


def test_a_day_start_skipped_by_spring_forward_begins_at_the_jump() -> None:
    # 02:30 does not exist in Berlin on Mar 29: the clock goes from 01:59:59 CET to 03:00 CEST.
    starts_at = time(2, 30)
    jump = datetime(2026, 3, 29, 1, 0, tzinfo=UTC)
    assert jump.astimezone(BERLIN).time() == time(3, 0)
    assert practice_day((jump - timedelta(microseconds=1)).astimezone(BERLIN), starts_at) == date(
        2026, 3, 28
    )
    assert practice_day(jump.astimezone(BERLIN), starts_at) == BERLIN_SPRING
    assert day_start(BERLIN_SPRING, starts_at, BERLIN).astimezone(UTC) == jump


def test_the_same_instant_is_a_different_practice_day_in_different_zones() -> None:
    instant = datetime(2026, 3, 10, 3, 30, tzinfo=UTC)
    assert practice_day(instant.astimezone(BERLIN)) == date(2026, 3, 10)  # 04:30
    assert practice_day(instant.astimezone(NEW_YORK)) == date(2026, 3, 9)  # 23:30 the day before
    assert practice_day(instant.astimezone(TOKYO)) == date(2026, 3, 10)  # 12:30
    assert practice_day(instant, zone=NEW_YORK) == date(2026, 3, 9)
    assert practice_day(instant) == date(2026, 3, 9)  # as given: 03:30 UTC is before 04:00


def test_practice_day_rejects_naive_datetimes() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        practice_day(datetime(2026, 3, 10, 9, 0))


# --- Stamp ----------------------------------------------------------------------------------


def test_stamp_keeps_utc_the_zone_name_and_the_practice_day() -> None:
    stamp = Stamp.of(at(date(2026, 3, 10), 0, 30, BERLIN))
    assert stamp.at_utc == datetime(2026, 3, 9, 23, 30, tzinfo=UTC)
    assert stamp.at_utc.utcoffset() == timedelta(0)
    assert stamp.tz == "Europe/Berlin"
    assert stamp.day == date(2026, 3, 9)


def test_a_stamps_day_is_fixed_when_made_even_if_the_user_travels(clock: FakeClock) -> None:
    clock.set(datetime(2026, 3, 10, 4, 30, tzinfo=BERLIN))
    stamp = Stamp.of(clock.now())
    assert stamp.day == date(2026, 3, 10) == today(clock)
    clock.move_to_zone(NEW_YORK)  # same instant: 23:30 on Mar 9 in New York
    assert today(clock) == date(2026, 3, 9)
    assert stamp.day == date(2026, 3, 10)
    assert stamp.tz == "Europe/Berlin"
    with pytest.raises(dataclasses.FrozenInstanceError):
        stamp.day = date(2026, 3, 9)  # type: ignore[misc]


def test_stamp_uses_the_day_start_it_is_given() -> None:
    instant = at(date(2026, 3, 10), 5, 0, BERLIN)
    assert Stamp.of(instant).day == date(2026, 3, 10)
    assert Stamp.of(instant, time(6, 0)).day == date(2026, 3, 9)


def test_stamp_rejects_naive_datetimes() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        Stamp.of(datetime(2026, 3, 10, 9, 0))


@pytest.mark.parametrize(
    ("tz", "name"),
    [
        (BERLIN, "Europe/Berlin"),
        (ZoneInfo("UTC"), "UTC"),
        (UTC, "UTC"),
        (timezone(timedelta(0)), "UTC"),
        (timezone(timedelta(hours=2)), "Etc/GMT-2"),  # POSIX sign: two hours ahead of UTC
        (timezone(timedelta(hours=-5)), "Etc/GMT+5"),
    ],
)
def test_zone_name(tz, name: str) -> None:
    assert zone_name(tz) == name
    # The name must resolve back to a zone with the same offset at the same instant.
    instant = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
    assert instant.astimezone(ZoneInfo(name)).utcoffset() == instant.astimezone(tz).utcoffset()


def test_a_fixed_offset_is_not_mislabelled_utc() -> None:
    # What datetime.fromisoformat gives for "…+01:00": the stamp must not claim "UTC".
    instant = datetime.fromisoformat("2026-03-10T09:00:00+01:00")
    stamp = Stamp.of(instant)
    assert stamp.tz == "Etc/GMT-1"
    assert stamp.at_utc.astimezone(ZoneInfo(stamp.tz)).hour == 9


@pytest.fixture
def nameless_berlin() -> ZoneInfo:
    """What tzlocal returns when the OS zone file has no name: a keyless copy of a real zone."""
    for folder in zoneinfo.TZPATH:
        candidate = Path(folder) / "Europe" / "Berlin"
        if candidate.is_file():
            with candidate.open("rb") as handle:
                return ZoneInfo.from_file(handle, key="local")
    pytest.skip("no system zoneinfo database to read a zone file from")


@pytest.mark.parametrize(("month", "name"), [(1, "Etc/GMT-1"), (7, "Etc/GMT-2")])
def test_a_zone_without_a_usable_name_is_named_by_its_offset_then(
    nameless_berlin: ZoneInfo, month: int, name: str
) -> None:
    instant = datetime(2026, month, 10, 9, 0, tzinfo=nameless_berlin)
    stamp = Stamp.of(instant)
    assert stamp.tz == name
    assert stamp.at_utc.astimezone(ZoneInfo(stamp.tz)).hour == 9
    assert stamp.day == date(2026, month, 10)


def test_an_offset_no_iana_zone_can_name_still_keeps_the_instant_and_day() -> None:
    instant = datetime(2026, 3, 11, 2, 0, tzinfo=timezone(timedelta(hours=5, minutes=30)))
    stamp = Stamp.of(instant)  # never raises: a pause must be saved whatever the zone
    assert stamp.tz == "UTC"
    assert stamp.at_utc == datetime(2026, 3, 10, 20, 30, tzinfo=UTC)
    assert stamp.day == date(2026, 3, 10)  # 02:00 local is before the 04:00 start


# --- today and next_day_start ---------------------------------------------------------------


def test_today_follows_the_clock_and_the_day_start(clock: FakeClock) -> None:
    clock.set(datetime(2026, 3, 11, 3, 0, tzinfo=BERLIN))
    assert today(clock) == date(2026, 3, 10)
    assert today(clock, time(2, 0)) == date(2026, 3, 11)
    clock.advance(hours=1)
    assert today(clock) == date(2026, 3, 11)


@pytest.mark.parametrize(
    ("now", "starts_at", "expected"),
    [
        (at(date(2026, 3, 10), 9, 0, BERLIN), DEFAULT_DAY_STARTS_AT,
         at(date(2026, 3, 11), 4, 0, BERLIN)),
        (at(date(2026, 3, 10), 0, 30, BERLIN), DEFAULT_DAY_STARTS_AT,
         at(date(2026, 3, 10), 4, 0, BERLIN)),  # still "yesterday": ends this morning
        (at(date(2026, 3, 10), 4, 0, BERLIN), DEFAULT_DAY_STARTS_AT,
         at(date(2026, 3, 11), 4, 0, BERLIN)),  # exactly at the start: the next one
        (at(date(2026, 3, 10), 23, 0, BERLIN), time(0, 0),
         at(date(2026, 3, 11), 0, 0, BERLIN)),
    ],
)
def test_next_day_start(now: datetime, starts_at: time, expected: datetime) -> None:
    assert next_day_start(now, starts_at) == expected


@pytest.mark.parametrize(
    ("zone", "night", "length"),
    [(BERLIN, BERLIN_SPRING, 23), (BERLIN, BERLIN_FALL, 25), (NEW_YORK, NY_SPRING, 23),
     (NEW_YORK, NY_FALL, 25)],
)
def test_next_day_start_across_dst_is_local_clock_time(
    zone: ZoneInfo, night: date, length: int
) -> None:
    evening = at(night - timedelta(days=1), 21, 0, zone)
    boundary = next_day_start(evening)
    assert boundary.tzinfo is zone
    assert boundary.astimezone(zone).replace(tzinfo=None) == datetime.combine(night, time(4, 0))
    # 3 hours to midnight + 4 after it, give or take the hour the clock skipped or repeated.
    assert hours_between(evening, boundary) == 3 + 4 + (length - 24)


def test_next_day_start_when_the_day_start_is_skipped_by_spring_forward() -> None:
    boundary = next_day_start(at(date(2026, 3, 28), 12, 0, BERLIN), time(2, 30))
    # Not 03:30 (02:30 read with the old offset): the day changes the moment 02:30 is passed.
    assert boundary.astimezone(UTC) == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)


def test_next_day_start_in_the_repeated_hour_is_never_in_the_past() -> None:
    starts_at = time(2, 30)
    before_it = at(BERLIN_FALL, 2, 10, BERLIN, fold=0)  # CEST: the day has not started
    boundary = next_day_start(before_it, starts_at)
    assert boundary.astimezone(UTC) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    second_pass = at(BERLIN_FALL, 2, 10, BERLIN, fold=1)  # CET: it has, an hour ago
    later = next_day_start(second_pass, starts_at)
    assert later.astimezone(UTC) > second_pass.astimezone(UTC)
    assert later.replace(tzinfo=None) == datetime(2026, 10, 26, 2, 30)


def test_next_day_start_rejects_naive_datetimes() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        next_day_start(datetime(2026, 3, 10, 9, 0))


def dst_nights(zone: ZoneInfo, year: int = 2026) -> list[date]:
    """The dates in ``year`` whose UTC offset differs from the day before's (at noon)."""
    day, nights = date(year, 1, 1), []
    while day.year == year:
        noon = datetime.combine(day, time(12), tzinfo=zone)
        if noon.utcoffset() != (noon - timedelta(days=1)).utcoffset():
            nights.append(day)
        day += timedelta(days=1)
    return nights


# Whole-hour, half-hour (Lord Howe) and midnight (Santiago) clock changes, and none at all.
ZONE_NIGHTS = [
    (zone, night)
    for zone in (BERLIN, NEW_YORK, ZoneInfo("Australia/Lord_Howe"), ZoneInfo("America/Santiago"))
    for night in dst_nights(zone)
] + [(ZoneInfo("UTC"), date(2026, 3, 29))]


def test_the_property_test_really_visits_dst_nights() -> None:
    assert len(ZONE_NIGHTS) == 9
    assert (BERLIN, BERLIN_SPRING) in ZONE_NIGHTS and (NEW_YORK, NY_FALL) in ZONE_NIGHTS


@settings(max_examples=400, deadline=None)
@given(
    zone_night=st.sampled_from(ZONE_NIGHTS),
    minutes=st.integers(min_value=-36 * 60, max_value=36 * 60),
    starts_at=st.sampled_from([time(0, 0), time(0, 30), time(1, 30), time(2, 0), time(2, 15),
                               time(2, 30), time(4, 0), time(23, 0)]),
)
def test_next_day_start_is_exactly_where_the_practice_day_changes(
    zone_night: tuple[ZoneInfo, date], minutes: int, starts_at: time
) -> None:
    zone, night = zone_night
    noon = datetime.combine(night, time(12), tzinfo=zone).astimezone(UTC)
    now = (noon - timedelta(hours=12) + timedelta(minutes=minutes)).astimezone(zone)
    current = practice_day(now, starts_at)
    boundary = next_day_start(now, starts_at)
    just_before = (boundary.astimezone(UTC) - timedelta(microseconds=1)).astimezone(zone)
    assert boundary.astimezone(UTC) > now.astimezone(UTC)
    assert practice_day(just_before, starts_at) == current
    assert practice_day(boundary, starts_at) == current + timedelta(days=1)


# --- SystemClock ----------------------------------------------------------------------------


@pytest.fixture
def local_zone(monkeypatch: pytest.MonkeyPatch):
    """Set the OS zone through TZ (which tzlocal reads) and restore tzlocal's cache after."""

    def set_zone(name: str) -> None:
        monkeypatch.setenv("TZ", name)
        tzlocal.reload_localzone()

    yield set_zone
    monkeypatch.undo()
    tzlocal.reload_localzone()


def test_system_clock_is_aware_and_in_the_os_zone(local_zone) -> None:
    local_zone("America/New_York")
    clock = SystemClock()
    assert clock.zone() == NEW_YORK
    now = clock.now()
    assert now.tzinfo is not None
    assert zone_name(now.tzinfo) == "America/New_York"
    assert abs((now - datetime.now(UTC)).total_seconds()) < 60


def test_system_clock_reload_zone_picks_up_a_changed_os_zone(local_zone) -> None:
    local_zone("Europe/Berlin")
    clock = SystemClock()
    assert clock.zone() == BERLIN
    local_zone("Asia/Tokyo")
    assert clock.reload_zone() == TOKYO
    assert zone_name(clock.now().tzinfo) == "Asia/Tokyo"


def test_an_os_zone_that_does_not_exist_runs_in_utc_instead_of_failing(monkeypatch):
    """TZ=Nowhere/Atlantis: every command used to end in a traceback from tzlocal."""
    from zoneinfo import ZoneInfoNotFoundError

    import tzlocal

    from microapp.core.clock import SystemClock

    def unknown():
        raise ZoneInfoNotFoundError("Nowhere/Atlantis")

    monkeypatch.setattr(tzlocal, "get_localzone", unknown)
    clock = SystemClock()
    assert clock.zone().key == "UTC"
    assert clock.now().utcoffset().total_seconds() == 0
