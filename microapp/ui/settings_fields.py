"""One setting on a Settings page: its widget, its label, its hint and its error line.

A field reads what the user entered *as the settings file would hold it* (a number, "HH:MM",
a list of weekday names) and checks it with the same parser that reads settings.toml
(:func:`microapp.core.settings.parse_setting`), so the window and the file never disagree on
what is allowed. A valid value is handed to the :class:`SettingsEditor` at once (check boxes
and radio buttons when toggled; spin boxes and time edits when editing finished or an arrow
stepped); an invalid one shows the reason under the field and is not saved until fixed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QObject, QSignalBlocker, Qt, QTime
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QButtonGroup,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QRadioButton,
    QSpinBox,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from microapp.core.settings import WEEKDAYS, Settings, parse_setting
from microapp.ui.labels import plain_label
from microapp.ui.reflection_parts import SoftCheckBox
from microapp.ui.settings_editor import SettingsEditor

WEEKDAY_LABELS = ("&Monday", "&Tuesday", "&Wednesday", "Th&ursday", "&Friday", "&Saturday",
                  "Su&nday")


def error_text(allowed: str) -> str:
    """The parser's "what is allowed" as a sentence under a field."""
    return f"Please use {allowed}."


def hint_label(text: str) -> QLabel:
    label = plain_label(text, "Hint", wrap=True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
    return label


class Field(QObject):
    """Base: binds one :class:`Settings` attribute to widgets on a page."""

    def __init__(self, attr: str, editor: SettingsEditor, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.attr = attr
        self.editor = editor
        self.error = plain_label("", "FieldError", wrap=True)
        self.error.setVisible(False)
        self._shown: Any = getattr(editor.settings, attr)

    # -- what subclasses provide ---------------------------------------------------------------

    def raw(self) -> Any:
        """What the widgets hold, as the settings file would write it."""
        raise NotImplementedError

    def _show(self, value: Any) -> None:
        raise NotImplementedError

    @property
    def widgets(self) -> list[QWidget]:
        """The focusable widgets, top to bottom (for the tab order)."""
        raise NotImplementedError

    # -- shared ------------------------------------------------------------------------------

    def commit(self) -> bool:
        """Check what the user entered; save it when valid, else say why. True when valid."""
        try:
            value = parse_setting(self.attr, self.raw())
        except ValueError as bad:
            self.set_error(error_text(str(bad)))
            return False
        self.set_error(None)
        self._shown = value
        self.editor.update(**{self.attr: value})
        return True

    def set_error(self, message: str | None) -> None:
        self.error.setText(message or "")
        self.error.setVisible(bool(message))
        for widget in self.widgets:
            if widget.property("invalid") != bool(message):
                widget.setProperty("invalid", bool(message))
                widget.style().unpolish(widget)
                widget.style().polish(widget)
        self.widgets[0].setAccessibleDescription(message or "")

    @property
    def invalid(self) -> bool:
        """An entry that is not allowed is showing (and was not saved)."""
        return bool(self.error.text())

    def editing(self) -> bool:
        """The user is in the middle of changing this field (focus in it, value not saved)."""
        focused = any(w.hasFocus() for w in self.widgets)
        return focused and (self.invalid or self._differs())

    def _differs(self) -> bool:
        try:
            return parse_setting(self.attr, self.raw()) != self._shown
        except ValueError:
            return True

    def refresh(self, settings: Settings, *, force: bool = False) -> None:
        """Show the value in ``settings`` (unless the user is editing this field)."""
        if not force and self.editing():
            return
        value = getattr(settings, self.attr)
        self._shown = value
        self._show(value)
        self.set_error(None)


class CheckField(Field):
    def __init__(self, attr: str, editor: SettingsEditor, text: str, tooltip: str,
                 parent: QObject | None = None) -> None:
        super().__init__(attr, editor, parent)
        self.box = SoftCheckBox(text)
        self.box.setToolTip(tooltip)
        self._show(self._shown)
        self.box.toggled.connect(lambda _on: self.commit())

    def raw(self) -> Any:
        return self.box.isChecked()

    def _show(self, value: Any) -> None:
        with QSignalBlocker(self.box):
            self.box.setChecked(bool(value))

    @property
    def widgets(self) -> list[QWidget]:
        return [self.box]


class SpinField(Field):
    """A whole number. The box allows a little more than the setting does, so typing a value
    out of range says what is allowed instead of silently refusing the keys."""

    def __init__(self, attr: str, editor: SettingsEditor, *, widest: int, suffix: str,
                 tooltip: str, parent: QObject | None = None) -> None:
        super().__init__(attr, editor, parent)
        self.spin = QSpinBox()
        self.spin.setRange(0, widest)
        self.spin.setSuffix(suffix)
        self.spin.setKeyboardTracking(False)  # valueChanged on Enter, focus out, or a step
        self.spin.setToolTip(tooltip)
        self.spin.setCorrectionMode(QAbstractSpinBox.CorrectionMode.CorrectToPreviousValue)
        self._show(self._shown)
        self.spin.valueChanged.connect(lambda _v: self.commit())
        self.spin.editingFinished.connect(self._finished)

    def _finished(self) -> None:
        if self._differs() or self.invalid:
            self.commit()

    def raw(self) -> Any:
        return self.spin.value()

    def _show(self, value: Any) -> None:
        with QSignalBlocker(self.spin):
            self.spin.setValue(int(value))

    @property
    def widgets(self) -> list[QWidget]:
        return [self.spin]


class TimeField(Field):
    """A time of day, HH:MM in 24 hours (the file's format, whatever the locale)."""

    def __init__(self, attr: str, editor: SettingsEditor, tooltip: str,
                 parent: QObject | None = None) -> None:
        super().__init__(attr, editor, parent)
        self.edit = QTimeEdit()
        self.edit.setDisplayFormat("HH:mm")
        self.edit.setKeyboardTracking(False)
        self.edit.setWrapping(True)
        self.edit.setToolTip(tooltip)
        self._show(self._shown)
        self.edit.timeChanged.connect(lambda _t: self.commit())
        self.edit.editingFinished.connect(self._finished)

    def _finished(self) -> None:
        if self._differs():
            self.commit()

    def raw(self) -> Any:
        return self.edit.time().toString("HH:mm")

    def _show(self, value: Any) -> None:
        with QSignalBlocker(self.edit):
            self.edit.setTime(QTime(value.hour, value.minute))

    @property
    def widgets(self) -> list[QWidget]:
        return [self.edit]


class ChoiceField(Field):
    """One of a few words ("notify"/"silent", "system"/"light"/"dark") as radio buttons."""

    def __init__(self, attr: str, editor: SettingsEditor,
                 choices: Sequence[tuple[str, str, str]], parent: QObject | None = None) -> None:
        """``choices``: (value, button text, tooltip)."""
        super().__init__(attr, editor, parent)
        self.group = QButtonGroup(self)
        self.buttons: dict[str, QRadioButton] = {}
        for value, text, tooltip in choices:
            button = QRadioButton(text)
            button.setToolTip(tooltip)
            self.group.addButton(button)
            self.buttons[value] = button
        self._show(self._shown)
        self.group.buttonToggled.connect(self._toggled)

    def _toggled(self, _button: QAbstractButton, checked: bool) -> None:
        if checked:
            self.commit()

    def raw(self) -> Any:
        return next((value for value, b in self.buttons.items() if b.isChecked()), None)

    def _show(self, value: Any) -> None:
        with QSignalBlocker(self.group):
            button = self.buttons.get(value)
            if button is not None:
                button.setChecked(True)

    @property
    def widgets(self) -> list[QWidget]:
        return list(self.buttons.values())

    def layout(self) -> QVBoxLayout:
        box = QVBoxLayout()
        box.setSpacing(4)
        for button in self.buttons.values():
            box.addWidget(button)
        return box


class WeekdaysField(Field):
    """Seven check boxes, Monday first; the file holds ["sat", "sun"]."""

    COLUMNS = 4

    def __init__(self, attr: str, editor: SettingsEditor, tooltip: str,
                 parent: QObject | None = None) -> None:
        super().__init__(attr, editor, parent)
        self.boxes = [SoftCheckBox(text) for text in WEEKDAY_LABELS]
        for box in self.boxes:
            box.setToolTip(tooltip)
            box.toggled.connect(lambda _on: self.commit())
        self._show(self._shown)

    def raw(self) -> Any:
        return [WEEKDAYS[i] for i, box in enumerate(self.boxes) if box.isChecked()]

    def _show(self, value: Any) -> None:
        for i, box in enumerate(self.boxes):
            with QSignalBlocker(box):
                box.setChecked(i in value)

    @property
    def widgets(self) -> list[QWidget]:
        return list(self.boxes)

    def grid(self) -> QGridLayout:
        grid = QGridLayout()
        grid.setHorizontalSpacing(18)
        grid.setVerticalSpacing(6)
        for i, box in enumerate(self.boxes):
            grid.addWidget(box, i // self.COLUMNS, i % self.COLUMNS)
        grid.setColumnStretch(self.COLUMNS, 1)
        return grid


def labelled_row(text: str, field: SpinField | TimeField, tooltip: str) -> tuple[QLabel,
                                                                                QHBoxLayout]:
    """"Label: [field]" on one line, the label the field's buddy (its mnemonic focuses it)."""
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setToolTip(tooltip)
    widget = field.widgets[0]
    label.setBuddy(widget)
    widget.setAccessibleName(text.replace("&", ""))
    row = QHBoxLayout()
    row.setSpacing(10)
    row.addWidget(label)
    row.addWidget(widget)
    row.addStretch(1)
    return label, row
