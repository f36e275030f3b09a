"""Export and import of the whole history: DESIGN.md's JSON shape, and CSV for spreadsheets.

Import is all or nothing: every row is checked first and a file with any problem writes
nothing. A valid file is merged in one transaction with INSERT OR IGNORE on the natural keys
the migrations define, so importing the same file twice adds nothing. Instants, zones and
practice days are stored exactly as the file gives them: a practice day is never recomputed.

CSV is written as UTF-8 with a byte-order mark (without it Excel reads UTF-8 as the local
code page; LibreOffice and Python's ``utf-8-sig`` skip it), CRLF rows and RFC 4180 quoting.
Free text that a spreadsheet would run as a formula (starting with ``= + - @``, a tab or a CR)
gets a leading apostrophe, as do texts that already start with one; import removes exactly
that one apostrophe, so every text round-trips.

Reading and checking files live in :mod:`microapp.store.exchange_read` (re-exported here).
"""

from __future__ import annotations

import csv
import heapq
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import IO, Any

from peewee import SQL, SqliteDatabase, fn

from microapp.store.exchange_read import (
    CSV_COLUMNS,
    FORMULA_START,
    FREE_TEXT,
    GRATITUDE_FIELDS,
    MAX_PROBLEMS,
    PAUSE_FIELDS,
    ExchangeError,
    ImportBatch,
    known_zone,
    parse_export,
    read_export,
    validate,
)
from microapp.store.migrations import LATEST_VERSION
from microapp.store.models import GratitudeEntry, PauseEvent, to_utc_text

__all__ = [
    "CSV_COLUMNS",
    "GRATITUDE_FIELDS",
    "MAX_PROBLEMS",
    "PAUSE_FIELDS",
    "ExchangeError",
    "ImportBatch",
    "ImportResult",
    "export_json",
    "import_batch",
    "parse_export",
    "read_export",
    "validate",
    "write_csv",
    "write_json",
]


@dataclass(frozen=True)
class ImportResult:
    added_pauses: int
    added_gratitude: int
    already_there: int


# -- export --------------------------------------------------------------------------------


def _local_iso(at_utc: str, tz: str) -> str:
    """Stored UTC text as ISO 8601 in the event's own zone (UTC when the zone is unknown)."""
    instant = datetime.fromisoformat(at_utc)  # the fixed-width "…Z" text; fast in C
    return instant.astimezone(known_zone(tz) or UTC).isoformat()


def _pause_rows(db: SqliteDatabase) -> Iterator[tuple[str, dict[str, Any]]]:
    """(stored UTC text, export row) per pause, oldest first; one query, no per-row
    conversion by peewee (``db.execute`` hands back the raw cursor)."""
    query = (PauseEvent.select(PauseEvent.at_utc, PauseEvent.tz, PauseEvent.day,
                               PauseEvent.outcome, PauseEvent.intention, PauseEvent.meeting)
             .order_by(PauseEvent.at_utc, PauseEvent.id))
    for at_utc, tz, day, outcome, intention, meeting in db.execute(query):
        yield at_utc, {"at": _local_iso(at_utc, tz), "tz": tz, "day": day, "outcome": outcome,
                       "intention": intention, "meeting": meeting}


def _gratitude_rows(db: SqliteDatabase) -> Iterator[tuple[str, dict[str, Any]]]:
    g = GratitudeEntry
    query = (g.select(g.at_utc, g.tz, g.day, g.recipient, g.relationship, g.text, g.sent_via,
                      g.backfilled)
             .order_by(g.at_utc, g.id))
    for at_utc, tz, day, recipient, relationship, text, sent_via, backfilled in db.execute(query):
        yield at_utc, {"at": _local_iso(at_utc, tz), "tz": tz, "day": day,
                       "recipient": recipient, "relationship": relationship, "text": text,
                       "sent_via": sent_via, "backfilled": bool(backfilled)}


def export_json(db: SqliteDatabase) -> dict[str, Any]:
    """The whole history in the contract's shape, each list sorted by instant."""
    return {"schema": LATEST_VERSION,
            "pauses": [row for _, row in _pause_rows(db)],
            "gratitude": [row for _, row in _gratitude_rows(db)]}


def write_json(db: SqliteDatabase, stream: IO[str]) -> tuple[int, int]:
    """Write :func:`export_json` to ``stream`` (UTF-8 text, one event per line, so it diffs
    and greps well); returns (pauses, gratitude entries) written."""
    counts = []
    stream.write(f'{{\n  "schema": {LATEST_VERSION}')
    for key, rows in (("pauses", _pause_rows(db)), ("gratitude", _gratitude_rows(db))):
        stream.write(f',\n  "{key}": [')
        n = 0
        for _, row in rows:
            stream.write(("\n    " if n == 0 else ",\n    ")
                         + json.dumps(row, ensure_ascii=False))
            n += 1
        stream.write("\n  ]" if n else "]")
        counts.append(n)
    stream.write("\n}\n")
    return counts[0], counts[1]


def _cell(name: str, value: object) -> str:
    if value is None:
        return ""
    if value is True or value is False:
        return "true" if value else "false"
    text = str(value)
    if name in FREE_TEXT and text.startswith(FORMULA_START):
        return "'" + text
    return text


def write_csv(db: SqliteDatabase, stream: IO[str]) -> tuple[int, int]:
    """One row per event (``kind`` pause/gratitude), both kinds merged in time order, under a
    header row. Open ``stream`` with ``newline=""``: rows end in CRLF and texts keep their
    own line breaks inside quotes. Returns (pauses, gratitude entries) written."""
    stream.write("\ufeff")
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    tagged = [((at, "pause", row) for at, row in _pause_rows(db)),
              ((at, "gratitude", row) for at, row in _gratitude_rows(db))]
    counts = {"pause": 0, "gratitude": 0}
    for _, kind, row in heapq.merge(*tagged, key=lambda item: item[0]):
        counts[kind] += 1
        writer.writerow([kind, *(_cell(c, row.get(c)) for c in CSV_COLUMNS[1:])])
    return counts["pause"], counts["gratitude"]


# -- import --------------------------------------------------------------------------------


def _insert(db: SqliteDatabase, model: type, fields: list[Any], rows: list[tuple]) -> int:
    """INSERT OR IGNORE ``rows`` (already in stored form) with one prepared statement run
    by ``executemany``; how many rows were new.

    peewee writes the statement from the model (one row's worth); building it per row, as
    ``insert_many`` does, costs far more than SQLite's own work on tens of thousands of rows.
    """
    if not rows:
        return 0
    placeholders = [tuple(SQL("?") for _ in fields)]  # nodes: peewee converts no value
    sql, _ = db.get_sql_context().sql(
        model.insert_many(placeholders, fields=fields).on_conflict_ignore()).query()
    before = model.select(fn.COUNT(model.id)).scalar(db) or 0
    db.cursor().executemany(sql, rows)
    return (model.select(fn.COUNT(model.id)).scalar(db) or 0) - before


def import_batch(db: SqliteDatabase, batch: ImportBatch) -> ImportResult:
    """Merge ``batch`` into ``db`` in one transaction; rows whose natural key is already
    there (or repeated within the batch) are skipped and counted in ``already_there``."""
    p, g = PauseEvent, GratitudeEntry
    # The stored forms the models' fields would write: fixed-width UTC text, ISO day, 0/1.
    pause_rows = [(to_utc_text(r.at), r.tz, r.day.isoformat(), r.outcome.value,
                   r.intention.value if r.intention else None, r.meeting)
                  for r in batch.pauses]
    gratitude_rows = [(to_utc_text(r.at), r.tz, r.day.isoformat(), r.recipient,
                       r.relationship, r.text, r.sent_via, int(r.backfilled))
                      for r in batch.gratitude]
    with db.atomic():
        added_p = _insert(db, p, [p.at_utc, p.tz, p.day, p.outcome, p.intention, p.meeting],
                          pause_rows)
        added_g = _insert(db, g, [g.at_utc, g.tz, g.day, g.recipient, g.relationship, g.text,
                                  g.sent_via, g.backfilled], gratitude_rows)
    already = len(pause_rows) + len(gratitude_rows) - added_p - added_g
    return ImportResult(added_p, added_g, already)
