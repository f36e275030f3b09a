"""PauseScheduler: the cue fires at the right instant (DST, zone changes), once, and a cue slept
through is reported missed. Time moves only by hand: the fake clock and a fake monotonic counter
move together (the machine runs) or only the clock moves (the machine sleeps); the timer is fired
by emitting its timeout, after checking it was armed for exactly that instant."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from pytestqt.qtbot import QtBot

from microapp.core.meetings import Meeting
from microapp.core.planner import MAX_TIMER_MS, Cue
from microapp.ui.scheduler import PauseScheduler
from tests.helpers import FakeClock

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
START = datetime(2026, 3, 10, 9, 0, tzinfo=BERLIN)
LEAD = timedelta(seconds=60)
MS = timedelta(milliseconds=1)


@pytest.fixture(autouse=True)
def _exact_landing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Most tests read the timer's interval as the wait itself; the early landing has its own
    test below."""
    monkeypatch.setattr(PauseScheduler, "LANDING_MS", 0)


class Monotonic:
    """A stand-in for time.monotonic(): seconds that move only when the test moves them."""

    def __init__(self) -> None:
        self.now = 5000.0

    def __call__(self) -> float:
        return self.now


class Machine:
    """The fake clock and the monotonic counter, moved together or apart."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.mono = Monotonic()

    def run(self, delta: timedelta) -> None:
        self.clock.advance(seconds=delta.total_seconds())
        self.mono.now += delta.total_seconds()

    def run_to(self, instant: datetime) -> None:
        self.run(instant.astimezone(UTC) - self.clock.now().astimezone(UTC))

    def sleep(self, delta: timedelta) -> None:
        self.clock.advance(seconds=delta.total_seconds())  # monotonic stands still


class Recorder:
    """Everything the scheduler emitted, in order."""

    def __init__(self, scheduler: PauseScheduler) -> None:
        self.due: list[Cue] = []
        self.missed: list[tuple[Cue, ...]] = []
        self.changes = 0
        self.jumps = 0
        scheduler.cue_due.connect(self.due.append)
        scheduler.cues_missed.connect(self.missed.append)
        scheduler.state_changed.connect(self._changed)
        scheduler.clock_jumped.connect(self._jumped)

    def _changed(self) -> None:
        self.changes += 1

    def _jumped(self) -> None:
        self.jumps += 1

    @property
    def missed_keys(self) -> list[str]:
        return [k for batch in self.missed for cue in batch for k in cue.keys]


def mtg(title: str, start: datetime, *, uid: str | None = None, minutes: int = 30) -> Meeting:
    return Meeting(title=title, start=start, end=start + timedelta(minutes=minutes),
                   calendar="work", uid=uid or f"{title}@example.org")


@pytest.fixture
def machine() -> Machine:
    return Machine(FakeClock(START))


@pytest.fixture
def make(qtbot: QtBot, machine: Machine):
    made: list[PauseScheduler] = []

    def build(*, sleep_signal: bool = True, since: datetime | None = None,
              lead: timedelta = LEAD, done: tuple[str, ...] = ()
              ) -> tuple[PauseScheduler, Recorder]:
        scheduler = PauseScheduler(machine.clock, lead=lead, since=since or machine.clock.now(),
                                   done_keys=done, monotonic=machine.mono,
                                   sleep_signal_available=sleep_signal)
        made.append(scheduler)
        return scheduler, Recorder(scheduler)

    yield build
    for scheduler in made:
        scheduler.stop()


def ms_until(machine: Machine, instant: datetime) -> int:
    delta = instant.astimezone(UTC) - machine.clock.now().astimezone(UTC)
    return -(-(delta // timedelta(microseconds=1)) // 1000)


def fire(scheduler: PauseScheduler) -> None:
    """What the event loop does when the single-shot timer runs out."""
    assert scheduler.timer.isActive()
    scheduler.timer.stop()
    scheduler.timer.timeout.emit()


def run_until_cue(machine: Machine, scheduler: PauseScheduler, due: datetime,
                  rec: Recorder) -> None:
    """Follow the timer to ``due`` (checking each wait), then 1 ms short: nothing; then on time."""
    while True:
        assert scheduler.timer.isActive()
        wait = timedelta(milliseconds=scheduler.timer.interval())
        if machine.clock.now().astimezone(UTC) + wait >= due.astimezone(UTC):
            break
        machine.run(wait)
        fire(scheduler)
        assert rec.due == []
    assert scheduler.timer.interval() == ms_until(machine, due)
    machine.run_to(due - MS)
    fire(scheduler)
    assert rec.due == []
    assert scheduler.timer.interval() == 1
    machine.run(MS)
    fire(scheduler)
    assert len(rec.due) == 1


def test_the_cue_fires_lead_before_the_meeting_and_not_a_millisecond_sooner(
        make, machine: Machine) -> None:
    scheduler, rec = make()
    meeting = mtg("Stand-up", START + timedelta(hours=1))
    scheduler.set_meetings([meeting])
    due = meeting.start - LEAD
    assert scheduler.next_cue == Cue(due.astimezone(UTC), (meeting,))
    run_until_cue(machine, scheduler, due, rec)
    assert rec.due[0].meetings == (meeting,)
    assert meeting.key in scheduler.done_keys
    assert scheduler.next_cue is None and not scheduler.timer.isActive()
    assert rec.missed == [] and rec.jumps == 0


def test_the_timer_waits_for_the_near_instant_then_the_cue(make, machine: Machine) -> None:
    scheduler, rec = make(sleep_signal=True)
    meeting = mtg("Review", START + timedelta(hours=3))
    scheduler.set_meetings([meeting])
    due = meeting.start - LEAD
    assert scheduler.timer.interval() == ms_until(machine, due - PauseScheduler.NEAR_BEFORE)
    assert scheduler.near is False
    assert rec.changes == 1  # a next cue appeared

    machine.run_to(due - PauseScheduler.NEAR_BEFORE - MS)
    fire(scheduler)
    assert scheduler.near is False and rec.changes == 1
    machine.run(MS)
    fire(scheduler)
    assert scheduler.near is True and rec.changes == 2
    assert scheduler.timer.interval() == ms_until(machine, due) == 5 * 60 * 1000

    machine.run_to(due)
    fire(scheduler)
    assert len(rec.due) == 1
    assert scheduler.near is False and scheduler.next_cue is None and rec.changes == 3


def test_a_cue_already_near_arms_straight_for_its_due_instant(make, machine: Machine) -> None:
    scheduler, rec = make()
    meeting = mtg("Soon", START + timedelta(minutes=3, seconds=30))
    scheduler.set_meetings([meeting])
    assert scheduler.near is True and rec.changes == 1
    assert scheduler.timer.interval() == ms_until(machine, meeting.start - LEAD) == 150_000


def test_the_timer_never_rounds_down(make, machine: Machine) -> None:
    machine.run(timedelta(microseconds=250))
    scheduler, _ = make()
    scheduler.set_meetings([mtg("Odd", START + timedelta(minutes=2))])
    assert scheduler.timer.interval() == 60_000  # 59 999.75 ms, rounded up


def test_the_wake_guard_caps_waits_only_without_a_sleep_signal(make, machine: Machine) -> None:
    meeting = mtg("Later", START + timedelta(hours=2))
    guarded, _ = make(sleep_signal=False)
    trusting, _ = make(sleep_signal=True)
    guarded.set_meetings([meeting])
    trusting.set_meetings([meeting])
    assert guarded.timer.interval() == PauseScheduler.WAKE_GUARD_MS
    assert trusting.timer.interval() == ms_until(machine, meeting.start - LEAD - 5 * 60 * 1000 * MS)

    guarded.set_sleep_signal_available(True)
    assert guarded.timer.interval() == trusting.timer.interval()
    trusting.set_sleep_signal_available(False)
    assert trusting.timer.interval() == PauseScheduler.WAKE_GUARD_MS


def test_a_cue_weeks_ahead_waits_at_most_what_qtimer_takes(make, machine: Machine) -> None:
    scheduler, _ = make(sleep_signal=True)
    scheduler.set_meetings([mtg("Far", START + timedelta(days=40))])
    assert scheduler.timer.interval() == MAX_TIMER_MS
    machine.run(MAX_TIMER_MS * MS)
    fire(scheduler)  # early on purpose: it replans and waits for the rest
    assert scheduler.timer.isActive() and scheduler.next_cue is not None


def test_no_meetings_no_timer(make) -> None:
    scheduler, rec = make(sleep_signal=False)
    scheduler.set_meetings([])
    assert not scheduler.timer.isActive()
    assert scheduler.next_cue is None and rec.changes == 0


@pytest.mark.parametrize(
    ("evening", "start"),
    [
        # Spring forward, 29 March 2026: 02:00 CET -> 03:00 CEST. 01:30 to 03:29 is 59 minutes.
        (datetime(2026, 3, 29, 1, 30, tzinfo=BERLIN), datetime(2026, 3, 29, 3, 30, tzinfo=BERLIN)),
        # Fall back, 25 October 2026: 03:00 CEST -> 02:00 CET; the second 02:30 (fold=1).
        (datetime(2026, 10, 25, 2, 10, tzinfo=BERLIN),
         datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=BERLIN)),
    ],
    ids=["spring-forward", "fall-back"],
)
def test_the_cue_fires_at_the_right_instant_across_a_dst_night(
        make, machine: Machine, evening: datetime, start: datetime) -> None:
    machine.clock.set(evening)
    scheduler, rec = make()
    meeting = mtg("Night shift", start)
    scheduler.set_meetings([meeting])
    due = meeting.start.astimezone(UTC) - LEAD
    minutes = (due - evening.astimezone(UTC)) // timedelta(minutes=1)
    assert minutes in (59, 79)  # real time, not the wall-clock difference (2 h or 19 min)
    assert scheduler.timer.interval() == (minutes - 5) * 60 * 1000  # first stop: "near"
    run_until_cue(machine, scheduler, due, rec)
    assert rec.due[0].meetings == (meeting,)


def test_both_02_30s_of_a_fall_back_night_get_their_own_cue(make, machine: Machine) -> None:
    machine.clock.set(datetime(2026, 10, 25, 2, 0, tzinfo=BERLIN))
    first = mtg("First", datetime(2026, 10, 25, 2, 30, fold=0, tzinfo=BERLIN))
    second = mtg("Second", datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=BERLIN))
    scheduler, rec = make()
    scheduler.set_meetings([second, first])
    # Wall-clock arithmetic on a fold=1 datetime drops the fold: subtract in UTC.
    first_due, second_due = (m.start.astimezone(UTC) - LEAD for m in (first, second))
    assert second_due - first_due == timedelta(hours=1)
    run_until_cue(machine, scheduler, first_due, rec)
    assert rec.due[0].meetings == (first,)
    rec.due.clear()
    run_until_cue(machine, scheduler, second_due, rec)
    assert rec.due[0].meetings == (second,)


def test_after_a_zone_change_the_same_instant_still_fires(make, machine: Machine) -> None:
    scheduler, rec = make()
    meeting = mtg("Call home", START + timedelta(hours=2))
    scheduler.set_meetings([meeting])
    interval = scheduler.timer.interval()
    machine.run(timedelta(minutes=10))
    machine.clock.move_to_zone(NEW_YORK)  # 04:10 EDT now, but the same instant
    scheduler.replan("zone")
    assert scheduler.timer.interval() == interval - 10 * 60 * 1000
    run_until_cue(machine, scheduler, meeting.start - LEAD, rec)
    assert machine.clock.now() == datetime(2026, 3, 10, 5, 59, tzinfo=NEW_YORK)
    assert rec.jumps == 0


@pytest.mark.parametrize("woken_by", ["resumed", "timer"])
def test_sleeping_through_a_cue_reports_it_missed_and_never_shows_it(
        make, machine: Machine, woken_by: str) -> None:
    scheduler, rec = make(sleep_signal=woken_by == "resumed")
    meeting = mtg("Slept", START + timedelta(minutes=30))
    later = mtg("Later", START + timedelta(hours=3))
    scheduler.set_meetings([meeting, later])
    machine.run(timedelta(minutes=5))
    machine.sleep(timedelta(minutes=25, seconds=121))  # wakes 2 min 1 s after the start
    if woken_by == "resumed":
        scheduler.on_resumed()
    else:
        fire(scheduler)  # the guard timer, running late by the time slept
    assert rec.jumps == 1
    assert rec.due == []
    assert rec.missed_keys == [meeting.key]
    assert meeting.key in scheduler.done_keys
    assert scheduler.next_cue is not None and scheduler.next_cue.meetings == (later,)
    scheduler.replan("again")
    assert rec.missed_keys == [meeting.key] and rec.jumps == 1


def test_waking_within_two_minutes_of_the_start_still_shows_the_pause(
        make, machine: Machine) -> None:
    scheduler, rec = make()
    meeting = mtg("Just in time", START + timedelta(minutes=30))
    scheduler.set_meetings([meeting])
    machine.sleep(timedelta(minutes=31, seconds=50))
    scheduler.on_resumed()
    assert rec.jumps == 1 and rec.missed == []
    assert [c.meetings for c in rec.due] == [(meeting,)]


def test_a_refresh_during_the_wait_never_repeats_a_cue(make, machine: Machine) -> None:
    scheduler, rec = make()
    meeting = mtg("Stand-up", START + timedelta(minutes=20))
    scheduler.set_meetings([meeting])
    changes = rec.changes
    scheduler.set_meetings([meeting])  # the same objects again
    scheduler.set_meetings([replace(meeting)])  # a re-read copy
    assert rec.changes == changes  # nothing the tray needs to redraw
    run_until_cue(machine, scheduler, meeting.start - LEAD, rec)

    for copy in ([meeting], [replace(meeting)], [replace(meeting), replace(meeting)]):
        scheduler.set_meetings(copy)  # refreshes after the cue, still before the start
        machine.run(timedelta(seconds=20))
        scheduler.replan("tick")
    assert len(rec.due) == 1 and rec.missed == []


def test_two_meetings_in_the_same_minute_share_one_cue(make, machine: Machine) -> None:
    scheduler, rec = make()
    a = mtg("Design sync", START + timedelta(minutes=15))
    b = mtg("Lunch plans", START + timedelta(minutes=15, seconds=30))
    scheduler.set_meetings([b, a])
    run_until_cue(machine, scheduler, a.start - LEAD, rec)
    assert rec.due[0].meetings == (a, b)
    assert {a.key, b.key} <= scheduler.done_keys


def test_meetings_before_since_are_ignored(make, machine: Machine) -> None:
    before = mtg("Started already", START - timedelta(minutes=10), minutes=60)
    earlier = mtg("Long gone", START - timedelta(hours=3))
    scheduler, rec = make(since=START)
    scheduler.set_meetings([earlier, before])
    assert rec.due == [] and rec.missed == []
    assert scheduler.next_cue is None and not scheduler.timer.isActive()


def test_done_keys_given_at_start_are_never_cued(make, machine: Machine) -> None:
    meeting = mtg("Handled", START + timedelta(minutes=30))
    scheduler, rec = make(done=(meeting.key,))
    scheduler.set_meetings([meeting])
    assert scheduler.next_cue is None and rec.changes == 0


def test_mark_done_drops_the_next_cue(make, machine: Machine) -> None:
    first = mtg("First", START + timedelta(minutes=30))
    second = mtg("Second", START + timedelta(minutes=90))
    scheduler, rec = make()
    scheduler.set_meetings([first, second])
    scheduler.mark_done([first.key])
    assert scheduler.next_cue is not None and scheduler.next_cue.meetings == (second,)
    assert rec.changes == 2


def test_a_cue_due_at_once_when_meetings_arrive(make, machine: Machine) -> None:
    scheduler, rec = make()
    meeting = mtg("Now", START + timedelta(seconds=30))
    scheduler.set_meetings([meeting])
    assert [c.meetings for c in rec.due] == [(meeting,)]


def test_a_longer_lead_makes_a_cue_due_now(make, machine: Machine) -> None:
    scheduler, rec = make()
    meeting = mtg("Lead", START + timedelta(minutes=4))
    scheduler.set_meetings([meeting])
    assert rec.due == []
    scheduler.set_lead(timedelta(minutes=5))
    assert [c.meetings for c in rec.due] == [(meeting,)]
    with pytest.raises(ValueError):
        scheduler.set_lead(timedelta(minutes=11))


def test_a_slot_that_replans_does_not_nest_or_repeat(make, machine: Machine) -> None:
    scheduler, rec = make()
    meeting = mtg("Reentrant", START + timedelta(seconds=30))
    seen: list[int] = []

    def on_due(cue: Cue) -> None:
        seen.append(len(rec.due))
        scheduler.set_meetings([meeting])  # e.g. a refresh handled inside the slot

    scheduler.cue_due.connect(on_due)
    scheduler.set_meetings([meeting])
    assert len(rec.due) == 1 and len(seen) == 1


def test_stop_silences_it(make, machine: Machine) -> None:
    scheduler, rec = make()
    scheduler.set_meetings([mtg("After quit", START + timedelta(minutes=20))])
    scheduler.stop()
    assert not scheduler.timer.isActive()
    machine.run(timedelta(minutes=20))
    scheduler.on_resumed()
    assert rec.due == []


def test_a_real_timer_fires_on_its_own(make, machine: Machine, qtbot: QtBot) -> None:
    """The wiring, once, with the event loop: a cue 1 ms ahead arrives through the timer."""
    scheduler, _ = make()
    meeting = mtg("Real", START + LEAD + MS)
    scheduler.set_meetings([meeting])
    assert scheduler.timer.interval() == 1
    machine.run(MS)  # the fake clock must agree the instant has come when the timer fires
    with qtbot.waitSignal(scheduler.cue_due, timeout=5000) as blocker:
        pass
    assert blocker.args[0].meetings == (meeting,)


def test_a_long_wait_lands_early_then_steps_to_the_exact_instant(
        make, machine: Machine, monkeypatch: pytest.MonkeyPatch) -> None:
    """Linux may end a long timer wait up to 100 ms late; the scheduler wakes a second early
    and arms a short last step instead, so the pause is not late."""
    monkeypatch.setattr(PauseScheduler, "LANDING_MS", 1000)
    scheduler, rec = make(sleep_signal=True)
    meeting = mtg("Review", START + timedelta(minutes=3))
    scheduler.set_meetings([meeting])
    due = meeting.start - LEAD  # 2 minutes ahead: already "near"
    assert scheduler.timer.interval() == 2 * 60 * 1000 - 1000
    machine.run(timedelta(seconds=119))
    scheduler.timer.timeout.emit()
    assert rec.due == [] and scheduler.timer.interval() == 1000  # the short, precise step
    machine.run_to(due)
    scheduler.timer.timeout.emit()
    assert [c.meetings for c in rec.due] == [(meeting,)]
