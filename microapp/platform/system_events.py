"""What the operating system tells the scheduler: the machine woke up, the time zone changed.

* Wake from sleep: systemd-logind's ``PrepareForSleep(b)`` signal on the D-Bus system bus
  (``true`` just before suspending, ``false`` after resuming). Without a bus or without logind
  (Windows, macOS, containers, non-systemd Linux) nothing fails: ``sleep_signal_available``
  stays ``False`` and the scheduler falls back to its wake guard and the wall/monotonic clock
  comparison.
* Time-zone change: ``/etc/localtime`` (a symlink into the zoneinfo database) and
  ``/etc/timezone`` are watched. ``timedatectl set-timezone`` and most editors do not write the
  file in place: they put a new file or symlink over it, which a watch on the old inode never
  reports (and a symlink watch follows the link to a file that does not change at all). So the
  folder holding each path is watched too, and the file watches are added again after every
  change.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from zoneinfo import ZoneInfo

from PySide6.QtCore import SLOT, QFileSystemWatcher, QObject, QTimer, Signal, Slot
from PySide6.QtDBus import QDBusConnection

from microapp.core.clock import zone_name

log = logging.getLogger(__name__)

LOGIN1_SERVICE = "org.freedesktop.login1"
LOGIN1_PATH = "/org/freedesktop/login1"
LOGIN1_INTERFACE = "org.freedesktop.login1.Manager"
PREPARE_FOR_SLEEP = "PrepareForSleep"

DEFAULT_LOCALTIME_PATHS = (Path("/etc/localtime"), Path("/etc/timezone"))


class SystemEvents(QObject):
    """Listens for resume and time-zone changes; see the module docstring."""

    resumed = Signal()  # the machine woke from sleep (logind PrepareForSleep(false))
    zone_changed = Signal(str)  # the OS time zone changed; the new IANA name

    ZONE_DEBOUNCE_MS = 250  # one replacement is several file events; read the zone once

    def __init__(
        self,
        reload_zone: Callable[[], ZoneInfo],
        *,
        bus: QDBusConnection | None = None,
        localtime_paths: Sequence[Path] = DEFAULT_LOCALTIME_PATHS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._reload_zone = reload_zone
        self._bus = bus
        self._paths = tuple(Path(p) for p in localtime_paths)
        self._connected: QDBusConnection | None = None  # the bus PrepareForSleep is wired on
        self._sleep_signal = False
        self._last_zone: str | None = None
        self._started = False
        self._watcher = QFileSystemWatcher(self)
        self._watcher.fileChanged.connect(self._on_path_changed)
        self._watcher.directoryChanged.connect(self._on_path_changed)
        self._debounce = QTimer(self, singleShot=True, interval=self.ZONE_DEBOUNCE_MS)
        self._debounce.timeout.connect(self._on_paths_settled)

    # -- lifecycle ------------------------------------------------------------------------

    def start(self) -> None:
        """Connect to logind (when reachable) and start watching the zone files. Idempotent."""
        if self._started:
            return
        self._started = True
        self._last_zone = self._read_zone()
        self._connect_logind()
        self._watch()

    def stop(self) -> None:
        """Stop listening (idempotent)."""
        self._started = False
        self._debounce.stop()
        watched = self._watcher.files() + self._watcher.directories()
        if watched:
            self._watcher.removePaths(watched)
        if self._connected is not None:
            self._connected.disconnect(LOGIN1_SERVICE, LOGIN1_PATH, LOGIN1_INTERFACE,
                                       PREPARE_FOR_SLEEP, "b", self, _SLEEP_SLOT)
            self._connected = None
        self._sleep_signal = False

    @property
    def sleep_signal_available(self) -> bool:
        """Whether :attr:`resumed` will be emitted after a sleep (logind is listening)."""
        return self._sleep_signal

    # -- time zone ------------------------------------------------------------------------

    def check_zone(self) -> None:
        """Read the OS zone again; emit :attr:`zone_changed` when it is not the last one seen.

        The first reading (at :meth:`start`) only sets what was "last seen". Two OS zones that
        have no IANA name both read as "UTC" (see ``core.clock.zone_name``), so a change
        between two such zones is not told apart.
        """
        name = self._read_zone()
        if name is None:
            return
        previous, self._last_zone = self._last_zone, name
        if previous is not None and name != previous:
            log.info("the time zone changed from %s to %s", previous, name)
            self.zone_changed.emit(name)

    def _read_zone(self) -> str | None:
        try:
            return zone_name(self._reload_zone())
        except Exception:  # a half-written /etc/localtime must not take the app down
            log.warning("could not read the time zone", exc_info=True)
            return None

    def _watch(self) -> None:
        """Watch each zone file that exists and each folder holding one (again, after a
        replacement: Qt drops the watch on a file that was renamed over or removed)."""
        wanted: set[str] = set()
        for path in self._paths:
            if path.exists():
                wanted.add(str(path))
            if path.parent.is_dir():
                wanted.add(str(path.parent))
        have = set(self._watcher.files()) | set(self._watcher.directories())
        missing = sorted(wanted - have)
        if missing:
            failed = self._watcher.addPaths(missing)
            if failed:
                log.info("cannot watch %s for time-zone changes", ", ".join(failed))

    def _on_path_changed(self, _path: str) -> None:
        if self._started:
            self._debounce.start()

    def _on_paths_settled(self) -> None:
        if not self._started:
            return
        self._watch()
        self.check_zone()

    # -- sleep ----------------------------------------------------------------------------

    def _connect_logind(self) -> None:
        try:
            bus = self._bus if self._bus is not None else QDBusConnection.systemBus()
            if not bus.isConnected():
                log.info("no D-Bus system bus (%s); wake-ups are noticed by the clock alone",
                         bus.lastError().message() or "not connected")
                return
            reply = bus.interface().isServiceRegistered(LOGIN1_SERVICE)
            if not (reply.isValid() and reply.value()):
                log.info("logind is not on the bus; wake-ups are noticed by the clock alone")
                return
            # PySide6 only takes a QObject receiver and a SLOT() string here, not a callable.
            if not bus.connect(LOGIN1_SERVICE, LOGIN1_PATH, LOGIN1_INTERFACE, PREPARE_FOR_SLEEP,
                               "b", self, _SLEEP_SLOT):
                log.info("cannot subscribe to logind's PrepareForSleep: %s",
                         bus.lastError().message())
                return
        except Exception:  # an odd bus or binding must never stop the app from starting
            log.warning("cannot listen for logind's PrepareForSleep", exc_info=True)
            return
        self._connected = bus
        self._sleep_signal = True
        log.info("listening for sleep and resume from logind")

    # Named as the SLOT string below says. Do not use Slot(name=...): with PySide6 6.11 a
    # D-Bus signal delivered to a renamed slot crashes the interpreter.
    @Slot(bool)
    def _on_prepare_for_sleep(self, going_to_sleep: bool) -> None:
        if going_to_sleep:
            log.info("the machine is going to sleep")
            return
        log.info("the machine woke up")
        if self._started:
            self.check_zone()  # the zone may have been changed while asleep
        self.resumed.emit()


_SLEEP_SLOT = SLOT("_on_prepare_for_sleep(bool)")
