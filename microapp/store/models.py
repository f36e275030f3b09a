"""peewee models over the tables the migrations create (they never create tables themselves)."""

from __future__ import annotations

from datetime import UTC, datetime

from peewee import BooleanField, CharField, DateField, Field, Model, TextField

UTC_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


class UTCDateTimeField(Field):
    """An aware instant stored as fixed-width UTC text, so text order is time order."""

    field_type = "TEXT"

    def db_value(self, value: datetime | None) -> str | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are never stored; pass an aware instant")
        return value.astimezone(UTC).strftime(UTC_FORMAT)

    def python_value(self, value: str | None) -> datetime | None:
        if value is None:
            return None
        return datetime.strptime(value, UTC_FORMAT).replace(tzinfo=UTC)


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


MODELS = [PauseEvent, GratitudeEntry]
