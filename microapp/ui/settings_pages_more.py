"""The History and General pages of the Settings window.

Opening a folder or file goes through ``open_url`` (QDesktopServices by default) so tests
never launch a file manager. Start at login is driven by an injected object with
``is_enabled()``, ``enable()`` and ``disable()`` (see :mod:`microapp.platform.autostart`);
``None`` means this system has no way to do it, and the box says so.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QPushButton, QWidget

from microapp import __version__
from microapp.store.backup import BACKUP_FOLDER
from microapp.ui.labels import plain_label
from microapp.ui.reflection_parts import SoftCheckBox
from microapp.ui.settings_editor import SettingsEditor
from microapp.ui.settings_fields import ChoiceField, TimeField, hint_label, labelled_row
from microapp.ui.settings_pages import SettingsPage

log = logging.getLogger(__name__)

OpenUrl = Callable[[QUrl], bool]
NO_AUTOSTART = "Starting at login is not available on this system."


def open_local(url: QUrl) -> bool:
    return QDesktopServices.openUrl(url)


def path_row(path: Path, button_text: str, name: str) -> tuple[QLineEdit, QPushButton,
                                                               QHBoxLayout]:
    """A read-only, selectable path and a button beside it."""
    line = QLineEdit(str(path))
    line.setObjectName("PathLine")
    line.setReadOnly(True)
    line.setAccessibleName(name)
    line.setToolTip(str(path))
    line.setCursorPosition(0)
    button = QPushButton(button_text)
    row = QHBoxLayout()
    row.setSpacing(8)
    row.addWidget(line, 1)
    row.addWidget(button)
    return line, button, row


class HistoryPage(SettingsPage):
    def __init__(self, editor: SettingsEditor, folder: Path, *,
                 open_url: OpenUrl = open_local, parent: QWidget | None = None) -> None:
        super().__init__("Your pauses and sentences stay on this computer.",
                         editor, parent)
        self.folder = folder
        self._open_url = open_url
        tip = "The time a new practice day begins (24 hours, HH:MM)."
        self.day_starts = TimeField("day_starts_at", editor, tip)
        _, row = labelled_row("&Day starts at", self.day_starts, tip)
        self.add_field(self.day_starts, row,
                       hint="Anything before this time belongs to the day before: with 04:00, "
                            "a pause at 00:30 still counts for the evening before.")
        self.add_gap()

        heading = self.add_heading("&Where your history lives")
        self.path, self.open_button, row = path_row(folder, "&Open folder", "History folder")
        heading.setBuddy(self.path)
        self.open_button.setToolTip("Show this folder in your file manager.")
        self.open_button.clicked.connect(self.open_folder)
        self.column.addLayout(row)
        self.column.addWidget(hint_label(
            f"The history file and a backup for each of the last seven days (in the "
            f"\u201c{BACKUP_FOLDER}\u201d folder beside it)."))
        self.open_problem = plain_label("", "FieldError", wrap=True)
        self.open_problem.setVisible(False)
        self.column.addWidget(self.open_problem)
        self.add_focus(self.path, self.open_button)
        self.add_gap()
        self.column.addWidget(hint_label(
            "History\u2026 in the tray menu exports, imports, backs up and restores it."))
        self.finish()

    def open_folder(self) -> None:
        self.open_problem.setVisible(False)
        if not self._open_url(QUrl.fromLocalFile(str(self.folder))):
            self.open_problem.setText(
                f"The folder could not be opened. It is {self.folder}.")
            self.open_problem.setVisible(True)


class GeneralPage(SettingsPage):
    def __init__(self, editor: SettingsEditor, settings_path: Path, *,
                 autostart: Any | None = None,
                 autostart_errors: tuple[type[BaseException], ...] = (),
                 open_url: OpenUrl = open_local, version: str = __version__,
                 parent: QWidget | None = None) -> None:
        super().__init__("How microapp looks, and how it starts.", editor, parent)
        self.settings_path = settings_path
        self._open_url = open_url
        self._autostart = autostart
        self._autostart_errors = (OSError, *autostart_errors)

        self.theme = ChoiceField("theme", editor, (
            ("system", "Follow the &system", "Light or dark as your desktop is, and when it "
                                              "changes."),
            ("light", "&Light", "Always light."),
            ("dark", "&Dark", "Always dark."),
        ))
        self.add_heading("Colours")
        self.add_field(self.theme, self.theme.layout())
        self.add_gap()

        self.login = SoftCheckBox("Start &when you log in")
        self.login.setToolTip("microapp starts in the background with your desktop session.")
        self.login_problem = self.indented(plain_label("", "FieldError", wrap=True))
        self.login_problem.setVisible(False)
        self.column.addWidget(self.login)
        self.column.addWidget(self.login_problem)
        self.add_focus(self.login)
        self._show_login()
        self.login.toggled.connect(self._login_toggled)
        self.add_gap()

        heading = self.add_heading("Settings &file")
        self.file, self.open_button, row = path_row(
            settings_path, "&Open settings file", "Settings file")
        heading.setBuddy(self.file)
        self.open_button.setToolTip("Open settings.toml in your text editor. Changes you save "
                                    "there apply at once.")
        self.open_button.clicked.connect(self.open_file)
        self.column.addLayout(row)
        self.column.addWidget(hint_label(
            "Everything on these pages is kept in this file, and a hand edit there applies at "
            "once (a value that is not allowed is reported, and its default used)."))
        self.version = hint_label(f"This is microapp {version}.")
        self.column.addWidget(self.version)
        self.open_problem = plain_label("", "FieldError", wrap=True)
        self.open_problem.setVisible(False)
        self.column.addWidget(self.open_problem)
        self.add_focus(self.file, self.open_button)
        self.finish()

    # -- start at login ----------------------------------------------------------------------

    def _show_login(self) -> None:
        if self._autostart is None:
            self.login.setEnabled(False)
            self.login.setChecked(False)
            self._login_problem(NO_AUTOSTART, muted=True)
            return
        try:
            enabled = bool(self._autostart.is_enabled())
        except self._autostart_errors as exc:
            log.warning("could not tell whether microapp starts at login: %s", exc)
            enabled = False
        self.login.blockSignals(True)
        self.login.setChecked(enabled)
        self.login.blockSignals(False)

    def _login_toggled(self, on: bool) -> None:
        assert self._autostart is not None
        self._login_problem(None)
        try:
            self._autostart.enable() if on else self._autostart.disable()
        except self._autostart_errors as exc:
            log.warning("start at login not changed: %s", exc)
            self.login.blockSignals(True)
            self.login.setChecked(not on)  # as it was: what was asked did not happen
            self.login.blockSignals(False)
            what = "turned on" if on else "turned off"
            self._login_problem(f"Starting at login could not be {what}: {exc}")

    def _login_problem(self, message: str | None, *, muted: bool = False) -> None:
        self.login_problem.setObjectName("Hint" if muted else "FieldError")
        self.login_problem.setText(message or "")
        self.login_problem.setVisible(bool(message))
        self.login_problem.style().unpolish(self.login_problem)
        self.login_problem.style().polish(self.login_problem)

    # -- the settings file -------------------------------------------------------------------

    def open_file(self) -> None:
        self.open_problem.setVisible(False)
        target = self.settings_path if self.settings_path.exists() else self.settings_path.parent
        if not self._open_url(QUrl.fromLocalFile(str(target))):
            self.open_problem.setText(
                f"The settings file could not be opened. It is {self.settings_path}.")
            self.open_problem.setVisible(True)
