"""The running app as a whole: a pause is shown, saved and counted; problems are told once."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import shiboken6
from pytestqt.qtbot import QtBot

from microapp.app import MicroApp
from microapp.core.paths import Profile
from microapp.core.settings import load_settings
from microapp.platform.busy import BusyCheck
from microapp.platform.system_events import SystemEvents
from microapp.store.db import open_store
from microapp.ui.pause_controller import PauseController
from microapp.ui.theme import palette_for
from microapp.ui.tray import TrayController
from tests.gui.pause_helpers import reach
from tests.helpers import FakeClock


class FakeNotifier:
    """Stands in for the desktop's notifications: tests must never pop real ones."""

    backend = "fake"

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    def notify(self, title: str, body: str) -> None:
        self.sent.append((title, body))


def build_app(profile: Profile, clock: FakeClock, **kwargs) -> MicroApp:
    """A MicroApp with no real tray, desktop bus, detectors or notifications."""
    loaded = load_settings(profile.settings_path)
    opened = kwargs.pop("opened", None) or open_store(profile.database_path, clock.now())
    kwargs.setdefault("tray_controller",
                      TrayController(palette_for("light"), tray_available=lambda: False))
    kwargs.setdefault("busy_check", BusyCheck([], []))
    kwargs.setdefault("notifier", FakeNotifier())
    kwargs.setdefault("system_events", SystemEvents(clock.zone, bus=None, localtime_paths=()))
    kwargs.setdefault("opener", lambda url: True)
    return MicroApp(profile=profile, clock=clock, loaded=loaded, opened=opened, **kwargs)


def close_app(app: MicroApp, qtbot: QtBot) -> None:
    """Shut a test's app down; a pause still showing is left first, and a completed one is let
    fade out before the next test moves the pointer."""
    session = app.pauses.session
    if session is not None and shiboken6.isValid(session):
        if not session.done:
            session.skip()
        qtbot.waitUntil(lambda: not shiboken6.isValid(session)
                        or not any(v.isVisible() for v in session.views), timeout=3000)
    app.shutdown()


@pytest.fixture
def make_app(profile: Profile, clock: FakeClock, monkeypatch: pytest.MonkeyPatch, qtbot: QtBot):
    monkeypatch.setattr(MicroApp, "STARTUP_MESSAGE_DELAY_MS", 10)
    made: list[MicroApp] = []

    def make(settings_text: str | None = None, **kwargs) -> MicroApp:
        if settings_text is not None:
            profile.settings_path.parent.mkdir(parents=True, exist_ok=True)
            profile.settings_path.write_text(settings_text, encoding="utf-8")
        app = build_app(profile, clock, **kwargs)
        made.append(app)
        return app

    yield make
    for app in made:
        close_app(app, qtbot)


def test_pause_now_is_shown_saved_and_counted(make_app, qtbot: QtBot, quick_pause,
                                              clock: FakeClock) -> None:
    app = make_app()
    assert app.start()
    app.tray.pause_action.trigger()
    session = app.pauses.session
    assert session is not None and all(v.isVisible() for v in session.views)
    app.tray.window.hide()  # offscreen has no stacking: the pointer must find the pause
    reach(session.views[0])
    qtbot.keyClick(session.views[0], "3")
    with qtbot.waitSignal(session.finished, timeout=3000):
        pass
    pauses = app.history.pauses_on(clock.now().date())
    assert [(p.outcome.value, p.intention.value) for p in pauses] == [("completed", "encourage")]
    assert pauses[0].tz == "Europe/Berlin"
    panel = app.tray.window.panel
    assert panel.pause_streak.text().startswith("Pause streak: 1 day")


def test_a_pause_just_after_midnight_counts_for_the_evening_before(
        make_app, qtbot: QtBot, quick_pause, clock: FakeClock) -> None:
    clock.set(datetime(2026, 3, 11, 0, 30, tzinfo=ZoneInfo("Europe/Berlin")))
    app = make_app()
    assert app.start()
    app.show_pause()
    with qtbot.waitSignal(app.pauses.session.finished, timeout=3000):
        pass
    assert [p.day.isoformat() for p in app.history.pauses_on(datetime(2026, 3, 10).date())] == [
        "2026-03-10"]


def test_escape_is_saved_as_skipped(make_app, qtbot: QtBot, monkeypatch) -> None:
    monkeypatch.setattr(PauseController, "SECOND_MS", 12_000)  # a minute-long pause
    app = make_app()
    assert app.start()
    app.handle_command("pause")
    view = app.pauses.session.views[0]
    app.tray.window.hide()  # offscreen has no stacking: the pointer must find the pause
    reach(view)
    with qtbot.waitSignal(app.pauses.session.finished, timeout=1000):
        qtbot.keyClick(view, "\x1b")  # Esc
    outcomes = [p.outcome.value for p in app.history.pauses_on(app.clock.now().date())]
    assert outcomes == ["skipped"]


def test_asking_twice_does_not_stack_two_pauses(make_app, monkeypatch) -> None:
    monkeypatch.setattr(PauseController, "SECOND_MS", 12_000)  # a minute-long pause
    app = make_app()
    assert app.start()
    app.show_pause()
    first = app.pauses.session
    app.handle_command("pause")
    assert app.pauses.session is first


def test_a_bad_settings_file_is_told_once_and_left_untouched(make_app, qtbot: QtBot,
                                                            profile: Profile) -> None:
    text = '[general]\nday_starts_at = "25:99"\ntheme = 3\n'
    app = make_app(text)
    assert app.start()
    notice = app.tray.window.panel.notice
    qtbot.waitUntil(lambda: "day_starts_at" in notice.text(), timeout=2000)
    assert "25:99" in notice.text() and "1 more" in notice.text()
    assert profile.settings_path.read_text(encoding="utf-8") == text
    assert app.settings.day_starts_at.hour == 4  # the default stands in


def test_a_second_app_on_the_same_profile_does_not_start(make_app) -> None:
    first = make_app()
    assert first.start()
    second = make_app()
    assert second.start() is False


def test_quit_during_a_pause_records_it_as_skipped(make_app, monkeypatch, qtbot) -> None:
    monkeypatch.setattr(PauseController, "SECOND_MS", 12_000)  # a minute-long pause
    app = make_app()
    assert app.start()
    app.show_pause()
    monkeypatch.setattr("microapp.app.QApplication.quit", lambda: None)
    history = app.history
    day = app.clock.now().date()
    outcomes: list[str] = []
    app.pauses.session.finished.connect(lambda o, i: outcomes.append(o))
    app.quit()
    assert outcomes == ["skipped"]
    assert history.db.is_closed()
    reopened = open_store(app.profile.database_path, app.clock.now())
    try:
        from microapp.store.history import History

        assert [p.outcome.value for p in History(reopened.db).pauses_on(day)] == ["skipped"]
    finally:
        reopened.db.close()


def test_an_unwritable_data_folder_still_shows_the_app_and_says_why(
        tmp_path, clock: FakeClock, qtbot: QtBot, quick_pause, monkeypatch) -> None:
    monkeypatch.setattr(MicroApp, "STARTUP_MESSAGE_DELAY_MS", 10)
    root = tmp_path / "p"
    root.mkdir()
    (root / "data").write_text("a file where the data folder should be")  # mkdir fails, as root too
    profile = Profile.under(root)
    opened = open_store(profile.database_path, clock.now())
    assert not opened.persistent
    app = build_app(profile, clock, opened=opened)
    tray = app.tray
    try:
        assert app.start()
        assert tray.window.isVisible()
        notice = tray.window.panel.notice
        qtbot.waitUntil(lambda: "cannot write its history folder" in notice.text(), timeout=2000)
        app.show_pause()  # pauses still work for this session
        with qtbot.waitSignal(app.pauses.session.finished, timeout=3000):
            pass
        assert [p.outcome.value for p in app.history.pauses_on(clock.now().date())] == [
            "completed"]
    finally:
        app.shutdown()


def test_light_or_dark_follows_the_setting_and_the_system(make_app, monkeypatch) -> None:
    from dataclasses import replace

    from microapp.ui.theme import DARK, LIGHT

    app = make_app('[general]\ntheme = "light"\n')
    assert app.start()
    app.tray.show_today()
    assert app.pauses.palette is LIGHT
    app.apply_settings(replace(app.settings, theme="dark"))
    assert app.pauses.palette is DARK and app.reflection.palette is DARK
    assert app.tray.popup is None or app.tray.popup.isVisible()  # rebuilt in the new colours
    app.apply_settings(replace(app.settings, theme="system"))
    monkeypatch.setattr("microapp.app.palette_for", lambda theme: LIGHT)
    app._on_color_scheme()  # the desktop switched to light
    assert app.pauses.palette is LIGHT and app.history_view.palette is LIGHT
