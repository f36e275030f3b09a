"""Ten believable years of history for benchmarks: ~36,500 pause events, ~3,650 sentences.

Workdays carry a dozen meetings, weekends a few, and a couple of holidays a year none at all.
Outcomes lean to ``completed`` with real misses, skips and snoozes; intentions vary. The user
lives in Berlin, moves to New York for three years (both zones have DST) and comes back.
Practice days come from :class:`microapp.core.clock.Stamp`, as the app computes them.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from microapp.core.clock import Stamp
from microapp.core.records import GratitudeRecord, Intention, Outcome, PauseRecord
from microapp.store.exchange import ImportBatch

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
LAST_DAY = date(2026, 3, 20)
MEETINGS = ("Team stand-up", "1:1 with Priya", "Design review", "Customer call, ACME",
            "Sprint planning", "Hiring panel", "Coffee chat", "All hands", None)
PEOPLE = (("Priya", "colleague"), ("Mum", "family"), ("Jonas", "friend"), ("Alex", "partner"),
          ("Mrs. Okafor", "neighbour"), ("Sam", "colleague"), ("Lea", "friend"),
          ("the bus driver", "other"), ("Tomás", "colleague"), ("Grandpa", "family"))
SENTENCES = (
    "You stay with my half-finished thoughts until they make sense, and I feel heard.",
    "You bring soup when the week is long, and the kitchen smells like home.",
    "Your quiet \"we've got this\" before the demo steadies my hands.",
    "You wave every morning, and the street feels like ours.",
    "You answer my questions twice, patiently, and never make me feel slow.",
    "You notice when I go quiet in meetings, and you ask me first.",
)


def _zone(day: date, first: date) -> ZoneInfo:
    year = (day - first).days / 365.25
    return NEW_YORK if 4 <= year < 7 else BERLIN


def generate(years: int = 10, seed: int = 2026, last_day: date = LAST_DAY) -> ImportBatch:
    """The history as an :class:`ImportBatch` (import it with ``import_batch``)."""
    rng = random.Random(seed)
    first = last_day - timedelta(days=round(years * 365))
    outcomes = [Outcome.COMPLETED] * 62 + [Outcome.SKIPPED] * 18 + \
        [Outcome.SUPPRESSED] * 12 + [Outcome.MISSED] * 8
    holidays = {first + timedelta(days=rng.randrange(0, years * 365)) for _ in range(years * 2)}
    pauses: list[PauseRecord] = []
    gratitude: list[GratitudeRecord] = []
    day = first
    while day <= last_day:
        zone = _zone(day, first)
        off = any(0 <= (day - h).days < 7 for h in holidays)
        n = 0 if off else rng.randint(10, 17) if day.weekday() < 5 else rng.randint(0, 5)
        minutes = sorted(rng.sample(range(8 * 60, 19 * 60), n))
        for minute in minutes:
            at = datetime(day.year, day.month, day.day, minute // 60, minute % 60, tzinfo=zone)
            stamp = Stamp.of(at)
            outcome = rng.choice(outcomes)
            intention = (rng.choice(list(Intention))
                         if outcome is Outcome.COMPLETED or rng.random() < 0.3 else None)
            pauses.append(PauseRecord(at=at, tz=stamp.tz, day=stamp.day, outcome=outcome,
                                      intention=intention, meeting=rng.choice(MEETINGS)))
        for _ in range(2 if rng.random() < 0.06 else 0 if rng.random() < 0.06 else 1):
            hour, minute = rng.choice((20, 21, 22, 23)), rng.randrange(60)
            at = datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)
            stamp = Stamp.of(at)
            name, relationship = rng.choice(PEOPLE)
            gratitude.append(GratitudeRecord(
                at=at, tz=stamp.tz, day=stamp.day, recipient=name, relationship=relationship,
                text=rng.choice(SENTENCES), sent_via="email" if rng.random() < 0.1 else None,
                backfilled=rng.random() < 0.03))
        day += timedelta(days=1)
    return ImportBatch(tuple(pauses), tuple(gratitude), "generated")
