"""Opening the one SQLite file safely: private, WAL, foreign keys, migrated, never lost.

A damaged file is moved aside with a timestamp (never deleted) and a fresh one is started; a
folder we cannot write to gives an in-memory database so the app still runs, with a clear
message saying history will not be kept.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from peewee import DatabaseError, SqliteDatabase

from microapp.store.migrations import LATEST_VERSION, NewerSchemaError, migrate
from microapp.store.models import MODELS

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 2000
PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "synchronous": "full",  # a written sentence must survive a power cut, not just a crash
    "busy_timeout": BUSY_TIMEOUT_MS,
}
SIDE_FILES = ("-wal", "-shm", "-journal")


class StoreError(Exception):
    """The history cannot be opened; the message is meant for the user."""


@dataclass
class OpenedStore:
    db: SqliteDatabase
    path: Path | None  # None: in memory, nothing is kept
    problem: str | None = None  # shown to the user once
    moved_aside: Path | None = None

    @property
    def persistent(self) -> bool:
        return self.path is not None


def _ensure_private_file(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)


SQLITE_HEADER = b"SQLite format 3\x00"


def _check_header(path: Path | str) -> None:
    """Refuse a file that is not SQLite before SQLite opens it: opening one deletes the
    ``-journal``, ``-wal`` and ``-shm`` files beside it, which move aside with it instead."""
    with open(path, "rb") as handle:
        head = handle.read(len(SQLITE_HEADER))
    if head and head != SQLITE_HEADER:
        raise DatabaseError("file is not a database (no SQLite header)")


def _stored_version(path: Path | str) -> int:
    """Read ``user_version`` with a plain connection: no pragma that writes (journal_mode=wal
    rewrites the header), so a file we must not touch stays byte-for-byte as it was."""
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])
    finally:
        conn.close()


def _connect(path: Path | str, check: bool) -> SqliteDatabase:
    _check_header(path)
    found = _stored_version(path)
    if found > LATEST_VERSION:
        raise NewerSchemaError(found)
    db = SqliteDatabase(str(path), pragmas=PRAGMAS)
    db.connect()
    try:
        if check:
            row = db.execute_sql("PRAGMA quick_check").fetchone()
            if row is None or row[0] != "ok":
                raise DatabaseError(f"integrity check failed: {row[0] if row else 'no answer'}")
        else:
            db.execute_sql("PRAGMA schema_version").fetchone()
        migrate(db)
    except Exception:
        db.close()
        raise
    db.bind(MODELS, bind_refs=False, bind_backrefs=False)
    return db


def move_aside(path: Path, now: datetime, why: str = "corrupt") -> Path:
    """Rename a database (and its WAL/SHM files) to ``<name>.<why>-<timestamp>``; never delete
    it. Used for a damaged file and for the file a restored backup replaces."""
    stamp = now.strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.{why}-{stamp}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.{why}-{stamp}-{n}")
    os.replace(path, target)
    for suffix in SIDE_FILES:
        side = path.with_name(path.name + suffix)
        if side.exists():
            os.replace(side, target.with_name(target.name + suffix))
    return target


def open_memory() -> SqliteDatabase:
    db = SqliteDatabase(":memory:", pragmas={"foreign_keys": 1})
    db.connect()
    migrate(db)
    db.bind(MODELS, bind_refs=False, bind_backrefs=False)
    return db


def open_store(path: Path, now: datetime, *, repair: bool = True) -> OpenedStore:
    """Open (creating and migrating as needed) the history database at ``path``.

    With ``repair`` (the app), problems are handled and explained; without it (read-only CLI
    commands), they raise :class:`StoreError` so the command can say so and exit.
    """
    try:
        _ensure_private_file(path)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        message = (f"microapp cannot write its history folder {path.parent} ({reason}). "
                   "It keeps running, but pauses and sentences from this session will not be kept.")
        if not repair:
            raise StoreError(message) from exc
        log.error("history folder not writable: %s", reason)
        return OpenedStore(open_memory(), None, message)

    try:
        return OpenedStore(_connect(path, check=repair), path)
    except NewerSchemaError as exc:
        message = (f"Your history at {path} was written by a newer microapp (schema "
                   f"{exc.found}, this one knows {LATEST_VERSION}). Please update microapp; "
                   "the file is left untouched and this session's history will not be kept.")
        if not repair:
            raise StoreError(message) from exc
        return OpenedStore(open_memory(), None, message)
    except (DatabaseError, sqlite3.DatabaseError) as exc:
        if "locked" in str(exc).lower() or "busy" in str(exc).lower():
            message = f"The history at {path} is busy (locked by another program); try again."
            if not repair:
                raise StoreError(message) from exc
            return OpenedStore(open_memory(), None, message)
        if not repair:
            raise StoreError(
                f"The history at {path} cannot be read ({exc}). Start microapp to move it "
                "aside and begin a new one.") from exc
        aside = move_aside(path, now)
        log.error("history file damaged (%s); moved aside to %s", exc, aside)
        _ensure_private_file(path)
        return OpenedStore(
            _connect(path, check=True), path,
            problem=(f"Your history file was damaged and could not be read. It was moved aside "
                     f"to {aside} (nothing was deleted), and a new history was started."),
            moved_aside=aside,
        )
