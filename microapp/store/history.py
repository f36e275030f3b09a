"""The store API: the one way the rest of microapp reads and writes history."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from peewee import SqliteDatabase, fn

from microapp.core.clock import DEFAULT_DAY_STARTS_AT, Stamp
from microapp.core.records import GratitudeRecord, Intention, Outcome, PauseRecord
from microapp.store.models import GratitudeEntry, PauseEvent


def _local(at_utc: datetime, tz: str) -> datetime:
    try:
        return at_utc.astimezone(ZoneInfo(tz))
    except (ZoneInfoNotFoundError, ValueError):
        return at_utc


class History:
    """Pause events and gratitude entries in one SQLite database.

    ``day_starts_at`` is the user's current setting; it only decides the practice day of
    events logged from now on (stored days are never recomputed).

    Every query runs on ``self.db``, never on whatever database the models were last bound
    to: two open stores (two files, or a file and the in-memory fallback) stay apart.
    """

    def __init__(self, db: SqliteDatabase, day_starts_at: time = DEFAULT_DAY_STARTS_AT) -> None:
        self.db = db
        self.day_starts_at = day_starts_at

    def close(self) -> None:
        if not self.db.is_closed():
            self.db.close()

    # -- pauses --------------------------------------------------------------------------

    def record_pause(self, instant: datetime, outcome: Outcome | str,
                     intention: Intention | str | None = None,
                     meeting: str | None = None) -> PauseRecord:
        stamp = Stamp.of(instant, self.day_starts_at)
        record = PauseRecord(
            at=_local(stamp.at_utc, stamp.tz), tz=stamp.tz, day=stamp.day,
            outcome=Outcome(outcome),
            intention=Intention(intention) if intention else None,
            meeting=meeting or None,
        )
        with self.db.atomic():
            PauseEvent.insert(
                at_utc=stamp.at_utc, tz=stamp.tz, day=stamp.day, outcome=record.outcome.value,
                intention=record.intention.value if record.intention else None,
                meeting=record.meeting,
            ).on_conflict_ignore().execute(self.db)
        return record

    def pauses_on(self, day: date) -> list[PauseRecord]:
        query = (PauseEvent.select().where(PauseEvent.day == day)
                 .order_by(PauseEvent.at_utc).bind(self.db))
        return [self._pause(row) for row in query]

    def pause_outcomes_by_day(self) -> dict[date, list[str]]:
        """Every practice day with the outcomes logged on it (one query, for streaks)."""
        result: dict[date, list[str]] = defaultdict(list)
        query = PauseEvent.select(PauseEvent.day, PauseEvent.outcome).tuples().bind(self.db)
        for day, outcome in query:
            result[_as_date(day)].append(outcome)
        return dict(result)

    def pause_count(self) -> int:
        return PauseEvent.select(fn.COUNT(PauseEvent.id)).scalar(self.db) or 0

    @staticmethod
    def _pause(row: PauseEvent) -> PauseRecord:
        return PauseRecord(
            at=_local(row.at_utc, row.tz), tz=row.tz, day=_as_date(row.day),
            outcome=Outcome(row.outcome),
            intention=Intention(row.intention) if row.intention else None,
            meeting=row.meeting,
        )

    # -- gratitude -----------------------------------------------------------------------

    def add_gratitude(self, instant: datetime, recipient: str, text: str,
                      relationship: str | None = None,
                      sent_via: str | None = None) -> GratitudeRecord:
        recipient, text = recipient.strip(), text.strip()
        relationship = (relationship or "").strip() or None  # an empty form field is "none"
        if not recipient or not text:
            raise ValueError("a gratitude entry needs a recipient and a sentence")
        stamp = Stamp.of(instant, self.day_starts_at)
        with self.db.atomic():
            GratitudeEntry.insert(
                at_utc=stamp.at_utc, tz=stamp.tz, day=stamp.day, recipient=recipient,
                relationship=relationship, text=text, sent_via=sent_via, backfilled=False,
            ).on_conflict_ignore().execute(self.db)
        return GratitudeRecord(at=_local(stamp.at_utc, stamp.tz), tz=stamp.tz, day=stamp.day,
                               recipient=recipient, relationship=relationship, text=text,
                               sent_via=sent_via)

    def gratitude_days(self) -> set[date]:
        query = GratitudeEntry.select(GratitudeEntry.day).distinct().tuples().bind(self.db)
        return {_as_date(day) for (day,) in query}

    def gratitude_on(self, day: date) -> list[GratitudeRecord]:
        query = (GratitudeEntry.select().where(GratitudeEntry.day == day)
                 .order_by(GratitudeEntry.at_utc).bind(self.db))
        return [
            GratitudeRecord(
                at=_local(row.at_utc, row.tz), tz=row.tz, day=_as_date(row.day),
                recipient=row.recipient, relationship=row.relationship, text=row.text,
                sent_via=row.sent_via, backfilled=bool(row.backfilled),
            )
            for row in query
        ]


def _as_date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)
