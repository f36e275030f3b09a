"""The store API: the one way the rest of microapp reads and writes history."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, time

from peewee import EXCLUDED, SqliteDatabase, fn

from microapp.core.clock import DEFAULT_DAY_STARTS_AT, Stamp
from microapp.core.records import Intention, Outcome, PauseRecord
from microapp.store.gratitude_queries import GratitudeQueries
from microapp.store.models import (
    AppState,
    Cue,
    PauseEvent,
    from_utc_text,
    to_utc_text,
)
from microapp.store.models import as_date as _as_date
from microapp.store.models import local_instant as _local

SNOOZED_UNTIL = "snoozed_until"
SHOWN_OUTCOMES = frozenset({Outcome.COMPLETED, Outcome.SKIPPED})  # the overlay appeared


class History(GratitudeQueries):
    """Pause events, gratitude entries and micro-rounds, handled pause cues and a little app
    state (the snooze), in one SQLite database. The gratitude part lives in
    :class:`~microapp.store.gratitude_queries.GratitudeQueries`; this is still the one object
    the rest of microapp talks to.

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
        record = self._new_pause(instant, outcome, intention, meeting)
        with self.db.atomic():
            self._insert_pause(record)
        return record

    def _new_pause(self, instant: datetime, outcome: Outcome | str,
                   intention: Intention | str | None, meeting: str | None) -> PauseRecord:
        """Validate and stamp a pause (practice day from the current setting); stores nothing."""
        stamp = Stamp.of(instant, self.day_starts_at)
        return PauseRecord(
            at=_local(stamp.at_utc, stamp.tz), tz=stamp.tz, day=stamp.day,
            outcome=Outcome(outcome),
            intention=Intention(intention) if intention else None,
            meeting=meeting or None,
        )

    def _insert_pause(self, record: PauseRecord) -> int:
        """Insert ``record`` (or find it: the natural key makes a repeat a no-op); its id.

        The id is looked up rather than taken from the insert, because an ignored insert
        leaves SQLite's last row id at whatever was inserted before.
        """
        PauseEvent.insert(
            at_utc=record.at, tz=record.tz, day=record.day, outcome=record.outcome.value,
            intention=record.intention.value if record.intention else None,
            meeting=record.meeting,
        ).on_conflict_ignore().execute(self.db)
        meeting = fn.IFNULL(PauseEvent.meeting, "") == (record.meeting or "")
        query = (PauseEvent.select(PauseEvent.id)
                 .where((PauseEvent.at_utc == record.at)
                        & (PauseEvent.outcome == record.outcome.value) & meeting))
        return int(query.scalar(self.db))

    def pauses_on(self, day: date) -> list[PauseRecord]:
        query = (PauseEvent.select().where(PauseEvent.day == day)
                 .order_by(PauseEvent.at_utc).bind(self.db))
        return [self._pause(row) for row in query]

    def pause_outcomes_by_day(self) -> dict[date, list[str]]:
        """Every practice day with the outcomes logged on it (one query, for streaks)."""
        # Grouped by SQLite and read as plain text: converting 36,000 rows through peewee's
        # fields cost ~70 ms on ten years of history; this costs a few.
        result: dict[date, list[str]] = defaultdict(list)
        cursor = self.db.execute_sql(
            "SELECT day, outcome, COUNT(*) FROM pause_event GROUP BY day, outcome")
        for day, outcome, count in cursor.fetchall():
            result[_as_date(day)].extend([outcome] * count)
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

    # -- doorway pause cues --------------------------------------------------------------
    #
    # A cue key (Meeting.key) is handled once: a row in ``cue`` means it was shown, and once
    # it has an outcome that outcome is final. Neither a calendar refresh nor a restart
    # fires a handled cue again, and recording one twice never adds a second pause.

    def claim_cue(self, keys: Iterable[str], due: datetime, at: datetime) -> None:
        """Mark the cue ``keys`` as shown at ``at`` (no outcome yet), before the overlay
        appears. Keys already claimed or recorded are left exactly as they are."""
        rows = [{"key": key, "due_utc": due, "shown_utc": at, "outcome": None}
                for key in _unique(keys)]
        if rows:
            with self.db.atomic():
                Cue.insert_many(rows).on_conflict_ignore().execute(self.db)

    def record_cue(self, keys: Iterable[str], due: datetime, at: datetime,
                   outcome: Outcome | str, intention: Intention | str | None = None,
                   meeting: str | None = None) -> PauseRecord:
        """Log how the cue for ``keys`` ended: one pause event at ``at`` (as
        :meth:`record_pause` would) and the outcome on every key, in one transaction.

        Keys that already carry an outcome keep it (the first outcome is final); when every
        key has one, nothing is stored and the pause recorded the first time is returned.
        """
        keys = _unique(keys)
        if not keys:
            raise ValueError("a cue needs at least one key")
        record = self._new_pause(at, outcome, intention, meeting)
        to_utc_text(due)  # refuse a naive due instant before anything is written
        with self.db.atomic():
            done = dict(Cue.select(Cue.key, Cue.pause).where(
                Cue.key.in_(keys) & Cue.outcome.is_null(False)).tuples().bind(self.db))
            pending = [key for key in keys if key not in done]
            if not pending:
                earlier = self._pause_by_id(next(iter(done.values())))
                return earlier or record
            pause_id = self._insert_pause(record)
            shown = record.at if record.outcome in SHOWN_OUTCOMES else None
            rows = [{"key": key, "due_utc": due, "shown_utc": shown,
                     "outcome": record.outcome.value, "pause": pause_id} for key in pending]
            Cue.insert_many(rows).on_conflict(
                conflict_target=[Cue.key],
                update={Cue.outcome: EXCLUDED.outcome, Cue.pause: EXCLUDED.pause_id,
                        Cue.shown_utc: fn.COALESCE(Cue.shown_utc, EXCLUDED.shown_utc)},
                where=Cue.outcome.is_null(),
            ).execute(self.db)
        return record

    def handled_cue_keys(self, since: datetime) -> set[str]:
        """Keys of cues due at or after ``since`` that were shown or recorded."""
        query = Cue.select(Cue.key).where(Cue.due_utc >= since).tuples().bind(self.db)
        return {key for (key,) in query}

    def prune_cues(self, before: datetime) -> int:
        """Forget cues due before ``before`` (their pause events stay); how many went."""
        with self.db.atomic():
            return int(Cue.delete().where(Cue.due_utc < before).execute(self.db))

    def _pause_by_id(self, pause_id: int | None) -> PauseRecord | None:
        if pause_id is None:
            return None
        row = PauseEvent.select().where(PauseEvent.id == pause_id).bind(self.db).first()
        return self._pause(row) if row else None

    # -- app state -----------------------------------------------------------------------

    def get_state(self, name: str) -> str | None:
        return (AppState.select(AppState.value).where(AppState.name == name)
                .scalar(self.db))

    def set_state(self, name: str, value: str | None) -> None:
        """Keep ``value`` under ``name``; None forgets it."""
        with self.db.atomic():
            if value is None:
                AppState.delete().where(AppState.name == name).execute(self.db)
            else:
                AppState.insert(name=name, value=value).on_conflict(
                    conflict_target=[AppState.name], update={AppState.value: value},
                ).execute(self.db)

    def snoozed_until(self) -> datetime | None:
        """When the snooze ends (aware, UTC), or None. Text that does not read as an instant
        (hand-edited, or from another version) counts as no snooze rather than an error."""
        text = self.get_state(SNOOZED_UNTIL)
        if text is None:
            return None
        try:
            return from_utc_text(text)
        except (TypeError, ValueError):
            return None

    def set_snoozed_until(self, until: datetime | None) -> None:
        self.set_state(SNOOZED_UNTIL, None if until is None else to_utc_text(until))


def _unique(keys: Iterable[str]) -> list[str]:
    """The keys in their order, each once (a bare string is one key, not its letters)."""
    return list(dict.fromkeys([keys] if isinstance(keys, str) else keys))
