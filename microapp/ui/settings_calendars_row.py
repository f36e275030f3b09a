"""One calendar source on the Calendars page: its switch, where it is, how it is doing, and
Test again / Rename / Remove.

The row only shows and asks; the page changes the settings. Every calendar-provided string
(names, errors, meeting titles) goes into plain-text labels.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QStyle,
    QStyleOptionButton,
    QVBoxLayout,
    QWidget,
)

from microapp.core.sources import SourceConfig
from microapp.ui.labels import plain_label
from microapp.ui.reflection_parts import SoftCheckBox
from microapp.ui.settings_calendars_jobs import BusyLine
from microapp.ui.settings_calendars_style import set_tone
from microapp.ui.settings_calendars_text import where


class SourceRow(QFrame):
    """See the module docstring. Signals carry the source id."""

    toggled = Signal(str, bool)
    rename_requested = Signal(str, str)  # id, new name ("" = use the id)
    remove_requested = Signal(str)
    test_requested = Signal(str)
    test_cancelled = Signal(str)

    def __init__(self, config: SourceConfig, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("SourceRow")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        self.config = config
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 10)
        layout.setSpacing(3)

        self.switch: QCheckBox = SoftCheckBox()
        self.switch.setObjectName("SourceSwitch")
        self.switch.toggled.connect(lambda on: self.toggled.emit(self.config.id, on))
        layout.addWidget(self.switch)

        self.rename_row = QWidget()
        rename = QHBoxLayout(self.rename_row)
        rename.setContentsMargins(0, 0, 0, 0)
        rename.setSpacing(6)
        self.name_edit = QLineEdit()
        self.name_edit.setAccessibleName("New name")
        self.name_edit.setToolTip("Enter keeps the new name, Esc leaves it as it was. "
                                  "Empty: the calendar is called by its id.")
        self.name_save = QPushButton("Keep name")
        self.name_cancel = QPushButton("Cancel")
        rename.addWidget(self.name_edit, 1)
        rename.addWidget(self.name_save)
        rename.addWidget(self.name_cancel)
        self.rename_row.setVisible(False)
        layout.addWidget(self.rename_row)

        self.details = QVBoxLayout()  # lines up with the switch's text (see _indent)
        self.details.setSpacing(3)
        layout.addLayout(self.details)
        self.where = plain_label("", "SourceWhere", wrap=True)
        self.status = plain_label("", "SourceStatus", wrap=True)
        self.busy = BusyLine()
        self.check = plain_label("", "CheckResult", wrap=True)
        self.check.setVisible(False)
        for widget in (self.where, self.status, self.busy, self.check):
            self.details.addWidget(widget)

        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 2, 0, 0)
        buttons.setSpacing(6)
        self.test_button = QPushButton("Test again")
        self.rename_button = QPushButton("Rename…")
        self.remove_button = QPushButton("Remove…")
        self.remove_button.setToolTip("Remove this calendar (asks first). Delete does the same.")
        for button in (self.test_button, self.rename_button, self.remove_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.details.addLayout(buttons)

        self.test_button.clicked.connect(lambda: self.test_requested.emit(self.config.id))
        self.busy.cancelled.connect(lambda: self.test_cancelled.emit(self.config.id))
        self.rename_button.clicked.connect(self.start_rename)
        self.remove_button.clicked.connect(lambda: self.remove_requested.emit(self.config.id))
        self.name_edit.returnPressed.connect(self._finish_rename)
        self.name_save.clicked.connect(self._finish_rename)
        self.name_cancel.clicked.connect(self.cancel_rename)
        self.name_edit.installEventFilter(self)  # Esc in the name: cancel, not close the window
        delete = QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), self,
                           lambda: self.remove_requested.emit(self.config.id))
        delete.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.set_config(config)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (watched is self.name_edit and isinstance(event, QKeyEvent)
                and event.key() == Qt.Key.Key_Escape
                and event.type() in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress)):
            event.accept()  # claim Esc before the window's own shortcut sees it
            if event.type() == QEvent.Type.KeyPress:
                self.cancel_rename()
            return True
        return super().eventFilter(watched, event)

    def _indent(self) -> None:
        """Lines under the switch start where its text does (whatever the style and scale)."""
        option = QStyleOptionButton()
        self.switch.initStyleOption(option)
        left = self.switch.style().subElementRect(QStyle.SubElement.SE_CheckBoxContents,
                                                   option, self.switch).left()
        self.details.setContentsMargins(max(0, left), 0, 0, 0)

    def event(self, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.Polish, QEvent.Type.StyleChange, QEvent.Type.Show) \
                and hasattr(self, "details"):
            self._indent()
        return super().event(event)

    # -- showing -----------------------------------------------------------------------------

    def set_config(self, config: SourceConfig) -> None:
        self.config = config
        was = self.switch.blockSignals(True)
        self.switch.setChecked(config.enabled)
        self.switch.blockSignals(was)
        self.switch.setText(config.label)  # a check box never reads its text as rich text
        self.switch.setAccessibleName(f"Use the calendar {config.label}")
        self.switch.setToolTip("On: its meetings get a pause. Off: microapp leaves it alone.")
        self.where.setText(where(config))
        self.where.setToolTip(where(config))
        for button, verb in ((self.test_button, "Read"), (self.rename_button, "Rename"),
                             (self.remove_button, "Remove")):
            button.setAccessibleName(f"{verb} {config.label}")

    def set_status(self, text: str, problem: bool) -> None:
        self.status.setText(text)
        set_tone(self.status, "problem" if problem else "")

    def show_reading(self, text: str) -> None:
        self.check.setVisible(False)
        self.busy.start(text)
        self.test_button.setEnabled(False)

    def show_check(self, text: str | None, ok: bool) -> None:
        """The result of Test again (None: hide it, e.g. after Cancel)."""
        self.busy.stop()
        self.test_button.setEnabled(True)
        self.check.setText(text or "")
        self.check.setVisible(bool(text))
        set_tone(self.check, "ok" if ok else "problem")

    @property
    def reading(self) -> bool:
        return not self.busy.isHidden()

    # -- renaming ----------------------------------------------------------------------------

    def start_rename(self) -> None:
        self.name_edit.setText(self.config.name or self.config.id)
        self.name_edit.selectAll()
        self.rename_row.setVisible(True)
        self.switch.setVisible(False)
        self.name_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def _finish_rename(self) -> None:
        name = self.name_edit.text().strip()
        self._close_rename(focus=self.rename_button)
        if name == self.config.id:
            name = ""
        if name != self.config.name:
            self.rename_requested.emit(self.config.id, name)

    def cancel_rename(self) -> None:
        self._close_rename(focus=self.rename_button)

    def _close_rename(self, focus: QWidget) -> None:
        self.rename_row.setVisible(False)
        self.switch.setVisible(True)
        focus.setFocus(Qt.FocusReason.OtherFocusReason)

    @property
    def renaming(self) -> bool:
        return not self.rename_row.isHidden()

    def focus_order(self) -> list[QWidget]:
        cancel = self.busy.cancel_button
        assert cancel is not None
        return [self.switch, self.name_edit, self.name_save, self.name_cancel, cancel,
                self.test_button, self.rename_button, self.remove_button]
