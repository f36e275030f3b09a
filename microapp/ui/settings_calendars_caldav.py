"""The CalDAV parts of the Add dialog: which of the account's calendars to read, and what to
do when there is no keyring for the password (what `microapp calendars add` offers too).
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QCheckBox, QVBoxLayout, QWidget

from microapp.core.calendar_setup import SourceCheck
from microapp.ui.labels import plain_label
from microapp.ui.reflection_parts import SoftCheckBox


def soft_box(text: str, mark: QColor) -> QCheckBox:
    box = SoftCheckBox(text)  # a check box's text is never rich text
    box.mark_color = mark
    return box


class CalendarChoice(QWidget):
    """One box per calendar the account holds; all ticked means all, new ones included."""

    changed = Signal()

    def __init__(self, mark: QColor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._mark = mark
        self.boxes: list[tuple[str, QCheckBox]] = []  # (name in the settings, its box)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(2)
        self._layout.addWidget(plain_label("Calendars there (read the ticked ones):",
                                           "FieldHeading"))
        self.setVisible(False)

    def show_found(self, check: SourceCheck) -> None:
        """The calendars a check discovered; ticks stay as they were for the same set."""
        names = check.choice_names()
        if not names or [n for n, _ in self.boxes] == names:
            return
        chosen = set(check.config.calendars)
        for _, box in self.boxes:
            box.deleteLater()
        self.boxes = []
        for found, name in zip(check.calendars, names, strict=True):
            box = soft_box(found.name, self._mark)
            box.setToolTip(name)
            box.setChecked(not chosen or name in chosen)
            box.toggled.connect(self.changed)
            self._layout.addWidget(box)
            self.boxes.append((name, box))
        self.setVisible(True)

    def chosen(self) -> tuple[str, ...]:
        """The ticked calendars; () when all are (or none were offered yet)."""
        ticked = tuple(name for name, box in self.boxes if box.isChecked())
        return () if len(ticked) == len(self.boxes) else ticked

    @property
    def none_ticked(self) -> bool:
        return bool(self.boxes) and not any(box.isChecked() for _, box in self.boxes)

    def widgets(self) -> list[QWidget]:
        return [box for _, box in self.boxes]


class KeyringOffer(QWidget):
    """"There is no keyring here": the ways out, and the box for a private file."""

    def __init__(self, mark: QColor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        self.note = plain_label("", "KeyringNote", wrap=True)
        self.note.setProperty("tone", "problem")
        self.password_file = soft_box("&Keep the password in a private file instead (only you "
                                      "can read it, but it is not encrypted)", mark)
        layout.addWidget(self.note)
        layout.addWidget(self.password_file)
        self.setVisible(False)

    def offer(self, source_id: str) -> None:
        from microapp.core.sources.secrets import env_var

        self.note.setText(
            "There is no system keyring here to keep the password safely. Install or unlock "
            "one (such as GNOME Keyring or KWallet) and test again; or tick the box below; or "
            f"set {env_var(source_id)} in the environment microapp starts in.")
        self.setVisible(True)

    @property
    def offered(self) -> bool:
        return not self.isHidden()

    @property
    def allow_file(self) -> bool:
        return self.offered and self.password_file.isChecked()
