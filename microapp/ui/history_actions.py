"""The History window's buttons for export, import, backup and restore.

Slow work (writing an export, reading and merging an import, taking a backup) runs on a
worker thread from a one-thread pool, with a busy bar, and reports back through a signal; the
buttons wait meanwhile. The worker uses its own SQLite connection (peewee keeps one per
thread) and closes it when done. An in-memory history (the data folder could not be written)
has no second connection to offer, so there the same work runs on the UI thread, and backup
and restore are left out: there is no file to back up.

Restore never happens here: after the user picked a backup and confirmed, the window emits
``restore_requested`` and the app closes its store, restores and reopens it.

Every dialog text is plain text (file names and import problems quote untrusted content).
The dialogs are methods (``ask_*``, ``confirm``, ``inform``) so tests can answer them.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal, Slot
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMenu,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QWidget,
)

from microapp.core.clock import Clock
from microapp.store.backup import (
    BackupError,
    BackupInfo,
    backup_now,
    check_backup,
    default_folder,
    list_backups,
)
from microapp.store.exchange import ExchangeError, import_batch, read_export, write_csv, write_json
from microapp.store.history import History
from microapp.ui.history_text import plural, short_day

EXPORT_FILTERS = "JSON (*.json);;CSV for spreadsheets (*.csv)"
MAX_LISTED_BACKUPS = 10


class _Signals(QObject):
    done = Signal(object)
    failed = Signal(object)


class _Job(QRunnable):
    """Runs ``work`` on a pool thread, closes that thread's connection, reports back."""

    def __init__(self, work: Callable[[], Any], history: History) -> None:
        super().__init__()
        self.setAutoDelete(False)  # Python keeps it (and its signals) alive until it reports
        self.work = work
        self.history = history
        self.signals = _Signals()

    def run(self) -> None:
        try:
            result = self.work()
        except Exception as exc:  # any failure is reported, never lost
            self.signals.failed.emit(exc)
        else:
            self.signals.done.emit(result)
        finally:
            self.history.db.close()  # this thread's connection only


def _size(n: int) -> str:
    return f"{n / 1_000_000:.1f} MB" if n >= 100_000 else f"{max(1, n // 1000)} kB"


class HistoryActions(QObject):
    """Adds its buttons to ``row`` and does what they say."""

    restore_requested = Signal(str)
    history_changed = Signal()  # an import added rows
    finished = Signal(str)  # what the last job said (also shown beside the buttons)

    def __init__(self, parent: QWidget, history: History, clock: Clock, row: QHBoxLayout,
                 ) -> None:
        """Appends the buttons, a busy bar and a message line to ``row``."""
        super().__init__(parent)
        self.window = parent
        self.history = history
        self.clock = clock
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        self._busy = False
        self._job: _Job | None = None  # the latest job, kept alive until the next one
        self._on_done: Callable[[Any], str | None] = lambda _: None
        database = str(history.db.database)
        self.in_memory = database in ("", ":memory:") or database.startswith("file::memory:")
        self.database_path = None if self.in_memory else Path(database)

        self.export_button = QPushButton("E&xport…")
        self.export_button.setToolTip("Save your whole history as JSON or CSV")
        self.import_button = QPushButton("&Import…")
        self.import_button.setToolTip("Merge an exported file into this history")
        self.buttons = [self.export_button, self.import_button]
        self.export_button.clicked.connect(self.export)
        self.import_button.clicked.connect(self.import_file)
        if self.database_path is not None:
            self.backup_button = QPushButton("&Back up now")
            self.restore_button = QPushButton("&Restore…")
            self.restore_button.setToolTip("Go back to an earlier backup of your history")
            self.backup_button.clicked.connect(self.back_up)
            self.restore_button.clicked.connect(self.choose_restore)
            self.buttons += [self.backup_button, self.restore_button]
        for button in self.buttons:
            row.addWidget(button)
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)  # indeterminate: "working"
        self.busy.setFixedWidth(72)
        self.busy.setTextVisible(False)
        self.busy.setAccessibleName("Working")
        self.busy.hide()
        row.addWidget(self.busy)
        self.message = QLabel()
        self.message.setObjectName("Muted")
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        row.addWidget(self.message, 1)

    @property
    def backup_folder(self) -> Path | None:
        return None if self.database_path is None else default_folder(self.database_path)

    @property
    def working(self) -> bool:
        return self._busy

    # -- running work ------------------------------------------------------------------------

    def _run(self, what: str, work: Callable[[], Any], done: Callable[[Any], str | None],
             ) -> None:
        """Run ``work`` off the UI thread; ``done(result)`` says what happened (or None)."""
        if self._busy:
            return
        self._busy = True
        self._on_done = done
        for button in self.buttons:
            button.setEnabled(False)
        self.busy.show()
        self.message.setText(what)
        if self.in_memory:  # one connection only: work here, on the UI thread
            try:
                result = work()
            except Exception as exc:  # shown to the user
                self._failed(exc)
            else:
                self._finished(result)
            return
        self._job = _Job(work, self.history)
        # Slots of this QObject (UI thread): the worker's signals arrive queued.
        self._job.signals.done.connect(self._finished)
        self._job.signals.failed.connect(self._failed)
        self.pool.start(self._job)

    @Slot(object)
    def _finished(self, result: Any) -> None:
        self._idle()
        said = self._on_done(result) or ""
        self.message.setText(said)
        self.finished.emit(said)

    @Slot(object)
    def _failed(self, exc: BaseException) -> None:
        self._idle()
        text = exc.one_line() if isinstance(exc, ExchangeError) else str(exc)
        self.message.setText("")
        self.inform("microapp", _problem_text(exc, text), warning=True)
        self.finished.emit(text)

    def _idle(self) -> None:
        self._busy = False
        self.busy.hide()
        for button in self.buttons:
            button.setEnabled(True)

    # -- export and import -------------------------------------------------------------------

    def export(self) -> None:
        today = self.clock.now().date().isoformat()
        path = self.ask_save_path(str(Path.home() / f"microapp-history-{today}.json"))
        if not path:
            return
        target = Path(path)
        as_csv = target.suffix.lower() == ".csv"
        db = self.history.db

        def work() -> tuple[int, int]:
            part = target.with_name(target.name + ".part")
            try:
                with open(part, "w", encoding="utf-8", newline="") as stream:
                    counts = (write_csv if as_csv else write_json)(db, stream)
                os.replace(part, target)
            except BaseException:
                part.unlink(missing_ok=True)
                raise
            return counts

        def done(counts: tuple[int, int]) -> str:
            pauses, notes = counts
            return (f"Exported {plural(pauses, 'pause', 'pauses')} and "
                    f"{plural(notes, 'sentence', 'sentences')} to {target.name}.")

        self._run("Exporting…", work, done)

    def import_file(self) -> None:
        path = self.ask_open_path("Import history", str(Path.home()),
                                  "Exports (*.json *.csv);;All files (*)")
        if not path:
            return
        db = self.history.db

        def work() -> Any:
            return import_batch(db, read_export(path))

        def done(result: Any) -> str:
            added = result.added_pauses + result.added_gratitude
            text = (f"Added {plural(result.added_pauses, 'pause', 'pauses')} and "
                    f"{plural(result.added_gratitude, 'sentence', 'sentences')}.")
            if result.already_there:
                text += f" {plural(result.already_there, 'entry was', 'entries were')} " \
                        "already here."
            if added:
                self.history_changed.emit()
            self.inform("Import finished", text)
            return text

        self._run("Importing…", work, done)

    # -- backup and restore ------------------------------------------------------------------

    def back_up(self) -> None:
        folder = self.backup_folder
        if folder is None:
            return
        db, now = self.history.db, self.clock.now()

        def done(path: Path) -> str:
            return f"Backed up to {path.name}."

        self._run("Backing up…", lambda: backup_now(db, folder, now), done)

    def backup_choices(self) -> list[BackupInfo]:
        folder = self.backup_folder
        return [] if folder is None else list_backups(folder)[:MAX_LISTED_BACKUPS]

    def choose_restore(self) -> None:
        """Offer the recent backups (and any other file), then confirm."""
        menu = QMenu(self.window)
        for info in self.backup_choices():
            local = info.taken_at.astimezone(self.clock.zone())
            label = f"{short_day(local.date())} {local.year}, {local:%H:%M} · {_size(info.size)}"
            action = menu.addAction(label)
            action.triggered.connect(lambda _=False, p=info.path: self.restore_from(p))
        if menu.actions():
            menu.addSeparator()
        other = menu.addAction("Another file…")
        other.triggered.connect(self._restore_other)
        self.show_menu(menu)

    def _restore_other(self) -> None:
        folder = self.backup_folder
        path = self.ask_open_path("Restore from a backup", str(folder or Path.home()),
                                  "microapp backups (*.sqlite3);;All files (*)")
        if path:
            self.restore_from(Path(path))

    def restore_from(self, backup: Path) -> bool:
        """Check ``backup``, ask, and on yes emit :attr:`restore_requested`."""
        try:
            check_backup(backup)
        except BackupError as exc:
            self.inform("microapp", str(exc), warning=True)
            return False
        question = (f"Restore your history from {backup.name}?\n\n"
                    "Your current history is moved aside, not deleted, and microapp "
                    "reopens it from this backup. Anything recorded since the backup will "
                    "not be shown.")
        if not self.confirm("Restore history", question):
            return False
        self.restore_requested.emit(str(backup))
        return True

    # -- dialogs (tests replace these) -------------------------------------------------------

    def ask_save_path(self, suggested: str) -> str:
        path, chosen = QFileDialog.getSaveFileName(self.window, "Export history", suggested,
                                                   EXPORT_FILTERS)
        if path and not Path(path).suffix:
            path += ".csv" if chosen.startswith("CSV") else ".json"
        return path

    def ask_open_path(self, title: str, folder: str, filters: str) -> str:
        path, _ = QFileDialog.getOpenFileName(self.window, title, folder, filters)
        return path

    def show_menu(self, menu: QMenu) -> None:
        button = getattr(self, "restore_button", None)
        anchor = button.mapToGlobal(button.rect().bottomLeft()) if button else None
        menu.exec(anchor) if anchor is not None else menu.exec()

    def confirm(self, title: str, text: str) -> bool:
        box = _box(self.window, title, text, QMessageBox.Icon.Question)
        box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
        box.setDefaultButton(QMessageBox.StandardButton.No)
        return box.exec() == QMessageBox.StandardButton.Yes

    def inform(self, title: str, text: str, *, warning: bool = False) -> None:
        icon = QMessageBox.Icon.Warning if warning else QMessageBox.Icon.Information
        _box(self.window, title, text, icon).exec()


def _box(parent: QWidget, title: str, text: str, icon: QMessageBox.Icon) -> QMessageBox:
    box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    return box


def _problem_text(exc: BaseException, line: str) -> str:
    if isinstance(exc, ExchangeError):
        rest = exc.total - len(exc.problems)
        lines = ["Nothing was imported. The file has these problems:", *exc.problems]
        if rest > 0:
            lines.append(f"… and {plural(rest, 'more', 'more')}.")
        return "\n".join(lines)
    return f"That did not work: {line}"

