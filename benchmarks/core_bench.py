"""Pure-core figures: call-link search, the cue planner and the streak rules.

    .venv/bin/python benchmarks/core_bench.py
"""

from __future__ import annotations

import random
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from microapp.core.links import find_call_link
from microapp.core.meetings import Meeting
from microapp.core.planner import plan
from microapp.core.streaks import gratitude_streaks, pause_streaks

BERLIN = ZoneInfo("Europe/Berlin")


def best_of(n: int, fn) -> float:
    best = float("inf")
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best * 1000


def main() -> int:
    rng = random.Random(7)
    words = ["agenda", "notes", "&amp;", "<a href='https://docs.example.com/x'>doc</a>", "\n"]
    prose = " ".join(rng.choice(words) for _ in range(20_000))[:100_000]
    description = prose + " Join: https://teams.microsoft.com/l/meetup-join/19%3ameeting_abc"
    t = best_of(5, lambda: find_call_link([description]))
    print(f"call link in a 100 KB description:         {t:7.2f} ms")

    base = datetime(2026, 3, 1, 7, 0, tzinfo=BERLIN)
    meetings = [Meeting(title=f"M{i % 97}", start=(s := base + timedelta(
        seconds=rng.randrange(0, 30 * 86400))), end=s + timedelta(minutes=30),
        calendar="work", uid=f"series-{i % 400}-{i}") for i in range(10_000)]
    now = base + timedelta(days=15)
    done = {m.key for m in meetings if now - timedelta(hours=12) <= m.start <= now}
    t = best_of(5, lambda: plan(meetings, now, done_keys=done, since=now - timedelta(days=1)))
    print(f"planner, 10,000 meetings (since = 1 day):  {t:7.2f} ms   target < 20 ms")
    t = best_of(5, lambda: plan(meetings, now, done_keys=done))
    print(f"planner, 10,000 meetings (no since):       {t:7.2f} ms")

    today = date(2026, 11, 21)
    outcomes = {today - timedelta(days=i): ["skipped", "completed" if i % 5 else "missed"]
                for i in range(3650)}
    entries = [today - timedelta(days=i) for i in range(3650) if i % 9]
    t = best_of(5, lambda: pause_streaks(outcomes, today))
    print(f"pause streak, ten years (~7,300 events):   {t:7.2f} ms   target <= 20 ms")
    t = best_of(5, lambda: gratitude_streaks(entries, today))
    print(f"gratitude streak, ten years:               {t:7.2f} ms   target <= 20 ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
