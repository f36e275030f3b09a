"""The Calendars page of the Settings window: the sources, how each is doing, and which
events get a pause.

Construction::

    page = CalendarsPage(editor, calendar_service, None, palette, profile=profile, clock=clock)

``editor`` is the window's :class:`~microapp.ui.settings_editor.SettingsEditor`: every change
(add, remove, rename, on/off, the meeting rules) goes through ``editor.update(...)``.
``statuses`` is the running :class:`~microapp.ui.calendar_service.CalendarService` (anything
with ``.snapshot.statuses`` and an ``updated`` signal; ``refresh_now()`` is used when there);
None shows "its status appears once microapp has read it". ``checker(config, password)``
reads one source once and returns a :class:`~microapp.core.calendar_setup.SourceCheck`; it is
slow (network, parsing) and always runs in a worker thread. None uses
:func:`~microapp.core.calendar_setup.check_source` with the profile's folders and the editor's
current meeting rules. ``profile`` is where passwords (keyring / opt-in file) and caches live.

The page offers the window ``focus_order()``, ``refresh(settings, force=...)``,
``set_palette(palette)`` and ``commit_all()``. Its mnemonics avoid C, P, E, H, G and R (the
window's).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from itertools import pairwise
from typing import Any, TypeVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from microapp.core import calendar_setup as setup
from microapp.core.clock import Clock, SystemClock
from microapp.core.paths import Profile
from microapp.core.settings import Settings
from microapp.core.source_status import SourceStatus
from microapp.core.sources import SourceConfig, SourceKind
from microapp.ui.labels import plain_label
from microapp.ui.reflection_parts import SoftCheckBox
from microapp.ui.settings_calendars_add import AddCalendarDialog, Checker
from microapp.ui.settings_calendars_jobs import Jobs
from microapp.ui.settings_calendars_row import SourceRow
from microapp.ui.settings_calendars_rules import LinkPatternsField, TextListField, rule_fields
from microapp.ui.settings_calendars_style import calendars_sheet, set_tone
from microapp.ui.settings_calendars_text import check_line, status_line
from microapp.ui.settings_editor import SettingsEditor
from microapp.ui.settings_fields import CheckField, Field, SpinField, hint_label
from microapp.ui.theme import Palette, qcolor

INTRO = ("microapp reads these calendars to know when your calls begin. Only these calendars "
         "are asked; nothing else leaves your computer.")
EMPTY = ("No calendars yet. Add one, and a pause opens just before each of its meetings.")
F = TypeVar("F", bound=Field)


def default_checker(profile: Profile, clock: Clock,
                    settings: Callable[[], Settings]) -> Checker:
    """:func:`~microapp.core.calendar_setup.check_source` with the profile's password store,
    a throw-away cache and the meeting rules in force when the reading starts. The result is
    called in a worker thread."""

    def check(config: SourceConfig, password: str | None) -> setup.SourceCheck:
        return setup.check_source(config, password, secrets_dir=profile.config_dir,
                                  now=clock.now(), zone=clock.zone(), settings=settings())

    return check


class CalendarsPage(QWidget):
    """See the module docstring."""

    def __init__(self, editor: SettingsEditor, statuses: Any, checker: Checker | None,
                 palette: Palette, parent: QWidget | None = None, *, profile: Profile,
                 clock: Clock | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("SettingsPage")
        self.editor = editor
        self.statuses = statuses
        self.profile = profile
        self.clock = clock or SystemClock()
        self.checker: Checker = checker or default_checker(profile, self.clock,
                                                           lambda: editor.settings)
        self.palette = palette
        self.rows: dict[str, SourceRow] = {}
        self.fields: list[Field] = []
        self.add_dialog: AddCalendarDialog | None = None
        self.confirm_box: QMessageBox | None = None
        self.jobs = Jobs(self)
        self.jobs.finished.connect(self._on_job)
        self._tests: dict[int, str] = {}  # ticket -> source id
        self._testing: dict[str, int] = {}  # source id -> ticket
        self._build()
        self.set_palette(palette, force=True)
        self._sync_rows(editor.settings.calendars)
        editor.changed.connect(lambda settings: self.refresh(settings))
        if statuses is not None:
            statuses.updated.connect(lambda _snapshot: self._show_statuses())

    # -- building ----------------------------------------------------------------------------

    def _build(self) -> None:
        self.column = QVBoxLayout(self)
        self.column.setContentsMargins(4, 0, 4, 0)
        self.column.setSpacing(6)
        self.column.addWidget(hint_label(INTRO))
        actions = QHBoxLayout()
        actions.setSpacing(8)
        self.add_button = QPushButton("&Add a calendar…")
        self.add_button.setToolTip("A file, a folder, a calendar link or a CalDAV account")
        self.add_button.clicked.connect(self.open_add_dialog)
        self.read_button = QPushButton("Read all &now")
        self.read_button.setToolTip("Ask every calendar again now")
        refresh_now = getattr(self.statuses, "refresh_now", None)
        self.read_button.setEnabled(callable(refresh_now))
        self.read_button.clicked.connect(self._read_all)
        actions.addWidget(self.add_button)
        actions.addWidget(self.read_button)
        actions.addStretch(1)
        self.column.addLayout(actions)
        self.note = plain_label("", "PageNote", wrap=True)
        self.note.setVisible(False)
        self.column.addWidget(self.note)
        self.empty = hint_label(EMPTY)
        self.column.addWidget(self.empty)
        self.list_box = QVBoxLayout()
        self.list_box.setSpacing(8)
        self.column.addLayout(self.list_box)
        self.column.addSpacing(14)
        self._build_rules()
        self.column.addStretch(1)

    def _build_rules(self) -> None:
        self.column.addWidget(plain_label("Which events get a pause", "FieldHeading"))
        for field, row, hint in rule_fields(self.editor):
            self._add(field, row, hint)
        self.emails = self._field(TextListField, "my_emails")
        self.titles = self._field(TextListField, "ignore_titles")
        self.links = self._field(LinkPatternsField, "link_patterns")
        self.refresh_field = self._field(SpinField, "refresh_minutes")

    def _field(self, kind: type[F], attr: str) -> F:
        field = next(f for f in self.fields if f.attr == attr)
        assert isinstance(field, kind)
        return field

    def _add(self, field: Field, row: object, hint: str = "") -> None:
        if not isinstance(field, CheckField):
            self.column.addSpacing(8)
        if isinstance(row, QWidget):
            self.column.addWidget(row)
        else:
            self.column.addLayout(row)  # type: ignore[arg-type]
        if hint:
            self.column.addWidget(hint_label(hint))
        self.column.addWidget(field.error)
        self.fields.append(field)

    # -- what the window uses ----------------------------------------------------------------

    def focus_order(self) -> list[QWidget]:
        order: list[QWidget] = [self.add_button, self.read_button]
        for source_id in self._ids():
            order += self.rows[source_id].focus_order()
        for field in self.fields:
            order += field.widgets
        return order

    def refresh(self, settings: Settings, *, force: bool = False) -> None:
        """Show ``settings``: the sources as they are now, and the meeting rules (a field
        the user is editing keeps what they typed, unless ``force``)."""
        self._sync_rows(settings.calendars)
        for field in self.fields:
            field.refresh(settings, force=force)

    def set_palette(self, palette: Palette, *, force: bool = False) -> None:
        if palette == self.palette and not force:
            return
        self.palette = palette
        self.setStyleSheet(calendars_sheet(palette))
        for box in self.findChildren(SoftCheckBox):
            box.mark_color = qcolor(palette.on_accent)
            box.update()

    def commit_all(self) -> None:
        for field in self.fields:
            if field.editing():
                field.commit()

    # -- the sources -------------------------------------------------------------------------

    def _ids(self) -> list[str]:
        return [c.id for c in self.editor.settings.calendars if c.id in self.rows]

    def _sync_rows(self, configs: tuple[SourceConfig, ...]) -> None:
        wanted = {c.id: c for c in configs}
        for source_id in [i for i in self.rows if i not in wanted]:
            self._drop_row(source_id)
        for index, config in enumerate(configs):
            row = self.rows.get(config.id)
            if row is None:
                row = SourceRow(config)
                row.switch.mark_color = qcolor(self.palette.on_accent)
                row.toggled.connect(self.set_enabled)
                row.rename_requested.connect(self.rename)
                row.remove_requested.connect(self.confirm_remove)
                row.test_requested.connect(self.test_again)
                row.test_cancelled.connect(self.cancel_test)
                self.rows[config.id] = row
            elif row.config != config:
                row.set_config(config)
            if self.list_box.indexOf(row) != index:
                self.list_box.insertWidget(index, row)
        self.rows = {c.id: self.rows[c.id] for c in configs}
        self.empty.setVisible(not configs)
        self._show_statuses()
        self._chain()

    def _drop_row(self, source_id: str) -> None:
        self.cancel_test(source_id)
        row = self.rows.pop(source_id)
        self.list_box.removeWidget(row)
        row.hide()
        row.deleteLater()

    def _chain(self) -> None:
        """Keep Tab in screen order when sources come and go (new widgets would otherwise
        join the end of the window's chain)."""
        for before, after in pairwise(self.focus_order()):
            QWidget.setTabOrder(before, after)

    def _show_statuses(self) -> None:
        known: dict[str, SourceStatus] = {}
        if self.statuses is not None:
            known = {s.id: s for s in self.statuses.snapshot.statuses}
        now, zone = self.clock.now(), self.clock.zone()
        for source_id, row in self.rows.items():
            text, problem = status_line(row.config, known.get(source_id), now, zone)
            row.set_status(text, problem)

    def _replace(self, source_id: str, **changes: Any) -> SourceConfig | None:
        settings = self.editor.settings
        current = next((c for c in settings.calendars if c.id == source_id), None)
        if current is None:
            return None
        new = replace(current, **changes)
        self.editor.update(calendars=tuple(new if c.id == source_id else c
                                           for c in settings.calendars))
        self._sync_rows(self.editor.settings.calendars)
        return new

    def set_enabled(self, source_id: str, enabled: bool) -> None:
        config = self._replace(source_id, enabled=enabled)
        if config is not None:
            self._say(f"“{config.label}” is now {'on' if enabled else 'off'}.")

    def rename(self, source_id: str, name: str) -> None:
        config = self._replace(source_id, name=name)
        if config is not None:
            self._say(f"Renamed to “{config.label}”.")

    def confirm_remove(self, source_id: str) -> None:
        """Ask first (a box that does not block: Remove, or Cancel/Esc)."""
        row = self.rows.get(source_id)
        if row is None or self.confirm_box is not None:
            return
        label = row.config.label
        more = " Its stored password is forgotten too." \
            if row.config.kind is SourceKind.CALDAV else ""
        box = QMessageBox(QMessageBox.Icon.Question, "Remove this calendar?",
                          f"Remove “{label}”? microapp stops reading it and no more pauses "
                          f"come from it.{more} Your history is kept.",
                          QMessageBox.StandardButton.NoButton, self)
        box.setTextFormat(Qt.TextFormat.PlainText)
        yes = box.addButton("Remove", QMessageBox.ButtonRole.DestructiveRole)
        no = box.addButton("Cancel", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(no)
        box.setEscapeButton(no)
        box.finished.connect(lambda _r: self._confirmed(box, box.clickedButton() is yes,
                                                        source_id))
        self.confirm_box = box
        box.open()

    def _confirmed(self, box: QMessageBox, yes: bool, source_id: str) -> None:
        self.confirm_box = None
        box.deleteLater()
        if yes:
            self.remove(source_id)
        elif source_id in self.rows:
            self.rows[source_id].remove_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def remove(self, source_id: str) -> None:
        """Remove without asking (the confirmed path)."""
        settings = self.editor.settings
        config = next((c for c in settings.calendars if c.id == source_id), None)
        if config is None:
            return
        ids = self._ids()
        after = ids[ids.index(source_id) + 1:] + ids[:ids.index(source_id)][::-1]
        self.editor.update(calendars=tuple(c for c in settings.calendars if c.id != source_id))
        self._sync_rows(self.editor.settings.calendars)
        if config.kind is SourceKind.CALDAV:  # the keyring may be slow: not here
            profile = self.profile
            self.jobs.start(lambda: setup.forget_source(config, profile.config_dir,
                                                        profile.calendar_cache_dir))
        self._say(f"Removed “{config.label}”.")
        target = self.rows[after[0]].switch if after else self.add_button
        target.setFocus(Qt.FocusReason.OtherFocusReason)

    # -- testing -----------------------------------------------------------------------------

    def test_again(self, source_id: str) -> None:
        row = self.rows.get(source_id)
        if row is None or source_id in self._testing:
            return
        config, checker = row.config, self.checker
        ticket = self.jobs.start(lambda: checker(config, None))
        self._tests[ticket] = source_id
        self._testing[source_id] = ticket
        row.show_reading(f"Reading {setup.shown_location(config)} …")

    def cancel_test(self, source_id: str) -> None:
        ticket = self._testing.pop(source_id, None)
        if ticket is None:
            return
        self._tests.pop(ticket, None)
        self.jobs.abandon(ticket)
        if source_id in self.rows:
            self.rows[source_id].show_check(None, ok=True)

    def _on_job(self, ticket: int, result: object) -> None:
        source_id = self._tests.pop(ticket, None)
        if source_id is None:
            return  # forgetting a password: nothing to show
        self._testing.pop(source_id, None)
        row = self.rows.get(source_id)
        if row is None:
            return
        if not isinstance(result, setup.SourceCheck):
            row.show_check(f"It could not be read ({type(result).__name__}).", ok=False)
            return
        row.show_check(check_line(result, self.clock.zone()), ok=result.ok)
        if result.ok and row.status.property("tone") == "problem":
            self._read_all()  # the app's own status catches up now, not at its next turn

    def _read_all(self) -> None:
        refresh_now = getattr(self.statuses, "refresh_now", None)
        if callable(refresh_now):
            refresh_now()

    # -- adding ------------------------------------------------------------------------------

    def open_add_dialog(self) -> AddCalendarDialog:
        if self.add_dialog is not None:
            self.add_dialog.raise_()
            self.add_dialog.activateWindow()
            return self.add_dialog
        profile = self.profile
        dialog = AddCalendarDialog(
            taken=lambda: {c.id for c in self.editor.settings.calendars},
            checker=self.checker,
            store_password=lambda sid, pw, allow: setup.store_password(
                sid, pw, profile.config_dir, allow_file=allow),
            save=self._save_new, zone=self.clock.zone(),
            mark_color=qcolor(self.palette.on_accent), parent=self)
        dialog.added.connect(self._added)
        dialog.finished.connect(lambda _r: self._dialog_closed(dialog))
        self.add_dialog = dialog
        dialog.open()
        return dialog

    def _save_new(self, config: SourceConfig) -> None:
        calendars = self.editor.settings.calendars
        self.editor.update(calendars=(*(c for c in calendars if c.id != config.id), config))
        self._sync_rows(self.editor.settings.calendars)

    def _added(self, config: SourceConfig, check: setup.SourceCheck) -> None:
        self._say(f"Added “{config.label}”: {check_line(check, self.clock.zone())}")
        row = self.rows.get(config.id)
        if row is not None:
            row.switch.setFocus(Qt.FocusReason.OtherFocusReason)

    def _dialog_closed(self, dialog: AddCalendarDialog) -> None:
        if self.add_dialog is dialog:
            self.add_dialog = None
        dialog.deleteLater()
        if not any(row.switch.hasFocus() for row in self.rows.values()):
            self.add_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def _say(self, text: str) -> None:
        self.note.setText(text)
        self.note.setVisible(True)
        set_tone(self.note, "")
