"""What happens when a doorway pause is due: check the moment, show it or hold it back, save it.

The scheduler says *when*; this decides *whether* (snoozed, do-not-disturb, presenting), shows
the pause on every screen, and records how it ended. It also keeps the tray's small states in
step: the icon (near / snoozed), the snooze menu and the "Join" item.

Every cue ends up in history exactly once: ``completed`` or ``skipped`` when it was shown,
``suppressed`` when it was held back, ``missed`` when it could not be shown in time.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from microapp.core.busy import BusyReason, missed_message, suppressed_message
from microapp.core.clock import Clock
from microapp.core.meetings import Meeting
from microapp.core.pause_content import PauseContent
from microapp.core.planner import Cue
from microapp.core.records import Outcome
from microapp.core.settings import Settings
from microapp.core.snooze import is_snoozed, snooze_until
from microapp.platform.busy import BusyCheck
from microapp.platform.notify import Notifier
from microapp.store.history import History
from microapp.ui.scheduler import PauseScheduler
from microapp.ui.theme import Palette
from microapp.ui.tray import TrayController
from microapp.ui.tray_icons import IconState

if TYPE_CHECKING:
    from microapp.ui.pause_session import PauseSession

log = logging.getLogger(__name__)


def _pause_session_class() -> type[PauseSession]:
    """The pause's views are imported when first needed (not at start-up): by the "near"
    moment before a cue at the latest, so the cue itself never waits for the import."""
    from microapp.ui.pause_session import PauseSession

    return PauseSession


class PauseController(QObject):
    """Turns due cues into pauses (or quiet notes) and keeps the tray's pause states current."""

    history_changed = Signal()  # a pause was saved: the Today view should refresh

    #: How long after a meeting starts the tray still offers to join it.
    JOIN_AFTER_START = timedelta(minutes=5)
    #: One second of the pause's length setting, in milliseconds (tests shorten it).
    SECOND_MS = 1000
    #: The longest the tray waits before looking at its states again (a safety net only).
    TRAY_RECHECK_MAX_MS = 6 * 60 * 60 * 1000

    def __init__(self, *, clock: Clock, settings: Settings, palette: Palette,
                 history: History, tray: TrayController, scheduler: PauseScheduler,
                 busy: BusyCheck, notifier: Notifier,
                 opener: Callable[[str], bool] | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.clock = clock
        self.settings = settings
        self.palette = palette
        self.history = history
        self.tray = tray
        self.scheduler = scheduler
        self.busy = busy
        self.notifier = notifier
        self.opener = opener
        self.session: PauseSession | None = None
        self._session_cue: Cue | None = None
        self._checking: Cue | None = None
        self._meetings: tuple[Meeting, ...] = ()
        self._joinable: PauseContent | None = None  # the last paused meeting with a link
        self._snoozed_until = self._read_snooze()

        scheduler.cue_due.connect(self.on_cue_due)
        scheduler.cues_missed.connect(self.on_cues_missed)
        scheduler.state_changed.connect(self.update_tray)
        scheduler.state_changed.connect(self._prepare_if_near)
        busy.done.connect(self._on_busy_answer)
        tray.snooze_requested.connect(self.snooze)
        tray.join_requested.connect(self.join)
        self._tray_timer = QTimer(self, singleShot=True)
        self._tray_timer.timeout.connect(self.update_tray)

    # -- inputs --------------------------------------------------------------------------

    def apply_settings(self, settings: Settings, palette: Palette) -> None:
        self.settings = settings
        self.palette = palette
        self.scheduler.set_lead(timedelta(seconds=settings.lead_seconds))

    def set_meetings(self, meetings: Sequence[Meeting]) -> None:
        self._meetings = tuple(meetings)
        self.scheduler.set_meetings(self._meetings)
        self.update_tray()

    # -- showing ---------------------------------------------------------------------------

    def _prepare_if_near(self) -> None:
        if self.scheduler.near:
            _pause_session_class()

    @property
    def showing(self) -> bool:
        return self.session is not None and not self.session.done

    def show_pause_now(self) -> None:
        """"Pause now" from the tray or the command line: a pause without a meeting."""
        if self.showing:
            assert self.session is not None
            self.session.raise_views()
            return
        self._open(PauseContent(), None)

    def on_cue_due(self, cue: Cue) -> None:
        now = self.clock.now()
        if self.showing or self._checking is not None:
            # Another pause is on screen (or about to be): two at once help nobody.
            self._record(cue, Outcome.MISSED, "", at=now)
            return
        self._checking = cue
        self.busy.start(snoozed_until=self._snoozed_until, now=now,
                        respect_dnd=self.settings.respect_do_not_disturb,
                        respect_fullscreen=self.settings.respect_fullscreen)

    def _on_busy_answer(self, reason: str) -> None:
        cue, self._checking = self._checking, None
        if cue is None:
            return
        if reason:
            busy = BusyReason(reason)
            content = PauseContent.from_cue(cue)
            log.info("pause held back: %s", busy.value)
            self._record(cue, Outcome.SUPPRESSED, "", at=self.clock.now())
            if self.settings.when_busy == "notify":
                self.notifier.notify(*suppressed_message(busy, content.meeting_label))
            return
        self._open(PauseContent.from_cue(cue), cue)

    def _open(self, content: PauseContent, cue: Cue | None) -> None:
        if cue is not None:
            try:
                self.history.claim_cue(cue.keys, cue.due, self.clock.now())
            except Exception:  # a full disk must not cost the user the pause itself
                log.exception("could not mark a cue as shown")
        pause_session = _pause_session_class()
        session = pause_session(self.palette, content,
                                duration_ms=self.settings.pause_seconds * self.SECOND_MS,
                                reduce_motion=self.settings.reduce_motion,
                                chime=self.settings.chime, opener=self.opener,
                                clock_now=self.clock.now)
        session.finished.connect(self._on_finished)
        self.session = session
        self._session_cue = cue
        if content.join_url:
            self._joinable = content
        session.start()
        self.update_tray()

    def _on_finished(self, outcome: str, intention: str) -> None:
        cue, self._session_cue = self._session_cue, None
        now = self.clock.now()
        if cue is None:
            try:
                self.history.record_pause(now, outcome, intention or None, None)
            except Exception as exc:
                self._save_failed(exc)
            self.history_changed.emit()
        else:
            self._record(cue, Outcome(outcome), intention, at=now)
        self.update_tray()

    def on_cues_missed(self, cues: Sequence[Cue]) -> None:
        """Cues the machine slept through (or that another cue replaced): saved, not shown."""
        titles: list[str] = []
        for cue in cues:
            # Logged at its due instant, so it lands on the day it belonged to.
            self._record(cue, Outcome.MISSED, "", at=cue.due)
            titles += [m.title for m in cue.meetings]
        if titles and self.settings.when_busy == "notify":
            self.notifier.notify(*missed_message(titles))

    def _record(self, cue: Cue, outcome: Outcome, intention: str, *, at: datetime) -> None:
        try:
            self.history.record_cue(cue.keys, cue.due, at, outcome, intention or None,
                                    PauseContent.from_cue(cue).meeting_label)
        except Exception as exc:
            self._save_failed(exc)
        self.history_changed.emit()

    def _save_failed(self, exc: Exception) -> None:
        log.exception("could not save a pause")
        self.tray.notify("microapp", f"This pause could not be saved: {exc}")

    # -- snooze and join -----------------------------------------------------------------

    def _read_snooze(self) -> datetime | None:
        try:
            until = self.history.snoozed_until()
        except Exception:
            log.exception("could not read the snooze state")
            return None
        return until if is_snoozed(until, self.clock.now()) else None

    @property
    def snoozed_until(self) -> datetime | None:
        return self._snoozed_until if is_snoozed(self._snoozed_until, self.clock.now()) else None

    def snooze(self, choice: str) -> None:
        """Snooze pauses (a SnoozeChoice value), or resume them ("")."""
        now = self.clock.now()
        until = snooze_until(choice, now, self.settings.day_starts_at) if choice else None
        self._snoozed_until = until
        try:
            self.history.set_snoozed_until(until)
        except Exception:  # kept for this run even if it cannot be kept for the next
            log.exception("could not save the snooze state")
        log.info("pauses %s", f"snoozed until {until.isoformat()}" if until else "resumed")
        self.update_tray()

    def join(self, url: str) -> None:
        from PySide6.QtCore import QUrl
        from PySide6.QtGui import QDesktopServices

        log.info("opening a call link from the tray")
        if self.opener is not None:
            self.opener(url)
        else:
            QDesktopServices.openUrl(QUrl(url))

    def join_target(self) -> tuple[str | None, str | None, str | None, datetime | None]:
        """(title, url, service, until): what the tray's Join item offers right now."""
        now = self.clock.now().astimezone(UTC)
        recent = self._joinable
        if recent is not None and recent.start is not None:
            until = recent.start.astimezone(UTC) + self.JOIN_AFTER_START
            if now < until:
                return recent.meeting_label, recent.join_url, recent.service, until
            self._joinable = None
        for meeting in self._meetings:
            start = meeting.start.astimezone(UTC)
            if start >= now and meeting.join_url:
                return meeting.title, meeting.join_url, meeting.service, start
            if start >= now:
                break  # the next meeting has no link: nothing to join yet
        return None, None, None, None

    def update_tray(self) -> None:
        now = self.clock.now()
        snoozed = self.snoozed_until
        if snoozed is None and self._snoozed_until is not None:
            self._snoozed_until = None  # it ran out
        self.tray.set_snooze(snoozed, now)
        if snoozed is not None:
            state = IconState.SNOOZED
        elif self.scheduler.near or self.showing:
            state = IconState.NEAR
        else:
            state = IconState.IDLE
        self.tray.set_icon_state(state)
        title, url, service, until = self.join_target()
        self.tray.set_join_target(title, url, service)
        self._arm_tray_timer(now, [t for t in (snoozed, until) if t is not None])

    def _arm_tray_timer(self, now: datetime, instants: list[datetime]) -> None:
        """Look again when the snooze ends or the Join item should change; never polls."""
        if not instants:
            self._tray_timer.stop()
            return
        wait = min(instants).astimezone(UTC) - now.astimezone(UTC)
        ms = max(0, int(wait / timedelta(milliseconds=1))) + 1
        self._tray_timer.start(min(ms, self.TRAY_RECHECK_MAX_MS))

    def shutdown(self) -> None:
        self._tray_timer.stop()
        if self.showing:
            assert self.session is not None
            self.session.skip()
