"""Quiet desktop notifications, safe for untrusted calendar text, never blocking the UI.

On Linux, plyer 2.1 picks dbus-python when it imports, else ``notify-send``, else a backend that
does nothing (with a warning); inside a sandbox it builds a ``gdbus`` command whose GVariant
text holds the title and body between unescaped single quotes. :func:`detect_backend` makes
the same choice up front, so "nothing can deliver" is known and the caller's fallback (the
tray's own message) is used instead. Two differences from plyer, both deliberate:

* a Flatpak is recognised by ``/.flatpak-info`` (plyer looks for a ``/app`` folder, which many
  containers have outside any sandbox);
* ``notify-send`` and ``gdbus`` are run here rather than through plyer, so a failure (no
  notification server) is seen and falls back, the title can never be taken for an option
  (``--``), and the note expires instead of staying forever (plyer passes ``-t 0``).

Whatever the backend, every title and body first passes through :func:`sanitise`.
"""

from __future__ import annotations

import contextlib
import importlib.util
import logging
import shutil
import subprocess
import sys
import threading
import unicodedata
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal, Slot

log = logging.getLogger(__name__)

FLATPAK_INFO = Path("/.flatpak-info")
BACKENDS = ("dbus", "notify-send", "flatpak-gdbus", "plyer", "none")
TITLE_LIMIT = 80
BODY_LIMIT = 300

# Characters that mean something to a backend's parser or renderer: quotes and backslash end
# or escape GVariant strings (gdbus); backticks and "$" only matter to shells, and no shell is
# ever involved, but a stray backtick is replaced anyway; "<", ">" and "&" are markup to many
# notification servers (body-markup), which would render links or images from a calendar.
_REPLACEMENTS = {
    "'": "’", '"': "”", "`": "’", "\\": "/",
    "<": "‹", ">": "›", "&": " and ",
}
_KEEP_FORMAT = {"\u200c", "\u200d"}  # zero-width (non-)joiners: needed by some scripts, emoji


def sanitise(text: str, limit: int) -> str:
    """One short line of text no notification backend can misread.

    Control characters and line breaks become spaces, invisible formatting characters (bidi
    overrides among them) and lone surrogates go, quoting and markup characters are replaced
    by harmless look-alikes, runs of spaces collapse, and the result is cut to ``limit``.
    """
    kept: list[str] = []
    for char in str(text):
        if char in _REPLACEMENTS:
            kept.append(_REPLACEMENTS[char])
            continue
        category = unicodedata.category(char)
        if category in ("Cc", "Zl", "Zp") or char.isspace():
            kept.append(" ")
        elif category == "Cs" or (category == "Cf" and char not in _KEEP_FORMAT):
            continue
        else:
            kept.append(char)
    line = " ".join("".join(kept).split())
    if len(line) > limit:
        line = line[: limit - 1].rstrip() + "…"
    return line


def _has_dbus_python() -> bool:
    try:
        return importlib.util.find_spec("dbus") is not None
    except (ImportError, ValueError):
        return False


def detect_backend(platform: str | None = None) -> str:
    """Which way a notification would leave this machine (one of :data:`BACKENDS`)."""
    platform = platform or sys.platform
    if not platform.startswith("linux"):
        return "plyer"
    if FLATPAK_INFO.exists():
        return "flatpak-gdbus" if shutil.which("gdbus") else "none"
    if _has_dbus_python():
        return "dbus"
    if shutil.which("notify-send"):
        return "notify-send"
    return "none"


def gvariant_string(text: str) -> str:
    """A GVariant text-format string literal. :func:`sanitise` already removed every quote
    and backslash; escaping again costs nothing and keeps this safe on its own."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


class Notifier(QObject):
    """Sends one quiet notification at a time, in a daemon thread; falls back to ``fallback``
    (called on the UI thread, with the sanitised text) whenever delivery is impossible."""

    TIMEOUT_S = 10.0  # a notification tool that takes longer has failed
    EXPIRE_MS = 8000

    _failed = Signal(str, str)  # from the sending thread; queued into this object's thread

    def __init__(self, fallback: Callable[[str, str], None], app_name: str = "microapp",
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._fallback = fallback
        self.app_name = sanitise(app_name, 40) or "microapp"
        self.backend = detect_backend()
        tool = {"notify-send": "notify-send", "flatpak-gdbus": "gdbus"}.get(self.backend)
        self._tool = shutil.which(tool) if tool else None
        self._failed.connect(self._fall_back, Qt.ConnectionType.QueuedConnection)
        log.info("notifications go through %s", self.backend)

    def notify(self, title: str, body: str) -> None:
        """Show ``title`` and ``body`` (untrusted text is fine) without blocking the caller."""
        title = sanitise(title, TITLE_LIMIT) or self.app_name
        body = sanitise(body, BODY_LIMIT)
        if self.backend == "none":
            self._fallback(title, body)
            return
        threading.Thread(target=self._send, args=(title, body), daemon=True,
                         name="microapp-notify").start()

    def _send(self, title: str, body: str) -> None:
        try:
            delivered = self._deliver(title, body)
        except Exception as exc:
            log.warning("the %s notification failed: %s", self.backend, exc)
            delivered = False
        if not delivered:
            with contextlib.suppress(RuntimeError):  # the notifier is gone (the app quits)
                self._failed.emit(title, body)

    def _deliver(self, title: str, body: str) -> bool:
        if self.backend == "notify-send":
            return self._run([self._tool or "notify-send", f"--app-name={self.app_name}",
                              f"--expire-time={self.EXPIRE_MS}", "--", title, body])
        if self.backend == "flatpak-gdbus":
            payload = f"{{'title': <{gvariant_string(title)}>, 'body': <{gvariant_string(body)}>}}"
            return self._run([
                self._tool or "gdbus", "call", "--session",
                "--dest", "org.freedesktop.portal.Desktop",
                "--object-path", "/org/freedesktop/portal/desktop",
                "--method", "org.freedesktop.portal.Notification.AddNotification",
                "microapp", payload])
        if self.backend == "dbus":
            from plyer.platforms.linux.notification import NotifyDbus

            NotifyDbus().notify(title=title, message=body, app_name=self.app_name,
                                timeout=self.EXPIRE_MS // 1000)
            return True
        from plyer import notification

        notification.notify(title=title, message=body, app_name=self.app_name,
                            timeout=self.EXPIRE_MS // 1000)
        return True

    def _run(self, argv: list[str]) -> bool:
        done = subprocess.run(argv, capture_output=True, text=True, errors="replace",
                              timeout=self.TIMEOUT_S, check=False, stdin=subprocess.DEVNULL)
        if done.returncode != 0:
            log.warning("%s could not notify (exit %s): %s", Path(argv[0]).name,
                        done.returncode, done.stderr.strip()[:200])
        return done.returncode == 0

    @Slot(str, str)
    def _fall_back(self, title: str, body: str) -> None:
        self._fallback(title, body)
