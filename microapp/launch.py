"""Starting the tray app: the icon first, then everything else.

A launch claims the profile (a second launch only wakes the first one and never shows an icon
of its own), shows a plain tray icon and starts the event loop; the app itself (log, settings,
history store, calendars, pauses, the tray's menu) is built once the tray host has shown the
icon. Commands from other launches that arrive meanwhile wait for the app, and meetings are
planned from the moment of launch, so the deferral loses no pause.

This module imports only what showing the icon needs; :mod:`microapp.app` and everything
behind it come in :meth:`Launch.build`.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QElapsedTimer, QObject, QThreadPool, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QSystemTrayIcon

from microapp import APP_ID, APP_NAME, __version__
from microapp.core.paths import Profile, resource_path

if TYPE_CHECKING:
    from microapp.app import MicroApp
    from microapp.core.clock import Clock
    from microapp.platform.instance import InstanceServer

log = logging.getLogger(__name__)

#: The longest the rest of the app waits for the tray host to show the first icon.
ICON_WAIT_MS = 300
#: How often, meanwhile, it looks whether the host has.
ICON_POLL_MS = 10
#: Idle threads of Qt's global pool end this long after their last job.
POOL_EXPIRY_MS = 2000


class Launch(QObject):
    """One launch, from the claimed profile to the built app (:attr:`app`)."""

    def __init__(self, profile: Profile, server: InstanceServer, *, clock: Clock | None = None,
                 demo: bool = False, icon: QSystemTrayIcon | None = None,
                 launched: float | None = None, parent: QObject | None = None) -> None:
        """``launched`` is the :func:`time.monotonic` instant of the launch (default: now);
        ``icon`` the plain tray icon already showing, if any."""
        super().__init__(parent)
        self.profile = profile
        self.server = server
        self.clock = clock
        self.demo = demo
        self.icon = icon
        self.launched = time.monotonic() if launched is None else launched
        self.app: MicroApp | None = None
        self.early: list[str] = []  # commands from other launches before the app was built
        server.command_received.connect(self._keep)

    def _keep(self, command: str) -> None:
        if self.app is None:
            self.early.append(command)

    def build(self, **parts: Any) -> MicroApp:
        """Build and start the app; then carry out the commands that waited for it.
        ``parts`` go to :class:`~microapp.app.MicroApp` (tests give it stand-ins)."""
        from microapp.app import MicroApp, release_memory
        from microapp.core.clock import SystemClock
        from microapp.core.settings import load_settings, save_settings
        from microapp.platform.logs import setup_logging
        from microapp.store.db import open_store
        from microapp.ui.theme import app_icon

        QApplication.setWindowIcon(app_icon())
        clock = self.clock or SystemClock()
        now = clock.now()
        since = now - timedelta(seconds=max(0.0, time.monotonic() - self.launched))
        problems: list[str] = []
        log_problem = setup_logging(self.profile.log_path)
        if log_problem:
            problems.append(log_problem)
        loaded = load_settings(self.profile.settings_path)
        if not loaded.existed:
            try:
                save_settings(loaded.settings, self.profile.settings_path, now)
            except OSError as exc:
                log.warning("could not write default settings: %s", exc)
        opened = open_store(self.profile.database_path, now)
        if self.demo and opened.persistent:
            from microapp.store.demo import seed_demo_history
            from microapp.store.history import History

            seed_demo_history(History(opened.db, loaded.settings.day_starts_at), now)
        app = MicroApp(profile=self.profile, clock=clock, loaded=loaded, opened=opened,
                       server=self.server, since=since, shown_icon=self.icon,
                       startup_problems=problems,
                       **({"start_at_login": not self.demo} | parts))
        app.start()  # the server already listens: this cannot be refused
        self.app = app
        early, self.early = self.early, []
        for command in early:
            app.handle_command(command)
        release_memory()  # what start-up left behind
        return app

    def abandon(self) -> None:
        """The app could not be built: no icon stays behind, the profile is free again."""
        if self.icon is not None:
            self.icon.hide()
        self.server.close()


def run_app(profile: Profile, *, demo: bool = False, clock: Clock | None = None) -> int:
    """Run the tray app (or wake the running one). Returns the exit status."""
    from microapp.platform.instance import InstanceServer, send_command

    launched = time.monotonic()
    qt = QApplication.instance() or QApplication(sys.argv[:1])
    qt.setApplicationName(APP_NAME)
    qt.setApplicationVersion(__version__)
    qt.setDesktopFileName(APP_ID)  # matches the installed .desktop entry
    qt.setQuitOnLastWindowClosed(False)
    # Qt's global pool (jobs such as the Settings window's checks run there) keeps idle
    # threads for 30 s; an app that then idles for hours needs none of them.
    QThreadPool.globalInstance().setExpiryTimeout(POOL_EXPIRY_MS)
    if send_command(profile.instance_key(), "show", timeout_ms=1500):
        print("microapp is already running; it has been brought forward.")
        return 0
    server = InstanceServer(profile.instance_key())
    if not server.listen():
        print("microapp: another microapp is starting up for this profile; try again in a moment.",
              file=sys.stderr)
        return 1
    launch = Launch(profile, server, clock=clock, demo=demo, icon=plain_tray_icon(),
                    launched=launched)

    def on_quit() -> None:
        if launch.app is not None:
            launch.app.quit()
        else:
            QApplication.quit()

    # From here on (before anything is written), Ctrl+C and SIGTERM end microapp cleanly.
    notifier = _install_signal_handlers(qt, on_quit)

    def build() -> None:
        try:
            launch.build()
        except Exception:
            log.exception("microapp could not start")
            print("microapp: could not start; see the log for details.", file=sys.stderr)
            launch.abandon()
            qt.exit(1)

    if launch.icon is None:
        QTimer.singleShot(0, build)
    else:
        when_docked(launch.icon, build)
    code = qt.exec()
    del notifier
    return code


def plain_tray_icon() -> QSystemTrayIcon | None:
    """The app's icon in the tray, with nothing behind it yet (None where there is no tray:
    the built app shows its stand-in window instead)."""
    if not QSystemTrayIcon.isSystemTrayAvailable():
        return None
    icon = QSystemTrayIcon(QIcon(str(resource_path("icons", "microapp.svg"))))
    icon.setToolTip(APP_NAME)
    icon.show()
    return icon


def when_docked(icon: QSystemTrayIcon, then: Callable[[], None],
                wait_ms: int | None = None) -> None:
    """Call ``then`` once the tray host has docked ``icon`` (it has a place on screen), or
    after ``wait_ms`` (default :data:`ICON_WAIT_MS`; hosts that talk D-Bus give no place).

    Building the app blocks the event loop, and the host's docking handshake needs it. The icon
    is looked at every :data:`ICON_POLL_MS` for that short while only: an application-wide
    event filter would do instead, but it was measured to cost the app over 6 MiB for good.
    """
    limit = ICON_WAIT_MS if wait_ms is None else wait_ms
    waited = QElapsedTimer()
    waited.start()

    def look() -> None:
        place = icon.geometry()
        if (place.x(), place.y()) != (0, 0) or waited.elapsed() >= limit:
            then()
        else:
            QTimer.singleShot(ICON_POLL_MS, look)

    QTimer.singleShot(0, look)


def _install_signal_handlers(app: QApplication, on_quit: Callable[[], None]) -> QObject | None:
    """Quit cleanly on Ctrl+C and SIGTERM without a polling timer: the signal wakes a socket."""
    import contextlib
    import signal
    import socket

    from PySide6.QtCore import QSocketNotifier

    try:
        reader, writer = socket.socketpair()
        reader.setblocking(False)
        writer.setblocking(False)
        signal.set_wakeup_fd(writer.fileno())
    except (OSError, ValueError):
        return None
    notifier = QSocketNotifier(reader.fileno(), QSocketNotifier.Type.Read, app)

    def woke() -> None:
        with contextlib.suppress(OSError):
            reader.recv(64)
        on_quit()

    notifier.activated.connect(woke)
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: None)  # handled by the wake-up socket above
    notifier._sockets = (reader, writer)  # type: ignore[attr-defined] # keep them alive
    return notifier
