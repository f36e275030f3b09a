"""The evening prompt as a real desktop notification on Linux: the app's own Notifier, sending
to a real notification daemon (dunst on its own Xvfb display) on a private D-Bus session bus.

What the daemon received is read back from the daemon itself (``dunstctl history``), so the
text is checked after every hop: the Notifier's sanitising, notify-send's argument handling,
D-Bus, and the daemon's parsing. With no daemon on the bus, the Notifier must notice the
failure and fall back (to the tray's message, in the app).

Needs Xvfb, dbus-daemon, dunst, dunstctl (with dbus-send) and notify-send - Debian: xvfb, dbus,
dunst, libnotify-bin (``make sysdeps-test``). Skipped without them, except under
MICROAPP_REQUIRE_E2E=1 (CI), where a missing tool fails. Nothing waits for time: each wait is
for a signal, a process or a thread, under a ceiling.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication
from PySide6.QtDBus import QDBusConnection, QDBusServiceWatcher
from pytestqt.qtbot import QtBot

from microapp.platform.notify import BODY_LIMIT, TITLE_LIMIT, Notifier, sanitise
from microapp.ui.evening_prompt import PROMPT_BODY, PROMPT_TITLE
from tests.real_parts import missing, need, private_bus, quiet_bus_config, stop

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="notification daemons on D-Bus are a Linux thing")

NOTIFICATIONS = "org.freedesktop.Notifications"
WAIT_MS = 15_000  # a ceiling for something that should happen at once
PROCESS_WAIT_S = 15


# Notes stay until closed (the test closes them, which moves them into the history it reads).
DUNSTRC = """[global]
    font = DejaVu Sans 10
    follow = none
    icon_position = off
[urgency_low]
    timeout = 0
[urgency_normal]
    timeout = 0
[urgency_critical]
    timeout = 0
"""


def _need(*tools: str) -> None:
    need(*tools, hint="Debian: xvfb dbus dunst libnotify-bin; make sysdeps-test installs them")


@pytest.fixture
def display() -> Iterator[str]:
    """An Xvfb display of its own (dunst draws its notes on X)."""
    _need("Xvfb")
    read_fd, write_fd = os.pipe()
    xvfb = subprocess.Popen(["Xvfb", "-displayfd", str(write_fd), "-screen", "0", "800x600x24",
                             "-nolisten", "tcp"],
                            pass_fds=(write_fd,), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    os.close(write_fd)
    try:
        with os.fdopen(read_fd) as pipe:
            number = pipe.readline().strip()  # written once the display accepts clients
        if not number:
            missing(f"Xvfb did not start (exit status {xvfb.poll()})")
        yield f":{number}"
    finally:
        stop(xvfb)


@pytest.fixture
def bus(tmp_path: Path) -> Iterator[str]:
    """A throw-away session bus (never the machine's own); its address."""
    folder = tmp_path / "bus"
    folder.mkdir()
    config = quiet_bus_config(folder)
    with private_bus(config) as address:
        yield address


@dataclass
class Daemon:
    env: dict[str, str]

    def history(self) -> list[dict[str, object]]:
        """Every note the daemon received, newest first, as {field: value}: the displayed ones
        are closed first, which is what moves them into dunst's history."""
        subprocess.run(["dunstctl", "close-all"], env=self.env, check=True,
                       timeout=PROCESS_WAIT_S, capture_output=True)
        done = subprocess.run(["dunstctl", "history"], env=self.env, check=True,
                              timeout=PROCESS_WAIT_S, capture_output=True, text=True)
        notes = json.loads(done.stdout)["data"][0]
        return [{key: field["data"] for key, field in note.items()} for note in notes]


@pytest.fixture
def daemon(qtbot: QtBot, display: str, bus: str, tmp_path: Path) -> Iterator[Daemon]:
    """dunst on the private bus and display, owning org.freedesktop.Notifications."""
    _need("dunst", "dunstctl", "dbus-send")
    env = {k: v for k, v in os.environ.items() if k != "WAYLAND_DISPLAY"}  # X11, ours
    env.update(DISPLAY=display, DBUS_SESSION_BUS_ADDRESS=bus, HOME=str(tmp_path))
    config = tmp_path / "dunstrc"
    config.write_text(DUNSTRC, encoding="utf-8")
    name = f"microapp-test-{uuid.uuid4().hex}"
    connection = QDBusConnection.connectToBus(bus, name)
    log = (tmp_path / "dunst.log").open("w", encoding="utf-8")
    proc: subprocess.Popen | None = None
    try:
        assert connection.isConnected(), connection.lastError().message()
        watcher = QDBusServiceWatcher(NOTIFICATIONS, connection,
                                      QDBusServiceWatcher.WatchModeFlag.WatchForRegistration)
        with qtbot.waitSignal(watcher.serviceRegistered, timeout=WAIT_MS, raising=False) as got:
            proc = subprocess.Popen(["dunst", "-config", str(config)], env=env,
                                    stdout=log, stderr=subprocess.STDOUT)
        if not got.signal_triggered:
            log.flush()
            why = (tmp_path / "dunst.log").read_text(encoding="utf-8")[-500:]
            pytest.fail(f"dunst did not take {NOTIFICATIONS} (exit status {proc.poll()}): {why}")
        yield Daemon(env)
    finally:
        if proc is not None:
            stop(proc)
        log.close()
        QDBusConnection.disconnectFromBus(name)


class Fallback:
    """Stands in for the tray's message: records what it was asked to show."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []

    def __call__(self, title: str, body: str) -> None:
        self.calls.append((title, body))


@pytest.fixture
def notifier_on(qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
                ) -> Callable[[str, str | None], tuple[Notifier, Fallback]]:
    """The app's real Notifier, pointed at a bus (and display) through the environment, the way
    a desktop session hands them to the app."""

    def make(address: str, display: str | None = None) -> tuple[Notifier, Fallback]:
        _need("notify-send")
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", address)
        if display is not None:
            monkeypatch.setenv("DISPLAY", display)
        fallback = Fallback()
        notifier = Notifier(fallback)
        if notifier.backend == "none":
            missing("no notification backend (needs notify-send from libnotify-bin)")
        return notifier, fallback

    return make


def send(notifier: Notifier, title: str, body: str) -> None:
    """Notify and wait until the sending thread is done and any fallback has been delivered."""
    before = set(threading.enumerate())
    notifier.notify(title, body)
    for thread in set(threading.enumerate()) - before:
        if thread.name == "microapp-notify":
            thread.join(timeout=Notifier.TIMEOUT_S + 5)
            assert not thread.is_alive(), "the notification thread hung"
    QCoreApplication.processEvents()  # a fallback is queued to this thread: delivered now


def test_the_evening_prompt_reaches_a_real_notification_daemon(daemon: Daemon, bus: str,
                                                               display: str, notifier_on) -> None:
    notifier, fallback = notifier_on(bus, display)
    send(notifier, PROMPT_TITLE, PROMPT_BODY)
    assert fallback.calls == []
    notes = daemon.history()
    assert len(notes) == 1
    note = notes[0]
    assert note["appname"] == "microapp"
    assert note["summary"] == sanitise(PROMPT_TITLE, TITLE_LIMIT) == PROMPT_TITLE
    assert note["body"] == sanitise(PROMPT_BODY, BODY_LIMIT)
    assert "lighter" in str(note["body"])


def test_unicode_and_quotes_arrive_whole_and_harmless(daemon: Daemon, bus: str, display: str,
                                                      notifier_on, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    title = 'Danke, „Jörg“ — it\'s "great" ✨ 日本語'
    body = (f"Ünïcødé 👋🏽 and 'quotes' \"too\"; $(touch {marker}) `touch {marker}` "
            "<b>not bold</b> & <a href='https://example.org'>no link</a>\nsecond line")
    notifier, fallback = notifier_on(bus, display)
    send(notifier, title, body)
    assert fallback.calls == []
    [note] = daemon.history()
    assert note["summary"] == sanitise(title, TITLE_LIMIT)
    assert note["body"] == sanitise(body, BODY_LIMIT)
    assert "„Jörg“" in str(note["summary"]) and "日本語" in str(note["summary"])
    assert "Ünïcødé 👋🏽" in str(note["body"])
    for text in (str(note["summary"]), str(note["body"])):
        assert not set(text) & set("'\"`<>\n\\")  # nothing a backend could take as syntax
    assert not marker.exists()


def test_with_no_daemon_on_the_bus_the_fallback_is_used(bus: str, notifier_on,
                                                        qtbot: QtBot) -> None:
    notifier, fallback = notifier_on(bus)
    send(notifier, PROMPT_TITLE, PROMPT_BODY)
    qtbot.waitUntil(lambda: bool(fallback.calls), timeout=WAIT_MS)
    assert fallback.calls == [(PROMPT_TITLE, sanitise(PROMPT_BODY, BODY_LIMIT))]
