"""Schema versions, kept in ``PRAGMA user_version``, and the forward migrations between them.

Each migration runs in one transaction together with its version bump, so a killed process
leaves the file at the old version or the new one, never between. Migrations are plain SQL
frozen in time: they must never import the current models, which keep changing.
"""

from __future__ import annotations

from collections.abc import Callable

from peewee import SqliteDatabase

OUTCOMES_SQL = "('completed', 'skipped', 'suppressed', 'missed')"
INTENTIONS_SQL = "('notice', 'listen', 'encourage')"


class NewerSchemaError(Exception):
    def __init__(self, found: int) -> None:
        super().__init__(f"database schema {found} is newer than this microapp knows")
        self.found = found


def _v1(db: SqliteDatabase) -> None:
    """The first schema: pause events and gratitude entries."""
    db.execute_sql(f"""
        CREATE TABLE pause_event (
            id INTEGER PRIMARY KEY,
            at_utc TEXT NOT NULL,
            tz TEXT NOT NULL,
            day TEXT NOT NULL,
            outcome TEXT NOT NULL CHECK (outcome IN {OUTCOMES_SQL}),
            intention TEXT CHECK (intention IS NULL OR intention IN {INTENTIONS_SQL}),
            meeting TEXT
        )""")
    db.execute_sql("""
        CREATE TABLE gratitude_entry (
            id INTEGER PRIMARY KEY,
            at_utc TEXT NOT NULL,
            tz TEXT NOT NULL,
            day TEXT NOT NULL,
            recipient TEXT NOT NULL,
            relationship TEXT,
            text TEXT NOT NULL,
            sent_via TEXT,
            backfilled INTEGER NOT NULL DEFAULT 0
        )""")


def _v2(db: SqliteDatabase) -> None:
    """Per-day indexes (history views ask by day) and natural keys, so that importing an
    export twice adds nothing. Exact duplicates left by version 1 are folded first."""
    db.execute_sql("""
        DELETE FROM pause_event WHERE id NOT IN (
            SELECT MIN(id) FROM pause_event GROUP BY at_utc, outcome, IFNULL(meeting, ''))""")
    db.execute_sql("""
        DELETE FROM gratitude_entry WHERE id NOT IN (
            SELECT MIN(id) FROM gratitude_entry GROUP BY at_utc, recipient, text)""")
    db.execute_sql("CREATE INDEX pause_event_day ON pause_event (day)")
    db.execute_sql("CREATE UNIQUE INDEX pause_event_natural "
                   "ON pause_event (at_utc, outcome, IFNULL(meeting, ''))")
    db.execute_sql("CREATE INDEX gratitude_entry_day ON gratitude_entry (day)")
    db.execute_sql("CREATE UNIQUE INDEX gratitude_entry_natural "
                   "ON gratitude_entry (at_utc, recipient, text)")


def _v3(db: SqliteDatabase) -> None:
    """Doorway pause cues and a little app state (the snooze).

    A cue row says a cue key (calendar, UID, occurrence start) was handled - shown, or given
    an outcome - so neither a calendar refresh nor a restart fires it again. ``due_utc`` uses
    the fixed-width UTC text of every stored instant, so text order is time order.
    """
    db.execute_sql(f"""
        CREATE TABLE cue (
            key TEXT PRIMARY KEY,
            due_utc TEXT NOT NULL,
            shown_utc TEXT,
            outcome TEXT CHECK (outcome IS NULL OR outcome IN {OUTCOMES_SQL}),
            pause_id INTEGER REFERENCES pause_event(id) ON DELETE SET NULL
        )""")
    db.execute_sql("CREATE INDEX cue_due ON cue (due_utc)")
    db.execute_sql("""
        CREATE TABLE app_state (
            name TEXT PRIMARY KEY,
            value TEXT NOT NULL
        )""")


def _v4(db: SqliteDatabase) -> None:
    """The evening's micro-round (one row per practice day) and finding past entries for a
    person by name, whatever case it was typed in."""
    db.execute_sql("""
        CREATE TABLE micro_round (
            day TEXT PRIMARY KEY,
            useful TEXT NOT NULL DEFAULT '',
            confusing TEXT NOT NULL DEFAULT '',
            energizing TEXT NOT NULL DEFAULT '',
            updated_utc TEXT NOT NULL
        )""")
    db.execute_sql("CREATE INDEX gratitude_entry_recipient "
                   "ON gratitude_entry (recipient COLLATE NOCASE)")


def _v5(db: SqliteDatabase) -> None:
    """The weekly reflection: which moments felt easiest and most meaningful, one row per
    practice week (``week`` is the ISO date of its Monday)."""
    db.execute_sql("""
        CREATE TABLE weekly_note (
            week TEXT PRIMARY KEY,
            easiest TEXT NOT NULL DEFAULT '',
            meaningful TEXT NOT NULL DEFAULT '',
            updated_utc TEXT NOT NULL
        )""")


def _v6(db: SqliteDatabase) -> None:
    """Streaks read every day's outcomes: an index holding both lets SQLite answer from the
    index alone (ten years of pauses: ~17 ms -> ~10 ms). It also serves every per-day lookup
    the old day-only index served, so that one goes."""
    db.execute_sql("CREATE INDEX pause_event_day_outcome ON pause_event (day, outcome)")
    db.execute_sql("DROP INDEX pause_event_day")


MIGRATIONS: dict[int, Callable[[SqliteDatabase], None]] = {
    1: _v1, 2: _v2, 3: _v3, 4: _v4, 5: _v5, 6: _v6,
}
LATEST_VERSION = max(MIGRATIONS)


def schema_version(db: SqliteDatabase) -> int:
    return int(db.execute_sql("PRAGMA user_version").fetchone()[0])


def migrate(db: SqliteDatabase, target: int = LATEST_VERSION) -> int:
    """Bring the database up to ``target``; returns the version it started from."""
    start = schema_version(db)
    if start > LATEST_VERSION:
        raise NewerSchemaError(start)
    for version in range(start + 1, target + 1):
        with db.atomic():
            MIGRATIONS[version](db)
            db.execute_sql(f"PRAGMA user_version = {int(version)}")
    return start
