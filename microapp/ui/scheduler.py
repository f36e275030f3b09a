"""When to show the doorway pause: the planner's decisions on ONE single-shot timer.

The scheduler keeps what the pure planner must not: the meetings, the lead, the keys already
handled and the timer. Each :meth:`PauseScheduler.replan` asks :func:`planner.plan` what is due
at the clock's current instant, reports it (``cue_due``, ``cues_missed``), and arms the timer
for the next instant anything changes: the next cue, or the moment it becomes "near" (the tray's
subtle state). There is no polling loop; with no upcoming cue the timer is stopped.

Waking from sleep. Qt's timers count on the monotonic clock, which on Linux stands still while
the machine is suspended, so a timer armed before a sleep fires late by the time slept. Two
defences:

* A replan compares the wall clock with the monotonic clock (:class:`~microapp.core.wake.
  JumpDetector`) and emits ``clock_jumped`` when they disagree - a sleep or a clock change.
* When no sleep signal is available (no logind; see ``platform.system_events``), no wait is
  longer than :attr:`PauseScheduler.WAKE_GUARD_MS`, so a cue slept through is noticed - and
  reported missed, or shown while still in time - within that long of waking. With a sleep
  signal, :meth:`PauseScheduler.on_resumed` replans at once and the guard is not needed.

Every instant is compared in UTC (inside the planner and here), so DST nights and time-zone
changes move nothing: a cue is due at the same instant in any zone.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from microapp.core import planner
from microapp.core.clock import Clock
from microapp.core.meetings import Meeting
from microapp.core.planner import Cue
from microapp.core.wake import JumpDetector
from microapp.ui.replan import SerialReplan

log = logging.getLogger(__name__)


class PauseScheduler(QObject):
    """Turns meetings into pause cues at the right instant, each one at most once."""

    cue_due = Signal(object)  # planner.Cue to show now; its keys are already marked done
    cues_missed = Signal(object)  # tuple[Cue, ...]: superseded + stale cues, to record as missed
    state_changed = Signal()  # next_cue or near changed (the tray updates its icon/menu)
    clock_jumped = Signal()  # wall clock jumped vs monotonic (woke from sleep, clock set)

    NEAR_BEFORE = timedelta(minutes=5)  # "a pause is near": the tray shows a subtle state
    WAKE_GUARD_MS = 5 * 60 * 1000  # longest wait when no sleep signal is available
    #: Waits longer than SETTLE_MS + LANDING_MS end LANDING_MS early, then land precisely.
    LANDING_MS = 1000
    SETTLE_MS = 1000

    def __init__(
        self,
        clock: Clock,
        *,
        lead: timedelta,
        since: datetime,
        done_keys: Iterable[str] = (),
        monotonic: Callable[[], float] = time.monotonic,
        sleep_signal_available: bool = False,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        _check_lead(lead)
        if since.tzinfo is None or since.utcoffset() is None:
            raise ValueError("since must be timezone-aware")
        self._clock = clock
        self._lead = lead
        self._since = since
        self._done: set[str] = set(done_keys)
        self._monotonic = monotonic
        self._sleep_signal = sleep_signal_available
        self._meetings: tuple[Meeting, ...] = ()
        self._next_cue: Cue | None = None
        self._near = False
        self._replan = SerialReplan(self._replan_once)
        self._jumps = JumpDetector()
        self._jumps.reset(clock.now(), monotonic())
        # Precise: a coarse timer may fire up to 5 % early (15 s on a five-minute wait), which
        # costs a useless wake-up, or late, which makes the pause late.
        self.timer = QTimer(self, singleShot=True, timerType=Qt.TimerType.PreciseTimer)
        self.timer.timeout.connect(self._on_timeout)

    # -- what the app tells it ------------------------------------------------------------

    def set_meetings(self, meetings: Sequence[Meeting]) -> None:
        """The current meetings (already filtered); replans. Repeats are harmless."""
        self._meetings = tuple(meetings)
        self.replan("meetings")

    def set_lead(self, lead: timedelta) -> None:
        """How long before a meeting its pause is due (0..planner.MAX_LEAD); replans."""
        _check_lead(lead)
        self._lead = lead
        self.replan("lead")

    def set_sleep_signal_available(self, available: bool) -> None:
        """Whether :meth:`on_resumed` will be called after a sleep; replans (adds or drops the
        :attr:`WAKE_GUARD_MS` cap on the wait)."""
        self._sleep_signal = available
        self.replan("sleep signal")

    def mark_done(self, keys: Iterable[str]) -> None:
        """Never cue these meetings (e.g. handled elsewhere). Replans only when the next cue
        is affected, so calling this from a ``cue_due`` slot for the cue's own keys is free."""
        new = set(keys) - self._done
        if not new:
            return
        self._done |= new
        if self._next_cue is not None and new.intersection(self._next_cue.keys):
            self.replan("marked done")

    def on_resumed(self) -> None:
        """Slot for ``SystemEvents.resumed``: the machine woke up; look again now."""
        self.replan("resumed")

    def stop(self) -> None:
        """Stop for good (the app quits): no timer, and later calls plan nothing."""
        self._replan.stopped = True
        self.timer.stop()

    # -- what the app reads ---------------------------------------------------------------

    @property
    def next_cue(self) -> Cue | None:
        """The next cue not yet due, or ``None``."""
        return self._next_cue

    @property
    def near(self) -> bool:
        """Whether the next cue is due within :attr:`NEAR_BEFORE`."""
        return self._near

    @property
    def done_keys(self) -> frozenset[str]:
        """Keys fired, missed or marked done: never cued again."""
        return frozenset(self._done)

    # -- planning -------------------------------------------------------------------------

    def replan(self, reason: str = "") -> None:
        """Decide what is due now, report it, and arm the timer for the next instant.

        Signals are emitted after the state is updated, so slots see the new ``next_cue``. A
        slot that triggers another replan gets it right after this one, not inside it.
        """
        self._replan(reason)

    def _replan_once(self, reason: str) -> None:
        now = self._clock.now()
        jump = self._jumps.check(now, self._monotonic())
        if jump is not None:
            log.info("the wall clock jumped by %+.0f s (sleep or clock change); replanning",
                     jump.total_seconds())

        result = planner.plan(self._meetings, now, lead=self._lead, done_keys=self._done,
                              since=self._since)
        missed = (*result.superseded, *result.missed)
        for cue in missed:
            self._done.update(cue.keys)
        if result.show_now is not None:
            self._done.update(result.show_now.keys)

        next_cue = result.next_cue
        near = next_cue is not None and now.astimezone(UTC) >= _utc(next_cue.due) - self.NEAR_BEFORE
        changed = next_cue != self._next_cue or near != self._near
        self._next_cue, self._near = next_cue, near
        self._arm(result, now)
        log.debug("replanned (%s): due %s, missed %d, next %s, timer %s ms", reason or "-",
                  "yes" if result.show_now else "no", len(missed),
                  None if next_cue is None else next_cue.due.isoformat(),
                  self.timer.interval() if self.timer.isActive() else None)

        if jump is not None:
            self.clock_jumped.emit()
        if missed:
            self.cues_missed.emit(missed)
        if result.show_now is not None:
            self.cue_due.emit(result.show_now)
        if changed:
            self.state_changed.emit()

    def _arm(self, result: planner.Plan, now: datetime) -> None:
        cue = result.next_cue
        if cue is None:
            self.timer.stop()  # nothing ahead: no wake-ups at all until something changes
            return
        wake = _utc(cue.due)
        near_at = wake - self.NEAR_BEFORE
        if near_at > now.astimezone(UTC):
            wake = near_at  # so the near state turns on exactly on time
        # next_wake rounds up (never early) and caps at what QTimer accepts.
        ms = planner.next_wake(replace(result, wake_at=wake), now)
        assert ms is not None
        if not self._sleep_signal:
            ms = min(ms, self.WAKE_GUARD_MS)
        if ms > self.SETTLE_MS + self.LANDING_MS:
            # Linux lets a long poll() timeout run late by 0.1 % of its length (up to 100 ms,
            # measured by benchmarks/pause_bench.py). Wake a moment early instead; the
            # re-plan then arms a short last step whose slack is well under a millisecond.
            ms -= self.LANDING_MS
        self.timer.start(ms)

    def _on_timeout(self) -> None:
        self.replan("timer")


def _utc(instant: datetime) -> datetime:
    return instant.astimezone(UTC)


def _check_lead(lead: timedelta) -> None:
    if not timedelta(0) <= lead <= planner.MAX_LEAD:
        raise ValueError(f"lead must be between 0 and {planner.MAX_LEAD}, got {lead}")
