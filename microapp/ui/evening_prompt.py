"""When to invite the evening's sentence of gratitude: :func:`core.evening.plan_evening` on ONE
single-shot timer, in the running app.

The pure planner decides; this keeps what it must not: the settings, the timer, and the small
state that makes the invitation come once per practice day. That state lives in the store's
``app_state`` (keys below, ISO text), so a restart the same evening does not invite again:

* ``evening_prompted_day`` - the practice day the invitation was last shown;
* ``evening_dismissed_day`` - the practice day the user said "not tonight";
* ``evening_snoozed_until`` - the UTC instant a "remind me later" runs out.

Whether today's sentence is written is read from the history on every replan (the command line
can add one too), for the *practice* day: a sentence saved at 00:30 counts for the evening
before.

Waking from sleep works as in :class:`~microapp.ui.scheduler.PauseScheduler`: with a sleep
signal the app calls :meth:`EveningPrompt.on_resumed`; without one no wait is longer than
:attr:`EveningPrompt.WAKE_GUARD_MS`. The caller also calls :meth:`EveningPrompt.replan` on a
time-zone or day change. Instants are compared in UTC, so a DST night moves nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from datetime import UTC, date, datetime, time, timedelta

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from microapp.core.clock import Clock, next_day_start, practice_day
from microapp.core.evening import SNOOZE_CHOICES, EveningPlan, EveningState, plan_evening
from microapp.core.planner import MAX_TIMER_MS
from microapp.store.history import History
from microapp.ui.replan import SerialReplan

log = logging.getLogger(__name__)

PROMPTED_DAY = "evening_prompted_day"
DISMISSED_DAY = "evening_dismissed_day"
SNOOZED_UNTIL = "evening_snoozed_until"

# What the desktop notification says when the invitation is due (the app sends it).
PROMPT_TITLE = "A sentence for tonight"
PROMPT_BODY = "Who made today a little lighter? One sentence for them, whenever you’re ready."


class EveningPrompt(QObject):
    """Says when to show the evening invitation (``prompt_due``), once per practice day."""

    prompt_due = Signal()  # show the invitation now; it is already recorded as shown today
    state_changed = Signal()  # ``pending`` changed (the tray shows or hides its dot)

    WAKE_GUARD_MS = 5 * 60 * 1000  # longest wait when no sleep signal is available

    def __init__(self, clock: Clock, history: History, *, enabled: bool, at: time,
                 rest_days: Collection[int], day_starts_at: time,
                 sleep_signal_available: bool = False, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._clock = clock
        self._history = history
        self._enabled = enabled
        self._at = at
        self._rest_days = frozenset(rest_days)
        self._day_starts_at = day_starts_at
        self._sleep_signal = sleep_signal_available
        # Read once: only this object writes them, and a write that fails (a locked database)
        # must not make the invitation come again at every replan.
        self._prompted = self._read_day(PROMPTED_DAY)
        self._dismissed = self._read_day(DISMISSED_DAY)
        self._snoozed_until = self._read_instant(SNOOZED_UNTIL)
        self._written: tuple[date, bool] | None = None  # the last answer read, for its day
        self._pending = False
        self._plan: EveningPlan | None = None
        self._replan = SerialReplan(self._replan_once)
        # Precise: a coarse timer may fire up to 5 % early, which costs a useless wake-up.
        self.timer = QTimer(self, singleShot=True, timerType=Qt.TimerType.PreciseTimer)
        self.timer.timeout.connect(self._on_timeout)

    # -- what the app tells it ------------------------------------------------------------

    def apply_settings(self, enabled: bool, at: time, rest_days: Collection[int],
                       day_starts_at: time) -> None:
        """New evening settings (on/off, time, rest weekdays, day start); replans."""
        self._enabled = enabled
        self._at = at
        self._rest_days = frozenset(rest_days)
        self._day_starts_at = day_starts_at
        self.replan("settings")

    def set_sleep_signal_available(self, available: bool) -> None:
        """Whether :meth:`on_resumed` will be called after a sleep; replans (adds or drops the
        :attr:`WAKE_GUARD_MS` cap on the wait)."""
        self._sleep_signal = available
        self.replan("sleep signal")

    def snooze(self, choice: str) -> None:
        """"Remind me later": ``choice`` is a :data:`core.evening.SNOOZE_CHOICES` key ("15m",
        "1h"). The invitation stops waiting now and comes again when the snooze runs out."""
        if choice not in SNOOZE_CHOICES:
            raise ValueError(f"unknown evening snooze {choice!r}")
        self._snoozed_until = self._clock.now().astimezone(UTC) + SNOOZE_CHOICES[choice]
        self._prompted = None
        self._save(SNOOZED_UNTIL, self._snoozed_until.isoformat())
        self._save(PROMPTED_DAY, None)
        log.info("evening invitation snoozed until %s", self._snoozed_until.isoformat())
        self.replan("snoozed")

    def not_tonight(self) -> None:
        """"Not tonight": nothing more until the next practice day's invitation."""
        self._dismissed = self._today()
        self._save(DISMISSED_DAY, self._dismissed.isoformat())
        log.info("evening invitation declined for %s", self._dismissed.isoformat())
        self.replan("not tonight")

    def on_written(self) -> None:
        """An entry was saved: if it is today's, nothing more today."""
        self.replan("written")

    def on_resumed(self) -> None:
        """Slot for ``SystemEvents.resumed``: the machine woke up; look again now."""
        self.replan("resumed")

    def stop(self) -> None:
        """Stop for good (the app quits): no timer, and later calls plan nothing."""
        self._replan.stopped = True
        self.timer.stop()

    # -- what the app reads ---------------------------------------------------------------

    @property
    def pending(self) -> bool:
        """Whether an invitation waits for the user: shown this practice day, and neither
        answered, declined nor snoozed since (the tray shows a gentle dot meanwhile)."""
        return self._pending

    @property
    def wake_at(self) -> datetime | None:
        """When the plan next needs a look (the next invitation, a snooze's end), or None."""
        return None if self._plan is None else self._plan.wake_at

    # -- planning -------------------------------------------------------------------------

    def replan(self, reason: str = "") -> None:
        """Decide whether to invite now, report it, and arm the timer for the next instant.

        Signals are emitted after the state is updated, so slots see the new ``pending``. A
        slot that triggers another replan (say, snoozes at once) gets it right after this one.
        """
        self._replan(reason)

    def _replan_once(self, reason: str) -> None:
        now = self._clock.now()
        today = self._today(now)
        written = self._written_on(today)
        plan = self._plan_at(now, written)
        show = plan.show_now
        if show:
            self._prompted = plan.day
            self._snoozed_until = None
            self._save(PROMPTED_DAY, plan.day.isoformat())
            self._save(SNOOZED_UNTIL, None)
            plan = self._plan_at(now, written)  # what comes after this one
        self._plan = plan

        pending = (self._enabled and today.weekday() not in self._rest_days
                   and self._prompted == today and not written and self._dismissed != today)
        changed = pending != self._pending
        self._pending = pending
        self._arm(now, plan, pending)
        log.debug("evening replanned (%s): show %s, pending %s, next %s, timer %s ms",
                  reason or "-", show, pending,
                  None if plan.wake_at is None else plan.wake_at.isoformat(),
                  self.timer.interval() if self.timer.isActive() else None)
        if show:
            self.prompt_due.emit()
        if changed:
            self.state_changed.emit()

    def _plan_at(self, now: datetime, written: bool) -> EveningPlan:
        state = EveningState(written_today=written, prompted_day=self._prompted,
                             dismissed_day=self._dismissed, snoozed_until=self._snoozed_until)
        return plan_evening(now, enabled=self._enabled, at=self._at, rest_days=self._rest_days,
                            day_starts_at=self._day_starts_at, state=state)

    def _arm(self, now: datetime, plan: EveningPlan, pending: bool) -> None:
        wake = plan.wake_at
        if pending:
            # The dot goes when the practice day ends, even if nothing else is due by then.
            boundary = next_day_start(now, self._day_starts_at)
            wake = boundary if wake is None else min(wake, boundary, key=_utc)
        if wake is None:
            self.timer.stop()  # nothing ahead (disabled): no wake-ups at all
            return
        ms = _ms_until(wake, now)
        if not self._sleep_signal:
            ms = min(ms, self.WAKE_GUARD_MS)
        self.timer.start(ms)

    def _on_timeout(self) -> None:
        self.replan("timer")

    # -- state ----------------------------------------------------------------------------

    def _today(self, now: datetime | None = None) -> date:
        return practice_day(now or self._clock.now(), self._day_starts_at)

    def _written_on(self, day: date) -> bool:
        """Whether a sentence is saved for ``day``; on a read error, the last answer for it."""
        try:
            written = bool(self._history.gratitude_on(day))
        except Exception:
            log.exception("could not read today's gratitude entries")
            written = self._written == (day, True)
        self._written = (day, written)
        return written

    def _read(self, name: str) -> str | None:
        try:
            return self._history.get_state(name)
        except Exception:
            log.exception("could not read %s", name)
            return None

    def _read_day(self, name: str) -> date | None:
        text = self._read(name)
        try:
            return None if text is None else date.fromisoformat(text)
        except ValueError:
            return None  # hand-edited or from another version: as if never set

    def _read_instant(self, name: str) -> datetime | None:
        text = self._read(name)
        try:
            instant = None if text is None else datetime.fromisoformat(text)
        except ValueError:
            return None
        if instant is None or instant.tzinfo is None or instant.utcoffset() is None:
            return None
        return instant.astimezone(UTC)

    def _save(self, name: str, value: str | None) -> None:
        try:
            self._history.set_state(name, value)
        except Exception:  # kept for this run even if it cannot be kept for the next
            log.exception("could not save %s", name)


def _utc(instant: datetime) -> datetime:
    return instant.astimezone(UTC)


def _ms_until(instant: datetime, now: datetime) -> int:
    """Milliseconds until ``instant``, rounded up (a timer never fires early), at least 0 and
    at most what QTimer accepts."""
    micros = (_utc(instant) - _utc(now)) // timedelta(microseconds=1)
    return min(-(-micros // 1000) if micros > 0 else 0, MAX_TIMER_MS)
