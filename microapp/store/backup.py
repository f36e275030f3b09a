"""Backups of the history database, taken with SQLite's online backup API.

A file copy of a live WAL database can miss everything still in the ``-wal`` file (or catch a
page mid-write); the backup API reads through a connection, so it sees exactly what that
connection sees, committed WAL content included. Backups are single self-contained files
(rollback journal, no ``-wal``), private (0600) in a private folder (0700), named after the
local time they were taken (with its UTC offset, so the name is an unambiguous instant):
``history-20260310-210000+0100.sqlite3``.

Restoring never deletes anything: the current database is moved aside first.
"""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from peewee import SqliteDatabase

from microapp.store.db import move_aside
from microapp.store.migrations import LATEST_VERSION

BACKUP_FOLDER = "backups"
PREFIX = "history-"
SUFFIX = ".sqlite3"
_NAME = re.compile(r"history-(\d{8}-\d{6}[+-]\d{4})(?:-(\d+))?\.sqlite3")
_STAMP = "%Y%m%d-%H%M%S%z"
_HEADER = b"SQLite format 3\x00"
_PAGES_PER_STEP = 1024  # let a writer in between steps on a big file


class BackupError(Exception):
    """A backup cannot be taken or restored; the message is meant for the user."""


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    taken_at: datetime  # aware, in the zone it was taken in
    size: int  # bytes


def default_folder(database_path: Path) -> Path:
    """Where the app keeps its backups: beside the database, in the data dir."""
    return database_path.parent / BACKUP_FOLDER


def _private_folder(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(folder, 0o700)


def _private_temp(folder: Path, name: str) -> Path:
    """A new empty file only the user can read, to be filled and then renamed into place."""
    for n in range(1000):
        path = folder / f".{name}.{os.getpid()}.{n}.tmp"
        try:
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        except FileExistsError:
            continue
        return path
    raise BackupError(f"cannot create a temporary file in {folder}")


def _copy(source: sqlite3.Connection, target: Path) -> None:
    """Copy the database behind ``source`` into the file ``target`` with the backup API and
    make it a self-contained file (rollback journal mode, nothing in a ``-wal``)."""
    dest = sqlite3.connect(str(target))
    try:
        source.backup(dest, pages=_PAGES_PER_STEP)
        dest.execute("PRAGMA journal_mode=DELETE").fetchone()
        dest.commit()
    finally:
        dest.close()
    with open(target, "rb+") as handle:
        os.fsync(handle.fileno())


def _fsync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):  # not every OS lets a folder be opened
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _local_stamp(now: datetime) -> str:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("backups are named after an aware local time")
    return now.strftime(_STAMP)


def backup_now(db: SqliteDatabase, folder: Path, now: datetime) -> Path:
    """Back up the open database ``db`` into ``folder``; the new file's path.

    ``now`` is the local time (aware) the file is named after. The copy is made under a
    temporary name and renamed when complete, so a listed backup is never half-written.
    """
    stamp = _local_stamp(now)
    _private_folder(folder)
    target = folder / f"{PREFIX}{stamp}{SUFFIX}"
    n = 1
    while target.exists():
        n += 1
        target = folder / f"{PREFIX}{stamp}-{n}{SUFFIX}"
    temp = _private_temp(folder, target.name)
    try:
        _copy(db.connection(), temp)
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    _fsync_folder(folder)
    return target


def list_backups(folder: Path) -> list[BackupInfo]:
    """The backups in ``folder``, newest first (other files there are left out)."""
    found: list[tuple[datetime, int, BackupInfo]] = []
    try:
        entries = list(folder.iterdir())
    except FileNotFoundError:
        return []
    for path in entries:
        match = _NAME.fullmatch(path.name)
        if match is None:
            continue
        try:
            taken_at = datetime.strptime(match[1], "%Y%m%d-%H%M%S%z")
            size = path.stat().st_size
        except (ValueError, OSError):
            continue
        found.append((taken_at, int(match[2] or 1), BackupInfo(path, taken_at, size)))
    found.sort(key=lambda item: (item[0], item[1]), reverse=True)
    return [info for _, _, info in found]


def maybe_daily_backup(db: SqliteDatabase, folder: Path, now: datetime,
                       keep: int = 7) -> Path | None:
    """Take today's backup unless one was already taken on ``now``'s local date; then keep
    only the newest ``keep`` backups. The new file's path, or None when there was one.

    "Today" is decided in ``now``'s zone, so a backup that looks future-dated (the clock was
    wrong once) does not stop the daily ones.
    """
    if keep < 1:
        raise ValueError("keep at least one backup")
    zone = now.tzinfo
    if any(info.taken_at.astimezone(zone).date() == now.date() for info in list_backups(folder)):
        return None
    path = backup_now(db, folder, now)
    prune(folder, keep)
    return path


def prune(folder: Path, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` backups in ``folder``; the paths deleted."""
    gone = []
    for info in list_backups(folder)[keep:]:
        with contextlib.suppress(FileNotFoundError):
            info.path.unlink()
            gone.append(info.path)
    return gone


def check_backup(backup: Path) -> int:
    """Open ``backup`` read-only and check it is a sound microapp history; its schema version.

    Raises :class:`BackupError` saying why not.
    """
    name = backup.name
    try:
        with open(backup, "rb") as handle:
            head = handle.read(len(_HEADER))
    except OSError as exc:
        raise BackupError(f"The backup {name} cannot be read ({exc.strerror or exc}).") from exc
    if head != _HEADER:
        raise BackupError(f"The backup {name} is not a SQLite database; nothing was restored.")
    try:
        conn = sqlite3.connect(f"{backup.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise BackupError(f"The backup {name} cannot be opened ({exc}).") from exc
    try:
        check = conn.execute("PRAGMA quick_check").fetchone()
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        tables = {row[0] for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.Error as exc:
        raise BackupError(f"The backup {name} is damaged ({exc}); nothing was restored.") from exc
    finally:
        conn.close()
    if check is None or check[0] != "ok":
        raise BackupError(f"The backup {name} is damaged ({check[0] if check else 'no answer'}"
                          "); nothing was restored.")
    if version < 1 or not {"pause_event", "gratitude_entry"} <= tables:
        raise BackupError(f"The backup {name} is not a microapp history; nothing was restored.")
    if version > LATEST_VERSION:
        raise BackupError(f"The backup {name} was written by a newer microapp (schema "
                          f"{version}, this one knows {LATEST_VERSION}); nothing was restored.")
    return version


def restore(backup: Path, database_path: Path, now: datetime) -> Path | None:
    """Replace the database at ``database_path`` with the backup ``backup``.

    The caller must have closed every connection to ``database_path`` first (the app closes
    its store, restores, then opens it again, which migrates an older backup forward).

    The backup is checked first (:class:`BackupError`, and nothing changes, if it is not a
    sound microapp history this version can read), copied through the backup API into a
    temporary file beside the database, and only then is the current file (with its
    ``-wal``/``-shm``) moved aside as ``<name>.before-restore-<stamp>`` and the copy renamed
    into place. Returns where the old database went (None when there was none).
    """
    check_backup(backup)
    folder = database_path.parent
    _private_folder(folder)
    temp = _private_temp(folder, database_path.name)
    try:
        source = sqlite3.connect(f"{backup.resolve().as_uri()}?mode=ro", uri=True)
        try:
            _copy(source, temp)
        finally:
            source.close()
    except (sqlite3.Error, OSError) as exc:
        temp.unlink(missing_ok=True)
        raise BackupError(f"The backup {backup.name} could not be copied ({exc}); "
                          "nothing was restored.") from exc
    aside = move_aside(database_path, now, "before-restore") if database_path.exists() else None
    os.replace(temp, database_path)
    _fsync_folder(folder)
    return aside


