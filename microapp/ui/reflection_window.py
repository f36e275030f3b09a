"""The evening reflection window: one sentence of gratitude to a real person, saved, copied or
e-mailed, with today's pauses and a one-line micro-round below.

The user opens it on purpose (from the evening invitation or the tray), so unlike the doorway
pause it takes the keyboard. Nothing typed is ever lost: a failed save leaves every field as
it was and says why in one line; closing with an unsaved sentence asks first; the micro-round
is saved with the sentence and again when the window closes. Closing only hides the window:
the app keeps the object, and :meth:`ReflectionWindow.open_for_today` refreshes it.

Copy and Email work on the sentence in the fields, saving it first; once it is saved and the
fields are cleared for another, they work on the sentence just saved.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, time
from itertools import pairwise
from typing import TypeVar

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import (
    QClipboard,
    QCloseEvent,
    QGuiApplication,
    QKeyEvent,
    QKeySequence,
    QShortcut,
)
from PySide6.QtWidgets import (
    QFrame,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from microapp.core.clock import Clock, today
from microapp.core.evening import backfill_day
from microapp.core.gratitude import mailto_url
from microapp.core.records import GratitudeRecord
from microapp.store.history import History
from microapp.ui.reflection_body import LaterBar, ReflectionBody
from microapp.ui.reflection_parts import (
    SoftCheckBox,
    ask_to_discard,
    day_text,
    message_text,
    open_mail_url,
    reason_of,
    repolish,
)
from microapp.ui.theme import Palette, app_icon, qcolor, style_sheet

log = logging.getLogger(__name__)
T = TypeVar("T")


class ReflectionWindow(QWidget):
    """The evening window. Signals: :attr:`saved` (a GratitudeRecord, after every save),
    :attr:`snooze_requested` ("15m" or "1h") and :attr:`not_tonight_requested`."""

    saved = Signal(object)
    snooze_requested = Signal(str)
    not_tonight_requested = Signal()

    MIN_SIZE = QSize(520, 560)
    START_SIZE = QSize(600, 690)

    def __init__(self, palette: Palette, history: History, clock: Clock, *,
                 day_starts_at: time, evening_at: time,
                 opener: Callable[[str], bool] | None = None,
                 clipboard: QClipboard | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self._history = history
        self._clock = clock
        self._day_starts_at = day_starts_at
        self._evening_at = evening_at
        self._opener = opener or open_mail_url
        self._clipboard = clipboard
        self._day: date | None = None
        self._backfill: date | None = None
        self._last: GratitudeRecord | None = None  # the sentence saved last (Copy/Email)
        self._last_invite = False
        self._leave_despite_failure = False

        self.setObjectName("ReflectionWindow")
        self.setWindowTitle("Evening reflection — microapp")
        self.setWindowIcon(app_icon())
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        self.setMinimumSize(self.MIN_SIZE)
        self.resize(self.START_SIZE)
        self._build()
        self.set_palette(palette)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self, self.save)

    # -- layout --------------------------------------------------------------------------

    def _build(self) -> None:
        root = QVBoxLayout(self)
        root.setContentsMargins(0, 0, 0, 0)
        root.setSpacing(0)
        self.scroll = QScrollArea(objectName="ReflectionScroll")
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.body = ReflectionBody()
        self.scroll.setWidget(self.body)
        root.addWidget(self.scroll, 1)
        self.later_bar = LaterBar()
        root.addWidget(self.later_bar)

        body, bar = self.body, self.later_bar
        self.yesterday, self.who, self.sentence = body.yesterday, body.who, body.sentence
        self.invite, self.status, self.day = body.invite, body.status, body.day
        self.save_button, self.copy_button = body.save_button, body.copy_button
        self.email_button = body.email_button
        self.later_15, self.later_60, self.not_tonight = bar.later_15, bar.later_60, bar.not_tonight

        self.who.set_entries_source(lambda name: self._read(
            lambda: self._history.gratitude_for(name), []))
        self.save_button.clicked.connect(self.save)
        self.copy_button.clicked.connect(self.copy)
        self.email_button.clicked.connect(self.email)
        self.later_15.clicked.connect(lambda: self._leave(self.snooze_requested.emit, "15m"))
        self.later_60.clicked.connect(lambda: self._leave(self.snooze_requested.emit, "1h"))
        self.not_tonight.clicked.connect(lambda: self._leave(self.not_tonight_requested.emit))

        chain = [self.yesterday, self.who.name_edit, self.who.relationship, self.sentence.edit,
                 self.invite, self.save_button, self.copy_button, self.email_button,
                 self.who.suggestion, self.who.past_button, self.who.past_list,
                 *self.day.fields.values(), self.later_15, self.later_60, self.not_tonight]
        for first, second in pairwise(chain):
            QWidget.setTabOrder(first, second)

    def set_palette(self, palette: Palette) -> None:
        """Light or dark (the window follows the theme setting live)."""
        self._palette = palette
        sheet = style_sheet("reflection", palette, 10.5)
        self.setStyleSheet(sheet)
        popup = self.who.completer.popup()  # a separate window: it needs its own copy
        popup.setObjectName("CompleterPopup")
        popup.setStyleSheet(sheet)
        for box in self.findChildren(SoftCheckBox):
            box.mark_color = qcolor(palette.on_accent)

    # -- opening -------------------------------------------------------------------------

    def open_for_today(self) -> None:
        """Refresh everything for the current practice day, then show the window and put the
        keyboard in the name field (the user asked for this window)."""
        self.refresh()
        self.show()
        self.raise_()
        self.activateWindow()
        resume = self.has_unsaved_text() and self.who.name  # a draft kept from before
        target = self.sentence.edit if resume else self.who.name_edit
        target.setFocus(Qt.FocusReason.ActiveWindowFocusReason)

    def refresh(self) -> None:
        now = self._clock.now()
        day = today(self._clock, self._day_starts_at)
        if self._day is not None and day != self._day and self.day.changed():
            self._save_micro_round()  # the notes of the day that ended go with that day
        if day != self._day or not self.day.changed():
            self.day.load_micro_round(self._read(lambda: self._history.micro_round(day), None))
        self._day = day
        self.day.show_day(day, self._read(lambda: self._history.pauses_on(day), []))
        self.who.set_recipients(self._read(self._history.recipients, []), day)
        self._backfill = backfill_day(now, at=self._evening_at,
                                      day_starts_at=self._day_starts_at)
        if self._backfill is None:
            self.yesterday.setChecked(False)
        else:
            self.yesterday.setText(f"This is for &yesterday ({day_text(self._backfill)})")
        self.yesterday.setVisible(self._backfill is not None)
        if not self.has_unsaved_text():
            self._set_status("")

    def _read(self, query: Callable[[], T], default: T) -> T:
        """A history read that never stops the user writing: on failure, say so and go on."""
        try:
            return query()
        except Exception as exc:
            log.warning("could not read the history: %s", reason_of(exc))
            self._set_status(f"Could not read your history ({reason_of(exc)}). "
                             "You can still write; saving may not work.", error=True)
            return default

    # -- state ---------------------------------------------------------------------------

    def has_unsaved_text(self) -> bool:
        return bool(self.sentence.text.strip())

    @property
    def last_saved(self) -> GratitudeRecord | None:
        return self._last

    def _set_status(self, text: str, *, error: bool = False) -> None:
        self.status.setText(text)
        repolish(self.status, "StatusError" if error else "StatusOk")
        self.status.setVisible(bool(text))

    # -- saving --------------------------------------------------------------------------

    def save(self) -> GratitudeRecord | None:
        """Save the sentence in the fields (Save, Ctrl+Enter). None when it was not saved;
        the window then says why and every field is as it was."""
        if self._acts_on_last():
            return None  # a second press right after saving: the kind word stays
        if not self._valid():
            return None
        record = self._store_sentence(None)
        if record is not None:
            self._done(record, f"Saved — thank you for noticing {record.recipient}. Copy or "
                               "Email can still send it; or write another.")
        return record

    def copy(self) -> None:
        """Put the sentence on the clipboard (saving it first, as sent by "copy")."""
        if self._acts_on_last():
            record = self._last = self._mark_sent(self._last, "copy")  # type: ignore[arg-type]
            self._clip(message_text(record.text, self._last_invite))
            self._set_status(f"Copied again — paste it wherever you talk to {record.recipient}.")
            return
        if not self._valid():
            return
        self._clip(message_text(self.sentence.text, self.invite.isChecked()))
        record = self._store_sentence("copy", prefix="Copied, but could not save")
        if record is not None:
            self._done(record, f"Saved and copied — paste it wherever you talk to "
                               f"{record.recipient}.")

    def email(self) -> None:
        """Open the sentence in the user's mail app (saving it first), recorded as "email"."""
        fresh = not self._acts_on_last()
        if fresh:
            if not self._valid():
                return
            invite = self.invite.isChecked()
            record = self._store_sentence(None)
            if record is None:
                return
        else:
            record, invite = self._last, self._last_invite  # type: ignore[assignment]
        url = mailto_url(record.text, recipient=record.recipient, invite=invite)
        try:
            opened = bool(self._opener(url))
        except Exception:
            log.exception("could not open the mail link")
            opened = False
        if opened:
            record = self._mark_sent(record, "email")
            message = f"Opened in your mail app for {record.recipient}. It is saved here too."
        else:
            message = ("Saved, but no mail app opened. Copy works too: paste it wherever "
                       f"you talk to {record.recipient}.")
        if fresh:
            self._done(record, message, invite=invite, error=not opened)
        else:
            self._last = record
            self._set_status(message, error=not opened)

    def _acts_on_last(self) -> bool:
        """Copy/Email with empty fields, right after a save, act on the sentence just saved."""
        return (self._last is not None and not self.has_unsaved_text()
                and not self.who.name_edit.text().strip())

    def _valid(self) -> bool:
        if not self.who.name:
            self._set_status("Who is it for? Add their name, then save.", error=True)
            self.who.name_edit.setFocus(Qt.FocusReason.OtherFocusReason)
            return False
        if not self.sentence.text.strip():
            self._set_status("Write one sentence to them first.", error=True)
            self.sentence.edit.setFocus(Qt.FocusReason.OtherFocusReason)
            return False
        return True

    def _store_sentence(self, sent_via: str | None, *,
                        prefix: str = "Could not save") -> GratitudeRecord | None:
        day = self._backfill if self.yesterday.isChecked() else None
        if day is not None and backfill_day(self._clock.now(), at=self._evening_at,
                                            day_starts_at=self._day_starts_at) != day:
            self.yesterday.setChecked(False)
            self.yesterday.hide()
            self._set_status("This evening's invitation has come, so yesterday is closed now. "
                             "Save again to keep it for today.", error=True)
            return None
        try:
            record = self._history.add_gratitude(
                self._clock.now(), self.who.name, self.sentence.text.strip(),
                self.who.relationship_value, sent_via, day=day)
        except Exception as exc:
            log.warning("could not save the sentence: %s", reason_of(exc))
            self._set_status(f"{prefix}: {reason_of(exc)}. Your sentence is still here; "
                             "try again.", error=True)
            return None
        return record

    def _mark_sent(self, record: GratitudeRecord, via: str) -> GratitudeRecord:
        """Record how it went out; a failure here loses nothing typed, so it is only logged."""
        try:
            return self._history.mark_gratitude_sent(record, via)
        except Exception as exc:
            log.warning("could not record how the sentence was sent: %s", reason_of(exc))
            return record

    def _clip(self, text: str) -> None:
        (self._clipboard or QGuiApplication.clipboard()).setText(text)

    def _done(self, record: GratitudeRecord, message: str, *, invite: bool | None = None,
              error: bool = False) -> None:
        """After a save: the micro-round too, a kind word, the fields clear, ``saved`` fires."""
        self._last = record
        self._last_invite = self.invite.isChecked() if invite is None else invite
        self.who.clear()
        self.sentence.clear()
        self.invite.setChecked(False)
        self.yesterday.setChecked(False)
        failed = self._save_micro_round()
        if failed:
            self._set_status(f"Your sentence is saved, but the notes on the day could not be "
                             f"({failed}). They are still here; try again.", error=True)
        else:
            self._set_status(message, error=error)
        self.who.set_recipients(self._read(self._history.recipients, []), self._day or record.day)
        self.saved.emit(record)

    def _save_micro_round(self) -> str | None:
        """Save the micro-round if it changed; the reason when that failed, else None."""
        if self._day is None or not self.day.changed():
            return None
        useful, confusing, energizing = self.day.values()
        try:
            self._history.save_micro_round(self._day, useful, confusing, energizing,
                                           self._clock.now())
        except Exception as exc:
            log.warning("could not save the micro-round: %s", reason_of(exc))
            return reason_of(exc)
        self.day.mark_saved()
        return None

    # -- leaving -------------------------------------------------------------------------

    def _may_leave(self) -> bool:
        """Whether the window may go away now: an unsaved sentence is kept or discarded as
        the user says, and the micro-round is saved (if that fails, the window says so and
        stays, once)."""
        if self.has_unsaved_text():
            if not ask_to_discard(self):
                self.sentence.edit.setFocus(Qt.FocusReason.OtherFocusReason)
                return False
            self.discard()
        failed = self._save_micro_round()
        if failed and not self._leave_despite_failure:
            self._leave_despite_failure = True
            self._set_status(f"Could not save the notes on the day: {failed}. They are still "
                             "here; close again to leave them for now.", error=True)
            return False
        self._leave_despite_failure = False
        return True

    def discard(self) -> None:
        """Let the draft go: name, relationship, sentence and the invitation line."""
        self.who.clear()
        self.sentence.clear()
        self.invite.setChecked(False)
        self._set_status("")

    def _leave(self, then: Callable[..., None], *args: object) -> None:
        """Hide (when the user may leave) and then tell the app why."""
        if self._may_leave():
            self.hide()
            then(*args)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._may_leave():
            event.accept()  # a plain hide: the app keeps this window
        else:
            event.ignore()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape and event.modifiers() == Qt.KeyboardModifier.NoModifier:
            self.close()
            return
        super().keyPressEvent(event)


__all__ = ["ReflectionWindow", "message_text", "open_mail_url", "reason_of"]
