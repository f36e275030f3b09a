"""History figures on ten generated years (~36,500 pauses, ~3,650 sentences; Berlin, three
years in New York, back): issue 6's targets.

Prints the median of several runs (and the first, cold, run where it differs) for: both
streaks and strengths from the store (target <= 20 ms), export JSON and CSV to a file
(<= 1 s), import of that file into an empty database (<= 3 s), a daily backup, and the
History window built, shown and painted (<= 300 ms) beside a bare PySide6 QWidget shown and
painted, with the ratio. Everything runs on real SQLite files in a temporary folder and, for
Qt, the offscreen platform.

    .venv/bin/python benchmarks/history_bench.py [--runs N] [--years N]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from datetime import time as clock_time
from pathlib import Path
from zoneinfo import ZoneInfo

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.history_gen import LAST_DAY, generate
from microapp.core.streaks import gratitude_streaks, pause_streaks
from microapp.store.backup import maybe_daily_backup
from microapp.store.db import open_store
from microapp.store.exchange import import_batch, read_export, write_csv, write_json
from microapp.store.history import History

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime.combine(LAST_DAY, clock_time(21, 0), BERLIN)


class FixedClock:
    def now(self) -> datetime:
        return NOW

    def zone(self) -> ZoneInfo:
        return BERLIN


def runs_of(n: int, fn: Callable[[], object]) -> list[float]:
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return times


def line(label: str, times: list[float], target: str = "", cold: bool = False) -> None:
    text = f"{label:<48} {statistics.median(times) * 1000:8.1f} ms"
    if cold:
        text += f"  (first run {times[0] * 1000:.1f} ms)"
    print(f"{text}   {target}".rstrip())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--years", type=int, default=10)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="microapp-history-bench-"))
    try:
        return bench(work, args.runs, args.years)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def bench(work: Path, runs: int, years: int) -> int:
    t0 = time.perf_counter()
    batch = generate(years)
    source = open_store(work / "source" / "history.sqlite3", NOW).db
    import_batch(source, batch)
    print(f"history: {len(batch.pauses):,} pauses, {len(batch.gratitude):,} sentences over "
          f"{years} years (generated and stored in {time.perf_counter() - t0:.1f} s)")
    history = History(source)
    today = LAST_DAY

    def streaks_via_history() -> None:
        pause_streaks(history.pause_outcomes_by_day(), today)
        gratitude_streaks(history.gratitude_days(), today)

    line("streaks + strengths, History queries + core", runs_of(runs, streaks_via_history),
         "target <= 20 ms")
    q = runs_of(runs, lambda: (history.pause_outcomes_by_day(), history.gratitude_days()))
    line("  of which the two History queries", q)
    outcomes, days = history.pause_outcomes_by_day(), history.gratitude_days()
    line("  of which core.streaks alone", runs_of(runs, lambda: (
        pause_streaks(outcomes, today), gratitude_streaks(days, today))))
    if importlib.util.find_spec("microapp.store.history_view") is not None:
        from microapp.store.history_view import practice_days

        def streaks_via_view() -> None:
            counts = practice_days(source)
            pause_streaks(counts.pause_outcomes(), today)
            gratitude_streaks(counts.gratitude_days(), today)

        line("streaks + strengths, history_view (GROUP BY)", runs_of(runs, streaks_via_view),
             "target <= 20 ms")

    files = {}
    for fmt, writer in (("json", write_json), ("csv", write_csv)):
        path = work / f"export.{fmt}"

        def export(path: Path = path, writer=writer) -> None:
            with open(path, "w", encoding="utf-8", newline="") as stream:
                writer(source, stream)

        line(f"export {fmt.upper()} to a file", runs_of(runs, export), "target <= 1 s")
        files[fmt] = path
        print(f"  ({path.stat().st_size / 1e6:.1f} MB)")

    for fmt, path in files.items():
        counter = iter(range(10_000))

        def into_empty(path: Path = path, counter=counter, fmt: str = fmt) -> None:
            db = open_store(work / f"import-{fmt}-{next(counter)}" / "h.sqlite3", NOW).db
            import_batch(db, read_export(path))
            db.close()

        line(f"import {fmt.upper()} into an empty database", runs_of(runs, into_empty),
             "target <= 3 s")
        line(f"  of which reading + checking {fmt.upper()}",
             runs_of(runs, lambda path=path: read_export(path)))

    counter = iter(range(10_000))
    line("daily backup (online backup API)", runs_of(
        runs, lambda: maybe_daily_backup(source, work / f"backups-{next(counter)}", NOW)))
    size = sum(p.stat().st_size for p in (work / "backups-0").iterdir())
    print(f"  ({size / 1e6:.1f} MB)")

    window_figures(history, runs)
    history.close()
    return 0


def first_paint(make: Callable[[], object]) -> tuple[float, float]:
    """Build a widget with ``make``, show it, and run the event loop until its first frame
    has been painted: (build seconds, show-to-painted seconds)."""
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QApplication, QWidget

    app = QApplication.instance()
    painted: list[float] = []

    class Watch(QObject):
        def eventFilter(self, obj: QObject, event: QEvent) -> bool:
            if (event.type() == QEvent.Type.Paint and isinstance(obj, QWidget)
                    and obj.window() is widget):
                painted.append(time.perf_counter())
            return False

    watch = Watch()
    t0 = time.perf_counter()
    widget = make()
    built = time.perf_counter()
    app.installEventFilter(watch)
    widget.show()
    deadline = built + 10
    while not painted and time.perf_counter() < deadline:
        app.processEvents()
    done = time.perf_counter()  # the frame that started with the first paint is complete
    app.removeEventFilter(watch)
    widget.close()
    widget.deleteLater()
    app.processEvents()
    if not painted:
        raise RuntimeError("the widget was never painted")
    return built - t0, done - built


def _quiet_offscreen(mode: object, context: object, message: str) -> None:
    """Qt's messages, less the offscreen platform's "does not support ..." notes (the same
    ones the test suite ignores)."""
    if not message.startswith("This plugin does not support"):
        print(message, file=sys.stderr)


def window_figures(history: History, runs: int) -> None:
    from PySide6.QtCore import qInstallMessageHandler
    from PySide6.QtWidgets import QApplication, QWidget

    qInstallMessageHandler(_quiet_offscreen)
    app = QApplication.instance() or QApplication([])
    bare = [first_paint(lambda: _bare(QWidget)) for _ in range(runs)]
    bare_total = [b + s for b, s in bare]
    line("bare PySide6 QWidget, shown and painted", bare_total, cold=True)
    if importlib.util.find_spec("microapp.ui.history_window") is None:
        print("History window: microapp.ui.history_window does not exist yet; not measured")
        return
    from microapp.ui.history_window import HistoryWindow
    from microapp.ui.theme import LIGHT

    def make() -> QWidget:
        return HistoryWindow(LIGHT, history, FixedClock(), rest_days=(),
                             day_starts_at=clock_time(4, 0))

    figures = [first_paint(make) for _ in range(runs)]
    total = [b + s for b, s in figures]
    line("History window, built + shown + painted", total, "target <= 300 ms", cold=True)
    line("  of which building (queries, models)", [b for b, _ in figures])
    line("  of which show to first frame painted", [s for _, s in figures])
    ratio = statistics.median(total) / statistics.median(bare_total)
    print(f"{'History window / bare QWidget (medians)':<48} {ratio:8.1f} x")
    app.processEvents()


def _bare(cls: type) -> object:
    widget = cls()
    widget.resize(900, 680)
    return widget


if __name__ == "__main__":
    sys.exit(main())
