"""The Settings window: every setting in one place, in sections, applied as soon as it is valid.

Construction and use::

    window = SettingsWindow(editor, palette, calendars_page=page, data_dir=..., settings_path=...)
    window.show_section("pause")

On the left the sections (arrow keys, Ctrl+PgUp / Ctrl+PgDown, Alt+C/P/E/H/G); on the right the
section's page. There is no OK or Cancel: a check box applies when toggled, a number or time
when editing finished. A value that is not allowed says why under its field and is not saved.
The status line says "Saved" for a moment, or why a write failed (with Try again).
"Restore defaults" (Alt+R) asks first and keeps the calendars. Esc or Close closes.

The Calendars page is made by the caller (it needs the calendar service); it may offer
``focus_order() -> list[QWidget]``, ``refresh(settings, force=...)`` and
``set_palette(palette)``, which the window then uses. No widget on a page may use the letters
C, P, E, H, G or R as its mnemonic: the window has them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from itertools import pairwise
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QCloseEvent, QKeySequence, QPalette, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QFrame,
    QHBoxLayout,
    QLayout,
    QListWidget,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from microapp.core.settings import Settings
from microapp.ui.labels import plain_label
from microapp.ui.reflection_parts import SoftCheckBox
from microapp.ui.settings_editor import SettingsEditor
from microapp.ui.settings_pages import EveningPage, PausePage, SettingsPage
from microapp.ui.settings_pages_more import GeneralPage, HistoryPage, OpenUrl, open_local
from microapp.ui.theme import Palette, app_icon, qcolor, style_sheet

TITLE = "microapp — settings"
DEFAULT_SIZE = (780, 560)
# (name, title, Alt+ key)
SECTIONS: tuple[tuple[str, str, str], ...] = (
    ("calendars", "Calendars", "C"),
    ("pause", "Pause", "P"),
    ("evening", "Evening", "E"),
    ("history", "History", "H"),
    ("general", "General", "G"),
)
RESTORE_TITLE = "Restore the default settings?"
RESTORE_TEXT = (
    "Everything on the Pause, Evening, History and General pages goes back to how microapp "
    "came, and so does which meetings get a pause (all-day, cancelled, declined, free and "
    "tentative ones, ignored titles, your e-mail addresses, extra call-link patterns and how "
    "often calendars are read).\n\n"
    "Your calendars are kept, and so is starting at login."
)


def qt_palette(palette: Palette) -> QPalette:
    """The light or dark colours for what the platform style draws (number and time boxes)."""
    qt = QPalette()
    role = QPalette.ColorRole
    for r, value in ((role.Window, palette.panel), (role.WindowText, palette.text),
                     (role.Base, palette.button), (role.AlternateBase, palette.panel),
                     (role.Text, palette.text), (role.Button, palette.button),
                     (role.ButtonText, palette.text), (role.Highlight, palette.accent),
                     (role.HighlightedText, palette.on_accent), (role.Mid, palette.border),
                     (role.Dark, palette.border), (role.Light, palette.button),
                     (role.PlaceholderText, palette.muted), (role.ToolTipBase, palette.panel),
                     (role.ToolTipText, palette.text)):
        qt.setColor(r, qcolor(value))
    for r in (role.Text, role.ButtonText, role.WindowText):
        qt.setColor(QPalette.ColorGroup.Disabled, r, qcolor(palette.muted))
    return qt


def defaults_keeping_calendars(settings: Settings) -> Settings:
    """Every setting at its default except the calendars."""
    return replace(Settings(), calendars=settings.calendars)


class SettingsWindow(QWidget):
    """See the module docstring."""

    SAVED_MS = 2500  # how long "Saved" stays in the status line

    def __init__(self, editor: SettingsEditor, palette: Palette, *, calendars_page: QWidget,
                 data_dir: Path, settings_path: Path, autostart: Any | None = None,
                 autostart_errors: tuple[type[BaseException], ...] = (),
                 chime_reason: str | None = None, open_url: OpenUrl = open_local,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.editor = editor
        self.palette = palette
        self.setObjectName("SettingsWindow")
        self.setWindowTitle(TITLE)
        self.setWindowIcon(app_icon())
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        self.setStyleSheet(style_sheet("settings", palette, 10.5))

        self.calendars = calendars_page
        self.pause = PausePage(editor, chime_reason=chime_reason)
        self.evening = EveningPage(editor)
        self.history = HistoryPage(editor, data_dir, open_url=open_url)
        self.general = GeneralPage(editor, settings_path, autostart=autostart,
                                   autostart_errors=autostart_errors, open_url=open_url)
        self.pages: dict[str, QWidget] = {
            "calendars": self.calendars, "pause": self.pause, "evening": self.evening,
            "history": self.history, "general": self.general,
        }
        self._build()
        self._note = ""
        self._saved_timer = QTimer(self, singleShot=True, interval=self.SAVED_MS)
        self._saved_timer.timeout.connect(lambda: self._status("", None))
        editor.saved.connect(self._on_saved)
        editor.failed.connect(self._on_failed)
        editor.changed.connect(lambda settings: self.refresh(settings))
        editor.kept_copy.connect(self._on_kept_copy)
        self.resize(*DEFAULT_SIZE)
        self.show_section("pause")
        self._remeasure()

    # -- building ----------------------------------------------------------------------------

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 14, 14, 12)
        layout.setSpacing(10)
        body = QHBoxLayout()
        body.setSpacing(14)
        self.sections = QListWidget()
        self.sections.setObjectName("SectionList")
        self.sections.setAccessibleName("Sections")
        self.sections.setToolTip("Arrow keys, Ctrl+Page Up / Page Down, or Alt and the first "
                                 "letter move between sections.")
        self.sections.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.sections.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Expanding)
        self.stack = QStackedWidget()
        for name, title, key in SECTIONS:
            self.sections.addItem(title)
            self.stack.addWidget(self._scrolled(self.pages[name]))
            QShortcut(QKeySequence(f"Alt+{key}"), self,
                      lambda n=name: self.show_section(n, focus_list=True))
        self.sections.currentRowChanged.connect(self._on_row)
        body.addWidget(self.sections)
        right = QVBoxLayout()
        right.setSpacing(8)
        self.page_title = plain_label("", "PageTitle")
        right.addWidget(self.page_title)
        right.addWidget(self.stack, 1)
        body.addLayout(right, 1)
        layout.addLayout(body, 1)

        buttons = QHBoxLayout()
        buttons.setSpacing(8)
        self.status = plain_label("", "Status", wrap=True)
        self.status.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        buttons.addWidget(self.status, 1)
        self.retry_button = QPushButton("Tr&y again")
        self.retry_button.setToolTip("Write your settings to the file again.")
        self.retry_button.clicked.connect(self.editor.retry)
        self.retry_button.setVisible(False)
        buttons.addWidget(self.retry_button)
        self.restore_button = QPushButton("&Restore defaults")
        self.restore_button.setToolTip("Every setting back to its default; your calendars stay.")
        self.restore_button.clicked.connect(self.restore_defaults)
        buttons.addWidget(self.restore_button)
        self.close_button = QPushButton("Close")
        self.close_button.setToolTip("Close this window (Esc). Changes are already saved.")
        self.close_button.clicked.connect(self.close)
        buttons.addWidget(self.close_button)
        layout.addLayout(buttons)

        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.close)
        QShortcut(QKeySequence("Ctrl+PgDown"), self, lambda: self._step(1))
        QShortcut(QKeySequence("Ctrl+PgUp"), self, lambda: self._step(-1))
        self._fit_sections()
        order = [self.sections, *self.focus_order_of(self.calendars)]
        for page in (self.pause, self.evening, self.history, self.general):
            order += page.focus_order()
        order += [self.retry_button, self.restore_button, self.close_button]
        for before, after in pairwise(order):
            self.setTabOrder(before, after)

    def _remeasure(self) -> None:
        """Polish every widget, then let every layout measure again: a page was measured when
        it went into its scroll area, before the style sheet grew its check boxes (whose
        text would then be clipped)."""
        self.ensurePolished()
        for layout in self.findChildren(QLayout):
            layout.invalidate()

    def _scrolled(self, page: QWidget) -> QScrollArea:
        """Every page scrolls: at a large text scale nothing is cut off."""
        area = QScrollArea()
        area.setObjectName("PageScroll")
        area.setWidgetResizable(True)
        area.setFrameShape(QFrame.Shape.NoFrame)
        area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        area.setWidget(page)
        return area

    def _fit_sections(self) -> None:
        """As wide as the longest section name in the font in use (scales with the text)."""
        self.sections.ensurePolished()
        metrics = self.sections.fontMetrics()
        widest = max(metrics.horizontalAdvance(title) for _, title, _ in SECTIONS)
        self.sections.setFixedWidth(widest + 4 * metrics.averageCharWidth() + 24)

    @staticmethod
    def focus_order_of(page: QWidget) -> Sequence[QWidget]:
        order = getattr(page, "focus_order", None)
        if callable(order):
            return list(order())
        return [w for w in page.findChildren(QWidget)
                if w.focusPolicy() & Qt.FocusPolicy.TabFocus and w.focusProxy() is None]

    # -- sections ----------------------------------------------------------------------------

    def show_section(self, name: str, *, focus_list: bool = False) -> None:
        names = [n for n, _, _ in SECTIONS]
        if name not in names:
            raise ValueError(f"no settings section {name!r}; known: {', '.join(names)}")
        self.sections.setCurrentRow(names.index(name))
        if focus_list:
            self.sections.setFocus(Qt.FocusReason.ShortcutFocusReason)

    @property
    def section(self) -> str:
        return SECTIONS[self.stack.currentIndex()][0]

    def _on_row(self, row: int) -> None:
        if row < 0:
            return
        self.stack.setCurrentIndex(row)
        self.page_title.setText(SECTIONS[row][1])

    def _step(self, by: int) -> None:
        row = (self.sections.currentRow() + by) % len(SECTIONS)
        self.sections.setCurrentRow(row)

    # -- settings ----------------------------------------------------------------------------

    def refresh(self, settings: Settings, *, force: bool = False) -> None:
        """Show ``settings`` (a field the user is editing keeps what they typed, unless
        ``force``)."""
        for page in self.pages.values():
            refresh = getattr(page, "refresh", None)
            if callable(refresh):
                refresh(settings, force=force)

    def restore_defaults(self) -> None:
        if not self.confirm(RESTORE_TITLE, RESTORE_TEXT):
            return
        defaults = defaults_keeping_calendars(self.editor.settings)
        self.editor.replace_all(defaults)
        self.refresh(defaults, force=True)

    def confirm(self, title: str, text: str) -> bool:
        """Ask yes or no (tests replace this method)."""
        box = QMessageBox(QMessageBox.Icon.Question, title, text,
                          QMessageBox.StandardButton.NoButton, self)
        box.setTextFormat(Qt.TextFormat.PlainText)
        yes = box.addButton("&Restore defaults", QMessageBox.ButtonRole.DestructiveRole)
        no = box.addButton("Cancel", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(no)
        box.setEscapeButton(no)
        box.exec()
        return box.clickedButton() is yes

    def set_palette(self, palette: Palette) -> None:
        """Light or dark changed (perhaps from this very window): restyle at once."""
        if palette == self.palette:
            return
        self.palette = palette
        self.setStyleSheet(style_sheet("settings", palette, 10.5))
        self._mark_checks()
        self._remeasure()
        set_palette = getattr(self.calendars, "set_palette", None)
        if callable(set_palette):
            set_palette(palette)

    def _mark_checks(self) -> None:
        """What the style sheet cannot colour: check marks, and number and time boxes (a
        styled spin box loses its arrows, so the platform style draws them in our colours)."""
        for box in self.findChildren(SoftCheckBox):
            box.mark_color = qcolor(self.palette.on_accent)
            box.update()
        colours = qt_palette(self.palette)
        for spin in self.findChildren(QAbstractSpinBox):
            spin.setPalette(colours)
            spin.lineEdit().setPalette(colours)

    # -- status ------------------------------------------------------------------------------

    def _status(self, text: str, kind: str | None) -> None:
        self.status.setText(text)
        self.status.setProperty("kind", kind or "")
        self.status.style().unpolish(self.status)
        self.status.style().polish(self.status)

    def _on_saved(self, _settings: Settings) -> None:
        self.retry_button.setVisible(self.editor.unsaved)
        if self.editor.unsaved:
            return  # an earlier failure still stands
        if self._note:
            self._status(self._note, "note")  # stays until the next save
            self._note = ""
            return
        self._status("Saved", "saved")
        self._saved_timer.start()

    def _on_failed(self, message: str) -> None:
        self._saved_timer.stop()
        self._status(message, "failed")
        self.retry_button.setVisible(True)

    def _on_kept_copy(self, path: Path) -> None:
        self._note = (f"Saved. Your earlier settings file had values microapp could not read; "
                      f"it is kept beside it as {path.name}.")

    @property
    def status_text(self) -> str:
        return self.status.text()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._mark_checks()  # after the style sheet polished the widgets, or it is undone

    # -- closing -----------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:
        for page in self.pages.values():
            commit_all = getattr(page, "commit_all", None)
            if callable(commit_all):
                commit_all()
        super().closeEvent(event)


def all_pages(window: SettingsWindow) -> list[SettingsPage]:
    return [window.pause, window.evening, window.history, window.general]
