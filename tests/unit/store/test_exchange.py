"""Tests for microapp.store.exchange: export, checking and import, on real SQLite files."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from microapp.core.records import Outcome
from microapp.store.db import open_store
from microapp.store.exchange import (
    CSV_COLUMNS,
    GRATITUDE_FIELDS,
    MAX_PROBLEMS,
    PAUSE_FIELDS,
    ExchangeError,
    ImportResult,
    export_json,
    import_batch,
    parse_export,
    read_export,
    validate,
    write_csv,
    write_json,
)
from microapp.store.history import History
from microapp.store.migrations import LATEST_VERSION
from tests.helpers import FakeClock

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
TRICKY = 'Ana, who said "yes" —\nand then: ça va? 🌱'
PAUSE_RAW = "SELECT at_utc, tz, day, outcome, intention, meeting FROM pause_event ORDER BY id"
GRATITUDE_RAW = ("SELECT at_utc, tz, day, recipient, relationship, text, sent_via, backfilled "
                 "FROM gratitude_entry ORDER BY id")


def opened_history(path: Path, clock: FakeClock) -> History:
    return History(open_store(path, clock.now()).db)


@pytest.fixture
def source(tmp_path: Path, clock: FakeClock) -> Iterator[History]:
    """A history with both zones of a move, a DST change, a late-night pause whose practice
    day is the day before, and texts with commas, quotes, newlines and emoji."""
    h = opened_history(tmp_path / "source.db", clock)
    h.record_pause(datetime(2026, 7, 1, 9, 30, tzinfo=NEW_YORK), Outcome.SKIPPED)
    h.record_pause(datetime(2026, 3, 10, 9, 0, tzinfo=BERLIN), "completed", "listen", TRICKY)
    h.record_pause(datetime(2026, 3, 11, 1, 30, tzinfo=BERLIN), "missed", None, "Late call")
    h.record_pause(datetime(2026, 3, 30, 8, 0, 0, 123456, tzinfo=BERLIN), "suppressed")
    h.add_gratitude(datetime(2026, 3, 10, 21, 0, tzinfo=BERLIN), "Zoë", TRICKY, "friend")
    h.add_gratitude(datetime(2026, 7, 1, 20, 0, tzinfo=NEW_YORK), "Sam",
                    "=SUM(A1) is how you greet me, and I laugh every time.", None, "email")
    yield h
    h.close()


@pytest.fixture
def target(tmp_path: Path, clock: FakeClock) -> Iterator[History]:
    h = opened_history(tmp_path / "target.db", clock)
    yield h
    h.close()


def raw(history: History) -> tuple[list[tuple], list[tuple]]:
    return (history.db.execute_sql(PAUSE_RAW).fetchall(),
            history.db.execute_sql(GRATITUDE_RAW).fetchall())


def same_rows(a: History, b: History) -> bool:
    """The same stored rows (ids and insertion order aside)."""
    return [sorted(rows) for rows in raw(a)] == [sorted(rows) for rows in raw(b)]


def as_csv(history: History) -> str:
    stream = io.StringIO(newline="")
    write_csv(history.db, stream)
    return stream.getvalue()


def as_json(history: History) -> str:
    stream = io.StringIO()
    write_json(history.db, stream)
    return stream.getvalue()


def problems_of(data: str | bytes) -> list[str]:
    with pytest.raises(ExchangeError) as caught:
        parse_export(data.encode() if isinstance(data, str) else data)
    return caught.value.problems


# --- export -----------------------------------------------------------------------------------


def test_export_json_is_the_contract_shape(source: History) -> None:
    data = export_json(source.db)
    assert list(data) == ["schema", "pauses", "gratitude"]
    assert data["schema"] == LATEST_VERSION
    assert all(list(p) == list(PAUSE_FIELDS) for p in data["pauses"])
    assert all(list(g) == list(GRATITUDE_FIELDS) for g in data["gratitude"])
    assert [p["at"] for p in data["pauses"]] == [
        "2026-03-10T09:00:00+01:00", "2026-03-11T01:30:00+01:00",
        "2026-03-30T08:00:00.123456+02:00", "2026-07-01T09:30:00-04:00"]  # sorted by instant
    first = data["pauses"][0]
    assert first == {"at": "2026-03-10T09:00:00+01:00", "tz": "Europe/Berlin",
                     "day": "2026-03-10", "outcome": "completed", "intention": "listen",
                     "meeting": TRICKY}
    assert data["pauses"][3]["intention"] is None and data["pauses"][3]["meeting"] is None
    assert data["gratitude"][1] == {
        "at": "2026-07-01T20:00:00-04:00", "tz": "America/New_York", "day": "2026-07-01",
        "recipient": "Sam", "relationship": None,
        "text": "=SUM(A1) is how you greet me, and I laugh every time.",
        "sent_via": "email", "backfilled": False}


def test_export_keeps_the_stored_practice_day(source: History) -> None:
    """01:30 belongs to the day before (day starts at 04:00); the day is never recomputed."""
    late = export_json(source.db)["pauses"][1]
    assert (late["at"], late["day"]) == ("2026-03-11T01:30:00+01:00", "2026-03-10")
    source.db.execute_sql("UPDATE pause_event SET day = '2026-01-01' WHERE meeting = 'Late call'")
    assert export_json(source.db)["pauses"][1]["day"] == "2026-01-01"


def test_an_unknown_stored_zone_exports_in_utc(source: History) -> None:
    source.db.execute_sql("UPDATE pause_event SET tz = 'Gone/Zone' WHERE outcome = 'completed'")
    first = export_json(source.db)["pauses"][0]
    assert (first["at"], first["tz"]) == ("2026-03-10T08:00:00+00:00", "Gone/Zone")


def test_write_json_is_valid_json_equal_to_export_json(source: History, target: History) -> None:
    assert json.loads(as_json(source)) == export_json(source.db)
    assert json.loads(as_json(target)) == {"schema": LATEST_VERSION, "pauses": [],
                                           "gratitude": []}


def test_csv_is_bom_utf8_rfc4180_that_pythons_csv_reads_back(source: History) -> None:
    text = as_csv(source)
    assert text.startswith("\ufeffkind,at,tz,day,") and text.endswith("\r\n")
    data = text.encode("utf-8")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert list(rows[0]) == list(CSV_COLUMNS)
    assert [r["kind"] for r in rows] == ["pause", "gratitude", "pause", "pause", "pause",
                                         "gratitude"]  # both kinds merged in time order
    assert rows[0]["meeting"] == TRICKY and rows[1]["text"] == TRICKY
    assert rows[0]["recipient"] == "" and rows[1]["outcome"] == ""
    assert rows[1]["backfilled"] == "false"
    # A text a spreadsheet would run as a formula is written with a leading apostrophe.
    assert rows[5]["text"].startswith("'=SUM(A1)")


@pytest.mark.parametrize("text", ["=1+1", "+49 is her number", "-5 degrees", "@team", "'quoted",
                                  "''", "'", "\tindented", "plain", "a'b"])
def test_csv_formula_guard_round_trips_every_text(text: str, source: History,
                                                  target: History) -> None:
    source.add_gratitude(datetime(2026, 3, 12, 21, 0, tzinfo=BERLIN), "Kim", "x", None)
    source.db.execute_sql("UPDATE gratitude_entry SET text = ? WHERE recipient = 'Kim'", (text,))
    import_batch(target.db, parse_export(as_csv(source).encode("utf-8")))
    assert same_rows(target, source)


# --- round trips ------------------------------------------------------------------------------


@pytest.mark.parametrize("writer", [as_json, as_csv])
def test_round_trip_stores_exactly_what_was_exported(writer, source: History,
                                                     target: History) -> None:
    batch = parse_export(writer(source).encode("utf-8"))
    assert import_batch(target.db, batch) == ImportResult(4, 2, 0)
    assert same_rows(target, source)
    assert export_json(target.db) == export_json(source.db)


@pytest.mark.parametrize("writer", [as_json, as_csv])
def test_importing_twice_adds_nothing(writer, source: History, target: History) -> None:
    data = writer(source).encode("utf-8")
    import_batch(target.db, parse_export(data))
    before = raw(target)
    assert import_batch(target.db, parse_export(data)) == ImportResult(0, 0, 6)
    assert raw(target) == before


def test_import_merges_with_what_is_there(source: History, target: History) -> None:
    target.record_pause(datetime(2026, 3, 10, 9, 0, tzinfo=BERLIN), "completed", "listen", TRICKY)
    target.record_pause(datetime(2026, 5, 5, 9, 0, tzinfo=BERLIN), "completed")
    result = import_batch(target.db, parse_export(as_json(source).encode()))
    assert result == ImportResult(3, 2, 1)
    assert target.pause_count() == 5


def test_a_repeated_row_inside_one_file_is_counted_once(target: History) -> None:
    row = {"at": "2026-03-10T09:00:00+01:00", "tz": "Europe/Berlin", "day": "2026-03-10",
           "outcome": "completed"}
    batch = parse_export(json.dumps({"schema": 1, "pauses": [row, row]}).encode())
    assert import_batch(target.db, batch) == ImportResult(1, 0, 1)


def test_import_stores_at_tz_and_day_as_given(target: History) -> None:
    """The offset in "at" may differ from the zone (edited by hand); nothing is recomputed."""
    data = {"schema": 3, "pauses": [{"at": "2026-03-10T23:30:00Z", "tz": "Asia/Tokyo",
                                     "day": "2026-03-09", "outcome": "completed",
                                     "intention": "", "meeting": ""}],
            "gratitude": [{"at": "2026-03-10T21:00:00.5+01:00", "tz": "Europe/Berlin",
                           "day": "2026-03-10", "recipient": "Jo", "relationship": "Neighbor",
                           "text": "You water my plants.", "sent_via": None,
                           "backfilled": True}]}
    import_batch(target.db, parse_export(json.dumps(data).encode()))
    assert raw(target) == (
        [("2026-03-10T23:30:00.000000Z", "Asia/Tokyo", "2026-03-09", "completed", None, None)],
        [("2026-03-10T20:00:00.500000Z", "Europe/Berlin", "2026-03-10", "Jo", "neighbour",
          "You water my plants.", None, 1)])


def test_format_is_told_by_content_not_by_name(source: History, tmp_path: Path) -> None:
    looks_csv, looks_json = tmp_path / "export.csv", tmp_path / "export.json"
    looks_csv.write_text(as_json(source), encoding="utf-8")
    looks_json.write_text(as_csv(source), encoding="utf-8", newline="")
    assert read_export(looks_csv).file_format == "json"
    assert read_export(looks_json).file_format == "csv"
    assert read_export(looks_csv).pauses == read_export(looks_json).pauses


def test_csv_from_a_spreadsheet_semicolons_caps_and_trimmed_cells(target: History) -> None:
    text = ("kind;at;tz;day;outcome;intention;meeting;recipient;relationship;text;sent_via;"
            "backfilled\r\n"
            "Pause;2026-03-10T09:00:00+01:00;Europe/Berlin;2026-03-10;Completed;Notice\r\n"
            ";;;;;;;;;;;\r\n"
            "gratitude;2026-03-10T21:00:00+01:00;Europe/Berlin;2026-03-10;;;;Ana;;Thanks;;TRUE\r\n")
    batch = parse_export(text.encode())
    assert [(p.outcome.value, p.intention.value) for p in batch.pauses] == [("completed",
                                                                            "notice")]
    assert batch.gratitude[0].backfilled is True


# --- checking ---------------------------------------------------------------------------------


PAUSE = {"at": "2026-03-10T09:00:00+01:00", "tz": "Europe/Berlin", "day": "2026-03-10",
         "outcome": "completed", "intention": "listen", "meeting": "Stand-up"}
GRATITUDE = {"at": "2026-03-10T21:00:00+01:00", "tz": "Europe/Berlin", "day": "2026-03-10",
             "recipient": "Ana", "relationship": "friend", "text": "You listen.",
             "sent_via": None, "backfilled": False}


@pytest.mark.parametrize(("kind", "field", "value", "message"), [
    ("pauses", "outcome", "finished",
     '"finished" is not one of completed, skipped, suppressed, missed'),
    ("pauses", "outcome", None, "is missing"),
    ("pauses", "intention", "shout", '"shout" is not one of notice, listen, encourage'),
    ("pauses", "at", "2026-03-10T09:00", '"2026-03-10T09:00" has no UTC offset (e.g. +01:00)'),
    ("pauses", "at", "yesterday", '"yesterday" is not an ISO 8601 date-time'),
    ("pauses", "at", 1773129600, "must be text, not 1773129600"),
    ("pauses", "at", "0001-01-01T00:30:00+01:00", "is out of range"),
    ("pauses", "tz", "Mars/Olympus", '"Mars/Olympus" is not a known IANA time zone'),
    ("pauses", "tz", "../../etc/passwd", "is not a known IANA time zone"),
    ("pauses", "day", "10/03/2026", '"10/03/2026" is not a date (YYYY-MM-DD)'),
    ("pauses", "day", "2026-02-30", "is not a date"),
    ("pauses", "meeting", 42, "must be text, not 42"),
    ("gratitude", "recipient", "  ", "is empty"),
    ("gratitude", "text", None, "is missing"),
    ("gratitude", "relationship", "boss", '"boss" is not one of friend, partner, colleague'),
    ("gratitude", "backfilled", "yes", '"yes" is not true or false'),
])
def test_json_problems_name_the_row_and_field(kind: str, field: str, value: object,
                                              message: str) -> None:
    rows = [dict(PAUSE if kind == "pauses" else GRATITUDE) for _ in range(3)]
    rows[1][field] = value
    problems = problems_of(json.dumps({"schema": 3, kind: rows}))
    assert len(problems) == 1
    assert problems[0].startswith(f'{kind}[2], field "{field}": ')
    assert message in problems[0]


def test_csv_problems_name_the_line_where_the_row_starts(source: History) -> None:
    text = as_csv(source)  # line 2 is a pause whose meeting spans two lines
    lines = text.split("\r\n")
    assert lines[2].startswith("gratitude")
    bad = text.replace("completed", "finished").replace(",friend,", ",boss,")
    assert problems_of(bad) == [
        'line 2, field "outcome": "finished" is not one of completed, skipped, suppressed, '
        "missed",
        'line 4, field "relationship": "boss" is not one of friend, partner, colleague, '
        "family, neighbour, other",
    ]


def test_problems_are_capped_but_all_counted() -> None:
    rows = [dict(PAUSE, outcome="nope") for _ in range(25)]
    with pytest.raises(ExchangeError) as caught:
        parse_export(json.dumps({"pauses": rows}).encode())
    error = caught.value
    assert len(error.problems) == MAX_PROBLEMS and error.total == 25
    assert error.one_line() == (
        'pauses[1], field "outcome": "nope" is not one of completed, skipped, suppressed, '
        "missed (and 24 more problems)")


def test_one_bad_row_means_nothing_at_all_is_imported(source: History, target: History,
                                                      tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    data = export_json(source.db)
    data["gratitude"][1]["day"] = "someday"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ExchangeError, match=r'gratitude\[2\], field "day"'):
        import_batch(target.db, read_export(path))
    assert raw(target) == ([], [])


@pytest.mark.parametrize(("data", "message"), [
    (b"", "the file is empty"),
    (b"  \n", "the file is empty"),
    ("kind,at\r\npause,2026\r\n".encode("utf-16"), "not UTF-8"),
    (b"{not json", "not valid JSON: Expecting property name"),
    (b"[1, 2]", "not a microapp export"),
    (b'{"schema": 3}', "not a microapp export"),
    (b'{"schema": "3", "pauses": []}', 'field "schema": "3" is not a schema version'),
    (b'{"pauses": {}}', 'field "pauses": must be a list'),
    (b'{"pauses": [1]}', "pauses[1]: is not an object"),
    (b"date,amount\r\n2026-03-10,4\r\n", 'no "kind" column'),
    (b"kind,at\r\nsleep,x\r\n", 'line 2, field "kind": "sleep" is not one of pause, gratitude'),
    (b"kind,at\r\npause,a,b\r\n", "line 2: has 3 cells, the header has 2"),
    (b'kind,at\r\npause,"open quote\r\n', "line 2: the CSV cannot be read"),
])
def test_files_that_are_not_exports_are_refused_clearly(data: bytes, message: str) -> None:
    assert message in problems_of(data)[0]


def test_an_unreadable_file_says_why(tmp_path: Path) -> None:
    with pytest.raises(ExchangeError, match=r"cannot read .*missing\.json: No such file"):
        read_export(tmp_path / "missing.json")


def test_validate_takes_labelled_rows() -> None:
    batch = validate([("row 1", "pause", PAUSE), ("row 2", "gratitude", GRATITUDE)],
                     file_format="json")
    assert batch.pauses[0].at == datetime(2026, 3, 10, 9, 0, tzinfo=BERLIN)
    assert batch.pauses[0].at.tzinfo == BERLIN
    assert batch.gratitude[0].day == date(2026, 3, 10)
    with pytest.raises(ExchangeError, match='row 7, field "tz"'):
        validate([("row 7", "pause", dict(PAUSE, tz="Nowhere"))], file_format="json")


def test_history_reads_imported_rows(target: History) -> None:
    batch = parse_export(json.dumps({"schema": 3, "pauses": [PAUSE],
                                     "gratitude": [GRATITUDE]}).encode())
    import_batch(target.db, batch)
    assert [p.meeting for p in target.pauses_on(date(2026, 3, 10))] == ["Stand-up"]
    assert target.gratitude_days() == {date(2026, 3, 10)}
    assert time(9, 0) == target.pauses_on(date(2026, 3, 10))[0].at.time()
