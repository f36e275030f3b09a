"""peewee models over the tables the migrations create (they never create tables themselves)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from peewee import (
    BooleanField,
    CharField,
    DateField,
    Field,
    ForeignKeyField,
    Model,
    TextField,
)

UTC_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def to_utc_text(value: datetime) -> str:
    """An aware instant as the fixed-width UTC text every stored instant uses."""
    if value.tzinfo is None:
        raise ValueError("naive datetimes are never stored; pass a timezone-aware instant")
    return value.astimezone(UTC).strftime(UTC_FORMAT)


def from_utc_text(value: str) -> datetime:
    """The aware UTC instant of stored text; ``ValueError`` when it is not in that format."""
    return datetime.strptime(value, UTC_FORMAT).replace(tzinfo=UTC)


def local_instant(at_utc: datetime, tz: str) -> datetime:
    """A stored UTC instant shown in the zone it was logged in (UTC when that zone is gone)."""
    try:
        return at_utc.astimezone(ZoneInfo(tz))
    except (ZoneInfoNotFoundError, ValueError):
        return at_utc


def as_date(value: date | str) -> date:
    """A stored practice day (peewee hands back text for some queries)."""
    return value if isinstance(value, date) else date.fromisoformat(value)


class UTCDateTimeField(Field):
    """An aware instant stored as fixed-width UTC text, so text order is time order."""

    field_type = "TEXT"

    def db_value(self, value: datetime | None) -> str | None:
        return None if value is None else to_utc_text(value)

    def python_value(self, value: str | None) -> datetime | None:
        return None if value is None else from_utc_text(value)


class _Base(Model):
    class Meta:
        legacy_table_names = False


class PauseEvent(_Base):
    at_utc = UTCDateTimeField()
    tz = CharField()
    day = DateField()
    outcome = CharField()
    intention = CharField(null=True)
    meeting = TextField(null=True)

    class Meta:
        table_name = "pause_event"


class GratitudeEntry(_Base):
    at_utc = UTCDateTimeField()
    tz = CharField()
    day = DateField()
    recipient = TextField()
    relationship = CharField(null=True)
    text = TextField()
    sent_via = CharField(null=True)
    backfilled = BooleanField(default=False)

    class Meta:
        table_name = "gratitude_entry"


class Cue(_Base):
    """A doorway pause cue that was handled: shown (``outcome`` still None) or finished."""

    key = TextField(primary_key=True)  # Meeting.key: calendar \x1f UID \x1f UTC start
    due_utc = UTCDateTimeField()
    shown_utc = UTCDateTimeField(null=True)
    outcome = CharField(null=True)
    # No backref and no lazy loading: a stray attribute access must never run a query on
    # whatever database the models were last bound to.
    pause = ForeignKeyField(PauseEvent, null=True, column_name="pause_id", backref="+",
                            on_delete="SET NULL", lazy_load=False)

    class Meta:
        table_name = "cue"


class AppState(_Base):
    """Small named values the app keeps between runs (e.g. the snooze)."""

    name = TextField(primary_key=True)
    value = TextField()

    class Meta:
        table_name = "app_state"


class MicroRoundRow(_Base):
    """The evening's one-line micro-round for a practice day."""

    day = DateField(primary_key=True)
    useful = TextField(default="")
    confusing = TextField(default="")
    energizing = TextField(default="")
    updated_utc = UTCDateTimeField()

    class Meta:
        table_name = "micro_round"


class WeeklyNoteRow(_Base):
    """The weekly reflection of one practice week (``week``: its Monday)."""

    week = DateField(primary_key=True)
    easiest = TextField(default="")
    meaningful = TextField(default="")
    updated_utc = UTCDateTimeField()

    class Meta:
        table_name = "weekly_note"


MODELS = [PauseEvent, GratitudeEntry, Cue, AppState, MicroRoundRow, WeeklyNoteRow]
