"""The History window's read model: what happened on which practice day, in few queries.

Every function here asks the database a fixed number of questions - one per table it needs -
whatever the number of days involved, never one per day: ten years of history (about 36,500
pauses and 3,650 sentences) must open in well under a second. Every query runs on the ``db``
passed in (never on whatever database the models were last bound to), like
:class:`microapp.store.history.History`.

* :func:`practice_days` - per day, how many pauses were completed and logged and how many
  sentences were written, for all time (two ``GROUP BY`` queries): enough for both streaks
  and for knowing which days have anything to show.
* :func:`load_history` - the pauses and gratitude entries themselves for a range of days.
* :func:`search` - gratitude entries whose sentence or recipient contains some text.
* :func:`intention_shares` - the intentions of completed pauses over the last 30 days.
* :func:`weekly_note` / :func:`save_weekly_note` - the weekly reflection (schema 5).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from types import MappingProxyType
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from peewee import SqliteDatabase

from microapp.core.records import GratitudeRecord, Intention, Outcome, PauseRecord
from microapp.store.models import WeeklyNoteRow, as_date, to_utc_text

__all__ = [
    "NO_INTENTION",
    "SEARCH_LIMIT",
    "DayEntries",
    "HistoryData",
    "PracticeDays",
    "WeekNote",
    "intention_shares",
    "load_history",
    "practice_days",
    "practice_week",
    "save_weekly_note",
    "search",
    "weekly_note",
]

NO_INTENTION = "none"
"""The key :func:`intention_shares` uses for completed pauses without a chosen intention."""
SEARCH_LIMIT = 500
"""At most this many search hits, newest first: a search is for finding, not for paging."""

_LIKE_ESCAPE = "\\"


# -- records ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DayEntries:
    """Everything recorded on one practice day, each kind in time order."""

    day: date
    pauses: tuple[PauseRecord, ...] = ()
    gratitude: tuple[GratitudeRecord, ...] = ()

    @property
    def completed(self) -> int:
        return sum(1 for p in self.pauses if p.outcome is Outcome.COMPLETED)


@dataclass(frozen=True)
class HistoryData:
    """The entries of the days from ``since`` through ``until`` (None: no bound)."""

    since: date | None
    until: date | None
    days: Mapping[date, DayEntries] = field(default_factory=lambda: MappingProxyType({}))
    """Days with at least one entry, newest first (read-only)."""

    def newest_first(self) -> list[DayEntries]:
        return list(self.days.values())

    def get(self, day: date) -> DayEntries | None:
        return self.days.get(day)


@dataclass(frozen=True)
class PracticeDays:
    """Per practice day, all time: what both streaks and the list of days need, and no more."""

    pause_counts: Mapping[date, tuple[int, int]]
    """Day -> (completed pauses, pause events of any outcome)."""
    gratitude_counts: Mapping[date, int]
    """Day -> gratitude entries written for it."""

    def pause_outcomes(self) -> dict[date, tuple[str, ...]]:
        """The input :func:`microapp.core.streaks.pause_day_states` wants: only whether a day
        had a completed pause, or only other events, matters to it."""
        done, other = (Outcome.COMPLETED.value,), (Outcome.SKIPPED.value,)
        return {day: done if completed else other
                for day, (completed, total) in self.pause_counts.items() if total}

    def gratitude_days(self) -> set[date]:
        return {day for day, n in self.gratitude_counts.items() if n}

    def event_days(self) -> list[date]:
        """Every day with a pause event or a gratitude entry, newest first."""
        return sorted(self.pause_counts.keys() | self.gratitude_counts.keys(), reverse=True)


@dataclass(frozen=True)
class WeekNote:
    """The weekly reflection of one practice week (``week`` is its Monday)."""

    week: date
    easiest: str = ""
    meaningful: str = ""
    updated: datetime | None = None


def practice_week(day: date) -> date:
    """The Monday of the practice week ``day`` belongs to (calendar days, never hours)."""
    return day - timedelta(days=day.weekday())


# -- helpers -------------------------------------------------------------------------------


def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)  # zoneinfo caches zones by key
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _local(utc_text: str, tz: str) -> datetime:
    """A stored UTC instant (fixed-width text ending in Z) in the zone it was logged in."""
    instant = datetime.fromisoformat(utc_text)
    zone = _zone(tz)
    return instant.astimezone(zone) if zone is not None else instant


class _Days:
    """``date.fromisoformat`` once per distinct day text (many rows share a day)."""

    def __init__(self) -> None:
        self._seen: dict[str, date] = {}

    def __call__(self, text: str) -> date:
        day = self._seen.get(text)
        if day is None:
            day = self._seen[text] = date.fromisoformat(text)
        return day


def _range_sql(since: date | None, until: date | None) -> tuple[str, list[str]]:
    clauses, params = [], []
    if since is not None:
        clauses.append("day >= ?")
        params.append(since.isoformat())
    if until is not None:
        clauses.append("day <= ?")
        params.append(until.isoformat())
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), params


def _gratitude(row: tuple, days: _Days) -> GratitudeRecord:
    at_utc, tz, day, recipient, relationship, text, sent_via, backfilled = row
    return GratitudeRecord(at=_local(at_utc, tz), tz=tz, day=days(day), recipient=recipient,
                           relationship=relationship, text=text, sent_via=sent_via,
                           backfilled=bool(backfilled))


_GRATITUDE_COLUMNS = "at_utc, tz, day, recipient, relationship, text, sent_via, backfilled"


# -- queries ---------------------------------------------------------------------------------


def practice_days(db: SqliteDatabase) -> PracticeDays:
    """Per-day counts of both practices, all time (two queries, whatever the history size)."""
    days = _Days()
    pauses = {
        days(day): (int(completed), int(total))
        for day, completed, total in db.execute_sql(
            "SELECT day, SUM(outcome = 'completed'), COUNT(*) FROM pause_event GROUP BY day")
    }
    notes = {
        days(day): int(n)
        for day, n in db.execute_sql(
            "SELECT day, COUNT(*) FROM gratitude_entry GROUP BY day")
    }
    return PracticeDays(MappingProxyType(pauses), MappingProxyType(notes))


def load_history(db: SqliteDatabase, *, since: date | None = None,
                 until: date | None = None) -> HistoryData:
    """The pauses and gratitude entries of the practice days ``since`` .. ``until`` (both
    inclusive, None for no bound): one query per table."""
    where, params = _range_sql(since, until)
    days = _Days()
    pauses: dict[date, list[PauseRecord]] = defaultdict(list)
    for at_utc, tz, day, outcome, intention, meeting in db.execute_sql(
        "SELECT at_utc, tz, day, outcome, intention, meeting FROM pause_event"
        f"{where} ORDER BY at_utc, id", params,
    ):
        record = PauseRecord(
            at=_local(at_utc, tz), tz=tz, day=days(day), outcome=Outcome(outcome),
            intention=Intention(intention) if intention else None, meeting=meeting or None)
        pauses[record.day].append(record)
    notes: dict[date, list[GratitudeRecord]] = defaultdict(list)
    for row in db.execute_sql(
        f"SELECT {_GRATITUDE_COLUMNS} FROM gratitude_entry{where} ORDER BY at_utc, id", params,
    ):
        record = _gratitude(row, days)
        notes[record.day].append(record)
    ordered = sorted(pauses.keys() | notes.keys(), reverse=True)
    entries = {day: DayEntries(day, tuple(pauses.get(day, ())), tuple(notes.get(day, ())))
               for day in ordered}
    return HistoryData(since, until, MappingProxyType(entries))


def _like_pattern(text: str) -> str:
    """``%text%`` with LIKE's own wildcards (and the escape character) taken literally."""
    escaped = (text.replace(_LIKE_ESCAPE, _LIKE_ESCAPE * 2)
               .replace("%", _LIKE_ESCAPE + "%").replace("_", _LIKE_ESCAPE + "_"))
    return f"%{escaped}%"


def search(db: SqliteDatabase, text: str, *, limit: int = SEARCH_LIMIT) -> list[GratitudeRecord]:
    """Gratitude entries whose sentence or recipient contains ``text``, newest first.

    Case-insensitive the way SQLite's LIKE is (ASCII letters; other letters match as typed).
    ``%`` and ``_`` in ``text`` are ordinary characters. Blank text finds nothing.
    """
    needle = text.strip()
    if not needle:
        return []
    pattern = _like_pattern(needle)
    rows = db.execute_sql(
        f"SELECT {_GRATITUDE_COLUMNS} FROM gratitude_entry "
        "WHERE text LIKE ? ESCAPE ? OR recipient LIKE ? ESCAPE ? "
        "ORDER BY day DESC, at_utc DESC, id DESC LIMIT ?",
        (pattern, _LIKE_ESCAPE, pattern, _LIKE_ESCAPE, int(limit)),
    )
    days = _Days()
    return [_gratitude(row, days) for row in rows]


def intention_shares(db: SqliteDatabase, today: date, days: int = 30) -> dict[str, int]:
    """How many completed pauses chose each intention over the ``days`` practice days ending
    with ``today``: every intention and :data:`NO_INTENTION` is a key, zeros included."""
    since = today - timedelta(days=days - 1)
    shares = {i.value: 0 for i in Intention}
    shares[NO_INTENTION] = 0
    for intention, n in db.execute_sql(
        "SELECT intention, COUNT(*) FROM pause_event "
        "WHERE outcome = 'completed' AND day >= ? AND day <= ? GROUP BY intention",
        (since.isoformat(), today.isoformat()),
    ):
        key = intention if intention in shares else NO_INTENTION
        shares[key] += int(n)
    return shares


def weekly_note(db: SqliteDatabase, week: date) -> WeekNote | None:
    """The reflection saved for the practice week starting on Monday ``week``, if any."""
    row = WeeklyNoteRow.select().where(WeeklyNoteRow.week == week).bind(db).first()
    if row is None:
        return None
    return WeekNote(as_date(row.week), row.easiest, row.meaningful, row.updated_utc)


def save_weekly_note(db: SqliteDatabase, week: date, easiest: str, meaningful: str,
                     at: datetime) -> WeekNote:
    """Keep the reflection of the week starting on ``week`` (replacing an earlier one), saved
    at ``at`` (aware). Both answers empty forgets the week's row. ``week`` must be a Monday
    (see :func:`practice_week`)."""
    if isinstance(week, datetime) or week.weekday() != 0:
        raise ValueError(f"a practice week is named by its Monday, got {week!r}")
    to_utc_text(at)  # refuse a naive instant before anything is written or deleted
    saved = WeekNote(week, easiest.strip(), meaningful.strip(), at)
    with db.atomic():
        if not (saved.easiest or saved.meaningful):
            WeeklyNoteRow.delete().where(WeeklyNoteRow.week == week).execute(db)
            return WeekNote(week)
        fields = {WeeklyNoteRow.easiest: saved.easiest,
                  WeeklyNoteRow.meaningful: saved.meaningful,
                  WeeklyNoteRow.updated_utc: at}
        WeeklyNoteRow.insert({WeeklyNoteRow.week: week, **fields}).on_conflict(
            conflict_target=[WeeklyNoteRow.week], update=fields,
        ).execute(db)
    return saved
