"""Plain records of what the user did, shared by the store, the UI and the CLI."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum


class Outcome(StrEnum):
    """How a doorway pause ended."""

    COMPLETED = "completed"  # the pause ran its course
    SKIPPED = "skipped"  # Esc or closed early
    SUPPRESSED = "suppressed"  # snoozed, do-not-disturb, fullscreen
    MISSED = "missed"  # not shown in time


class Intention(StrEnum):
    """The one intention chosen for the next conversation."""

    NOTICE = "notice"
    LISTEN = "listen"
    ENCOURAGE = "encourage"


INTENTION_HINTS: dict[Intention, str] = {
    Intention.NOTICE: "See one small, true thing about the person you are about to meet.",
    Intention.LISTEN: "Let them finish. Stay with their words before you shape your own.",
    Intention.ENCOURAGE: "Name one thing they are doing well, plainly and warmly.",
}


@dataclass(frozen=True)
class PauseRecord:
    at: datetime  # aware, in the zone that was in force (``tz``)
    tz: str
    day: date  # practice day, fixed when logged
    outcome: Outcome
    intention: Intention | None = None
    meeting: str | None = None


@dataclass(frozen=True)
class GratitudeRecord:
    at: datetime
    tz: str
    day: date
    recipient: str
    relationship: str | None
    text: str
    sent_via: str | None = None
    backfilled: bool = False


@dataclass(frozen=True)
class MicroRound:
    """The evening's one-line micro-round, kept with its practice day."""

    day: date
    useful: str = ""
    confusing: str = ""
    energizing: str = ""


@dataclass(frozen=True)
class RecipientSummary:
    """Someone the user has thanked: the latest spelling and relationship, how often, when."""

    name: str
    relationship: str | None
    last_day: date
    count: int
