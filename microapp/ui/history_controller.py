"""The History window in the running app, the daily backup, and restoring a backup.

A backup is taken once per local day (at start and when the day turns), in a worker thread,
with SQLite's online backup API. Restoring swaps the database file under the running app: the
store is closed, the backup copied in (the old file kept aside, never deleted), the store
reopened, and every view refreshed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from microapp.core.clock import Clock
from microapp.core.settings import Settings
from microapp.store.backup import BackupError, default_folder, maybe_daily_backup, restore
from microapp.store.db import OpenedStore, open_store
from microapp.store.history import History
from microapp.ui.theme import Palette
from microapp.ui.tray import TrayController

if TYPE_CHECKING:
    from microapp.ui.history_window import HistoryWindow

log = logging.getLogger(__name__)


class _BackupJob(QRunnable):
    def __init__(self, job: Callable[[], None]) -> None:
        super().__init__()
        self._job = job

    def run(self) -> None:
        self._job()


class HistoryController(QObject):
    """Opens the History window; keeps daily backups; restores one when asked."""

    history_changed = Signal()  # an import added rows, or a backup was restored
    store_replaced = Signal(object)  # OpenedStore: the database was reopened after a restore

    KEEP_BACKUPS = 7
    #: A backup thread ends this long after its job (Qt keeps idle pool threads 30 s): an app
    #: that idles for hours holds no thread it is not using.
    POOL_EXPIRY_MS = 2000

    def __init__(self, *, clock: Clock, settings: Settings, palette: Palette, history: History,
                 database_path: Path, persistent: bool, tray: TrayController,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.clock = clock
        self.settings = settings
        self.palette = palette
        self.history = history
        self.database_path = database_path
        self.persistent = persistent
        self.tray = tray
        self.window: HistoryWindow | None = None
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._pool.setExpiryTimeout(self.POOL_EXPIRY_MS)
        tray.history_requested.connect(self.open_window)

    def apply_settings(self, settings: Settings, palette: Palette) -> None:
        self.settings = settings
        if palette != self.palette and self._has_window() and self.window is not None \
                and not self.window.isVisible():
            self.window.deleteLater()  # rebuilt in the new colours when next opened
            self.window = None
        self.palette = palette
        if self._has_window():
            assert self.window is not None
            self.window.rest_days = settings.rest_days
            self.window.day_starts_at = settings.day_starts_at
            if self.window.isVisible():
                self.window.refresh()

    def _has_window(self) -> bool:
        return self.window is not None and shiboken6.isValid(self.window)

    def open_window(self) -> None:
        if not self._has_window():
            from microapp.ui.history_window import HistoryWindow  # only once it is opened

            self.window = HistoryWindow(self.palette, self.history, self.clock,
                                        rest_days=self.settings.rest_days,
                                        day_starts_at=self.settings.day_starts_at)
            self.window.restore_requested.connect(self.restore_backup)
            self.window.history_changed.connect(self.history_changed)
        assert self.window is not None
        self.window.refresh()
        self.window.show()
        self.window.raise_()
        self.window.activateWindow()

    def refresh(self) -> None:
        """History changed elsewhere (a pause, a sentence, the day turned)."""
        if self._has_window() and self.window is not None and self.window.isVisible():
            self.window.refresh()

    # -- backups -------------------------------------------------------------------------

    def daily_backup(self) -> None:
        """Take today's backup in the background (if none was taken today)."""
        if not self.persistent:
            return
        db, folder, now = self.history.db, default_folder(self.database_path), self.clock.now()

        def job() -> None:
            try:
                taken = maybe_daily_backup(db, folder, now, keep=self.KEEP_BACKUPS)
                if taken is not None:
                    log.info("daily backup written: %s", taken.name)
            except Exception:  # a full disk: the history itself is untouched
                log.exception("the daily backup could not be written")
            finally:
                db.close()  # this worker thread's own connection (peewee keeps one per thread)

        self._pool.start(_BackupJob(job))

    def restore_backup(self, path: str) -> None:
        """Replace the history with a backup the user chose (and confirmed in the window)."""
        self._pool.waitForDone()  # never swap the file under a running backup
        self.history.close()
        try:
            kept = restore(Path(path), self.database_path, self.clock.now())
        except (BackupError, OSError) as exc:
            log.warning("restore refused: %s", exc)
            self.tray.notify("microapp", f"The backup was not restored: {exc}")
            kept = None
            restored = False
        else:
            restored = True
        opened: OpenedStore = open_store(self.database_path, self.clock.now())
        self.history.db = opened.db
        self.store_replaced.emit(opened)
        if restored:
            where = f" Your previous history is kept as {kept.name}." if kept else ""
            self.tray.notify("microapp", f"History restored from {Path(path).name}.{where}")
        if self._has_window():
            assert self.window is not None
            self.window.close()
            self.window.deleteLater()
            self.window = None
            if restored:
                self.open_window()
        self.history_changed.emit()

    def shutdown(self) -> None:
        self._pool.waitForDone()
        if self._has_window():
            assert self.window is not None
            self.window.hide()
