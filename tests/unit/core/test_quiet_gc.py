"""The collector pause around parsing: it restores the collector, nests, and rests on the fact
that parsed calendars hold no reference cycles (so nothing is kept alive by freezing)."""

from __future__ import annotations

import gc
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from microapp.core.ics import parse_calendar
from microapp.core.quiet_gc import quiet_gc, release

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "calendars"


@pytest.fixture(autouse=True)
def _unfreeze():
    yield
    gc.unfreeze()
    gc.enable()


def test_it_pauses_nests_and_restores() -> None:
    gc.enable()
    with quiet_gc():
        assert not gc.isenabled()
        with quiet_gc():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off() -> None:
    gc.disable()
    with quiet_gc():
        pass
    assert not gc.isenabled()


def test_it_restores_the_collector_after_an_error() -> None:
    gc.enable()
    with pytest.raises(ValueError), quiet_gc():
        raise ValueError("boom")
    assert gc.isenabled()


@pytest.mark.parametrize("name", ["google.ics", "outlook.ics", "icloud.ics", "nextcloud.ics",
                                  "fastmail.ics", "thunderbird.ics"])
def test_parsed_calendars_hold_no_reference_cycles(name: str) -> None:
    data = (FIXTURES / name).read_bytes()
    gc.collect()
    gc.disable()
    parsed = parse_calendar([data], source=name, local_zone=ZoneInfo("Europe/Berlin"))
    start = datetime(2026, 1, 1, tzinfo=ZoneInfo("UTC"))
    parsed.meetings_between(start, start + timedelta(days=400), calendar_id="x")
    del parsed
    assert gc.collect() == 0  # everything was freed by reference counting alone


def test_release_collects_what_a_broken_series_left_frozen() -> None:
    data = (FIXTURES / "recurring_traps.ics").read_bytes()  # has series the library rejects
    gc.collect()
    with quiet_gc():
        parsed = parse_calendar([data], source="traps", local_zone=ZoneInfo("Europe/Berlin"))
        start = datetime(2026, 1, 1, tzinfo=ZoneInfo("UTC"))
        parsed.meetings_between(start, start + timedelta(days=400), calendar_id="x")
    del parsed
    assert gc.get_freeze_count() > 0
    assert release() > 0  # the kept exceptions' cycles are found and freed
    assert gc.get_freeze_count() == 0
