"""Add a calendar: where it is, what to call it, and — for CalDAV — who you are there.

The dialog reads the calendar once before anything is kept (Test, or Add, which tests first
when the entries changed since the last good test). Reading runs in a worker (the page's
``checker``); the dialog stays responsive and Cancel/Esc abandon the reading. On failure the
reason is shown and nothing is kept. A CalDAV password goes to the system keyring only when
the calendar is added; without a keyring the dialog says so and offers what the command line
offers: a private, unencrypted file, or an environment variable.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QColor, QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from microapp.core import calendar_setup as setup
from microapp.core.sources import ErrorKind, SourceConfig, SourceError, SourceKind
from microapp.ui.labels import plain_label
from microapp.ui.settings_calendars_caldav import CalendarChoice, KeyringOffer
from microapp.ui.settings_calendars_jobs import BusyLine, Jobs
from microapp.ui.settings_calendars_style import fit_height, set_tone
from microapp.ui.settings_calendars_text import check_line

Checker = Callable[[SourceConfig, "str | None"], setup.SourceCheck]
StorePassword = Callable[[str, str, bool], str]  # (source id, password, allow_file) -> where


def _caption(text: str, buddy: QWidget) -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setBuddy(buddy)
    buddy.setAccessibleName(text.replace("&", ""))
    return label


class AddCalendarDialog(QDialog):
    """See the module docstring. ``added`` carries the new :class:`SourceConfig` and the check
    that read it, once it was handed to the settings editor."""

    added = Signal(object, object)  # SourceConfig, SourceCheck

    def __init__(self, *, taken: Callable[[], set[str]], checker: Checker,
                 store_password: StorePassword, save: Callable[[SourceConfig], None],
                 zone: ZoneInfo, mark_color: QColor | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("AddCalendarDialog")
        self.setWindowTitle("Add a calendar")
        self._taken = taken
        self._checker = checker
        self._store_password = store_password
        self._save = save
        self._zone = zone
        self._mark = mark_color or QColor("#FFFFFF")  # the tick in a ticked box
        self.jobs = Jobs(self)
        self.jobs.finished.connect(self._on_job)
        self._ticket: int | None = None
        self._job_kind = ""  # "check" or "password"
        self._add_after = False
        self._tested: tuple[tuple[object, ...], setup.SourceCheck] | None = None
        self._config: SourceConfig | None = None
        self._build()
        self._follow_location()

    # -- building ----------------------------------------------------------------------------

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 16, 18, 14)
        layout.setSpacing(8)
        layout.addWidget(plain_label("Add a calendar", "PageTitle"))

        grid = QGridLayout()
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(8)
        self.location = QLineEdit()
        self.location.setPlaceholderText("https://… or webcal://… or a file or folder")
        self.location.setClearButtonEnabled(True)
        self.location.setMinimumWidth(self.fontMetrics().horizontalAdvance("M") * 26)
        self.file_button = QPushButton("&File…")
        self.file_button.setToolTip("Choose an .ics file")
        self.folder_button = QPushButton("F&older…")
        self.folder_button.setToolTip("Choose a folder of .ics files (e.g. from vdirsyncer)")
        where_row = QHBoxLayout()
        where_row.setSpacing(6)
        where_row.addWidget(self.location, 1)
        where_row.addWidget(self.file_button)
        where_row.addWidget(self.folder_button)
        grid.addWidget(_caption("&Where", self.location), 0, 0)
        grid.addLayout(where_row, 0, 1)

        self.link_kind = QRadioButton("Calendar &link (.ics subscription)")
        self.caldav_kind = QRadioButton("Cal&DAV account (user name and password)")
        self.link_kind.setChecked(True)
        self.kinds = QButtonGroup(self)
        self.kinds.addButton(self.link_kind)
        self.kinds.addButton(self.caldav_kind)
        self.kind_row = QWidget()
        kind_box = QVBoxLayout(self.kind_row)
        kind_box.setContentsMargins(0, 0, 0, 0)
        kind_box.setSpacing(2)
        kind_box.addWidget(self.link_kind)
        kind_box.addWidget(self.caldav_kind)
        grid.addWidget(self.kind_row, 1, 1)

        self.name = QLineEdit()
        self.name.setPlaceholderText("e.g. Work")
        grid.addWidget(_caption("&Name", self.name), 2, 0)
        grid.addWidget(self.name, 2, 1)

        self.user = QLineEdit()
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.user_caption = _caption("&User name", self.user)
        self.password_caption = _caption("Pass&word", self.password)
        grid.addWidget(self.user_caption, 3, 0)
        grid.addWidget(self.user, 3, 1)
        grid.addWidget(self.password_caption, 4, 0)
        grid.addWidget(self.password, 4, 1)
        grid.setColumnStretch(1, 1)
        layout.addLayout(grid)

        self.kind_hint = plain_label("", "Hint", wrap=True)
        layout.addWidget(self.kind_hint)
        self.busy = BusyLine(cancel=False)
        layout.addWidget(self.busy)
        self.result = plain_label("", "CheckResult", wrap=True)
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.result.setVisible(False)
        layout.addWidget(self.result)

        self.calendars = CalendarChoice(self._mark)
        self.calendars.changed.connect(self._inputs_changed)
        layout.addWidget(self.calendars)
        self.keyring = KeyringOffer(self._mark)
        layout.addWidget(self.keyring)
        layout.addStretch(1)

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.test_button = QPushButton("&Test")
        self.test_button.setToolTip("Read the calendar once and show what it holds (Enter)")
        self.test_button.setDefault(True)
        self.add_button = QPushButton("&Add")
        self.add_button.setObjectName("PrimaryButton")
        self.add_button.setToolTip("Add it (it is read first if it was not tested yet)")
        self.add_button.setAutoDefault(False)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.setToolTip("Close without adding (Esc)")
        for button in (self.test_button, self.add_button, self.cancel_button):
            buttons.addWidget(button)
        layout.addLayout(buttons)

        self.location.textChanged.connect(self._follow_location)
        self.kinds.buttonToggled.connect(lambda *_: self._follow_location())
        for edit in (self.location, self.name, self.user, self.password):
            edit.textChanged.connect(self._inputs_changed)
        self.file_button.clicked.connect(self._choose_file)
        self.folder_button.clicked.connect(self._choose_folder)
        self.test_button.clicked.connect(self.test)
        self.add_button.clicked.connect(self.add)
        self.cancel_button.clicked.connect(self.reject)

    # -- following the entries ---------------------------------------------------------------

    @property
    def caldav(self) -> bool:
        return setup.looks_like_url(self.location.text()) and self.caldav_kind.isChecked()

    def _follow_location(self) -> None:
        is_url = setup.looks_like_url(self.location.text())
        self.kind_row.setVisible(is_url)
        for widget in (self.user_caption, self.user, self.password_caption, self.password):
            widget.setVisible(self.caldav)
        if not self.location.text().strip():
            hint = ("Paste a calendar link (https:// or webcal://, e.g. a shared Google, "
                    "Outlook or iCloud calendar) or a CalDAV server, or choose a file or folder.")
        elif self.caldav and self.keyring.offered:
            hint = "The password is never kept in the settings file (see below)."
        elif self.caldav:
            hint = "The password is kept in your system keyring, never in the settings file."
        elif is_url:
            hint = "A private link is never shown in full: it works like a password."
        else:
            hint = "A file or folder is watched: changes show up at once."
        self.kind_hint.setText(hint)
        self._inputs_changed()

    def _key(self) -> tuple[object, ...]:
        return (self.location.text().strip(), self.caldav, self.user.text().strip(),
                self.password.text(), self.calendars.chosen())

    def _inputs_changed(self) -> None:
        ready = bool(self.location.text().strip()) and (
            not self.caldav or bool(self.user.text().strip() and self.password.text()))
        self.test_button.setEnabled(ready and self._ticket is None)
        self.add_button.setEnabled(ready and self._ticket is None)

    def _choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Choose a calendar file", str(Path.home()),
            "Calendars (*.ics *.ical *.icalendar *.ifb);;All files (*)")
        if path:
            self.location.setText(path)

    def _choose_folder(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Choose a folder of calendars",
                                                str(Path.home()))
        if path:
            self.location.setText(path)

    # -- testing and adding ------------------------------------------------------------------

    def _build_config(self) -> SourceConfig | None:
        kind = SourceKind.CALDAV if self.caldav else None
        try:
            return setup.new_config(
                self.location.text(), taken=self._taken(), kind=kind, name=self.name.text(),
                username=self.user.text() if self.caldav else None,
                calendars=self.calendars.chosen())
        except setup.SetupError as exc:
            text = str(exc)
            self._show_result(text[:1].upper() + text[1:], ok=False)
            return None

    def test(self) -> None:
        """Read the calendar as entered (in the worker)."""
        if self._ticket is not None:
            return
        if self.calendars.none_ticked:
            self._show_result("Tick at least one of its calendars.", ok=False)
            self._add_after = False
            return
        config = self._build_config()
        if config is None:
            self._add_after = False
            return
        self._config = config
        key = self._key()
        password = self.password.text() if self.caldav else None
        checker = self._checker
        self._start("check", lambda: (key, checker(config, password)),
                    f"Reading {setup.shown_location(config)} …")

    def add(self) -> None:
        """Add what was tested; test first when the entries changed since."""
        if self._ticket is not None:
            return
        if self._tested is None or self._tested[0] != self._key() or not self._tested[1].ok:
            self._add_after = True
            self.test()
            return
        self._keep(self._tested[1])

    def _keep(self, check: setup.SourceCheck) -> None:
        config = self._build_config()
        if config is None:
            return
        self._config = config
        if config.kind is SourceKind.CALDAV:
            password, allow_file = self.password.text(), self.keyring.allow_file
            store = self._store_password
            self._start("password", lambda: (config, check, store(config.id, password,
                                                                  allow_file)),
                        "Keeping the password …")
            return
        self._finish(config, check)

    def _finish(self, config: SourceConfig, check: setup.SourceCheck) -> None:
        self._save(config)
        self.password.clear()
        self.added.emit(config, check)
        self.accept()

    def _start(self, kind: str, work: Callable[[], object], text: str) -> None:
        self._job_kind = kind
        self._ticket = self.jobs.start(work)
        self.busy.start(text)
        self.result.setVisible(False)
        self._inputs_changed()

    def _on_job(self, ticket: int, result: object) -> None:
        if ticket != self._ticket:
            return
        self._ticket = None
        self.busy.stop()
        self._inputs_changed()
        add_after, self._add_after = self._add_after, False
        if isinstance(result, Exception):
            self._failed_job(result)
            return
        if self._job_kind == "check":
            key, check = result  # type: ignore[misc]
            self._tested = (key, check)
            self._show_check(check)
            if add_after and check.ok and key == self._key():
                self._keep(check)
            return
        config, check, _where = result  # type: ignore[misc]
        self._finish(config, check)

    def _failed_job(self, exc: Exception) -> None:
        if isinstance(exc, SourceError) and exc.kind is ErrorKind.NO_KEYRING:
            self._offer_file()
            self._show_result("There is no system keyring to keep the password in, so it was "
                              "not added. Tick the box below to keep it in a private file, or "
                              "see the other ways there.", ok=False)
        elif isinstance(exc, SourceError):
            self._show_result(str(exc), ok=False)
        else:
            self._show_result(f"That did not work ({type(exc).__name__}); nothing was added.",
                              ok=False)

    # -- showing results ---------------------------------------------------------------------

    def _show_result(self, text: str, *, ok: bool) -> None:
        self.result.setText(text)
        self.result.setVisible(True)
        set_tone(self.result, "ok" if ok else "problem")
        self.result.setAccessibleDescription(text)

    def _show_check(self, check: setup.SourceCheck) -> None:
        text = check_line(check, self._zone)
        if not check.ok:
            text += " Nothing was added."
        self._show_result(text, ok=check.ok)
        if check.calendars:
            self.calendars.show_found(check)
            self.setTabOrder(self.password, self.calendars.widgets()[0])
        if check.keyring == "none":
            self._offer_file()

    def _offer_file(self) -> None:
        self.keyring.offer(self._config.id if self._config is not None else "ID")
        self._follow_location()

    # -- size --------------------------------------------------------------------------------

    def _fit(self) -> None:
        fit_height(self)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self._fit()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._fit()

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.LayoutRequest and self.isVisible():
            handled = super().event(event)
            self._fit()
            return handled
        return super().event(event)

    # -- closing -----------------------------------------------------------------------------

    def reject(self) -> None:
        """Cancel or Esc: abandon any reading; nothing is kept."""
        self.jobs.abandon(self._ticket)
        self._ticket = None
        self.busy.stop()
        self.password.clear()
        super().reject()

    @property
    def reading(self) -> bool:
        return self._ticket is not None
