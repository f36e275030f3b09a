"""The Settings window in the running app: opened from the tray, kept in step with the file.

Nothing of the window is imported until it is first opened (start-up memory matters). The
editor writes settings.toml in a worker thread and hands every written change to ``apply``
(the app's own ``apply_settings``), so nothing needs a restart. When the file changes from
outside (a hand edit, ``microapp calendars add``), the app calls :meth:`apply_settings`
and the open window shows the new values, except in a field the user is editing.
"""

from __future__ import annotations

import importlib.util
import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import QObject
from PySide6.QtWidgets import QWidget

from microapp.core.clock import Clock
from microapp.core.paths import Profile
from microapp.core.settings import Settings
from microapp.ui.theme import Palette

if TYPE_CHECKING:
    from microapp.ui.settings_editor import SettingsEditor
    from microapp.ui.settings_window import SettingsWindow

log = logging.getLogger(__name__)

NO_CHIME = ("Not available here: this installation of microapp has no Qt Multimedia "
            "(PySide6-Addons), so pauses stay silent.")

# (editor, calendar service or None, palette, parent) -> the Calendars page
PageFactory = Callable[["SettingsEditor", Any, Palette, "QWidget | None"], QWidget]


def chime_unavailable_reason() -> str | None:
    """Why the chime cannot sound here, or None when it can (checked without loading it)."""
    try:
        found = importlib.util.find_spec("PySide6.QtMultimedia") is not None
    except (ImportError, ValueError):
        found = False
    return None if found else NO_CHIME


def calendars_page_factory(profile: Profile, clock: Clock) -> PageFactory:
    """The real Calendars page: statuses from the running calendar service, checks of a new
    calendar with the profile's secrets and cache folders."""

    def make(editor: SettingsEditor, calendars: Any, palette: Palette,
             parent: QWidget | None) -> QWidget:
        from microapp.ui.settings_calendars_page import CalendarsPage

        return CalendarsPage(editor, calendars, None, palette, parent, profile=profile,
                             clock=clock)

    return make


class SettingsController(QObject):
    """Opens the Settings window; passes outside changes to it."""

    def __init__(self, *, clock: Clock, settings: Settings, palette: Palette,
                 settings_path: Path, data_dir: Path, apply: Callable[[Settings], None],
                 calendars: Any = None, autostart: Any = None, profile: Profile | None = None,
                 page_factory: PageFactory | None = None,
                 parent: QObject | None = None) -> None:
        """``profile`` is where the Calendars page keeps secrets and caches (by default the
        one whose config folder holds ``settings_path``); ``page_factory`` makes that page
        (tests pass a plain widget)."""
        super().__init__(parent)
        self.clock = clock
        self.settings = settings
        self.palette = palette
        self.settings_path = settings_path
        self.data_dir = data_dir
        self._apply = apply
        self.calendars = calendars
        self.autostart = autostart
        if page_factory is None:
            profile = profile or Profile(config_dir=settings_path.parent, data_dir=data_dir,
                                         log_dir=data_dir)
            page_factory = calendars_page_factory(profile, clock)
        self._page_factory = page_factory
        self.editor: SettingsEditor | None = None
        self.window: SettingsWindow | None = None

    def _has_window(self) -> bool:
        return self.window is not None and shiboken6.isValid(self.window)

    def open_window(self, section: str | None = None) -> None:
        """Show the window (made on first use), raised, at ``section`` when given."""
        if not self._has_window():
            self.window = self._make_window()
        assert self.window is not None
        if section:
            self.window.show_section(section)
        self.window.show()
        self.window.raise_()
        self.window.activateWindow()

    def _make_window(self) -> SettingsWindow:
        from microapp.ui.settings_editor import SettingsEditor
        from microapp.ui.settings_window import SettingsWindow

        if self.editor is None:
            self.editor = SettingsEditor(self.settings_path, self.clock, self.settings,
                                         apply=self._apply, parent=self)
        else:
            self.editor.set_current(self.settings)
        errors: tuple[type[BaseException], ...] = ()
        if self.autostart is not None:
            try:
                from microapp.platform.autostart import AutostartError
            except ImportError:
                log.warning("microapp.platform.autostart is missing; start at login is off")
                self.autostart = None
            else:
                errors = (AutostartError,)
        page = self._page_factory(self.editor, self.calendars, self.palette, None)
        return SettingsWindow(self.editor, self.palette, calendars_page=page,
                              data_dir=self.data_dir, settings_path=self.settings_path,
                              autostart=self.autostart, autostart_errors=errors,
                              chime_reason=chime_unavailable_reason())

    def apply_settings(self, settings: Settings, palette: Palette) -> None:
        """The running settings or colours changed (this window, a hand edit, the system)."""
        self.settings = settings
        if self.editor is not None:
            self.editor.set_current(settings)
        self.palette = palette
        if self._has_window():
            assert self.window is not None
            self.window.set_palette(palette)

    def shutdown(self) -> None:
        """Save what is typed but not saved, close the window, let the writes finish."""
        if self._has_window():
            assert self.window is not None
            self.window.close()
        if self.editor is not None:
            self.editor.shutdown()
