"""Calendar engine figures on a generated calendar (7,000 events, 500 recurring series).

Prints, in one run: the bare libraries' own parse + 24 h expansion (icalendar +
recurring-ical-events) beside microapp's first load, refresh of an unchanged source (target
<= 5 ms, no re-parse), the next-24 h query, and the longest stall of the Qt event loop while the
app's CalendarService has a changed source read again (target <= 16 ms). The app reads
calendars in a short-lived child process, so the stall no longer includes any parsing; the
time that read took (start of the child to the answer) is printed beside it.

    .venv/bin/python benchmarks/calendar_bench.py [--events N] [--series N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.calendar_gen import generate_calendar


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.1f} ms"


def best_of(n: int, fn) -> float:
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=7000)
    parser.add_argument("--series", type=int, default=500)
    args = parser.parse_args()

    import icalendar
    import recurring_ical_events

    from microapp.core.calendars import CalendarEngine, default_fetcher_factory
    from microapp.core.settings import Settings
    from microapp.core.sources import SourceConfig, SourceKind

    zone = ZoneInfo("Europe/Berlin")
    now = datetime.now(zone).replace(microsecond=0)
    body = generate_calendar(args.events, args.series)
    work = Path(tempfile.mkdtemp(prefix="microapp-bench-"))
    ics = work / "big.ics"
    ics.write_bytes(body)
    print(f"calendar: {args.events} events, {args.series} recurring series, "
          f"{len(body) / 1e6:.1f} MB")

    def bare() -> None:
        cal = icalendar.Calendar.from_ical(body)
        recurring_ical_events.of(cal).between(now, now + timedelta(hours=24))

    bare_s = best_of(3, bare)
    print(f"bare icalendar + recurring-ical-events, parse + 24 h: {ms(bare_s)}")

    settings = Settings(ignore_titles=(),
                        calendars=(SourceConfig("big", SourceKind.FILE, str(ics)),))
    engine = CalendarEngine(zone, default_fetcher_factory(work / "cache", work / "config"))
    engine.configure(settings.calendars)
    t0 = time.perf_counter()
    first = engine.refresh("big", now)
    first_s = time.perf_counter() - t0
    assert first.status.ok, first.status.error
    print(f"microapp first load (read + parse):                 {ms(first_s)}")

    parses = engine.parse_count("big")
    unchanged = [best_of(1, lambda: engine.refresh("big", now)) for _ in range(20)]
    assert engine.parse_count("big") == parses, "an unchanged source was parsed again"
    print(f"microapp refresh, source unchanged (median of 20):  "
          f"{statistics.median(unchanged) * 1000:8.3f} ms   target <= 5 ms, re-parses: 0")

    query = best_of(5, lambda: engine.upcoming(now, now + timedelta(hours=24), settings))
    count = len(engine.upcoming(now, now + timedelta(hours=24), settings))
    print(f"microapp next-24 h query ({count} meetings):          {ms(query)}")

    stall, read = event_loop_stall(work, ics, body, settings)
    print(f"longest Qt event-loop stall while re-reading:      {ms(stall)}   target <= 16 ms")
    print(f"that read in the app's child process, start to answer: {ms(read)}")
    return 0


def event_loop_stall(work: Path, ics: Path, body: bytes, settings) -> tuple[float, float]:
    """Change the file, let the app's CalendarService read it again (in its child process),
    and measure the longest gap between ticks of a 1 ms timer on the UI thread meanwhile.
    Returns (longest gap, duration of the read) in seconds."""
    from PySide6.QtCore import QElapsedTimer, QTimer
    from PySide6.QtWidgets import QApplication

    from microapp.core.clock import SystemClock
    from microapp.core.paths import Profile
    from microapp.ui.calendar_service import CalendarService

    app = QApplication.instance() or QApplication([])
    service = CalendarService(Profile.under(work / "profile"), SystemClock(), settings)
    loaded: list[object] = []
    service.updated.connect(loaded.append)
    service.start()
    deadline = time.monotonic() + 120
    while not loaded and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.005)

    gaps: list[int] = []
    clock = QElapsedTimer()
    clock.start()
    last = [clock.elapsed()]

    def tick() -> None:
        t = clock.elapsed()
        gaps.append(t - last[0])
        last[0] = t

    ticker = QTimer(interval=1)
    ticker.timeout.connect(tick)
    ticker.start()
    before = len(loaded)
    ics.write_bytes(body.replace(b"SUMMARY:", b"SUMMARY:Changed ", 1))
    asked = time.perf_counter()
    service.refresh_now()
    deadline = time.monotonic() + 120
    while len(loaded) == before and time.monotonic() < deadline:
        app.processEvents()
    read = time.perf_counter() - asked
    ticker.stop()
    service.stop()
    return (max(gaps) / 1000 if gaps else 0.0), read


if __name__ == "__main__":
    sys.exit(main())
