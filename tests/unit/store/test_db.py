"""Tests for microapp.store.db on real files: private, WAL, foreign keys, and never lost."""

from __future__ import annotations

import sqlite3
import stat
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

import microapp.store.db as db_module
from microapp.core.paths import Profile
from microapp.store.db import OpenedStore, StoreError, move_aside, open_store
from microapp.store.history import History
from microapp.store.migrations import LATEST_VERSION, schema_version
from tests.helpers import FakeClock

GARBAGE = b"not a database" * 100
STAMP = "20260310-090000"  # the FakeClock's default instant, as move_aside writes it


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def pragma(opened: OpenedStore, name: str) -> object:
    return opened.db.execute_sql(f"PRAGMA {name}").fetchone()[0]


@pytest.fixture
def db_path(profile: Profile) -> Path:
    return profile.database_path


@pytest.fixture
def opened(db_path: Path, clock: FakeClock) -> Iterator[OpenedStore]:
    store = open_store(db_path, clock.now())
    yield store
    store.db.close()


def files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# --- a fresh store ----------------------------------------------------------------------------


def test_a_fresh_store_is_persistent_and_current(opened: OpenedStore, db_path: Path) -> None:
    assert opened.persistent
    assert opened.path == db_path
    assert opened.problem is None
    assert opened.moved_aside is None
    assert db_path.is_file()
    assert schema_version(opened.db) == LATEST_VERSION


def test_pragmas(opened: OpenedStore) -> None:
    assert pragma(opened, "journal_mode") == "wal"
    assert pragma(opened, "foreign_keys") == 1
    assert pragma(opened, "synchronous") == 2  # FULL
    assert pragma(opened, "busy_timeout") == db_module.BUSY_TIMEOUT_MS


def test_the_file_and_its_folder_are_private(
    opened: OpenedStore, db_path: Path, clock: FakeClock
) -> None:
    assert mode(db_path) == 0o600
    assert mode(db_path.parent) == 0o700
    History(opened.db).record_pause(clock.now(), "completed")  # makes the WAL files exist
    side_files = [db_path.with_name(db_path.name + s) for s in ("-wal", "-shm")]
    assert all(p.exists() for p in side_files)
    assert [mode(p) for p in side_files] == [0o600, 0o600]


def test_a_file_readable_by_others_is_made_private(db_path: Path, clock: FakeClock) -> None:
    db_path.parent.mkdir(parents=True)
    sqlite3.connect(db_path).close()
    db_path.chmod(0o644)
    store = open_store(db_path, clock.now())
    store.db.close()
    assert mode(db_path) == 0o600


def test_reopening_keeps_the_history(db_path: Path, clock: FakeClock) -> None:
    first = open_store(db_path, clock.now())
    History(first.db).record_pause(clock.now(), "completed", "listen", "Stand-up")
    first.db.close()
    second = open_store(db_path, clock.now(), repair=False)
    try:
        assert second.problem is None
        assert History(second.db).pause_count() == 1
    finally:
        second.db.close()


# --- a damaged file ---------------------------------------------------------------------------


def test_a_garbage_file_is_moved_aside_intact_and_a_new_store_starts(
    db_path: Path, clock: FakeClock
) -> None:
    db_path.parent.mkdir(parents=True)
    db_path.write_bytes(GARBAGE)
    store = open_store(db_path, clock.now())
    try:
        aside = db_path.with_name(f"microapp.sqlite3.corrupt-{STAMP}")
        assert store.moved_aside == aside
        assert aside.read_bytes() == GARBAGE
        assert store.persistent and store.path == db_path
        assert store.problem is not None
        assert str(aside) in store.problem
        assert "nothing was deleted" in store.problem
        history = History(store.db)
        history.record_pause(clock.now(), "completed")
        assert history.pause_count() == 1
        assert schema_version(store.db) == LATEST_VERSION
        assert mode(db_path) == 0o600
    finally:
        store.db.close()


def test_a_damaged_page_in_a_real_database_is_moved_aside(db_path: Path, clock: FakeClock) -> None:
    store = open_store(db_path, clock.now())
    history = History(store.db)
    for i in range(300):  # enough rows for several b-tree pages
        history.record_pause(clock.advance(minutes=7), "completed", meeting=f"{'m' * 200} {i}")
    store.db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    store.db.close()
    page_size = 4096
    damaged = bytearray(db_path.read_bytes())
    assert len(damaged) > 4 * page_size
    damaged[2 * page_size: 2 * page_size + 100] = b"\x07" * 100  # page 3's header
    db_path.write_bytes(bytes(damaged))

    reopened = open_store(db_path, clock.now())
    try:
        assert reopened.moved_aside is not None
        assert reopened.moved_aside.read_bytes() == bytes(damaged)
        assert History(reopened.db).pause_count() == 0
    finally:
        reopened.db.close()


def test_side_files_go_aside_with_the_damaged_file(db_path: Path, clock: FakeClock) -> None:
    db_path.parent.mkdir(parents=True)
    db_path.write_bytes(GARBAGE)
    sides = {"-wal": b"old wal", "-shm": b"old shm", "-journal": b"old journal"}
    for suffix, content in sides.items():
        db_path.with_name(db_path.name + suffix).write_bytes(content)
    store = open_store(db_path, clock.now())
    store.db.close()
    aside = store.moved_aside
    assert aside is not None
    for suffix, content in sides.items():
        assert aside.with_name(aside.name + suffix).read_bytes() == content


def test_damage_twice_in_the_same_second_keeps_both_copies(
    db_path: Path, clock: FakeClock
) -> None:
    db_path.parent.mkdir(parents=True)
    kept = []
    for content in (GARBAGE, b"other garbage" * 100):
        db_path.write_bytes(content)
        store = open_store(db_path, clock.now())
        store.db.close()
        kept.append(store.moved_aside)
    assert kept == [db_path.with_name(f"microapp.sqlite3.corrupt-{STAMP}"),
                    db_path.with_name(f"microapp.sqlite3.corrupt-{STAMP}-2")]
    assert kept[0].read_bytes() == GARBAGE
    assert kept[1].read_bytes() == b"other garbage" * 100


def test_move_aside_never_overwrites(tmp_path: Path) -> None:
    now = datetime(2026, 3, 10, 9, 0)  # only formatted into the name
    names = []
    for i in range(3):
        path = tmp_path / "db"
        path.write_text(str(i))
        names.append(move_aside(path, now).name)
    assert names == [f"db.corrupt-{STAMP}", f"db.corrupt-{STAMP}-2", f"db.corrupt-{STAMP}-3"]
    assert [(tmp_path / n).read_text() for n in names] == ["0", "1", "2"]


def test_repair_off_raises_and_leaves_a_damaged_file_alone(
    db_path: Path, clock: FakeClock
) -> None:
    db_path.parent.mkdir(parents=True)
    db_path.write_bytes(GARBAGE)
    wal = db_path.with_name(db_path.name + "-wal")
    wal.write_bytes(b"maybe the last good writes")
    with pytest.raises(StoreError, match="cannot be read") as caught:
        open_store(db_path, clock.now(), repair=False)
    assert str(db_path) in str(caught.value)
    assert db_path.read_bytes() == GARBAGE
    assert wal.read_bytes() == b"maybe the last good writes"
    assert files_in(db_path.parent) == ["microapp.sqlite3", "microapp.sqlite3-wal"]


# --- a busy file ------------------------------------------------------------------------------


@pytest.fixture
def locked(db_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Another program holds an exclusive lock; the busy timeout is shortened, not slept."""
    open_store(db_path, clock.now()).db.close()
    monkeypatch.setattr(db_module, "BUSY_TIMEOUT_MS", 20)
    monkeypatch.setitem(db_module.PRAGMAS, "busy_timeout", 20)
    other = sqlite3.connect(db_path, isolation_level=None)
    other.execute("PRAGMA locking_mode = EXCLUSIVE")
    other.execute("BEGIN EXCLUSIVE")
    other.execute("PRAGMA user_version").fetchone()
    yield
    other.execute("COMMIT")
    other.close()


@pytest.mark.usefixtures("locked")
def test_a_locked_file_is_not_mistaken_for_a_damaged_one(
    db_path: Path, clock: FakeClock
) -> None:
    store = open_store(db_path, clock.now())
    store.db.close()
    assert store.path is None
    assert store.problem is not None and "busy" in store.problem
    assert store.moved_aside is None
    assert not any(".corrupt-" in name for name in files_in(db_path.parent))
    with pytest.raises(StoreError, match="busy"):
        open_store(db_path, clock.now(), repair=False)


# --- a folder we cannot write to --------------------------------------------------------------


@pytest.fixture
def blocked_path(tmp_path: Path) -> Path:
    """The data dir's parent is a regular file, so mkdir fails even for root."""
    (tmp_path / "blocker").write_text("I am a file, not a folder")
    return tmp_path / "blocker" / "data" / "microapp.sqlite3"


def test_an_unwritable_folder_gives_an_in_memory_store_that_still_records(
    blocked_path: Path, clock: FakeClock
) -> None:
    store = open_store(blocked_path, clock.now())
    try:
        assert not store.persistent
        assert store.path is None
        assert store.problem is not None
        assert str(blocked_path.parent) in store.problem
        assert "will not be kept" in store.problem
        assert pragma(store, "foreign_keys") == 1
        history = History(store.db)
        history.record_pause(clock.now(), "completed", "notice", "Stand-up")
        assert [p.meeting for p in history.pauses_on(clock.now().date())] == ["Stand-up"]
    finally:
        store.db.close()
    assert (blocked_path.parent.parent).is_file()  # nothing was created or replaced


def test_an_unwritable_folder_with_repair_off_raises(blocked_path: Path,
                                                     clock: FakeClock) -> None:
    with pytest.raises(StoreError, match="cannot write its history folder"):
        open_store(blocked_path, clock.now(), repair=False)
