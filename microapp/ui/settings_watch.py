"""Notices when the settings file changes (a hand edit, `microapp calendars add`) and reads it.

Editors and atomic writers replace the file rather than write into it, so the watcher also
watches the folder and re-adds the file after each change. Reading waits a moment for a burst
of writes to settle. A file that cannot be read at all changes nothing: the running settings
stay, and the problem is reported once.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QFileSystemWatcher, QObject, QTimer, Signal

from microapp.core.settings import Settings, load_settings

log = logging.getLogger(__name__)


class SettingsWatch(QObject):
    changed = Signal(object)  # Settings, only when they differ from the last ones read
    problems = Signal(object)  # list[str]: what is wrong with the file as it is now

    DEBOUNCE_MS = 400

    def __init__(self, path: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.path = path
        self._watcher = QFileSystemWatcher(self)
        self._watcher.fileChanged.connect(self._poke)
        self._watcher.directoryChanged.connect(self._poke)
        self._debounce = QTimer(self, singleShot=True, interval=self.DEBOUNCE_MS)
        self._debounce.timeout.connect(self.reload)
        self._last: Settings | None = None
        self._last_problems: list[str] = []

    def start(self) -> None:
        loaded = load_settings(self.path)
        self._last = loaded.settings
        self._last_problems = [str(p) for p in loaded.problems]
        self._watch()

    def stop(self) -> None:
        self._debounce.stop()
        watched = self._watcher.files() + self._watcher.directories()
        if watched:
            self._watcher.removePaths(watched)

    def _watch(self) -> None:
        wanted = [str(p) for p in (self.path, self.path.parent) if p.exists()]
        watched = set(self._watcher.files() + self._watcher.directories())
        missing = [p for p in wanted if p not in watched]
        if missing:
            self._watcher.addPaths(missing)

    def _poke(self, _path: str) -> None:
        self._debounce.start()

    def reload(self) -> None:
        self._watch()
        loaded = load_settings(self.path)
        if not loaded.existed:
            return  # removed: keep running with what we have
        problems = [str(p) for p in loaded.problems]
        if problems and problems != self._last_problems:
            self.problems.emit(problems)
        self._last_problems = problems
        if any(p.key == "" for p in loaded.problems):
            return  # unreadable as a whole: the running settings stay
        if loaded.settings != self._last:
            self._last = loaded.settings
            self.changed.emit(loaded.settings)
