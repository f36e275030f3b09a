"""The concrete do-not-disturb and fullscreen detectors, one per desktop.

Each asks one small question of the desktop with a short timeout and hands the raw answer to a
pure reader in :mod:`microapp.core.busy`. None of them raises: a missing tool, a slow one, an
error or odd output is "cannot tell" (None). They are called from worker threads
(:class:`microapp.platform.busy.BusyCheck`), never from the UI thread.
"""

from __future__ import annotations

import logging
import os
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from microapp.core.busy import (
    gnome_dnd,
    kde_dnd,
    macos_focus,
    windows_fullscreen,
    x11_active_window,
    x11_fullscreen,
    xfce_dnd,
)

if TYPE_CHECKING:  # QtDBus is imported only where it is used: not every platform has it
    from PySide6.QtDBus import QDBusConnection

log = logging.getLogger(__name__)

TIMEOUT_S = 0.5


def run_tool(argv: Sequence[str], timeout_s: float = TIMEOUT_S,
             env: Mapping[str, str] | None = None) -> str | None:
    """The stdout of a quick command-line tool, or None when it is missing, fails or is slow."""
    try:
        done = subprocess.run(
            list(argv), capture_output=True, text=True, encoding="utf-8", errors="replace",
            timeout=timeout_s, check=False, stdin=subprocess.DEVNULL,
            env={**(env if env is not None else os.environ), "LC_ALL": "C"})
    except (OSError, subprocess.SubprocessError, ValueError) as exc:
        log.debug("%s gave no answer: %s", argv[0], exc)
        return None
    if done.returncode != 0:
        log.debug("%s exited with %s: %s", argv[0], done.returncode, done.stderr.strip()[:200])
        return None
    return done.stdout


class CommandDetector:
    """One command whose output a pure reader turns into busy / not busy / cannot tell."""

    def __init__(self, name: str, argv: Sequence[str], read: Callable[[str], bool | None],
                 timeout_s: float = TIMEOUT_S) -> None:
        self.name = name
        self.argv = tuple(argv)
        self._read = read
        self.timeout_s = timeout_s

    def busy(self) -> bool | None:
        output = run_tool(self.argv, self.timeout_s)
        if output is None:
            return None
        try:
            return self._read(output)
        except Exception:  # a reader bug must not cost the user a pause
            log.exception("the %s detector could not read %r", self.name, output[:200])
            return None

    def __repr__(self) -> str:
        return f"CommandDetector({self.name!r})"


def gnome_detector(gsettings: str = "gsettings") -> CommandDetector:
    """GNOME (and Ubuntu, Unity): Do Not Disturb hides banners."""
    return CommandDetector(
        "gnome-show-banners",
        (gsettings, "get", "org.gnome.desktop.notifications", "show-banners"), gnome_dnd)


def xfce_detector(xfconf_query: str = "xfconf-query") -> CommandDetector:
    """XFCE's notification daemon (xfce4-notifyd) keeps its do-not-disturb in xfconf."""
    return CommandDetector(
        "xfce-do-not-disturb",
        (xfconf_query, "-c", "xfce4-notifyd", "-p", "/do-not-disturb"), xfce_dnd)


class X11Fullscreen:
    """Whether the focused X11 window is fullscreen (a presentation, a shared screen).

    Under a Wayland session the X server (XWayland) knows only X clients' windows, so a native
    Wayland window gives no answer here (its id is 0x0): cannot tell, never a false "busy".
    """

    name = "x11-fullscreen"

    def __init__(self, xprop: str = "xprop", display: str | None = None,
                 timeout_s: float = TIMEOUT_S) -> None:
        self.xprop = xprop
        self.display = display  # None: the DISPLAY of the environment
        self.timeout_s = timeout_s

    def _xprop(self, *args: str) -> str | None:
        where = ("-display", self.display) if self.display else ()
        return run_tool((self.xprop, *where, *args), self.timeout_s)

    def busy(self) -> bool | None:
        try:
            active = self._xprop("-root", "_NET_ACTIVE_WINDOW")
            window = None if active is None else x11_active_window(active)
            if window is None:
                return None
            state = self._xprop("-id", hex(window), "_NET_WM_STATE")
            return None if state is None else x11_fullscreen(state)
        except Exception:
            log.exception("the X11 fullscreen detector failed")
            return None


NOTIFICATIONS = "org.freedesktop.Notifications"
NOTIFICATIONS_PATH = "/org/freedesktop/Notifications"


class KdeInhibited:
    """KDE Plasma's do-not-disturb: the ``Inhibited`` property of its notification server.

    PySide6 keeps Python's GIL during a blocking QtDBus call, so even a blocking call in a
    worker thread would freeze the UI thread until it returns. The call is therefore sent
    asynchronously and this (worker) thread polls for the answer, sleeping between looks so
    the UI thread keeps running.
    """

    name = "kde-inhibited"
    POLL_S = 0.01

    def __init__(self, address: str | None = None, timeout_s: float = TIMEOUT_S) -> None:
        self.address = address  # None: the session bus; else a bus address (tests)
        self.timeout_s = timeout_s

    def busy(self) -> bool | None:
        try:
            return self._ask()
        except Exception:
            log.exception("the KDE do-not-disturb detector failed")
            return None

    def _ask(self) -> bool | None:
        from PySide6.QtDBus import QDBusConnection

        if self.address is None:
            return self._ask_on(QDBusConnection.sessionBus())
        name = f"microapp-busy {self.address}"
        try:
            return self._ask_on(QDBusConnection.connectToBus(self.address, name))
        finally:
            QDBusConnection.disconnectFromBus(name)

    def _ask_on(self, bus: QDBusConnection) -> bool | None:
        from PySide6.QtDBus import QDBusMessage, QDBusVariant

        if not bus.isConnected():
            return None
        message = QDBusMessage.createMethodCall(
            NOTIFICATIONS, NOTIFICATIONS_PATH, "org.freedesktop.DBus.Properties", "Get")
        message.setArguments([NOTIFICATIONS, "Inhibited"])
        pending = bus.asyncCall(message, int(self.timeout_s * 1000))
        give_up = time.monotonic() + self.timeout_s + 0.2  # QtDBus times out first
        while not pending.isFinished():
            if time.monotonic() > give_up:
                return None
            time.sleep(self.POLL_S)
        reply = pending.reply()
        if reply.type() != QDBusMessage.MessageType.ReplyMessage:
            log.debug("no Inhibited property: %s", reply.errorName())
            return None
        values = reply.arguments()
        value = values[0] if values else None
        if isinstance(value, QDBusVariant):
            value = value.variant()
        return kde_dnd(value)


MAX_FILE_BYTES = 1 << 20


class MacFocus:
    """macOS Focus, as recorded in the user's DoNotDisturb database (macOS 12 and later).

    Newer macOS versions may ask for Full Disk Access before this file can be read; a refusal
    is "cannot tell".
    """

    name = "macos-focus"

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or Path.home() / "Library" / "DoNotDisturb" / "DB" / "Assertions.json"

    def busy(self) -> bool | None:
        try:
            with self.path.open("rb") as handle:
                raw = handle.read(MAX_FILE_BYTES + 1)
        except OSError:
            return None
        if len(raw) > MAX_FILE_BYTES:
            return None
        return macos_focus(raw)


class WindowsFullscreen:
    """Windows' own answer to "may I interrupt?" (SHQueryUserNotificationState): fullscreen
    applications and Presentation Settings."""

    name = "windows-notification-state"

    def busy(self) -> bool | None:
        try:
            import ctypes

            state = ctypes.c_int(0)
            result = ctypes.windll.shell32.SHQueryUserNotificationState(  # type: ignore[attr-defined]
                ctypes.byref(state))
        except (AttributeError, OSError, ImportError):
            return None
        return windows_fullscreen(state.value) if result == 0 else None
