"""Starting the app: the icon first, the rest built after it; nothing a user does meanwhile is
lost, and no meeting either."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import timedelta

import pytest
import shiboken6
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import QSystemTrayIcon
from pytestqt.qtbot import QtBot

from microapp.core.meetings import Meeting
from microapp.core.paths import Profile
from microapp.launch import Launch
from microapp.platform.busy import BusyCheck
from microapp.platform.instance import InstanceServer
from microapp.platform.system_events import SystemEvents
from microapp.ui.calendar_service import CalendarSnapshot
from microapp.ui.theme import palette_for
from microapp.ui.tray import TrayController
from tests.gui.test_app import FakeNotifier, build_app, close_app
from tests.helpers import FakeClock


@pytest.fixture
def kept_logging() -> Iterator[None]:
    """A launch sets up the profile's log file: the test's logging is put back after it."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in root.handlers:
        if handler not in handlers:
            handler.close()
    root.handlers[:] = handlers
    root.setLevel(level)


def plain_icon() -> QSystemTrayIcon:
    pixmap = QPixmap(22, 22)
    pixmap.fill(QColor("#2A7F6C"))
    return QSystemTrayIcon(QIcon(pixmap))  # not shown: offscreen has no tray to show it in


def stand_ins(clock: FakeClock) -> dict[str, object]:
    return {"tray_controller": TrayController(palette_for("light"), tray_available=lambda: False),
            "busy_check": BusyCheck([], []), "notifier": FakeNotifier(),
            "system_events": SystemEvents(clock.zone, bus=None, localtime_paths=()),
            "opener": lambda url: True}


def test_commands_from_other_launches_wait_for_the_app(
        profile: Profile, clock: FakeClock, qtbot: QtBot, kept_logging, long_pause) -> None:
    server = InstanceServer(profile.instance_key())
    assert server.listen()
    launch = Launch(profile, server, clock=clock)
    try:
        server.command_received.emit("pause")  # `microapp pause` before the app was built
        assert launch.early == ["pause"]
        app = launch.build(**stand_ins(clock))
        assert launch.app is app and launch.early == []
        assert app.pauses.showing  # the pause that was asked for is there
        server.command_received.emit("show")  # later commands go straight to the app
        assert launch.early == []
    finally:
        if launch.app is not None:
            close_app(launch.app, qtbot)
        server.close()


def test_a_meeting_that_starts_while_the_app_is_built_still_gets_its_pause(
        profile: Profile, clock: FakeClock, qtbot: QtBot, long_pause) -> None:
    launched = clock.now()
    clock.advance(seconds=2)  # the app is built a moment after the launch
    meeting = Meeting("Stand-up", launched + timedelta(seconds=1),
                      launched + timedelta(minutes=15), "work", "u1")
    late = build_app(profile, clock, since=launched)
    try:
        assert late.start()
        with qtbot.waitSignal(late.scheduler.cue_due, timeout=1000):
            late._on_calendars(CalendarSnapshot(meetings=(meeting,)))
        qtbot.waitUntil(lambda: late.pauses.showing, timeout=3000)
    finally:
        close_app(late, qtbot)


def test_a_meeting_from_before_the_launch_is_left_alone(
        profile: Profile, clock: FakeClock, qtbot: QtBot) -> None:
    launched = clock.now()
    meeting = Meeting("Earlier", launched - timedelta(seconds=30),
                      launched + timedelta(minutes=15), "work", "u2")
    app = build_app(profile, clock, since=launched)
    try:
        assert app.start()
        with qtbot.assertNotEmitted(app.scheduler.cue_due, wait=50):
            app._on_calendars(CalendarSnapshot(meetings=(meeting,)))
        assert not app.pauses.showing
    finally:
        close_app(app, qtbot)


def test_the_plain_icon_gives_way_to_the_trays_own(profile: Profile, clock: FakeClock,
                                                   qtbot: QtBot) -> None:
    icon = plain_icon()
    app = build_app(profile, clock, shown_icon=icon)
    try:
        assert app.start()
        assert app.tray.window is not None  # no tray here: the stand-in window instead
        qtbot.waitUntil(lambda: not shiboken6.isValid(icon), timeout=2000)
    finally:
        close_app(app, qtbot)


class TakingTray(TrayController):
    """A tray that can take the plain icon over (so the tray host never sees it go)."""

    def __init__(self) -> None:
        super().__init__(palette_for("light"), tray_available=lambda: False)
        self.taken: list[QSystemTrayIcon] = []

    def take_over_icon(self, icon: QSystemTrayIcon) -> None:
        self.taken.append(icon)
        icon.setParent(self)


def test_a_tray_that_can_take_the_plain_icon_over_is_given_it(
        profile: Profile, clock: FakeClock, qtbot: QtBot) -> None:
    icon, tray = plain_icon(), TakingTray()
    app = build_app(profile, clock, shown_icon=icon, tray_controller=tray)
    try:
        assert app.start()
        assert tray.taken == [icon] and shiboken6.isValid(icon)
        assert tray.window is None  # not started a second time
    finally:
        close_app(app, qtbot)


def test_a_launch_that_cannot_build_the_app_leaves_nothing_behind(profile: Profile,
                                                                  clock: FakeClock) -> None:
    server = InstanceServer(profile.instance_key())
    assert server.listen()
    icon = plain_icon()
    launch = Launch(profile, server, clock=clock, icon=icon)
    launch.abandon()
    assert not server.listening and not icon.isVisible()
