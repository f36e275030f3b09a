"""EveningPrompt: the invitation comes at the set local time, once per practice day, and comes
late only while that day lasts. Time moves only by hand: the fake clock moves, and the timer is
fired by emitting its timeout after checking it was armed for exactly the expected instant. A
machine asleep is a clock moved without the timer firing."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from pytestqt.qtbot import QtBot

from microapp.store.db import open_memory
from microapp.store.history import History
from microapp.ui.evening_prompt import (
    DISMISSED_DAY,
    PROMPTED_DAY,
    SNOOZED_UNTIL,
    EveningPrompt,
)
from tests.helpers import FakeClock

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
TOKYO = ZoneInfo("Asia/Tokyo")
AT = time(20, 30)
DAY_STARTS_AT = time(4, 0)
TUESDAY = date(2026, 3, 10)  # weekday 1
MS = timedelta(milliseconds=1)


def local(day: date, hour: int, minute: int = 0, zone: ZoneInfo = BERLIN) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)


class Recorder:
    def __init__(self, prompt: EveningPrompt) -> None:
        self.prompts = 0
        self.changes = 0
        prompt.prompt_due.connect(self._prompted)
        prompt.state_changed.connect(self._changed)

    def _prompted(self) -> None:
        self.prompts += 1

    def _changed(self) -> None:
        self.changes += 1


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(local(TUESDAY, 9))


@pytest.fixture
def history() -> Iterator[History]:
    store = History(open_memory(), DAY_STARTS_AT)
    yield store
    store.close()


@pytest.fixture
def make(qtbot: QtBot, clock: FakeClock, history: History):
    made: list[EveningPrompt] = []

    def build(*, enabled: bool = True, at: time = AT, rest_days: Collection[int] = (),
              sleep_signal: bool = True, store: History | None = None,
              replan: bool = True) -> tuple[EveningPrompt, Recorder]:
        prompt = EveningPrompt(clock, store or history, enabled=enabled, at=at,
                               rest_days=rest_days, day_starts_at=DAY_STARTS_AT,
                               sleep_signal_available=sleep_signal)
        made.append(prompt)
        rec = Recorder(prompt)
        if replan:
            prompt.replan("start")
        return prompt, rec

    yield build
    for prompt in made:
        prompt.stop()


def ms_until(clock: FakeClock, instant: datetime) -> int:
    delta = instant.astimezone(UTC) - clock.now().astimezone(UTC)
    return -(-(delta // timedelta(microseconds=1)) // 1000)


def fire(prompt: EveningPrompt) -> None:
    """What the event loop does when the single-shot timer runs out."""
    assert prompt.timer.isActive()
    prompt.timer.stop()
    prompt.timer.timeout.emit()


def run_to(clock: FakeClock, prompt: EveningPrompt, instant: datetime) -> None:
    """Let the machine run until ``instant``, which the timer must be armed for exactly."""
    assert prompt.timer.isActive()
    assert prompt.timer.interval() == ms_until(clock, instant)
    clock.set(instant)
    fire(prompt)


def written(history: History, clock: FakeClock) -> None:
    history.add_gratitude(clock.now(), "Ana", "You fixed my bike chain this morning.", "friend")


# -- the time ------------------------------------------------------------------------------

def test_the_invitation_comes_at_the_time_not_a_millisecond_before(clock, make, history) -> None:
    prompt, rec = make()
    assert rec.prompts == 0 and not prompt.pending
    due = local(TUESDAY, 20, 30)
    assert prompt.timer.interval() == ms_until(clock, due)
    assert prompt.timer.timerType().name == "PreciseTimer" and prompt.timer.isSingleShot()
    clock.set(due - MS)
    fire(prompt)  # a timer that ran out a hair early finds nothing yet
    assert rec.prompts == 0
    assert prompt.timer.interval() == 1
    clock.set(due)
    fire(prompt)
    assert rec.prompts == 1 and rec.changes == 1
    assert prompt.pending
    assert history.get_state(PROMPTED_DAY) == "2026-03-10"


def test_once_per_practice_day_and_the_dot_goes_when_the_day_ends(clock, make) -> None:
    prompt, rec = make()
    run_to(clock, prompt, local(TUESDAY, 20, 30))
    clock.advance(minutes=20)
    prompt.replan("settings")
    prompt.on_resumed()
    assert rec.prompts == 1
    # The next look is at the day's end, when the unanswered invitation stops waiting.
    run_to(clock, prompt, local(TUESDAY + timedelta(days=1), 4))
    assert not prompt.pending and rec.changes == 2 and rec.prompts == 1
    run_to(clock, prompt, local(TUESDAY + timedelta(days=1), 20, 30))
    assert rec.prompts == 2 and prompt.pending


def test_a_sentence_written_at_0030_counts_for_the_evening_before(clock, make, history) -> None:
    prompt, rec = make()
    run_to(clock, prompt, local(TUESDAY, 20, 30))
    assert prompt.pending
    clock.set(local(TUESDAY + timedelta(days=1), 0, 30))  # past midnight, same practice day
    written(history, clock)
    assert history.gratitude_on(TUESDAY)
    prompt.on_written()
    assert not prompt.pending and rec.changes == 2
    assert rec.prompts == 1
    # Wednesday's evening is a new day with its own invitation.
    run_to(clock, prompt, local(TUESDAY + timedelta(days=1), 20, 30))
    assert rec.prompts == 2


def test_written_before_the_evening_means_no_invitation(clock, make, history) -> None:
    prompt, rec = make()
    clock.set(local(TUESDAY, 18))
    written(history, clock)
    prompt.on_written()
    assert prompt.timer.interval() == ms_until(clock, local(TUESDAY + timedelta(days=1), 20, 30))
    clock.set(local(TUESDAY, 20, 30))
    prompt.replan("day change")
    assert rec.prompts == 0 and not prompt.pending


def test_yesterdays_backfilled_sentence_does_not_answer_tonight(clock, make, history) -> None:
    prompt, rec = make()
    clock.set(local(TUESDAY, 12))
    history.add_gratitude(clock.now(), "Ana", "You listened all the way through.",
                          day=TUESDAY - timedelta(days=1))
    prompt.on_written()
    run_to(clock, prompt, local(TUESDAY, 20, 30))
    assert rec.prompts == 1


# -- sleep and restarts --------------------------------------------------------------------

@pytest.mark.parametrize(("wake", "invited"), [
    (local(TUESDAY, 22, 15), True),
    (local(TUESDAY + timedelta(days=1), 3, 59), True),  # still Tuesday's practice day
    (local(TUESDAY + timedelta(days=1), 4, 0), False),  # Tuesday has ended: never for it
    (local(TUESDAY + timedelta(days=1), 9, 0), False),
])
def test_asleep_through_the_time(clock, make, wake: datetime, invited: bool) -> None:
    clock.set(local(TUESDAY, 20))
    prompt, rec = make()
    clock.set(wake)  # asleep: the timer never ran out
    prompt.on_resumed()
    assert rec.prompts == int(invited) and prompt.pending is invited
    if not invited:
        assert prompt.timer.interval() == ms_until(clock, local(wake.date(), 20, 30))


def test_without_a_sleep_signal_no_wait_is_longer_than_the_guard(clock, make) -> None:
    prompt, _ = make(sleep_signal=False)
    assert prompt.timer.interval() == EveningPrompt.WAKE_GUARD_MS
    prompt.set_sleep_signal_available(True)
    assert prompt.timer.interval() == ms_until(clock, local(TUESDAY, 20, 30))
    prompt.set_sleep_signal_available(False)
    clock.set(local(TUESDAY, 20, 28))
    prompt.replan("timer")
    assert prompt.timer.interval() == ms_until(clock, local(TUESDAY, 20, 30))


def test_started_late_in_the_evening_invites_at_once(clock, make) -> None:
    clock.set(local(TUESDAY, 23, 10))
    prompt, rec = make()
    assert rec.prompts == 1 and prompt.pending


def test_a_restart_the_same_evening_does_not_invite_again(clock, make, history) -> None:
    prompt, _rec = make()
    run_to(clock, prompt, local(TUESDAY, 20, 30))
    prompt.stop()
    clock.advance(minutes=40)
    again, rec2 = make(store=History(history.db, DAY_STARTS_AT))
    assert rec2.prompts == 0
    assert again.pending  # still unanswered: the dot comes back with the app
    again.not_tonight()
    third, rec3 = make()
    assert rec3.prompts == 0 and not third.pending


def test_unreadable_saved_state_counts_as_none(clock, make, history) -> None:
    history.set_state(PROMPTED_DAY, "Tuesday")
    history.set_state(DISMISSED_DAY, "2026-13-45")
    history.set_state(SNOOZED_UNTIL, "2026-03-10T21:00:00")  # naive: not an instant
    clock.set(local(TUESDAY, 20, 45))
    _prompt, rec = make()
    assert rec.prompts == 1


class BrokenStore(History):
    """A store whose writes fail (a locked database, a full disk)."""

    def set_state(self, name: str, value: str | None) -> None:
        raise OSError("database is locked")


def test_a_store_that_cannot_save_still_invites_once(clock, make, history) -> None:
    clock.set(local(TUESDAY, 21))
    prompt, rec = make(store=BrokenStore(history.db, DAY_STARTS_AT))
    prompt.replan("again")
    prompt.on_resumed()
    assert rec.prompts == 1
    prompt.snooze("15m")
    assert not prompt.pending
    run_to(clock, prompt, local(TUESDAY, 21, 15))
    assert rec.prompts == 2


# -- the clock's own surprises ---------------------------------------------------------------

@pytest.mark.parametrize(("night", "hours"), [
    (date(2026, 3, 29), 22.5),  # clocks go forward: 21:00 to 20:30 next day is 22.5 h
    (date(2026, 10, 25), 24.5),  # clocks go back: 24.5 h
])
def test_a_dst_night_moves_nothing(make, clock, night: date, hours: float) -> None:
    clock.set(local(night - timedelta(days=1), 21))  # started late the evening before
    prompt, rec = make()
    assert rec.prompts == 1 and prompt.pending
    prompt.not_tonight()
    due = local(night, 20, 30)
    assert due.astimezone(UTC) - clock.now().astimezone(UTC) == timedelta(hours=hours)
    run_to(clock, prompt, due)  # one wait across the night, armed for exactly that long
    assert rec.prompts == 2
    assert clock.now().astimezone(BERLIN).time() == AT


def test_a_zone_change_before_the_evening_invites_at_the_new_local_time(clock, make) -> None:
    clock.set(local(TUESDAY, 19))
    prompt, rec = make()
    clock.move_to_zone(NEW_YORK)  # 14:00 there
    prompt.replan("zone changed")
    run_to(clock, prompt, local(TUESDAY, 20, 30, NEW_YORK))
    assert rec.prompts == 1


def test_flying_west_after_the_invitation_does_not_repeat_it(clock, make) -> None:
    prompt, rec = make()
    run_to(clock, prompt, local(TUESDAY, 20, 30))
    clock.move_to_zone(NEW_YORK)  # 15:30 on the same practice day
    prompt.replan("zone changed")
    clock.set(local(TUESDAY, 20, 30, NEW_YORK))
    prompt.replan("timer")
    assert rec.prompts == 1


def test_flying_east_starts_the_next_day_there(clock, make) -> None:
    prompt, rec = make()
    run_to(clock, prompt, local(TUESDAY, 20, 30))
    clock.move_to_zone(TOKYO)  # 04:30 on Wednesday there: a new practice day
    prompt.replan("zone changed")
    assert not prompt.pending and rec.prompts == 1
    run_to(clock, prompt, local(TUESDAY + timedelta(days=1), 20, 30, TOKYO))
    assert rec.prompts == 2


# -- the user's answers ----------------------------------------------------------------------

@pytest.mark.parametrize(("choice", "minutes"), [("15m", 15), ("1h", 60)])
def test_remind_me_later_invites_again_after_the_snooze(clock, make, history, choice: str,
                                                        minutes: int) -> None:
    prompt, rec = make()
    run_to(clock, prompt, local(TUESDAY, 20, 30))
    prompt.snooze(choice)
    assert not prompt.pending and rec.changes == 2
    assert history.get_state(PROMPTED_DAY) is None
    assert history.get_state(SNOOZED_UNTIL) is not None
    run_to(clock, prompt, local(TUESDAY, 20, 30) + timedelta(minutes=minutes))
    assert rec.prompts == 2 and prompt.pending


def test_a_snooze_survives_a_restart(clock, make, history) -> None:
    prompt, _rec = make()
    run_to(clock, prompt, local(TUESDAY, 20, 30))
    prompt.snooze("1h")
    prompt.stop()
    clock.advance(minutes=5)
    again, rec2 = make()
    assert rec2.prompts == 0 and not again.pending
    run_to(clock, again, local(TUESDAY, 21, 30))
    assert rec2.prompts == 1


def test_an_unknown_snooze_is_refused(make) -> None:
    prompt, _ = make()
    with pytest.raises(ValueError, match="2h"):
        prompt.snooze("2h")


def test_not_tonight_means_nothing_until_tomorrow_evening(clock, make, history) -> None:
    prompt, rec = make()
    run_to(clock, prompt, local(TUESDAY, 20, 30))
    prompt.not_tonight()
    assert not prompt.pending
    assert history.get_state(DISMISSED_DAY) == "2026-03-10"
    prompt.on_resumed()
    assert prompt.timer.interval() == ms_until(clock, local(TUESDAY + timedelta(days=1), 20, 30))
    run_to(clock, prompt, local(TUESDAY + timedelta(days=1), 20, 30))
    assert rec.prompts == 2


def test_a_slot_that_answers_at_once_is_handled_after_the_invitation(clock, make) -> None:
    prompt, rec = make(replan=False)
    prompt.prompt_due.connect(lambda: prompt.snooze("15m"))
    clock.set(local(TUESDAY, 20, 30))
    prompt.replan("timer")
    assert rec.prompts == 1 and not prompt.pending
    assert prompt.timer.interval() == ms_until(clock, local(TUESDAY, 20, 45))


# -- the settings ----------------------------------------------------------------------------

def test_a_rest_day_has_no_invitation(clock, make) -> None:
    prompt, rec = make(rest_days={TUESDAY.weekday()})
    assert prompt.timer.interval() == ms_until(clock, local(TUESDAY + timedelta(days=1), 20, 30))
    clock.set(local(TUESDAY, 20, 30))
    prompt.replan("day change")
    assert rec.prompts == 0


def test_disabled_means_no_timer_and_no_dot(clock, make) -> None:
    prompt, rec = make(enabled=False)
    assert not prompt.timer.isActive()
    prompt.apply_settings(True, AT, (), DAY_STARTS_AT)
    run_to(clock, prompt, local(TUESDAY, 20, 30))
    assert prompt.pending
    prompt.apply_settings(False, AT, (), DAY_STARTS_AT)
    assert not prompt.timer.isActive() and not prompt.pending and rec.changes == 2


def test_a_new_time_moves_the_timer(clock, make) -> None:
    prompt, rec = make()
    prompt.apply_settings(True, time(21, 15), (), DAY_STARTS_AT)
    run_to(clock, prompt, local(TUESDAY, 21, 15))
    assert rec.prompts == 1


def test_making_today_a_rest_day_clears_the_dot(clock, make) -> None:
    prompt, _ = make()
    run_to(clock, prompt, local(TUESDAY, 20, 30))
    prompt.apply_settings(True, AT, {TUESDAY.weekday()}, DAY_STARTS_AT)
    assert not prompt.pending


def test_stop_ends_the_timer_for_good(clock, make) -> None:
    prompt, rec = make()
    prompt.stop()
    assert not prompt.timer.isActive()
    clock.set(local(TUESDAY, 21))
    prompt.replan("late")
    assert rec.prompts == 0 and not prompt.timer.isActive()
