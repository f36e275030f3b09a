"""Gratitude entries and the evening micro-round: the part of :class:`History` that keeps the
evening's sentences. A mixin, so ``History`` stays the one store API object.

Names are matched case-insensitively with SQLite's NOCASE (ASCII letters only), the same
collation the ``gratitude_entry_recipient`` index uses, so a look-up by name stays indexed.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time

from peewee import SqliteDatabase

from microapp.core.clock import Stamp
from microapp.core.gratitude import parse_relationship
from microapp.core.records import GratitudeRecord, MicroRound, RecipientSummary
from microapp.store.models import (
    GratitudeEntry,
    MicroRoundRow,
    as_date,
    local_instant,
    to_utc_text,
)

SENT_VIA = ("copy", "email")

# One pass over the entries: per name (any case) the latest spelling, the latest relationship
# that was given, the latest practice day and how many entries there are.
_RECIPIENTS_SQL = """
    SELECT recipient, relationship, last_day, n FROM (
        SELECT recipient,
               FIRST_VALUE(relationship) OVER (
                   PARTITION BY recipient COLLATE NOCASE
                   ORDER BY relationship IS NULL, at_utc DESC, id DESC
                   ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS relationship,
               MAX(day) OVER person AS last_day,
               COUNT(*) OVER person AS n,
               ROW_NUMBER() OVER (PARTITION BY recipient COLLATE NOCASE
                                  ORDER BY at_utc DESC, id DESC) AS newest
        FROM gratitude_entry
        WINDOW person AS (PARTITION BY recipient COLLATE NOCASE)
    )
    WHERE newest = 1
    ORDER BY last_day DESC, recipient COLLATE NOCASE, recipient
"""


def _ways(sent_via: str | None) -> set[str]:
    return {way.strip() for way in (sent_via or "").split(",") if way.strip()}


class GratitudeQueries:
    """Mixed into :class:`~microapp.store.history.History`, which provides both attributes."""

    db: SqliteDatabase
    day_starts_at: time

    def add_gratitude(self, instant: datetime, recipient: str, text: str,
                      relationship: str | None = None, sent_via: str | None = None, *,
                      day: date | None = None) -> GratitudeRecord:
        """Store one sentence written at ``instant`` (aware).

        Its practice day is that of ``instant``, unless ``day`` names an earlier one: then
        it is kept for that day and flagged ``backfilled``. A ``day`` that has not begun yet
        is refused. Saving the same sentence (instant, name, text) twice stores it once.
        """
        recipient, text = recipient.strip(), text.strip()
        relationship = parse_relationship(relationship)  # "" from an empty field is None
        if not recipient or not text:
            raise ValueError("a gratitude entry needs a recipient and a sentence")
        stamp = Stamp.of(instant, self.day_starts_at)
        stored_day, backfilled = stamp.day, False
        if day is not None and day > stamp.day:
            raise ValueError(f"{day.isoformat()} has not begun yet (today is "
                             f"{stamp.day.isoformat()})")
        if day is not None and day < stamp.day:
            stored_day, backfilled = day, True
        with self.db.atomic():
            GratitudeEntry.insert(
                at_utc=stamp.at_utc, tz=stamp.tz, day=stored_day, recipient=recipient,
                relationship=relationship, text=text, sent_via=sent_via, backfilled=backfilled,
            ).on_conflict_ignore().execute(self.db)
        return GratitudeRecord(at=local_instant(stamp.at_utc, stamp.tz), tz=stamp.tz,
                               day=stored_day, recipient=recipient, relationship=relationship,
                               text=text, sent_via=sent_via, backfilled=backfilled)

    def mark_gratitude_sent(self, record: GratitudeRecord, via: str) -> GratitudeRecord:
        """Note that ``record`` was sent ``via`` "email" or "copy" (both: "copy,email").

        The entry is found by its natural key (instant, name, text); ``LookupError`` when
        it is not stored.
        """
        if via not in SENT_VIA:
            raise ValueError(f"sent via {via!r}: use one of " + ", ".join(SENT_VIA))
        key = ((GratitudeEntry.at_utc == record.at)
               & (GratitudeEntry.recipient == record.recipient)
               & (GratitudeEntry.text == record.text))
        with self.db.atomic():
            row = (GratitudeEntry.select(GratitudeEntry.id, GratitudeEntry.sent_via)
                   .where(key).bind(self.db).first())
            if row is None:
                raise LookupError("that gratitude entry is not in the history")
            ways = ",".join(sorted(_ways(row.sent_via) | {via}))
            if ways != row.sent_via:
                (GratitudeEntry.update(sent_via=ways).where(GratitudeEntry.id == row.id)
                 .execute(self.db))
        return replace(record, sent_via=ways)

    def recipients(self) -> list[RecipientSummary]:
        """Everyone thanked so far, names grouped whatever their case, newest day first."""
        rows = self.db.execute_sql(_RECIPIENTS_SQL).fetchall()
        return [RecipientSummary(name=name, relationship=relationship, last_day=as_date(day),
                                 count=int(n))
                for name, relationship, day, n in rows]

    def gratitude_for(self, recipient: str, limit: int = 50) -> list[GratitudeRecord]:
        """The latest ``limit`` entries for one person (any case), newest first."""
        query = (GratitudeEntry.select()
                 .where(GratitudeEntry.recipient.collate("NOCASE") == recipient.strip())
                 .order_by(GratitudeEntry.day.desc(), GratitudeEntry.at_utc.desc(),
                           GratitudeEntry.id.desc())
                 .limit(max(limit, 0)).bind(self.db))
        return [self._gratitude(row) for row in query]

    def gratitude_days(self) -> set[date]:
        # Plain text from the day index (no per-row field conversion): streaks read this on
        # every refresh, over years of entries.
        rows = self.db.execute_sql("SELECT DISTINCT day FROM gratitude_entry").fetchall()
        return {as_date(day) for (day,) in rows}

    def gratitude_on(self, day: date) -> list[GratitudeRecord]:
        query = (GratitudeEntry.select().where(GratitudeEntry.day == day)
                 .order_by(GratitudeEntry.at_utc).bind(self.db))
        return [self._gratitude(row) for row in query]

    @staticmethod
    def _gratitude(row: GratitudeEntry) -> GratitudeRecord:
        return GratitudeRecord(
            at=local_instant(row.at_utc, row.tz), tz=row.tz, day=as_date(row.day),
            recipient=row.recipient, relationship=row.relationship, text=row.text,
            sent_via=row.sent_via, backfilled=bool(row.backfilled),
        )

    # -- the micro-round -------------------------------------------------------------------

    def save_micro_round(self, day: date, useful: str, confusing: str, energizing: str,
                         at: datetime) -> MicroRound:
        """Keep the micro-round of practice day ``day`` (replacing any earlier one), saved
        at ``at`` (aware). All three empty forgets the day's row."""
        to_utc_text(at)  # refuse a naive instant before anything is written or deleted
        saved = MicroRound(day, useful.strip(), confusing.strip(), energizing.strip())
        with self.db.atomic():
            if not (saved.useful or saved.confusing or saved.energizing):
                MicroRoundRow.delete().where(MicroRoundRow.day == day).execute(self.db)
                return saved
            fields = {MicroRoundRow.useful: saved.useful,
                      MicroRoundRow.confusing: saved.confusing,
                      MicroRoundRow.energizing: saved.energizing,
                      MicroRoundRow.updated_utc: at}
            MicroRoundRow.insert({MicroRoundRow.day: day, **fields}).on_conflict(
                conflict_target=[MicroRoundRow.day], update=fields,
            ).execute(self.db)
        return saved

    def micro_round(self, day: date) -> MicroRound | None:
        row = MicroRoundRow.select().where(MicroRoundRow.day == day).bind(self.db).first()
        if row is None:
            return None
        return MicroRound(as_date(row.day), row.useful, row.confusing, row.energizing)
