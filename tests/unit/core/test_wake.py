"""Tests for microapp.core.wake: wall-clock jumps measured against a monotonic clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from microapp.core.wake import DEFAULT_TOLERANCE, JumpDetector
from tests.helpers import FakeClock

BERLIN = ZoneInfo("Europe/Berlin")
TOKYO = ZoneInfo("Asia/Tokyo")
START = datetime(2026, 3, 10, 9, 0, tzinfo=BERLIN)


class Machine:
    """A wall clock and a monotonic counter that move together, unless the machine sleeps."""

    def __init__(self, start: datetime = START) -> None:
        self.clock = FakeClock(start, zone=start.tzinfo)  # type: ignore[arg-type]
        self.mono = 1000.0

    def run(self, seconds: float) -> None:
        self.clock.advance(seconds=seconds)
        self.mono += seconds

    def sleep(self, seconds: float) -> None:
        self.clock.advance(seconds=seconds)  # CLOCK_MONOTONIC stands still while suspended

    def look(self, detector: JumpDetector) -> timedelta | None:
        return detector.check(self.clock.now(), self.mono)


@pytest.fixture
def machine() -> Machine:
    return Machine()


def started(machine: Machine, tolerance: timedelta = DEFAULT_TOLERANCE) -> JumpDetector:
    detector = JumpDetector(tolerance)
    detector.reset(machine.clock.now(), machine.mono)
    return detector


def test_running_normally_is_no_jump(machine: Machine) -> None:
    detector = started(machine)
    machine.run(3600)
    assert machine.look(detector) is None


def test_the_first_check_only_takes_the_reference(machine: Machine) -> None:
    detector = JumpDetector()
    assert machine.look(detector) is None
    machine.sleep(600)
    assert machine.look(detector) == timedelta(minutes=10)


def test_sleep_shows_up_as_a_forward_jump_of_the_time_slept(machine: Machine) -> None:
    detector = started(machine)
    machine.run(60)
    machine.sleep(2 * 3600)
    machine.run(1)
    assert machine.look(detector) == timedelta(hours=2)


def test_the_reference_moves_on_after_a_jump(machine: Machine) -> None:
    detector = started(machine)
    machine.sleep(600)
    assert machine.look(detector) == timedelta(minutes=10)
    machine.run(60)
    assert machine.look(detector) is None  # the same sleep is not reported twice


def test_a_clock_set_back_is_a_backwards_jump(machine: Machine) -> None:
    detector = started(machine)
    machine.run(30)
    machine.clock.advance(minutes=-20)
    assert machine.look(detector) == timedelta(minutes=-20)


def test_small_differences_within_the_tolerance_are_ignored(machine: Machine) -> None:
    detector = started(machine)
    machine.sleep(5)  # exactly the tolerance: not more than it
    assert machine.look(detector) is None
    machine.clock.advance(seconds=-5)
    assert machine.look(detector) is None
    machine.sleep(5.001)
    assert machine.look(detector) == timedelta(seconds=5.001)


def test_slow_drift_never_adds_up_to_a_jump(machine: Machine) -> None:
    """NTP slews the wall clock by a little each second; looked at often, that is never a jump,
    even after a whole day adds up to far more than the tolerance."""
    detector = started(machine)
    for _ in range(24 * 12):  # a look every five minutes for a day
        machine.run(300)
        machine.clock.advance(seconds=0.15)
        assert machine.look(detector) is None


def test_a_custom_tolerance(machine: Machine) -> None:
    detector = started(machine, timedelta(seconds=0.5))
    machine.sleep(1)
    assert machine.look(detector) == timedelta(seconds=1)
    with pytest.raises(ValueError):
        JumpDetector(timedelta(seconds=-1))


@pytest.mark.parametrize(
    "evening",
    [
        datetime(2026, 3, 28, 23, 0, tzinfo=BERLIN),  # spring forward: a 23-hour night
        datetime(2026, 10, 24, 23, 0, tzinfo=BERLIN),  # fall back: a 25-hour night
    ],
)
def test_a_dst_night_is_no_jump(evening: datetime) -> None:
    machine = Machine(evening)
    detector = started(machine)
    for _ in range(8):
        machine.run(3600)  # through the transition, one real hour at a time
        assert machine.look(detector) is None
    assert machine.clock.now().hour in (6, 7, 8)  # the local clock did jump an hour


def test_a_zone_change_is_no_jump(machine: Machine) -> None:
    detector = started(machine)
    machine.run(10)
    machine.clock.move_to_zone(TOKYO)  # the local time moves by eight hours, the instant not
    assert machine.look(detector) is None


def test_mixing_zones_between_looks_compares_instants() -> None:
    detector = JumpDetector()
    detector.reset(datetime(2026, 3, 10, 8, 0, tzinfo=UTC), 50.0)
    assert detector.check(datetime(2026, 3, 10, 17, 1, tzinfo=TOKYO), 110.0) is None


def test_naive_instants_are_refused() -> None:
    detector = JumpDetector()
    with pytest.raises(ValueError, match="aware"):
        detector.reset(datetime(2026, 3, 10, 9, 0), 0.0)
    with pytest.raises(ValueError, match="aware"):
        detector.check(datetime(2026, 3, 10, 9, 0), 0.0)
