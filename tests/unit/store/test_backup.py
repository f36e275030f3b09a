"""Tests for microapp.store.backup on real SQLite files (WAL content, daily rule, restore)."""

from __future__ import annotations

import sqlite3
import stat
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from microapp.store.backup import (
    BackupError,
    backup_now,
    check_backup,
    default_folder,
    list_backups,
    maybe_daily_backup,
    restore,
)
from microapp.store.db import OpenedStore, open_store
from microapp.store.history import History
from microapp.store.migrations import LATEST_VERSION, migrate
from tests.helpers import FakeClock

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 3, 10, 21, 0, tzinfo=BERLIN)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "history.sqlite3"


@pytest.fixture
def store(db_path: Path, clock: FakeClock) -> Iterator[OpenedStore]:
    opened = open_store(db_path, clock.now())
    yield opened
    opened.db.close()


@pytest.fixture
def folder(db_path: Path) -> Path:
    return default_folder(db_path)


def add_pauses(store: OpenedStore, n: int, start: datetime = NOW) -> None:
    history = History(store.db)
    for i in range(n):
        history.record_pause(start + timedelta(minutes=i), "completed", "notice", f"M{i}")


def count_in(path: Path, table: str = "pause_event") -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])
    finally:
        conn.close()


def test_a_backup_contains_wal_content_not_yet_checkpointed(store: OpenedStore, db_path: Path,
                                                            folder: Path) -> None:
    store.db.execute_sql("PRAGMA wal_autocheckpoint = 0")
    add_pauses(store, 50)
    wal = db_path.with_name(db_path.name + "-wal")
    assert wal.stat().st_size > 0
    copy = db_path.with_name("copy.sqlite3")  # what a file copy of the main file would hold
    copy.write_bytes(db_path.read_bytes())
    try:
        copied = count_in(copy)
    except sqlite3.OperationalError:  # no such table: even the schema is still in the WAL
        copied = 0
    assert copied < 50

    path = backup_now(store.db, folder, NOW)
    assert count_in(path) == 50
    assert not path.with_name(path.name + "-wal").exists()
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # one self-contained file
    assert conn.execute("PRAGMA user_version").fetchone()[0] == LATEST_VERSION
    conn.close()


def test_backups_are_private_and_named_after_the_local_time(store: OpenedStore,
                                                             folder: Path) -> None:
    path = backup_now(store.db, folder, NOW)
    assert path.name == "history-20260310-210000+0100.sqlite3"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert [p.name for p in folder.iterdir()] == [path.name]  # no temporary file left


def test_two_backups_in_one_second_keep_both(store: OpenedStore, folder: Path) -> None:
    first = backup_now(store.db, folder, NOW)
    second = backup_now(store.db, folder, NOW)
    assert second.name == "history-20260310-210000+0100-2.sqlite3"
    assert [info.path for info in list_backups(folder)] == [second, first]


def test_a_naive_time_is_refused(store: OpenedStore, folder: Path) -> None:
    with pytest.raises(ValueError, match="aware"):
        backup_now(store.db, folder, NOW.replace(tzinfo=None))


def test_list_backups_newest_first_with_instant_and_size(store: OpenedStore, folder: Path) -> None:
    new_york = NOW.astimezone(ZoneInfo("America/New_York"))  # same instant, another zone
    older = backup_now(store.db, folder, NOW - timedelta(days=1))
    newer = backup_now(store.db, folder, new_york + timedelta(hours=1))
    (folder / "notes.txt").write_text("mine")
    (folder / "history-garbage.sqlite3").write_text("not ours")
    infos = list_backups(folder)
    assert [i.path for i in infos] == [newer, older]
    assert infos[0].taken_at == NOW + timedelta(hours=1)
    assert infos[0].taken_at.utcoffset() == timedelta(hours=-4)
    assert infos[1].size == older.stat().st_size > 0
    assert list_backups(folder / "missing") == []


def test_daily_backup_once_per_local_date(store: OpenedStore, folder: Path) -> None:
    assert maybe_daily_backup(store.db, folder, NOW) is not None
    assert maybe_daily_backup(store.db, folder, NOW + timedelta(hours=2)) is None  # 23:00
    assert maybe_daily_backup(store.db, folder, NOW + timedelta(hours=3, minutes=1)) is not None
    assert len(list_backups(folder)) == 2


def test_a_future_dated_backup_does_not_stop_the_daily_ones(store: OpenedStore,
                                                            folder: Path) -> None:
    backup_now(store.db, folder, NOW + timedelta(days=30))  # the clock was wrong once
    assert maybe_daily_backup(store.db, folder, NOW) is not None


def test_pruning_keeps_the_newest_n_and_nothing_else_is_touched(store: OpenedStore,
                                                                folder: Path) -> None:
    folder.mkdir(parents=True)
    mine = folder / "keep-me.sqlite3"
    mine.write_text("a file of the user's")
    taken = [maybe_daily_backup(store.db, folder, NOW + timedelta(days=d), keep=3)
             for d in range(10)]
    assert all(taken)
    assert [i.path for i in list_backups(folder)] == taken[:-4:-1]
    assert mine.read_text() == "a file of the user's"
    with pytest.raises(ValueError):
        maybe_daily_backup(store.db, folder, NOW, keep=0)


def test_restore_replaces_the_database_and_keeps_the_old_one_aside(
        store: OpenedStore, db_path: Path, folder: Path, clock: FakeClock) -> None:
    add_pauses(store, 3)
    backup = backup_now(store.db, folder, NOW)
    add_pauses(store, 4, NOW + timedelta(days=1))
    store.db.close()

    aside = restore(backup, db_path, NOW + timedelta(days=2))
    assert aside == db_path.with_name("history.sqlite3.before-restore-20260312-210000")
    assert count_in(aside) == 7  # the current history, kept whole
    assert count_in(db_path) == 3
    assert stat.S_IMODE(db_path.stat().st_mode) == 0o600
    assert not db_path.with_name(db_path.name + "-wal").exists()
    reopened = open_store(db_path, clock.now())
    assert reopened.problem is None and History(reopened.db).pause_count() == 3
    reopened.db.close()


def test_restore_moves_a_leftover_wal_aside_with_its_database(
        store: OpenedStore, db_path: Path, folder: Path) -> None:
    backup = backup_now(store.db, folder, NOW)
    store.db.execute_sql("PRAGMA wal_autocheckpoint = 0")
    add_pauses(store, 5)
    wal = db_path.with_name(db_path.name + "-wal")
    wal_bytes = wal.read_bytes()
    keeper = sqlite3.connect(db_path)  # a second connection keeps the WAL from being folded in
    keeper.execute("SELECT 1 FROM pause_event").fetchall()
    store.db.close()
    keeper.close()
    if not wal.exists():  # the last close checkpointed; put a WAL back as a crash would leave it
        wal.write_bytes(wal_bytes)
    aside = restore(backup, db_path, NOW)
    assert aside is not None
    assert aside.with_name(aside.name + "-wal").exists() and not wal.exists()
    assert count_in(db_path) == 0


def test_restore_into_a_new_place_has_nothing_to_keep_aside(store: OpenedStore, folder: Path,
                                                            tmp_path: Path) -> None:
    add_pauses(store, 2)
    backup = backup_now(store.db, folder, NOW)
    fresh = tmp_path / "elsewhere" / "history.sqlite3"
    assert restore(backup, fresh, NOW) is None
    assert count_in(fresh) == 2


def test_an_older_schema_backup_is_restored_and_migrated_on_open(db_path: Path, tmp_path: Path,
                                                                 clock: FakeClock) -> None:
    old = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(old)
    conn.close()
    from peewee import SqliteDatabase

    legacy = SqliteDatabase(str(old))
    migrate(legacy, 3)
    legacy.execute_sql("INSERT INTO pause_event (at_utc, tz, day, outcome) VALUES "
                       "('2026-03-10T08:00:00.000000Z', 'Europe/Berlin', '2026-03-10', "
                       "'completed')")
    legacy.close()
    assert check_backup(old) == 3
    restore(old, db_path, NOW)
    opened = open_store(db_path, clock.now())
    assert History(opened.db).pause_count() == 1
    assert opened.db.execute_sql("PRAGMA user_version").fetchone()[0] == LATEST_VERSION
    opened.db.close()


def corrupt_copy(backup: Path) -> Path:
    data = bytearray(backup.read_bytes())
    page = 4096
    for offset in range(page, len(data), 7):  # keep the header, wreck every page after it
        data[offset] = 0xA5
    bad = backup.with_name("damaged.sqlite3")
    bad.write_bytes(bytes(data))
    return bad


@pytest.mark.parametrize(("make", "message"), [
    (lambda b: corrupt_copy(b), "is damaged"),
    (lambda b: (b.with_name("junk.sqlite3").write_bytes(b"not a database" * 100),
                b.with_name("junk.sqlite3"))[1], "is not a SQLite database"),
    (lambda b: b.with_name("missing.sqlite3"), "cannot be read"),
])
def test_a_bad_backup_is_refused_and_the_database_is_untouched(
        make, message: str, store: OpenedStore, db_path: Path, folder: Path) -> None:
    add_pauses(store, 20)
    backup = backup_now(store.db, folder, NOW)
    store.db.close()
    before = db_path.read_bytes()
    bad = make(backup)
    with pytest.raises(BackupError, match=message):
        restore(bad, db_path, NOW)
    assert db_path.read_bytes() == before
    assert sorted(p.name for p in db_path.parent.iterdir()) == ["backups", db_path.name]


def test_a_database_that_is_not_a_microapp_history_is_refused(tmp_path: Path,
                                                              db_path: Path) -> None:
    other = tmp_path / "other.sqlite3"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE t (x)")
    conn.execute("PRAGMA user_version = 2")
    conn.commit()
    conn.close()
    with pytest.raises(BackupError, match="not a microapp history"):
        restore(other, db_path, NOW)
    assert not db_path.exists()


def test_a_backup_from_a_newer_microapp_is_refused(tmp_path: Path, db_path: Path,
                                                   store: OpenedStore, folder: Path) -> None:
    backup = backup_now(store.db, folder, NOW)
    conn = sqlite3.connect(backup)
    conn.execute(f"PRAGMA user_version = {LATEST_VERSION + 1}")
    conn.commit()
    conn.close()
    with pytest.raises(BackupError, match="newer microapp"):
        check_backup(backup)
