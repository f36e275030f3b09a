"""Reading and checking export files (JSON or CSV) before anything is imported.

Every row and field is checked and every problem is named by row ("pauses[3]" - 1-based - in
JSON, "line 5" - where the record starts - in CSV) and field. A file with any problem gives
:class:`ExchangeError` and no batch at all. Nothing is recomputed: a practice day is taken as
given once it is a valid date. See :mod:`microapp.store.exchange` for the formats.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from microapp.core.gratitude import RELATIONSHIPS, parse_relationship
from microapp.core.records import GratitudeRecord, Intention, Outcome, PauseRecord

PAUSE_FIELDS = ("at", "tz", "day", "outcome", "intention", "meeting")
GRATITUDE_FIELDS = ("at", "tz", "day", "recipient", "relationship", "text", "sent_via",
                    "backfilled")
CSV_COLUMNS = ("kind", *PAUSE_FIELDS, *(f for f in GRATITUDE_FIELDS if f not in PAUSE_FIELDS))
KINDS = ("pause", "gratitude")
MAX_PROBLEMS = 10
FREE_TEXT = frozenset({"meeting", "recipient", "relationship", "text", "sent_via"})
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "'")
_TRUE, _FALSE = ("true", "1", "yes"), ("false", "0", "no")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_OUTCOMES = tuple(o.value for o in Outcome)
_INTENTIONS = tuple(i.value for i in Intention)


class ExchangeError(Exception):
    """The file cannot be imported; nothing was. ``problems`` names row and field of the first
    :data:`MAX_PROBLEMS` problems, ``total`` counts them all."""

    def __init__(self, problems: Sequence[str], total: int | None = None) -> None:
        self.problems = list(problems)[:MAX_PROBLEMS]
        self.total = max(total if total is not None else len(problems), len(self.problems))
        super().__init__(self.one_line())

    def one_line(self) -> str:
        more = self.total - 1
        if more <= 0:
            return self.problems[0] if self.problems else "the file cannot be imported"
        return f"{self.problems[0]} (and {more} more problem{'' if more == 1 else 's'})"


@dataclass(frozen=True)
class ImportBatch:
    """A checked file, ready for :func:`microapp.store.exchange.import_batch`."""

    pauses: tuple[PauseRecord, ...]
    gratitude: tuple[GratitudeRecord, ...]
    file_format: str  # "json" or "csv"
    schema: int | None = None  # the exporting database's schema version (JSON only)


@lru_cache(maxsize=256)
def known_zone(name: str) -> ZoneInfo | None:
    """The IANA zone ``name``, or None when this machine does not know it."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


class _Bad(Exception):
    """One field's problem (the message, without row and field)."""


def _show(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else text[:38] + "…\""


def _as_text(value: object, required: bool) -> str | None:
    """The value as text; None for a missing or blank optional one."""
    if value is None:
        if required:
            raise _Bad("is missing")
        return None
    if not isinstance(value, str):
        raise _Bad(f"must be text, not {_show(value)}")
    if not value.strip():
        if required:
            raise _Bad("is empty")
        return None
    return value


def _at(value: object) -> datetime:
    text = _as_text(value, True).strip()  # type: ignore[union-attr]
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        raise _Bad(f"{_show(text)} is not an ISO 8601 date-time") from None
    if at.tzinfo is None or at.utcoffset() is None:
        raise _Bad(f"{_show(text)} has no UTC offset (e.g. +01:00)")
    try:
        in_range = 1000 <= at.astimezone(UTC).year <= 9999
    except OverflowError:
        in_range = False
    if not in_range:
        raise _Bad(f"{_show(text)} is out of range")
    return at


def _tz(value: object) -> ZoneInfo:
    text = _as_text(value, True).strip()  # type: ignore[union-attr]
    zone = known_zone(text)
    if zone is None:
        raise _Bad(f"{_show(text)} is not a known IANA time zone")
    return zone


def _day(value: object) -> date:
    text = _as_text(value, True).strip()  # type: ignore[union-attr]
    try:
        if not _DAY.fullmatch(text):
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        raise _Bad(f"{_show(text)} is not a date (YYYY-MM-DD)") from None


def _choice(value: object, allowed: tuple[str, ...], required: bool) -> str | None:
    text = _as_text(value, required)
    if text is None:
        return None
    word = text.strip().lower()
    if word not in allowed:
        raise _Bad(f"{_show(text)} is not one of {', '.join(allowed)}")
    return word


def _relationship(value: object) -> str | None:
    text = _as_text(value, False)
    try:
        return parse_relationship(text)  # any case; "neighbor" is "neighbour"
    except ValueError:
        raise _Bad(f"{_show(text)} is not one of {', '.join(RELATIONSHIPS)}") from None


def _flag(value: object, textual: bool) -> bool:
    if value is None or value is True or value is False:
        return bool(value)
    if textual and isinstance(value, str):
        word = value.strip().lower()
        if word in _TRUE or word in _FALSE or not word:
            return word in _TRUE
    raise _Bad(f"{_show(value)} is not true or false")


class _Checker:
    """Collects problems over a whole file; keeps the first few, counts them all."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.total = 0

    def add(self, where: str, message: str) -> None:
        self.total += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(f"{where}: {message}")

    def fields(self, where: str, row: Mapping[str, Any],
               checks: Mapping[str, Any]) -> dict[str, Any] | None:
        """Run each field's check; the checked values, or None if any failed."""
        good: dict[str, Any] = {}
        ok = True
        for name, check in checks.items():
            try:
                good[name] = check(row.get(name))
            except _Bad as exc:
                self.add(f'{where}, field "{name}"', str(exc))
                ok = False
        return good if ok else None

    def pause(self, where: str, row: Mapping[str, Any]) -> PauseRecord | None:
        v = self.fields(where, row, {
            "at": _at, "tz": _tz, "day": _day,
            "outcome": lambda x: _choice(x, _OUTCOMES, True),
            "intention": lambda x: _choice(x, _INTENTIONS, False),
            "meeting": lambda x: _as_text(x, False)})
        if v is None:
            return None
        return PauseRecord(at=v["at"].astimezone(v["tz"]), tz=v["tz"].key, day=v["day"],
                           outcome=Outcome(v["outcome"]),
                           intention=Intention(v["intention"]) if v["intention"] else None,
                           meeting=v["meeting"])

    def gratitude(self, where: str, row: Mapping[str, Any],
                  textual: bool) -> GratitudeRecord | None:
        v = self.fields(where, row, {
            "at": _at, "tz": _tz, "day": _day,
            "recipient": lambda x: _as_text(x, True),
            "relationship": _relationship,
            "text": lambda x: _as_text(x, True),
            "sent_via": lambda x: _as_text(x, False),
            "backfilled": lambda x: _flag(x, textual)})
        if v is None:
            return None
        return GratitudeRecord(at=v["at"].astimezone(v["tz"]), tz=v["tz"].key, day=v["day"],
                               recipient=v["recipient"], relationship=v["relationship"],
                               text=v["text"], sent_via=v["sent_via"],
                               backfilled=v["backfilled"])


def validate(rows: Iterable[tuple[str, str, Mapping[str, Any]]], *, file_format: str,
             textual: bool = False, schema: int | None = None) -> ImportBatch:
    """Check ``(where, kind, fields)`` rows (kind "pause" or "gratitude"; ``where`` names the
    row in messages, e.g. "pauses[3]" or "line 5"); the batch, or :class:`ExchangeError`
    naming each problem's row and field. ``textual``: values come from text cells (CSV), so
    "true"/"false" are flags."""
    return _validate(_Checker(), rows, file_format, textual, schema)


def _validate(check: _Checker, rows: Iterable[tuple[str, str, Mapping[str, Any]]],
              file_format: str, textual: bool, schema: int | None) -> ImportBatch:
    pauses: list[PauseRecord] = []
    gratitude: list[GratitudeRecord] = []
    for where, kind, row in rows:
        if kind == "pause":
            if (pause := check.pause(where, row)) is not None:
                pauses.append(pause)
        elif (entry := check.gratitude(where, row, textual)) is not None:
            gratitude.append(entry)
    if check.total:
        raise ExchangeError(check.problems, check.total)
    return ImportBatch(tuple(pauses), tuple(gratitude), file_format, schema)


def _json_rows(data: object, check: _Checker) -> tuple[list[tuple[str, str, Any]], int | None]:
    if not isinstance(data, dict) or not ({"pauses", "gratitude"} & data.keys()):
        raise ExchangeError(['this JSON is not a microapp export (no "pauses" or "gratitude")'])
    schema = data.get("schema")
    if schema is not None and (not isinstance(schema, int) or isinstance(schema, bool)
                               or schema < 1):
        check.add('field "schema"', f"{_show(schema)} is not a schema version")
        schema = None
    rows: list[tuple[str, str, Any]] = []
    for key, kind in (("pauses", "pause"), ("gratitude", "gratitude")):
        items = data.get(key, [])
        if not isinstance(items, list):
            check.add(f'field "{key}"', "must be a list")
            continue
        for n, item in enumerate(items, 1):
            if isinstance(item, dict):
                rows.append((f"{key}[{n}]", kind, item))
            else:
                check.add(f"{key}[{n}]", "is not an object")
    return rows, schema


def _csv_unescape(name: str, value: str) -> str:
    if name in FREE_TEXT and len(value) > 1 and value[0] == "'" \
            and value[1] in FORMULA_START:
        return value[1:]
    return value


def _csv_rows(text: str, check: _Checker) -> Iterator[tuple[str, str, dict[str, Any]]]:
    first = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first.count)  # spreadsheets in some locales save with ";"
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    header = [name.strip().lower() for name in next(reader, [])]
    if "kind" not in header:
        raise ExchangeError(['this is neither JSON nor a microapp CSV (its first line has no '
                             '"kind" column)'])
    line = reader.line_num + 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise ExchangeError([f"line {line}: the CSV cannot be read ({exc})"]) from None
        where, line = f"line {line}", reader.line_num + 1
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) > len(header):
            check.add(where, f"has {len(cells)} cells, the header has {len(header)}")
            continue
        row = {name: _csv_unescape(name, cell) for name, cell in zip(header, cells, strict=False)}
        kind = (row.get("kind") or "").strip().lower()
        if kind not in KINDS:
            check.add(f'{where}, field "kind"',
                      f'{_show(row.get("kind", ""))} is not one of pause, gratitude')
            continue
        yield where, kind, row


def parse_export(data: bytes) -> ImportBatch:
    """Check an export file's bytes, JSON or CSV (told apart by content, not by name)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ExchangeError(["the file is not UTF-8 text (in a spreadsheet, save it as "
                             "\"CSV UTF-8\")"]) from None
    stripped = text.lstrip()
    if not stripped:
        raise ExchangeError(["the file is empty"])
    check = _Checker()
    if stripped[0] in "{[":
        try:
            data_ = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ExchangeError([f"not valid JSON: {exc.msg} at line {exc.lineno}, "
                                 f"column {exc.colno}"]) from None
        rows, schema = _json_rows(data_, check)
        return _validate(check, rows, "json", False, schema)
    return _validate(check, list(_csv_rows(text, check)), "csv", True, None)


def read_export(path: Path | str) -> ImportBatch:
    """Read and check the export file at ``path``; :class:`ExchangeError` if it cannot be
    read or has any problem."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ExchangeError([f"cannot read {path}: {exc.strerror or exc}"]) from None
    return parse_export(data)
