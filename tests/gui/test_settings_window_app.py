"""The Settings window in the app: the tray's Settings… item, the controller (lazy window, one at
a time, outside changes shown), the theme applied live, start at login, and the editor's
order of writes and echoes."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from microapp.core.settings import Settings, load_settings, save_settings
from microapp.ui.settings_controller import SettingsController
from microapp.ui.settings_editor import SettingsEditor
from microapp.ui.settings_pages_more import NO_AUTOSTART
from microapp.ui.settings_window import SettingsWindow
from microapp.ui.theme import DARK, LIGHT, palette_for, style_sheet
from microapp.ui.tray import TrayController
from tests.helpers import FakeClock


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "config" / "settings.toml"


class App:
    """Stands in for MicroApp: applies written settings and tells the controller back."""

    def __init__(self) -> None:
        self.applied: list[Settings] = []
        self.controller: SettingsController | None = None

    def apply_settings(self, settings: Settings) -> None:
        self.applied.append(settings)
        assert self.controller is not None
        self.controller.apply_settings(settings, palette_for(settings.theme))


@pytest.fixture
def app(qtbot: QtBot, path: Path, clock: FakeClock, tmp_path: Path):
    save_settings(Settings(), path, clock.now())
    app = App()
    pages: list[QWidget] = []

    def page(editor, calendars, palette, parent) -> QWidget:
        pages.append(QWidget(parent))
        return pages[-1]

    app.controller = SettingsController(
        clock=clock, settings=Settings(), palette=LIGHT, settings_path=path,
        data_dir=tmp_path / "data", apply=app.apply_settings, page_factory=page)
    app.pages = pages
    yield app
    app.controller.shutdown()
    if app.controller.window is not None:
        app.controller.window.deleteLater()


# -- the tray --------------------------------------------------------------------------------

def test_the_tray_menu_offers_settings_before_quit_and_asks_for_the_window(
        qtbot: QtBot) -> None:
    tray = TrayController(LIGHT, tray_available=lambda: False)
    texts = [a.text() for a in tray.menu.actions() if not a.isSeparator()]
    assert texts[-3:] == ["&Snooze pauses", "S&ettings…", "&Quit microapp"]
    keys = [QKeySequence.mnemonic(t) for t in texts]
    assert len(set(keys)) == len(keys)  # its own key: S is the snooze submenu's
    with qtbot.waitSignal(tray.settings_requested, timeout=500):
        tray.settings_action.trigger()
    tray.start()  # no tray: the stand-in window's More menu is the same menu
    assert tray.window is not None
    assert tray.settings_action in tray.window.panel.more_button.menu().actions()
    tray.stop()
    tray.window.deleteLater()


# -- the controller --------------------------------------------------------------------------

def test_the_window_code_is_not_loaded_until_it_is_opened() -> None:
    code = ("import sys, microapp.ui.settings_controller; "
            "print(sorted(m for m in sys.modules if m.startswith('microapp.ui.settings')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert out.stdout.strip() == "['microapp.ui.settings_controller']"


def test_the_window_is_made_on_first_use_and_only_once(app, qtbot: QtBot) -> None:
    controller = app.controller
    assert controller.window is None and controller.editor is None
    controller.open_window()
    window = controller.window
    assert isinstance(window, SettingsWindow) and window.isVisible()
    assert window.calendars is app.pages[0]
    controller.open_window("evening")
    assert controller.window is window and window.section == "evening"
    assert len(app.pages) == 1


def test_a_change_is_written_and_applied_once(app, qtbot: QtBot, path: Path) -> None:
    app.controller.open_window("pause")
    window = app.controller.window
    with qtbot.waitSignal(window.editor.saved, timeout=3000):
        window.pause.motion.box.click()
    assert load_settings(path).settings.reduce_motion
    assert [s.reduce_motion for s in app.applied] == [True]
    window.editor.set_current(load_settings(path).settings)  # the file watcher's echo
    assert window.pause.motion.box.isChecked() and len(app.applied) == 1


def test_a_change_from_outside_shows_in_the_open_window(app, qtbot: QtBot) -> None:
    app.controller.open_window("evening")
    window = app.controller.window
    outside = replace(Settings(), evening_prompt=False, rest_days=(0,))
    app.controller.apply_settings(outside, LIGHT)
    assert not window.evening.prompt.box.isChecked()
    assert window.evening.rest_days.boxes[0].isChecked()
    assert window.editor.settings == outside


def test_theme_change_applies_to_the_app_and_the_window_at_once(app, qtbot: QtBot,
                                                                path: Path) -> None:
    app.controller.open_window("general")
    window = app.controller.window
    assert window.styleSheet() == style_sheet("settings", LIGHT, 10.5)
    with qtbot.waitSignal(window.editor.saved, timeout=3000):
        window.general.theme.buttons["dark"].click()
    assert app.applied[-1].theme == "dark"
    assert window.palette is DARK
    assert window.styleSheet() == style_sheet("settings", DARK, 10.5)
    spin = window.pause.seconds.spin
    assert spin.palette().base().color().name() == DARK.button.lower()
    assert load_settings(path).settings.theme == "dark"


def test_open_folder_and_open_settings_file_use_the_desktop(qtbot: QtBot, path: Path,
                                                            clock: FakeClock,
                                                            tmp_path: Path) -> None:
    opened: list[QUrl] = []
    ok = [True]

    def open_url(url: QUrl) -> bool:
        opened.append(url)
        return ok[0]

    editor = SettingsEditor(path, clock, Settings())
    save_settings(Settings(), path, clock.now())
    window = SettingsWindow(editor, LIGHT, calendars_page=QWidget(), data_dir=tmp_path,
                            settings_path=path, open_url=open_url)
    qtbot.addWidget(window)
    window.show()
    window.history.open_button.click()
    window.general.open_button.click()
    assert [u.toLocalFile() for u in opened] == [str(tmp_path), str(path)]
    assert window.history.path.text() == str(tmp_path) and window.history.path.isReadOnly()
    ok[0] = False
    window.show_section("general")
    window.general.open_button.click()
    assert window.general.open_problem.isVisible()
    assert str(path) in window.general.open_problem.text()


# -- start at login --------------------------------------------------------------------------

class Refused(Exception):
    pass


class FakeAutostart:
    def __init__(self, enabled: bool = False, fail: bool = False) -> None:
        self.enabled = enabled
        self.fail = fail
        self.calls: list[str] = []

    def is_enabled(self) -> bool:
        return self.enabled

    def enable(self) -> None:
        self.calls.append("enable")
        if self.fail:
            raise Refused("the autostart folder is read-only")
        self.enabled = True

    def disable(self) -> None:
        self.calls.append("disable")
        self.enabled = False


def settings_window(qtbot: QtBot, path: Path, clock: FakeClock, **kwargs) -> SettingsWindow:
    editor = SettingsEditor(path, clock, Settings())
    window = SettingsWindow(editor, LIGHT, calendars_page=QWidget(), data_dir=path.parent,
                            settings_path=path, open_url=lambda _u: True, **kwargs)
    qtbot.addWidget(window)
    window.show()
    window.show_section("general")
    return window


def test_start_at_login_box_enables_and_disables(qtbot: QtBot, path: Path,
                                                 clock: FakeClock) -> None:
    autostart = FakeAutostart(enabled=True)
    window = settings_window(qtbot, path, clock, autostart=autostart,
                             autostart_errors=(Refused,))
    box = window.general.login
    assert box.isEnabled() and box.isChecked()
    box.click()
    box.click()
    assert autostart.calls == ["disable", "enable"] and autostart.enabled
    assert not window.general.login_problem.isVisible()
    assert not path.exists()  # start at login is not in the settings file


def test_start_at_login_that_fails_unchecks_and_says_why(qtbot: QtBot, path: Path,
                                                         clock: FakeClock) -> None:
    autostart = FakeAutostart(fail=True)
    window = settings_window(qtbot, path, clock, autostart=autostart,
                             autostart_errors=(Refused,))
    window.general.login.click()
    assert autostart.calls == ["enable"]
    assert not window.general.login.isChecked()
    problem = window.general.login_problem
    assert problem.isVisible()
    assert problem.text() == ("Starting at login could not be turned on: "
                              "the autostart folder is read-only")


def test_without_autostart_the_box_is_off_and_says_why(qtbot: QtBot, path: Path,
                                                       clock: FakeClock) -> None:
    window = settings_window(qtbot, path, clock, autostart=None)
    assert not window.general.login.isEnabled()
    assert window.general.login_problem.text() == NO_AUTOSTART


def test_the_controller_catches_the_platform_autostart_error(app, qtbot: QtBot) -> None:
    from microapp.platform.autostart import AutostartError

    class Failing(FakeAutostart):
        def enable(self) -> None:
            raise AutostartError("no autostart folder")

    app.controller.autostart = Failing()
    app.controller.open_window("general")
    window = app.controller.window
    window.general.login.click()
    assert not window.general.login.isChecked()
    assert "no autostart folder" in window.general.login_problem.text()


def test_the_chime_box_says_why_it_is_off_without_qtmultimedia(
        qtbot: QtBot, path: Path, clock: FakeClock) -> None:
    window = settings_window(qtbot, path, clock, chime_reason="No Qt Multimedia here.")
    window.show_section("pause")
    assert not window.pause.chime.box.isEnabled()
    assert window.pause.chime_reason.isVisible()
    assert window.pause.chime_reason.text() == "No Qt Multimedia here."


# -- the editor ------------------------------------------------------------------------------

def test_a_later_change_builds_on_an_earlier_one_not_yet_written(
        qtbot: QtBot, path: Path, clock: FakeClock) -> None:
    applied: list[Settings] = []
    editor = SettingsEditor(path, clock, Settings(), apply=applied.append)
    editor.update(pause_seconds=9)
    editor.update(chime=True)
    assert editor.settings == Settings(pause_seconds=9, chime=True)
    with qtbot.waitSignal(editor.saved, timeout=3000) as saved:
        pass
    qtbot.waitUntil(lambda: not editor.busy, timeout=3000)
    assert saved.args[0] == Settings(pause_seconds=9, chime=True)
    assert load_settings(path).settings == Settings(pause_seconds=9, chime=True)
    assert applied == [Settings(pause_seconds=9, chime=True)]  # applied once, after the last


def test_an_outside_change_keeps_a_change_that_could_not_be_written(
        qtbot: QtBot, path: Path, clock: FakeClock) -> None:
    broken = [True]

    def save(settings, where, now):
        if broken[0]:
            raise PermissionError(13, "Permission denied")
        return save_settings(settings, where, now)

    editor = SettingsEditor(path, clock, Settings(), save=save)
    with qtbot.waitSignal(editor.failed, timeout=3000):
        editor.update(evening_prompt=False)
    broken[0] = False
    with qtbot.waitSignal(editor.saved, timeout=3000):
        editor.set_current(Settings(theme="dark"))  # a hand edit meanwhile
    assert editor.settings == Settings(theme="dark", evening_prompt=False)
    assert load_settings(path).settings == Settings(theme="dark", evening_prompt=False)
    assert not editor.unsaved


def test_unknown_settings_are_refused(path: Path, clock: FakeClock) -> None:
    editor = SettingsEditor(path, clock, Settings())
    with pytest.raises(TypeError, match="pause_length"):
        editor.update(pause_length=5)
    assert not editor.busy


def test_an_outside_edit_that_puts_back_an_earlier_value_is_taken_in(
        qtbot: QtBot, path: Path, clock: FakeClock) -> None:
    editor = SettingsEditor(path, clock, Settings())
    changed: list[Settings] = []
    editor.changed.connect(changed.append)
    for change in ({"theme": "dark"}, {"reduce_motion": True}):
        with qtbot.waitSignal(editor.saved, timeout=3000):
            editor.update(**change)
    editor.set_current(Settings(theme="dark", reduce_motion=True))  # the watcher's echo
    assert changed == []
    editor.set_current(Settings(theme="dark"))  # a hand edit turns it off again
    assert editor.settings == Settings(theme="dark") and changed == [Settings(theme="dark")]
    assert not editor.busy  # nothing of ours was waiting: nothing to write back
