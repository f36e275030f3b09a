"""Write the demo profile's sample history (see :mod:`microapp.core.demo`)."""

from __future__ import annotations

from datetime import datetime

from microapp.core.demo import demo_history
from microapp.store.history import History


def seed_demo_history(history: History, now: datetime) -> None:
    if history.pause_count():
        return
    pauses, notes = demo_history(now, day_starts_at=history.day_starts_at)
    with history.db.atomic():
        for p in pauses:
            history.record_pause(p.at, p.outcome, p.intention, p.meeting)
        for g in notes:
            history.add_gratitude(g.at, g.recipient, g.text, g.relationship)
