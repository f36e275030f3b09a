"""The evening reflection in the running app: the invitation, its reminders, and the window.

The :class:`EveningPrompt` decides *when* to invite (once per practice day, at the user's
time, never for a day that has ended); this sends the invitation as a real desktop
notification (the tray's own message when none can be delivered, which opens the window when
clicked), keeps the tray's gentle dot in step, and opens the reflection window on request.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QObject, Signal

from microapp.core.clock import Clock, today
from microapp.core.settings import Settings
from microapp.platform.notify import Notifier
from microapp.store.history import History
from microapp.ui.evening_prompt import PROMPT_BODY, PROMPT_TITLE, EveningPrompt
from microapp.ui.theme import Palette
from microapp.ui.tray import TrayController

if TYPE_CHECKING:
    from microapp.ui.reflection_window import ReflectionWindow

log = logging.getLogger(__name__)

#: Where a sentence still being written waits when microapp quits (app_state key).
DRAFT_KEY = "reflection_draft"


class ReflectionController(QObject):
    """Invites one sentence each evening and opens the window where it is written."""

    history_changed = Signal()  # a sentence or a micro-round was saved

    def __init__(self, *, clock: Clock, settings: Settings, palette: Palette, history: History,
                 tray: TrayController, notifier: Notifier | None = None,
                 opener: Callable[[str], bool] | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.clock = clock
        self.settings = settings
        self.palette = palette
        self.history = history
        self.tray = tray
        self.opener = opener
        self.window: ReflectionWindow | None = None
        self._opened_on: date | None = None  # the practice day the window was last opened
        # Its own notifier: when the desktop cannot show the invitation, the tray's message
        # stands in, and clicking that message opens the window.
        self.notifier = notifier or Notifier(self._fallback, parent=self)
        self.prompt = EveningPrompt(clock, history, enabled=settings.evening_prompt,
                                    at=settings.evening_at, rest_days=settings.rest_days,
                                    day_starts_at=settings.day_starts_at, parent=self)
        self.prompt.prompt_due.connect(self._invite)
        self.prompt.state_changed.connect(self._update_tray)
        tray.gratitude_requested.connect(self.open_window)
        tray.evening_snooze_requested.connect(self.prompt.snooze)
        tray.evening_dismissed.connect(self.prompt.not_tonight)

    def start(self, sleep_signal_available: bool) -> None:
        self.prompt.set_sleep_signal_available(sleep_signal_available)
        self.prompt.replan("start")
        self._update_tray()

    def apply_settings(self, settings: Settings, palette: Palette) -> None:
        self.settings = settings
        self.palette = palette
        self.prompt.apply_settings(settings.evening_prompt, settings.evening_at,
                                   settings.rest_days, settings.day_starts_at)
        if self.window is not None and shiboken6.isValid(self.window) \
                and not self.window.isVisible():
            self.window.deleteLater()  # rebuilt with the new look and times when next opened
            self.window = None

    def replan(self, reason: str) -> None:
        self.prompt.replan(reason)

    def on_resumed(self) -> None:
        self.prompt.on_resumed()

    # -- the invitation ------------------------------------------------------------------

    def _invite(self) -> None:
        log.info("inviting tonight's sentence")
        self._opened_on = None  # a new invitation (after a snooze, too) shows the dot again
        self.tray.set_invitation(True)  # the dot stays even if no notification can be shown
        self.notifier.notify(PROMPT_TITLE, PROMPT_BODY)

    def _fallback(self, title: str, body: str) -> None:
        self.tray.notify(title, body, on_click=self.open_window)

    def _update_tray(self) -> None:
        # The dot says "tonight's sentence is waiting" until the user opens the window.
        seen = self._opened_on == today(self.clock, self.settings.day_starts_at)
        self.tray.set_invitation(self.prompt.pending and not seen)

    # -- the window ----------------------------------------------------------------------

    def open_window(self) -> None:
        if self.window is None or not shiboken6.isValid(self.window):
            from microapp.ui.reflection_window import ReflectionWindow  # only once it is opened

            self.window = ReflectionWindow(
                self.palette, self.history, self.clock,
                day_starts_at=self.settings.day_starts_at, evening_at=self.settings.evening_at,
                opener=self.opener)
            self.window.saved.connect(self._on_saved)
            self.window.snooze_requested.connect(self.prompt.snooze)
            self.window.not_tonight_requested.connect(self.prompt.not_tonight)
        self.window.open_for_today()
        self._restore_draft(self.window)
        self._opened_on = today(self.clock, self.settings.day_starts_at)
        self._update_tray()

    def _on_saved(self, _record: object) -> None:
        self.prompt.on_written()
        self._update_tray()
        self.history_changed.emit()

    # -- nothing typed is lost -----------------------------------------------------------

    def _keep_draft(self, window: ReflectionWindow) -> None:
        """microapp is quitting (logout, shutdown, Quit) with words in the window: keep them
        in the store, to be put back when the window opens next."""
        if not window.has_unsaved_text():
            return
        draft = {"name": window.who.name_edit.text(),
                 "relationship": window.who.relationship_value or "",
                 "text": window.sentence.edit.toPlainText()}
        try:
            self.history.set_state(DRAFT_KEY, json.dumps(draft, ensure_ascii=False))
            log.info("kept an unsaved sentence as a draft")
        except Exception:
            log.exception("could not keep the unsaved sentence")

    def _restore_draft(self, window: ReflectionWindow) -> None:
        try:
            raw = self.history.get_state(DRAFT_KEY)
        except Exception:
            log.exception("could not read the kept draft")
            return
        if not raw or window.has_unsaved_text():
            return
        try:
            draft = json.loads(raw)
            text, name = str(draft["text"]), str(draft.get("name", ""))
            relationship = str(draft.get("relationship", ""))
        except (ValueError, KeyError, TypeError):
            log.warning("a kept draft could not be read; it is left in the store")
            return
        window.who.name_edit.setText(name)
        index = window.who.relationship.findData(relationship) if relationship else -1
        if index >= 0:
            window.who.relationship.setCurrentIndex(index)
        window.sentence.edit.setPlainText(text)
        try:
            self.history.set_state(DRAFT_KEY, None)
        except Exception:
            log.exception("could not clear the kept draft")

    def shutdown(self) -> None:
        self.prompt.stop()
        if self.window is not None and shiboken6.isValid(self.window):
            self._keep_draft(self.window)
            self.window.hide()
