"""The Pause and Evening pages of the Settings window (and what every page shares).

Mnemonics: the window keeps Alt+C/P/E/H/G for its sections and Alt+R for Restore defaults,
so no field on a page uses those letters.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from microapp.core.settings import Settings
from microapp.ui.settings_editor import SettingsEditor
from microapp.ui.settings_fields import (
    CheckField,
    ChoiceField,
    Field,
    SpinField,
    TimeField,
    WeekdaysField,
    hint_label,
    labelled_row,
)


class SettingsPage(QWidget):
    """A column of fields; knows how to show settings again and its tab order. (The window
    shows the section's title above it.)"""

    def __init__(self, intro: str, editor: SettingsEditor,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("SettingsPage")
        self.editor = editor
        self.fields: list[Field] = []
        self._focus: list[QWidget] = []
        self.column = QVBoxLayout(self)
        self.column.setContentsMargins(4, 0, 4, 0)
        self.column.setSpacing(6)
        if intro:
            self.column.addWidget(hint_label(intro))
            self.column.addSpacing(6)

    # -- building ----------------------------------------------------------------------------

    def add_field(self, field: Field, *rows: object, hint: str = "") -> Field:
        """Add ``field`` (its widgets placed by ``rows``: layouts or widgets), its hint line
        and its error line, in that order."""
        for row in rows:
            if isinstance(row, QWidget):
                self.column.addWidget(row)
            else:
                self.column.addLayout(row)  # type: ignore[arg-type]
        under_check = isinstance(field, CheckField | ChoiceField)
        for label in ([hint_label(hint)] if hint else []) + [field.error]:
            self.column.addWidget(self.indented(label) if under_check else label)
        self.fields.append(field)
        self._focus += field.widgets
        return field

    def indented(self, label: QLabel) -> QLabel:
        """A line under a check box lines up with the check box's text."""
        label.setProperty("under", "check")
        return label

    def add_heading(self, text: str) -> QLabel:
        """A bold line over a group; "&" in ``text`` makes a mnemonic (set its buddy)."""
        label = QLabel(text)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setObjectName("FieldHeading")
        self.column.addWidget(label)
        return label

    def add_gap(self) -> None:
        self.column.addSpacing(10)

    def add_focus(self, *widgets: QWidget) -> None:
        self._focus += widgets

    def finish(self) -> None:
        self.column.addStretch(1)

    # -- using -------------------------------------------------------------------------------

    def focus_order(self) -> list[QWidget]:
        """The focusable widgets, top to bottom."""
        return list(self._focus)

    def refresh(self, settings: Settings, *, force: bool = False) -> None:
        for field in self.fields:
            field.refresh(settings, force=force)

    def field(self, attr: str) -> Field:
        return next(f for f in self.fields if f.attr == attr)

    def commit_all(self) -> None:
        """Save what is typed but not yet saved (the window is closing)."""
        for field in self.fields:
            if field.editing():
                field.commit()


def line_up(*labels: QLabel) -> None:
    """Labels of rows one under the other get one width, so their fields line up."""
    width = max(label.sizeHint().width() for label in labels)
    for label in labels:
        label.setMinimumWidth(width)


def lead_sentence(seconds: int) -> str:
    """ "The pause opens 1 minute 30 seconds before each call starts." """
    if seconds <= 0:
        return "The pause opens as each call starts."
    minutes, rest = divmod(seconds, 60)
    parts = []
    if minutes:
        parts.append(f"{minutes} minute" + ("" if minutes == 1 else "s"))
    if rest:
        parts.append(f"{rest} second" + ("" if rest == 1 else "s"))
    return f"The pause opens {' '.join(parts)} before each call starts."


class PausePage(SettingsPage):
    def __init__(self, editor: SettingsEditor, *, chime_reason: str | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__("The doorway pause opens on every screen just before a call.",
                         editor, parent)
        tip = "How long the pause stays open, from 3 to 30 seconds."
        self.seconds = SpinField("pause_seconds", editor, widest=99, suffix=" s", tooltip=tip)
        length_label, row = labelled_row("&Length of the pause", self.seconds, tip)
        self.add_field(self.seconds, row)

        tip = "How many seconds before a call the pause opens, from 0 to 600 (ten minutes)."
        self.lead = SpinField("lead_seconds", editor, widest=9999, suffix=" s", tooltip=tip)
        lead_label, row = labelled_row("Open it &before a call", self.lead, tip)
        line_up(length_label, lead_label)
        self.lead_line = hint_label(lead_sentence(editor.settings.lead_seconds))
        self.lead.spin.textChanged.connect(lambda _t: self._show_lead())
        self.add_field(self.lead, row, self.lead_line)
        self.add_gap()

        self.chime = CheckField("chime", editor, "Play a &soft chime as it opens",
                                "A quiet bell as the pause appears.")
        self.add_field(self.chime, self.chime.box)
        self.chime_reason = self.indented(hint_label(chime_reason or ""))
        self.chime_reason.setVisible(bool(chime_reason))
        self.column.insertWidget(self.column.indexOf(self.chime.error), self.chime_reason)
        if chime_reason:
            self.chime.box.setEnabled(False)
            self.chime.box.setToolTip(chime_reason)

        self.motion = CheckField(
            "reduce_motion", editor, "&Keep the breath guide still",
            "No growing circle and no fading: the pause says \u201cBreathe out, slowly\u201d.")
        self.add_field(self.motion, self.motion.box,
                       hint="For when movement on screen is unpleasant or distracting.")
        self.add_gap()

        self.dnd = CheckField(
            "respect_do_not_disturb", editor, "Hold pauses back during &do not disturb",
            "While your desktop's do-not-disturb is on, no pause opens.")
        self.add_field(self.dnd, self.dnd.box)
        self.fullscreen = CheckField(
            "respect_fullscreen", editor, "Hold pauses back while a &fullscreen window is in front",
            "A presentation or a full-screen video keeps the screen to itself.")
        self.add_field(self.fullscreen, self.fullscreen.box)
        self.add_gap()

        self.when_busy = ChoiceField("when_busy", editor, (
            ("notify", "Leave a &quiet note",
             "A small notification says which pause was held back or missed."),
            ("silent", "Say &nothing", "It is only kept in your history."),
        ))
        self.add_heading("When a pause is held back or missed")
        self.add_field(self.when_busy, self.when_busy.layout(),
                       hint="Either way it is kept in your history.")
        self.finish()

    def _show_lead(self) -> None:
        spin = self.lead.spin
        try:
            seconds = int(spin.cleanText())
        except ValueError:
            return
        self.lead_line.setText(lead_sentence(seconds))


class EveningPage(SettingsPage):
    def __init__(self, editor: SettingsEditor, parent: QWidget | None = None) -> None:
        super().__init__("Each evening, an invitation to write one sentence of "
                         "gratitude to a real person.", editor, parent)
        self.prompt = CheckField("evening_prompt", editor,
                                 "&Invite one sentence each evening",
                                 "A quiet notification, then the reflection window.")
        self.add_field(self.prompt, self.prompt.box,
                       hint="Write gratitude\u2026 in the tray menu works at any time.")
        tip = "The local time of the evening invitation (24 hours, HH:MM)."
        self.at = TimeField("evening_at", editor, tip)
        _, row = labelled_row("Invite &at", self.at, tip)
        self.add_field(self.at, row)
        self.add_gap()

        tip = "No invitation on this weekday; it never counts against your gratitude streak."
        self.rest_days = WeekdaysField("rest_days", editor, tip)
        self.add_heading("Rest days")
        self.add_field(self.rest_days, self.rest_days.grid(),
                       hint="No invitation comes on a rest day, and it is neutral for your "
                            "gratitude streak: it neither adds to it nor breaks it.")
        self.finish()


def chain(pages: Iterable[SettingsPage]) -> list[QWidget]:
    return [w for page in pages for w in page.focus_order()]
