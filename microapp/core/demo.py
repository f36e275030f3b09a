"""Sample history for ``microapp --demo``: a few believable weeks, the same for the same day."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from microapp.core.clock import DEFAULT_DAY_STARTS_AT, practice_day
from microapp.core.records import Intention, Outcome

MEETINGS = ("Team stand-up", "1:1 with Sam", "Design review", "Call with Mum",
            "Customer check-in", "Planning", "Coffee chat with Priya")
PEOPLE = (
    ("Sam", "colleague", "You stay after stand-up to walk me through the deploy, and it helps."),
    ("Mum", "family", "You ask about my week and then really listen to the answer."),
    ("Priya", "friend", "Your voice note this morning makes the commute feel shorter."),
    ("Alex", "partner", "You leave the kettle warm for me before my early call."),
    ("Jo", "neighbour", "You take our parcel in and leave a note with a little drawing."),
)


@dataclass(frozen=True)
class DemoPause:
    at: datetime
    outcome: Outcome
    intention: Intention | None
    meeting: str | None


@dataclass(frozen=True)
class DemoGratitude:
    at: datetime
    recipient: str
    relationship: str
    text: str


def demo_history(now: datetime, weeks: int = 5,
                 day_starts_at: time = DEFAULT_DAY_STARTS_AT,
                 ) -> tuple[list[DemoPause], list[DemoGratitude]]:
    """Pauses and gratitude entries for the ``weeks`` before ``now`` (today left empty).

    "Today" is the practice day: at 01:00 it is still yesterday's date, which must stay empty.
    """
    today = practice_day(now, day_starts_at)
    rng = random.Random(today.toordinal())
    pauses: list[DemoPause] = []
    notes: list[DemoGratitude] = []
    for day in _days_before(today, weeks * 7):
        if day.weekday() >= 5 and rng.random() < 0.7:
            continue  # quiet weekends: neutral days
        for _ in range(rng.randint(1, 4)):
            start = datetime.combine(day, time(rng.randint(9, 16), rng.choice((0, 30))),
                                     tzinfo=now.tzinfo)
            outcome = rng.choices(list(Outcome), weights=(70, 15, 8, 7))[0]
            intention = rng.choice(list(Intention)) if outcome is Outcome.COMPLETED else None
            pauses.append(DemoPause(start - timedelta(minutes=1), outcome, intention,
                                    rng.choice(MEETINGS)))
        if rng.random() < 0.75:
            name, relationship, text = rng.choice(PEOPLE)
            at = datetime.combine(day, time(20, 30 + rng.randint(0, 25)), tzinfo=now.tzinfo)
            notes.append(DemoGratitude(at, name, relationship, text))
    return pauses, notes


def _days_before(today: date, count: int) -> Iterator[date]:
    for offset in range(count, 0, -1):
        yield today - timedelta(days=offset)
