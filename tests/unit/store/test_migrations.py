"""Tests for microapp.store.migrations: every past schema upgrades, keeps its rows, and a failed
or killed migration leaves the file at the version it had."""

from __future__ import annotations

import ast
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from peewee import IntegrityError, SqliteDatabase

import microapp.store.migrations as migrations_module
from microapp.core.records import MicroRound
from microapp.store.db import StoreError, open_store
from microapp.store.history import History
from microapp.store.migrations import (
    LATEST_VERSION,
    MIGRATIONS,
    NewerSchemaError,
    migrate,
    schema_version,
)

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=ZoneInfo("Europe/Berlin"))
DAY = date(2026, 3, 9)

PAUSE_SQL = ("INSERT INTO pause_event (at_utc, tz, day, outcome, intention, meeting) "
             "VALUES (?, ?, ?, ?, ?, ?)")
GRATITUDE_SQL = ("INSERT INTO gratitude_entry (at_utc, tz, day, recipient, relationship, text) "
                 "VALUES (?, ?, ?, ?, ?, ?)")

# Rows as version 1 wrote them, exact duplicates (an import run twice) included.
V1_PAUSES = [
    ("2026-03-09T08:00:00.000000Z", "Europe/Berlin", "2026-03-09", "completed", "listen",
     "Stand-up"),
    ("2026-03-09T08:00:00.000000Z", "Europe/Berlin", "2026-03-09", "completed", "listen",
     "Stand-up"),
    ("2026-03-09T13:00:00.000000Z", "Europe/Berlin", "2026-03-09", "skipped", None, None),
    ("2026-03-09T13:00:00.000000Z", "Europe/Berlin", "2026-03-09", "skipped", None, None),
    ("2026-03-09T15:00:00.000000Z", "Europe/Berlin", "2026-03-09", "missed", None, "Planning"),
    ("2026-03-08T23:30:00.000000Z", "Europe/Berlin", "2026-03-08", "completed", "notice", None),
]
V1_GRATITUDE = [
    ("2026-03-09T19:30:00.000000Z", "Europe/Berlin", "2026-03-09", "Sam", "colleague",
     "You walk me through the deploy."),
    ("2026-03-09T19:30:00.000000Z", "Europe/Berlin", "2026-03-09", "Sam", "colleague",
     "You walk me through the deploy."),
    ("2026-03-08T19:30:00.000000Z", "Europe/Berlin", "2026-03-08", "Mum", None,
     "You listen to the whole story."),
]
ROWS_AFTER_FOLDING = {"pauses": 4, "gratitude": 2}
# Rows as version 3 wrote them: the Stand-up cue (completed, pause 1) and a snooze.
CUE_KEY = "work\x1fstandup-1\x1f2026-03-09T08:01:00+00:00"
V3_CUES = [(CUE_KEY, "2026-03-09T08:00:00.000000Z", "2026-03-09T08:00:00.000000Z",
            "completed", 1)]
V3_STATE = [("snoozed_until", "2026-03-10T09:30:00.000000Z")]
CUE_SQL = "INSERT INTO cue (key, due_utc, shown_utc, outcome, pause_id) VALUES (?, ?, ?, ?, ?)"
STATE_SQL = "INSERT INTO app_state (name, value) VALUES (?, ?)"
# Rows as version 4 wrote them: the evening's micro-round.
V4_ROUNDS = [("2026-03-09", "the pause before planning", "", "Sam's demo",
              "2026-03-09T20:05:00.000000Z")]
ROUND_SQL = ("INSERT INTO micro_round (day, useful, confusing, energizing, updated_utc) "
             "VALUES (?, ?, ?, ?, ?)")


@contextmanager
def raw_db(path: Path) -> Iterator[SqliteDatabase]:
    """A plain connection, no pragmas: how an older microapp's file looks from outside."""
    db = SqliteDatabase(str(path))
    db.connect()
    try:
        yield db
    finally:
        db.close()


def build_at_version(path: Path, version: int) -> None:
    """A database as microapp ``version`` left it, holding the rows that version allowed."""
    with raw_db(path) as db:
        migrate(db, target=version)
        assert schema_version(db) == version
        if version >= 1:
            rows = V1_PAUSES if version == 1 else list(dict.fromkeys(V1_PAUSES))
            notes = V1_GRATITUDE if version == 1 else list(dict.fromkeys(V1_GRATITUDE))
            for row in rows:
                db.execute_sql(PAUSE_SQL, row)
            for row in notes:
                db.execute_sql(GRATITUDE_SQL, row)
        if version >= 3:
            for row in V3_CUES:
                db.execute_sql(CUE_SQL, row)
            for row in V3_STATE:
                db.execute_sql(STATE_SQL, row)
        if version >= 4:
            for row in V4_ROUNDS:
                db.execute_sql(ROUND_SQL, row)


def count(db: SqliteDatabase, table: str) -> int:
    return db.execute_sql(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


def index_names(db: SqliteDatabase) -> set[str]:
    rows = db.execute_sql("SELECT name FROM sqlite_master WHERE type = 'index'").fetchall()
    return {name for (name,) in rows if not name.startswith("sqlite_")}


def snapshot(path: Path) -> tuple[int, list[tuple], dict[str, list[tuple]]]:
    """The version, the whole schema and every row of every table: what "intact" means."""
    with raw_db(path) as db:
        schema = db.execute_sql(
            "SELECT type, name, sql FROM sqlite_master ORDER BY type, name").fetchall()
        tables = [name for kind, name, _ in schema if kind == "table"]
        rows = {t: db.execute_sql(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in tables}
        return schema_version(db), schema, rows


def test_versions_are_consecutive_from_one() -> None:
    assert sorted(MIGRATIONS) == list(range(1, LATEST_VERSION + 1))


@pytest.mark.parametrize("version", range(LATEST_VERSION + 1))
def test_every_past_version_upgrades_and_keeps_its_rows(tmp_path: Path, version: int) -> None:
    path = tmp_path / "microapp.sqlite3"
    build_at_version(path, version)
    opened = open_store(path, NOW)
    try:
        assert opened.problem is None
        assert opened.persistent
        assert schema_version(opened.db) == LATEST_VERSION
        assert index_names(opened.db) >= {"pause_event_day_outcome", "pause_event_natural",
                                          "gratitude_entry_day", "gratitude_entry_natural",
                                          "cue_due", "gratitude_entry_recipient"}
        history = History(opened.db)
        if version < 4:  # the micro-round starts empty and works through today's models
            assert count(opened.db, "micro_round") == 0
            assert history.micro_round(DAY) is None
        else:
            assert opened.db.execute_sql("SELECT * FROM micro_round").fetchall() == V4_ROUNDS
            assert history.micro_round(DAY) == MicroRound(DAY, "the pause before planning", "",
                                                          "Sam's demo")
        if version < 3:  # the new tables start empty and work through today's models
            assert count(opened.db, "cue") == count(opened.db, "app_state") == 0
            assert history.snoozed_until() is None
        else:
            assert opened.db.execute_sql("SELECT * FROM cue").fetchall() == V3_CUES
            assert history.handled_cue_keys(NOW.replace(day=9, hour=0)) == {CUE_KEY}
            assert history.snoozed_until() == datetime(2026, 3, 10, 9, 30, tzinfo=UTC)
        if version == 0:
            assert history.pause_count() == 0
            return
        assert count(opened.db, "pause_event") == ROWS_AFTER_FOLDING["pauses"]
        assert count(opened.db, "gratitude_entry") == ROWS_AFTER_FOLDING["gratitude"]
        # The rows read back through today's models, unchanged.
        assert [(p.at.hour, p.outcome.value, p.meeting) for p in history.pauses_on(DAY)] == [
            (9, "completed", "Stand-up"), (14, "skipped", None), (16, "missed", "Planning")]
        assert history.pause_outcomes_by_day()[date(2026, 3, 8)] == ["completed"]
        assert history.gratitude_days() == {date(2026, 3, 8), date(2026, 3, 9)}
        assert [g.recipient for g in history.gratitude_on(DAY)] == ["Sam"]
        # Rows older versions wrote are found by name in any case, through the new index.
        assert [g.text for g in history.gratitude_for("sAM")] == [
            "You walk me through the deploy."]
        assert [(r.name, r.count) for r in history.recipients()] == [("Sam", 1), ("Mum", 1)]
    finally:
        opened.db.close()


def test_a_zero_byte_file_is_version_zero_and_upgrades(tmp_path: Path) -> None:
    path = tmp_path / "microapp.sqlite3"
    path.write_bytes(b"")
    opened = open_store(path, NOW)
    try:
        assert opened.problem is None
        assert schema_version(opened.db) == LATEST_VERSION
    finally:
        opened.db.close()


def test_migrate_reports_where_it_started_and_is_a_no_op_when_current(tmp_path: Path) -> None:
    with raw_db(tmp_path / "db.sqlite3") as db:
        assert migrate(db, target=1) == 0
        assert migrate(db) == 1
        assert migrate(db) == LATEST_VERSION
        assert schema_version(db) == LATEST_VERSION


def test_version_1_allows_duplicates_and_version_2_forbids_them(tmp_path: Path) -> None:
    with raw_db(tmp_path / "db.sqlite3") as db:
        migrate(db, target=1)
        db.execute_sql(PAUSE_SQL, V1_PAUSES[0])
        db.execute_sql(PAUSE_SQL, V1_PAUSES[0])
        migrate(db)
        assert count(db, "pause_event") == 1
        with pytest.raises(IntegrityError):
            db.execute_sql(PAUSE_SQL, V1_PAUSES[0])
        db.execute_sql(PAUSE_SQL, V1_PAUSES[2])
        with pytest.raises(IntegrityError):  # NULL meetings are equal for this key
            db.execute_sql(PAUSE_SQL, V1_PAUSES[2])


@pytest.mark.parametrize("version", range(1, LATEST_VERSION + 1))
@pytest.mark.parametrize(
    ("column", "value"), [("outcome", "maybe"), ("intention", "shout")])
def test_the_schema_checks_outcomes_and_intentions(
    tmp_path: Path, version: int, column: str, value: str
) -> None:
    row = dict(zip(("at_utc", "tz", "day", "outcome", "intention", "meeting"), V1_PAUSES[0],
                   strict=True))
    row[column] = value
    with raw_db(tmp_path / "db.sqlite3") as db:
        migrate(db, target=version)
        with pytest.raises(IntegrityError, match="CHECK"):
            db.execute_sql(PAUSE_SQL, tuple(row.values()))


@pytest.mark.parametrize("version", range(1, LATEST_VERSION + 1))
def test_a_failing_migration_leaves_the_version_and_the_rows_unchanged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, version: int
) -> None:
    path = tmp_path / "microapp.sqlite3"
    build_at_version(path, version - 1)
    before = snapshot(path)
    real = MIGRATIONS[version]

    def half_done(db: SqliteDatabase) -> None:
        real(db)  # all of the version's work ...
        db.execute_sql("DELETE FROM pause_event")
        db.execute_sql("CREATE TABLE half_done (x)")
        raise RuntimeError("disk full")  # ... then it fails

    monkeypatch.setitem(migrations_module.MIGRATIONS, version, half_done)
    with raw_db(path) as db, pytest.raises(RuntimeError, match="disk full"):
        migrate(db)
    monkeypatch.undo()

    assert snapshot(path) == before  # duplicates not yet folded, no new table, same version
    assert_next_start_upgrades(path, version - 1)


def assert_next_start_upgrades(path: Path, old_version: int) -> None:
    opened = open_store(path, NOW)
    try:
        assert opened.problem is None
        assert schema_version(opened.db) == LATEST_VERSION
        if old_version >= 1:
            assert count(opened.db, "pause_event") == ROWS_AFTER_FOLDING["pauses"]
    finally:
        opened.db.close()


@pytest.mark.parametrize("version", range(1, LATEST_VERSION + 1))
@pytest.mark.parametrize("journal_mode", ["wal", "delete"])
def test_a_process_killed_mid_migration_leaves_the_old_version(
    tmp_path: Path, journal_mode: str, version: int
) -> None:
    path = tmp_path / "microapp.sqlite3"
    build_at_version(path, version - 1)
    with raw_db(path) as db:
        db.execute_sql(f"PRAGMA journal_mode = {journal_mode}")
    before = snapshot(path)
    # A real process, killed (os._exit: no cleanup, no rollback) in the middle of a migration.
    script = textwrap.dedent(f"""
        import os
        from peewee import SqliteDatabase
        from microapp.store import migrations
        real = migrations.MIGRATIONS[{version}]
        def killed(db):
            real(db)
            os._exit(9)
        migrations.MIGRATIONS[{version}] = killed
        db = SqliteDatabase({str(path)!r})
        db.connect()
        migrations.migrate(db)
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=60, check=False)
    assert result.returncode == 9, result.stderr
    assert snapshot(path) == before
    assert_next_start_upgrades(path, version - 1)


def test_the_cue_table_checks_outcomes_and_its_pause(tmp_path: Path) -> None:
    with raw_db(tmp_path / "db.sqlite3") as db:
        migrate(db)
        db.execute_sql("PRAGMA foreign_keys = ON")
        db.execute_sql(PAUSE_SQL, V1_PAUSES[0])
        with pytest.raises(IntegrityError, match="CHECK"):
            db.execute_sql(CUE_SQL, ("k", "2026-03-09T08:00:00.000000Z", None, "maybe", None))
        with pytest.raises(IntegrityError, match="FOREIGN KEY"):
            db.execute_sql(CUE_SQL, ("k", "2026-03-09T08:00:00.000000Z", None, "missed", 99))
        with pytest.raises(IntegrityError, match="NOT NULL"):
            db.execute_sql(CUE_SQL, ("k", None, None, None, None))
        db.execute_sql(CUE_SQL, ("shown", "2026-03-09T08:00:00.000000Z", None, None, None))
        db.execute_sql(CUE_SQL, V3_CUES[0])
        with pytest.raises(IntegrityError, match="UNIQUE"):  # one row per cue key
            db.execute_sql(CUE_SQL, V3_CUES[0])
        db.execute_sql("DELETE FROM pause_event")  # never done by microapp; the cue outlives it
        assert db.execute_sql("SELECT key, pause_id FROM cue ORDER BY key").fetchall() == [
            ("shown", None), (CUE_KEY, None)]
        with pytest.raises(IntegrityError, match="NOT NULL"):
            db.execute_sql(STATE_SQL, ("snoozed_until", None))


def test_the_micro_round_table_keeps_one_row_per_day(tmp_path: Path) -> None:
    with raw_db(tmp_path / "db.sqlite3") as db:
        migrate(db)
        db.execute_sql(ROUND_SQL, V4_ROUNDS[0])
        with pytest.raises(IntegrityError, match="UNIQUE"):
            db.execute_sql(ROUND_SQL, V4_ROUNDS[0])
        with pytest.raises(IntegrityError, match="NOT NULL"):
            db.execute_sql(ROUND_SQL, ("2026-03-10", "x", "", "", None))
        with pytest.raises(IntegrityError, match="NOT NULL"):
            db.execute_sql(ROUND_SQL, ("2026-03-10", None, "", "", "2026-03-10T20:00:00.000000Z"))
        db.execute_sql("INSERT INTO micro_round (day, updated_utc) VALUES (?, ?)",
                       ("2026-03-11", "2026-03-11T20:00:00.000000Z"))
        assert db.execute_sql("SELECT useful, confusing, energizing FROM micro_round "
                              "WHERE day = '2026-03-11'").fetchone() == ("", "", "")


def test_looking_up_a_name_in_any_case_uses_the_recipient_index(tmp_path: Path) -> None:
    with raw_db(tmp_path / "db.sqlite3") as db:
        migrate(db)
        plan = db.execute_sql("EXPLAIN QUERY PLAN SELECT * FROM gratitude_entry "
                              "WHERE recipient = ? COLLATE NOCASE", ("sam",)).fetchall()
        assert any("gratitude_entry_recipient" in str(row) for row in plan), plan


def newer_database(path: Path, journal_mode: str) -> bytes:
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA journal_mode = {journal_mode}")
    conn.execute("CREATE TABLE pause_event (id INTEGER PRIMARY KEY, future TEXT)")
    conn.execute("INSERT INTO pause_event (future) VALUES ('from the future')")
    conn.execute(f"PRAGMA user_version = {LATEST_VERSION + 5}")
    conn.commit()
    conn.close()
    return path.read_bytes()


@pytest.mark.parametrize("journal_mode", ["delete", "wal"])
def test_a_newer_schema_is_left_untouched_with_a_message(
    tmp_path: Path, journal_mode: str
) -> None:
    path = tmp_path / "microapp.sqlite3"
    before = newer_database(path, journal_mode)
    opened = open_store(path, NOW)
    try:
        assert opened.path is None  # this session runs in memory
        assert opened.problem is not None
        assert "newer microapp" in opened.problem
        assert f"schema {LATEST_VERSION + 5}" in opened.problem
        assert str(path) in opened.problem
        History(opened.db).record_pause(NOW, "completed")  # the app still works
    finally:
        opened.db.close()
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["microapp.sqlite3"]


def test_a_newer_schema_with_repair_off_raises_and_leaves_the_file(tmp_path: Path) -> None:
    path = tmp_path / "microapp.sqlite3"
    before = newer_database(path, "delete")
    with pytest.raises(StoreError, match="newer microapp"):
        open_store(path, NOW, repair=False)
    assert path.read_bytes() == before


def test_migrate_refuses_a_newer_schema(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    newer_database(path, "delete")
    with raw_db(path) as db:
        with pytest.raises(NewerSchemaError) as caught:
            migrate(db)
        assert caught.value.found == LATEST_VERSION + 5
        assert schema_version(db) == LATEST_VERSION + 5


def test_migrations_never_import_the_models() -> None:
    # They are SQL frozen in time; today's models describe only the latest version.
    tree = ast.parse(Path(migrations_module.__file__).read_text(encoding="utf-8"))
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    imported |= {a.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                 for a in node.names}
    assert not {m for m in imported if m and "models" in m}


@pytest.mark.parametrize("version", range(LATEST_VERSION))
def test_every_past_version_gets_an_empty_weekly_note_table_that_works(
    tmp_path: Path, version: int
) -> None:
    from microapp.store.history_view import save_weekly_note, weekly_note

    path = tmp_path / "microapp.sqlite3"
    build_at_version(path, version)
    opened = open_store(path, NOW)
    try:
        assert schema_version(opened.db) == LATEST_VERSION >= 5
        assert count(opened.db, "weekly_note") == 0
        week = date(2026, 3, 9)
        save_weekly_note(opened.db, week, "the stand-up pause", "thanking Sam", NOW)
        note = weekly_note(opened.db, week)
        assert note is not None and (note.easiest, note.meaningful) == (
            "the stand-up pause", "thanking Sam")
    finally:
        opened.db.close()


def test_the_weekly_note_table_keeps_one_row_per_week(tmp_path: Path) -> None:
    sql = "INSERT INTO weekly_note (week, easiest, meaningful, updated_utc) VALUES (?, ?, ?, ?)"
    with raw_db(tmp_path / "db.sqlite3") as db:
        migrate(db, target=5)
        db.execute_sql(sql, ("2026-03-09", "a", "b", "2026-03-10T19:00:00.000000Z"))
        with pytest.raises(IntegrityError, match="UNIQUE"):
            db.execute_sql(sql, ("2026-03-09", "c", "d", "2026-03-10T20:00:00.000000Z"))
        with pytest.raises(IntegrityError, match="NOT NULL"):
            db.execute_sql(sql, ("2026-03-16", None, "d", "2026-03-10T20:00:00.000000Z"))
        db.execute_sql("INSERT INTO weekly_note (week, updated_utc) VALUES ('2026-03-16', 'x')")
        assert db.execute_sql("SELECT easiest, meaningful FROM weekly_note "
                              "WHERE week = '2026-03-16'").fetchone() == ("", "")


def test_streaks_are_read_from_the_covering_index(tmp_path: Path) -> None:
    with raw_db(tmp_path / "db.sqlite3") as db:
        migrate(db)
        plan = db.execute_sql("EXPLAIN QUERY PLAN SELECT day, outcome, COUNT(*) FROM pause_event "
                              "GROUP BY day, outcome").fetchall()
        assert any("COVERING INDEX pause_event_day_outcome" in str(row) for row in plan)
        assert "pause_event_day" not in index_names(db)
