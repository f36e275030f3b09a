"""`microapp gratitude --to NAME [--relationship R] [--yesterday] TEXT`: tonight's sentence from
the command line, kept exactly as the reflection window keeps it."""

from __future__ import annotations

import sqlite3
import sys
from datetime import date, datetime, timedelta

from peewee import DatabaseError

from microapp import APP_NAME
from microapp.cli import EXIT_BAD_INPUT, EXIT_FAILURE, CliError
from microapp.core.clock import SystemClock, practice_day
from microapp.core.evening import backfill_closes, backfill_day
from microapp.core.gratitude import parse_relationship
from microapp.core.paths import Profile
from microapp.core.records import GratitudeRecord
from microapp.core.settings import Settings, load_settings
from microapp.store.db import StoreError, open_store
from microapp.store.history import History


def _day_text(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b}"  # "Tue 10 Mar", "Mon 9 Mar"


def _when_text(instant: datetime) -> str:
    return f"{_day_text(instant.date())} {instant:%H:%M}"


def _backfill_target(now: datetime, settings: Settings) -> date:
    """Yesterday's practice day, while it may still be filled in; else a clear error."""
    day = backfill_day(now, at=settings.evening_at, day_starts_at=settings.day_starts_at)
    if day is not None:
        return day
    closed = backfill_closes(now, at=settings.evening_at, day_starts_at=settings.day_starts_at)
    yesterday = practice_day(now, settings.day_starts_at) - timedelta(days=1)
    raise CliError(f"--yesterday is no longer possible: {_day_text(yesterday)} "
                   f"could be filled in until {_when_text(closed)} (the next evening's "
                   "invitation); save it without --yesterday for today instead",
                   EXIT_BAD_INPUT)


def _confirmation(record: GratitudeRecord) -> str:
    who = record.recipient + (f" ({record.relationship})" if record.relationship else "")
    late = " (filled in afterwards)" if record.backfilled else ""
    return f"Saved for {_day_text(record.day)}{late}: to {who}."


def cmd_gratitude(profile: Profile, recipient: str, text: str, *, relationship: str | None,
                  yesterday: bool) -> int:
    recipient, text = recipient.strip(), text.strip()
    if not recipient:
        raise CliError("--to needs a name: who is the sentence for?", EXIT_BAD_INPUT)
    if not text:
        raise CliError("the sentence is empty: write one sentence to them", EXIT_BAD_INPUT)
    try:
        relationship = parse_relationship(relationship)
    except ValueError as exc:
        raise CliError(f"--relationship: {exc}", EXIT_BAD_INPUT) from None

    clock = SystemClock()
    now = clock.now()
    settings = load_settings(profile.settings_path).settings
    day = _backfill_target(now, settings) if yesterday else None
    try:
        opened = open_store(profile.database_path, now)
    except StoreError as exc:
        raise CliError(str(exc)) from exc
    history = History(opened.db, settings.day_starts_at)
    try:
        if not opened.persistent:  # the in-memory fallback would lose the sentence: say so
            raise CliError(f"nothing was saved: {opened.problem}", EXIT_FAILURE)
        if opened.problem:
            print(f"{APP_NAME}: {opened.problem}", file=sys.stderr)
        try:
            record = history.add_gratitude(now, recipient, text, relationship, day=day)
        except (DatabaseError, sqlite3.Error, OSError) as exc:
            raise CliError(f"the sentence could not be saved ({exc})", EXIT_FAILURE) from exc
    finally:
        history.close()
    print(_confirmation(record))
    return 0
