"""The one place the Settings window reads and writes settings.toml.

Every change is applied to an in-memory :class:`Settings` at once (so a second change builds on
the first even before the first is on disk) and written by a serial worker thread, in order,
so the fsync never blocks the UI. After a successful write the running app is given the new
settings (``apply``). A write that fails (a full disk, a read-only folder) says so in one
sentence and keeps what the user chose in memory: the next change, or :meth:`retry`, writes it.

The running app also watches the file; when it sees our own write it hands the same settings
back through :meth:`set_current`, which recognises them and changes nothing. What the file
can hold because of us is only the last write that landed or one still under way; anything
else is a genuine change from outside (a hand edit, ``microapp calendars add``, even one that
puts back an earlier value) and is taken in, with any of the user's changes that are not yet
on disk laid on top.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import fields, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

from microapp.core.clock import Clock
from microapp.core.settings import Settings, save_settings

log = logging.getLogger(__name__)

SaveFunction = Callable[[Settings, Path, datetime], "Path | None"]


class _Relay(QObject):
    """Lives on the UI thread; the worker emits through it (a queued connection)."""

    done = Signal(int, object, object, object)  # job id, Settings, kept copy | None, error | None


class _WriteJob(QRunnable):
    def __init__(self, job_id: int, settings: Settings, path: Path, now: datetime,
                 save: SaveFunction, relay: _Relay) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._args = (job_id, settings, path, now, save, relay)

    def run(self) -> None:
        job_id, settings, path, now, save, relay = self._args
        try:
            kept = save(settings, path, now)
        except OSError as exc:
            relay.done.emit(job_id, settings, None, exc)
        except Exception as exc:  # never let a worker die silently
            log.exception("writing the settings failed unexpectedly")
            relay.done.emit(job_id, settings, None, exc)
        else:
            relay.done.emit(job_id, settings, kept, None)


def failure_sentence(path: Path, exc: BaseException) -> str:
    """One calm sentence saying the change was not written, and why."""
    reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return (f"Your change could not be saved to {path.name} ({reason}). It stays in this "
            "window and is saved with your next change, or choose Try again.")


class SettingsEditor(QObject):
    """The one place the Settings window reads and writes settings.toml."""

    saved = Signal(object)  # Settings, after they were written (and applied)
    failed = Signal(str)  # one user-facing sentence; the window keeps the user's input
    changed = Signal(object)  # Settings changed other than by update(): show them again
    kept_copy = Signal(object)  # Path: the user's unreadable file was copied aside first

    def __init__(self, path: Path, clock: Clock, current: Settings,
                 apply: Callable[[Settings], None] | None = None,
                 parent: QObject | None = None, *, save: SaveFunction = save_settings) -> None:
        super().__init__(parent)
        self.path = path
        self.clock = clock
        self._apply = apply
        self._save = save
        self._settings = current
        self._written = current  # what the file holds as far as we know
        self._applied = current  # what the running app was last given by us
        self._unsaved: dict[str, Any] = {}  # the user's changes not yet written
        self._next_id = 0
        self._in_flight: dict[int, Settings] = {}  # job id -> what it writes
        self._relay = _Relay(self)
        self._relay.done.connect(self._on_done)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)  # serial: writes land in the order they were made

    # -- reading ---------------------------------------------------------------------------

    @property
    def settings(self) -> Settings:
        """The latest accepted settings (what the window shows), written or not."""
        return self._settings

    @property
    def busy(self) -> bool:
        """True while a write is queued or running."""
        return bool(self._in_flight)

    @property
    def unsaved(self) -> bool:
        """True when something the user chose is not on disk (a write failed or is pending)."""
        return bool(self._unsaved)

    # -- changing --------------------------------------------------------------------------

    def update(self, **changes: Any) -> None:
        """Change some fields (by attribute name), then write and apply in the background."""
        names = {f.name for f in fields(Settings)}
        unknown = sorted(set(changes) - names)
        if unknown:
            raise TypeError(f"unknown setting(s): {', '.join(unknown)}")
        new = replace(self._settings, **changes)
        if new == self._settings and not self._unsaved:
            return
        self._settings = new
        self._unsaved.update(changes)
        self._write()

    def replace_all(self, settings: Settings) -> None:
        """Take ``settings`` as a whole (Restore defaults), write and apply them."""
        changed = {f.name: getattr(settings, f.name) for f in fields(Settings)
                   if getattr(settings, f.name) != getattr(self._settings, f.name)}
        if not changed and not self._unsaved:
            return
        self._settings = settings
        self._unsaved.update(changed)
        self._write()
        self.changed.emit(settings)

    def set_current(self, settings: Settings) -> None:
        """The file changed from outside (or the app reports back what we wrote)."""
        if settings == self._settings or self._is_echo(settings):
            return  # our own write coming back through the file watcher (or the app)
        self._written = settings
        self._applied = settings
        merged = replace(settings, **self._unsaved) if self._unsaved else settings
        self._settings = merged
        if self._unsaved:
            self._write()  # what the user chose still has to reach the file
        self.changed.emit(merged)

    def _is_echo(self, settings: Settings) -> bool:
        """What the file may hold because of us: the last write that landed, or one under way."""
        return settings == self._written or settings in self._in_flight.values()

    def retry(self) -> None:
        """Write again what a failed write left unsaved."""
        if self._unsaved:
            self._write()

    def wait(self, msecs: int = 10_000) -> bool:
        """Block until queued writes finished (shutdown, tests); results arrive as signals."""
        return self._pool.waitForDone(msecs)

    def shutdown(self) -> None:
        """Let a running write finish so the file is never left half-done at quit."""
        self._pool.waitForDone()

    # -- the worker ------------------------------------------------------------------------

    def _write(self) -> None:
        self._next_id += 1
        job_id = self._next_id
        snapshot = self._settings
        self._in_flight[job_id] = snapshot
        self._pool.start(_WriteJob(job_id, snapshot, self.path, self.clock.now(), self._save,
                                   self._relay))

    @Slot(int, object, object, object)
    def _on_done(self, job_id: int, settings: Settings, kept: Path | None,
                 error: BaseException | None) -> None:
        self._in_flight.pop(job_id, None)
        if error is not None:
            log.warning("settings not written: %s", error)
            self.failed.emit(failure_sentence(self.path, error))
            self._apply_written()
            return
        self._written = settings
        for name, value in list(self._unsaved.items()):
            if getattr(settings, name) == value:
                del self._unsaved[name]
        if kept is not None:
            self.kept_copy.emit(kept)
        if self._in_flight:
            return  # a newer write follows: apply once, after the last one
        self._apply_written()
        self.saved.emit(settings)

    def _apply_written(self) -> None:
        if self._in_flight or self._written == self._applied:
            return
        self._applied = self._written
        if self._apply is not None:
            try:
                self._apply(self._written)
            except Exception:  # the file is right; the running app will catch up on restart
                log.exception("the new settings could not be applied")
