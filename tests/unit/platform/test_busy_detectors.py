"""The concrete busy detectors: which ones a desktop gets, and each one against real parts where
this machine has them (gsettings with a keyfile backend, xprop on Xvfb, a private D-Bus with a
stand-in KDE notification server) or fake tools where it cannot."""

from __future__ import annotations

import contextlib
import json
import os
import stat
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from microapp.platform.busy import BusyCheck, dnd_detectors, fullscreen_detectors
from microapp.platform.busy_detectors import (
    CommandDetector,
    KdeInhibited,
    MacFocus,
    WindowsFullscreen,
    X11Fullscreen,
    gnome_detector,
    run_tool,
    xfce_detector,
)
from tests.real_parts import REQUIRE_REAL, need


def tool(folder: Path, name: str, script: str) -> str:
    """A small executable shell script standing in for a desktop tool."""
    path = folder / name
    path.write_text("#!/bin/sh\n" + textwrap.dedent(script), encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)


def everything(name: str) -> str:
    return f"/usr/bin/{name}"


def nothing(_name: str) -> None:
    return None


# --- which detectors a desktop gets -----------------------------------------------------------

@pytest.mark.parametrize(("desktop", "names"), [
    ("GNOME", ["gnome-show-banners"]),
    ("ubuntu:GNOME", ["gnome-show-banners"]),
    ("Unity", ["gnome-show-banners"]),
    ("KDE", ["kde-inhibited"]),
    ("XFCE", ["xfce-do-not-disturb"]),
    ("X-Cinnamon", []),
    ("", []),
])
def test_do_not_disturb_detectors_follow_the_desktop(desktop: str, names: list[str]) -> None:
    found = dnd_detectors({"XDG_CURRENT_DESKTOP": desktop}, "linux", everything)
    assert [d.name for d in found] == names


def test_a_missing_tool_means_no_detector() -> None:
    assert dnd_detectors({"XDG_CURRENT_DESKTOP": "GNOME"}, "linux", nothing) == []
    assert dnd_detectors({"XDG_CURRENT_DESKTOP": "XFCE"}, "linux", nothing) == []
    assert fullscreen_detectors({"DISPLAY": ":0"}, "linux", nothing) == []


def test_other_platforms() -> None:
    assert [d.name for d in dnd_detectors({}, "darwin", nothing)] == ["macos-focus"]
    assert dnd_detectors({}, "win32", everything) == []  # Focus Assist: no documented source
    assert [d.name for d in fullscreen_detectors({}, "win32", nothing)] == [
        "windows-notification-state"]
    assert fullscreen_detectors({"DISPLAY": ":0"}, "darwin", everything) == []


def test_x11_fullscreen_needs_a_display() -> None:
    assert fullscreen_detectors({}, "linux", everything) == []
    assert fullscreen_detectors({"WAYLAND_DISPLAY": "wayland-0"}, "linux", everything) == []
    found = fullscreen_detectors({"DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0"}, "linux",
                                 everything)
    assert [d.name for d in found] == ["x11-fullscreen"]


# --- command-line tools -----------------------------------------------------------------------

def test_a_tool_that_fails_is_slow_or_missing_cannot_tell(tmp_path: Path) -> None:
    broken = tool(tmp_path, "xfconf-query", """\
        echo 'Property "/do-not-disturb" does not exist on channel "xfce4-notifyd".' >&2
        exit 1
        """)
    assert xfce_detector(broken).busy() is None
    slow = tool(tmp_path, "slow", "exec sleep 30\n")
    assert CommandDetector("slow", [slow], lambda _out: True, timeout_s=0.2).busy() is None
    assert gnome_detector(str(tmp_path / "absent")).busy() is None
    assert run_tool([str(tmp_path / "absent")]) is None


def test_a_reader_that_raises_cannot_tell(tmp_path: Path) -> None:
    def explode(_output: str) -> bool:
        raise KeyError("bug")

    ok = tool(tmp_path, "ok", "echo true\n")
    assert CommandDetector("buggy", [ok], explode).busy() is None


def test_xfce_detector_reads_the_tool(tmp_path: Path) -> None:
    on = tool(tmp_path, "xfconf-query", """\
        [ "$*" = "-c xfce4-notifyd -p /do-not-disturb" ] || exit 2
        echo true
        """)
    assert xfce_detector(on).busy() is True


def test_gnome_detector_with_real_gsettings(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    [gsettings] = need("gsettings")
    monkeypatch.setenv("GSETTINGS_BACKEND", "keyfile")  # a private settings file, not dconf
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    probe = run_tool([gsettings, "get", "org.gnome.desktop.notifications", "show-banners"])
    if probe is None:
        if REQUIRE_REAL:
            pytest.fail("gsettings has no org.gnome.desktop.notifications schema")
        pytest.skip("gsettings has no org.gnome.desktop.notifications schema")
    detector = gnome_detector(gsettings)
    assert detector.busy() is False
    subprocess.run([gsettings, "set", "org.gnome.desktop.notifications", "show-banners",
                    "false"], check=True, timeout=10)
    assert detector.busy() is True


# --- X11 on a real (virtual) X server ---------------------------------------------------------

@pytest.fixture
def xvfb() -> Iterator[str]:
    """A private Xvfb on a free display (it picks the number and reports it when ready)."""
    [server] = need("Xvfb", "xprop", "xwininfo")[:1]
    # -noreset: without a window manager holding a connection, the server would forget the
    # root window's properties each time xprop disconnects.
    with subprocess.Popen(
            [server, "-displayfd", "1", "-noreset", "-nolisten", "tcp",
             "-screen", "0", "64x64x24"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True) as process:
        try:
            assert process.stdout is not None
            number = process.stdout.readline().strip()
            assert number.isdigit(), "Xvfb did not start"
            yield f":{number}"
        finally:
            process.kill()


def xprop(display: str, *args: str) -> None:
    subprocess.run(["xprop", "-display", display, *args], check=True, timeout=10)


def root_window(display: str) -> str:
    info = subprocess.run(["xwininfo", "-display", display, "-root"], check=True, timeout=10,
                          capture_output=True, text=True).stdout
    return next(line.split()[3] for line in info.splitlines() if "Window id:" in line)


def test_x11_fullscreen_on_xvfb(xvfb: str) -> None:
    detector = X11Fullscreen("xprop", display=xvfb)
    assert detector.busy() is None  # no window manager says what has focus

    root = root_window(xvfb)
    # Stand-in for a window manager: the root window is "focused", then made fullscreen.
    xprop(xvfb, "-root", "-f", "_NET_ACTIVE_WINDOW", "32x", "-set", "_NET_ACTIVE_WINDOW", root)
    assert detector.busy() is False
    xprop(xvfb, "-root", "-f", "_NET_WM_STATE", "32a", "-set", "_NET_WM_STATE",
          "_NET_WM_STATE_MAXIMIZED_VERT")
    assert detector.busy() is False
    xprop(xvfb, "-root", "-f", "_NET_WM_STATE", "32a", "-set", "_NET_WM_STATE",
          "_NET_WM_STATE_ABOVE,_NET_WM_STATE_FULLSCREEN")
    assert detector.busy() is True

    xprop(xvfb, "-root", "-f", "_NET_ACTIVE_WINDOW", "32x", "-set", "_NET_ACTIVE_WINDOW",
          "0x1234567")  # a window that does not exist (closed meanwhile)
    assert detector.busy() is None
    xprop(xvfb, "-root", "-f", "_NET_ACTIVE_WINDOW", "32x", "-set", "_NET_ACTIVE_WINDOW", "0")
    assert detector.busy() is None


def test_x11_without_a_server_cannot_tell(tmp_path: Path) -> None:
    need("xprop")
    assert X11Fullscreen("xprop", display=":4711").busy() is None


# --- KDE: a private session bus with a stand-in notification server ---------------------------

NOTIFICATION_SERVER = """
import sys
from PySide6.QtCore import ClassInfo, Property, QCoreApplication, QObject
from PySide6.QtDBus import QDBusConnection

app = QCoreApplication([])

@ClassInfo({"D-Bus Interface": "org.freedesktop.Notifications"})
class Server(QObject):
    def _inhibited(self):
        return sys.argv[2] == "on"
    Inhibited = Property(bool, _inhibited)

server = Server()
bus = QDBusConnection.connectToBus(sys.argv[1], "stand-in")
bus.registerObject("/org/freedesktop/Notifications", server,
                   QDBusConnection.RegisterOption.ExportAllProperties)
print("ready" if bus.registerService("org.freedesktop.Notifications") else "taken", flush=True)
app.exec()
"""


@pytest.fixture
def session_bus() -> Iterator[str]:
    [daemon] = need("dbus-daemon")
    with subprocess.Popen(
            [daemon, "--session", "--nofork", "--nopidfile", "--print-address=1"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True) as process:
        try:
            assert process.stdout is not None
            address = process.stdout.readline().strip()
            assert address, "dbus-daemon did not start"
            yield address
        finally:
            process.kill()


@contextlib.contextmanager
def notification_server(address: str, inhibited: bool) -> Iterator[None]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    with subprocess.Popen(
            [sys.executable, "-c", NOTIFICATION_SERVER, address, "on" if inhibited else "off"],
            stdout=subprocess.PIPE, text=True, env=env) as process:
        try:
            assert process.stdout is not None
            assert process.stdout.readline().strip() == "ready"
            yield
        finally:
            process.kill()


@pytest.mark.parametrize("inhibited", [True, False])
def test_kde_inhibited_over_real_dbus(qapp: object, session_bus: str, inhibited: bool) -> None:
    with notification_server(session_bus, inhibited):
        assert KdeInhibited(address=session_bus).busy() is inhibited


def test_kde_through_busy_check_keeps_the_ui_thread_free(qtbot: QtBot, session_bus: str) -> None:
    check = BusyCheck([KdeInhibited(address=session_bus)], [])
    with notification_server(session_bus, True), \
            qtbot.waitSignal(check.done, timeout=10_000) as blocker:
        check.start(snoozed_until=None, now=datetime(2026, 3, 10, 9, 0, tzinfo=UTC),
                    respect_dnd=True, respect_fullscreen=True)
    assert blocker.args == ["do-not-disturb"]


def test_kde_without_a_notification_server_cannot_tell(qapp: object, session_bus: str) -> None:
    assert KdeInhibited(address=session_bus).busy() is None


def test_kde_without_a_bus_cannot_tell(qapp: object, tmp_path: Path) -> None:
    address = f"unix:path={tmp_path / 'no-bus'}"
    assert KdeInhibited(address=address).busy() is None


# --- macOS and Windows (their readers are tested in tests/unit/core/test_busy.py) -------------

def test_macos_focus_reads_the_file(tmp_path: Path) -> None:
    path = tmp_path / "Assertions.json"
    detector = MacFocus(path)
    assert detector.busy() is None  # no such file: an older macOS, or not a Mac
    path.write_text(json.dumps({"data": [{"storeAssertionRecords": [{"assertionUUID": "x"}]}]}))
    assert detector.busy() is True
    path.write_text(json.dumps({"data": [{}]}))
    assert detector.busy() is False
    path.write_bytes(b"{" * (2 << 20))
    assert detector.busy() is None


@pytest.mark.skipif(sys.platform == "win32", reason="checks the non-Windows path")
def test_windows_detector_elsewhere_cannot_tell() -> None:
    assert WindowsFullscreen().busy() is None
