from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from microapp.core.snooze import SnoozeChoice, is_snoozed, snooze_text, snooze_until

BERLIN = ZoneInfo("Europe/Berlin")


def test_half_hour_and_hour_are_elapsed_time_across_dst() -> None:
    # 2026-03-29 01:45 CET; the clocks jump from 02:00 to 03:00.
    now = datetime(2026, 3, 29, 1, 45, tzinfo=BERLIN)
    assert snooze_until(SnoozeChoice.HALF_HOUR, now) == datetime(2026, 3, 29, 3, 15, tzinfo=BERLIN)
    until = snooze_until("1h", now)
    assert until.astimezone(UTC) - now.astimezone(UTC) == timedelta(hours=1)


def test_rest_of_day_ends_when_the_practice_day_does() -> None:
    now = datetime(2026, 3, 10, 15, 0, tzinfo=BERLIN)
    assert snooze_until("day", now) == datetime(2026, 3, 11, 4, 0, tzinfo=BERLIN)
    late = datetime(2026, 3, 11, 1, 30, tzinfo=BERLIN)  # still Tuesday's practice day
    assert snooze_until("day", late) == datetime(2026, 3, 11, 4, 0, tzinfo=BERLIN)


def test_is_snoozed_compares_instants() -> None:
    now = datetime(2026, 3, 10, 15, 0, tzinfo=BERLIN)
    until = snooze_until("30m", now)
    assert is_snoozed(until, now)
    assert is_snoozed(until, now + timedelta(minutes=29))
    assert not is_snoozed(until, now + timedelta(minutes=30))
    assert not is_snoozed(None, now)
    assert is_snoozed(until.astimezone(UTC), now.astimezone(ZoneInfo("Asia/Tokyo")))


def test_snooze_text() -> None:
    now = datetime(2026, 3, 10, 15, 0, tzinfo=BERLIN)
    assert snooze_text(snooze_until("30m", now), now) == "Pauses snoozed until 15:30"
    assert snooze_text(snooze_until("day", now), now) == "Pauses snoozed until 04:00 tomorrow"


def test_bad_input() -> None:
    with pytest.raises(ValueError):
        snooze_until("forever", datetime(2026, 3, 10, tzinfo=BERLIN))
    with pytest.raises(ValueError):
        snooze_until("30m", datetime(2026, 3, 10))
