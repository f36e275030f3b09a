"""The Settings window inside the running app: opened from the tray, changes applied live."""

from __future__ import annotations

import shiboken6
from pytestqt.qtbot import QtBot

from microapp.core.settings import load_settings
from tests.gui.test_app import make_app  # noqa: F401 (fixture)


def test_settings_from_the_tray_apply_at_once_without_a_restart(make_app, qtbot: QtBot) -> None:  # noqa: F811
    app = make_app()
    app.start()
    assert app.settings_view is None, "the Settings code loads only when it is asked for"
    app.tray.settings_requested.emit()
    window = app.settings_view.window
    qtbot.waitUntil(lambda: window.isVisible())

    window.editor.update(pause_seconds=12, evening_at=app.settings.evening_at)
    qtbot.waitUntil(lambda: app.settings.pause_seconds == 12, timeout=5000)
    assert app.pauses.settings.pause_seconds == 12  # the next pause is 12 s long
    assert load_settings(app.profile.settings_path).settings.pause_seconds == 12

    app.tray.settings_requested.emit()  # asked again: the same window comes forward
    assert app.settings_view.window is window and shiboken6.isValid(window)


def test_a_test_app_offers_no_start_at_login(make_app, qtbot: QtBot) -> None:  # noqa: F811
    """Only the real launch (never --demo, never a test) may write a login entry."""
    app = make_app()
    app.start()
    app.open_settings("general")
    qtbot.waitUntil(lambda: app.settings_view.window.isVisible())
    assert not app.settings_view.window.general.login.isEnabled()
