"""The doorway pause, timed: how late its first frame is, what its animation costs, and how
quiet the app stays between cues - each beside a bare PySide6 app doing the least it could.

Issue 4's targets: first frame of the overlay <= 50 ms after the cue instant (median), <= 15 %
of one core during the five-second animation, and no timer wake-ups while idle between cues
besides planned ones.

How. Every app runs in a child process of its own (this script with ``--child MODE``), one
after the other (the two idle ones side by side), so CPU, context switches and peak RSS are
per process and no figure pays for another. The children run on a real X server: without
``DISPLAY`` (or with ``--own-display``) the script starts its own ``Xvfb -displayfd`` and, when
installed, ``trayer`` as the tray host; ``--platform offscreen`` uses Qt's offscreen platform
instead (no X server, no tray: the app then shows its stand-in window).

* Lateness. A real ``MicroApp`` (real ``SystemClock`` and time, real SQLite in a temporary
  profile, real ``BusyCheck`` with this desktop's detectors, real ``SystemEvents``, a notifier
  that sends nothing, an opener that opens nothing) watches an ICS file. Each cue is due
  ``lead`` before a meeting's DTSTART (whole seconds); the lead is 600 s by default so the
  timers tied to a meeting's start (the tooltip's "next meeting") fire after the run, as they
  fire a minute after the cue in real use, never with it. The planner gives meetings that
  start in the same clock minute ONE cue, so the meetings cannot all be in the file from the
  start: after each pause has faded the script adds the next meeting, due ``--gap`` seconds
  ahead, to the file (replaced, as editors do); the app's file watcher reloads it and the
  scheduler arms its single-shot timer (the script checks it was armed in time). Per cue, the
  time from the instant to each stage is taken from thin wrappers around the app's own methods:
  the scheduler's timer firing, ``cue_due`` handled (busy check asked), the detectors' run (in
  their thread), the busy answer back on the UI thread, the SQLite claim of the cue,
  ``PauseSession.start`` (views built and shown), the window's Expose, the first
  ``PauseView.paintEvent`` (the figure held against the target), and the end of that first
  frame (the next turn of the event loop, after the flush).
  A timer armed only ~2 s ahead fires on time; a long wait does not: Linux lets a poll()
  timeout expire late by 0.1 % of its length (at most 100 ms), and a real cue comes after the
  scheduler's 5-minute "near" wait. So one last cue is armed ``--long-wait`` seconds ahead and
  shown apart (``--long-wait 300`` reproduces the real last wait; slow, not the default).
* CPU during the animation: process CPU time (all threads; ``getrusage``) from the first paint
  to the session's ``finished``, over wall time, as % of one core; the median over the cues.
  Baseline: a bare PySide6 frameless, translucent, on-top window covering the screen with a
  220 px circle repainted by a ``QVariantAnimation`` (Qt's ~60 fps animation timer) for 5 s.
* Idle: with the next meeting two hours ahead and only a file calendar (no remote refresh
  planned), over ``--idle-seconds``: (a) QTimerEvents delivered in the main thread, counted by
  an application-wide event filter and named by receiver (``Owner.attribute`` for the app's
  own timers), (b) voluntary context switches of every thread (``/proc/self/task/*/status``)
  as a proxy for OS-level wake-ups, (c) CPU %. The bare tray app (QApplication +
  QSystemTrayIcon) is measured the same way; the app once more during the long wait before its
  last cue (that window ends when the cue's timer fires, so the script wakes nothing in it).
  The timers armed when a window opens are listed with when they will fire.
* Peak RSS (``ru_maxrss``) of every child.

The script's own waiting adds one timer event per idle window (its end; not counted). Figures
vary with the machine's load and the X server: compare runs made on the same machine.

    .venv/bin/python benchmarks/pause_bench.py [--quick] [--cues N] [--idle-seconds S]
        [--long-wait S] [--lead S] [--platform xcb|offscreen] [--own-display]
        [--screen 1920x1080] [--desktop GNOME] [--work-dir DIR]

About two minutes by default, ~40 s with ``--quick``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

PAUSE_SECONDS = 5  # the app's default pause length, the one issue 4 sets the target for
PAUSE_REAL_FINAL_WAIT_S = 300  # PauseScheduler.NEAR_BEFORE: the last wait before a real cue
LATER = timedelta(hours=2)  # the meeting that stays ahead while idle


# -- measuring a process from inside it ----------------------------------------------------


def cpu_seconds() -> float:
    """User + system CPU time of this whole process (every thread)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def peak_rss_mib() -> float:
    kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kib / 1024 if sys.platform != "darwin" else kib / 2**20


def xserver_cpu() -> float | None:
    """CPU seconds used so far by the script's own X server (``MICROAPP_BENCH_XSERVER_PID``),
    from /proc (10 ms ticks); None when there is none to read."""
    pid = os.environ.get("MICROAPP_BENCH_XSERVER_PID")
    if not pid:
        return None
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def thread_switches() -> dict[str, tuple[str, int, int]]:
    """tid -> (thread name, voluntary, involuntary context switches) for every thread.
    Without /proc: the process totals from getrusage under one pseudo-thread."""
    tasks = Path("/proc/self/task")
    found: dict[str, tuple[str, int, int]] = {}
    if not tasks.is_dir():
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return {"all": ("(process)", usage.ru_nvcsw, usage.ru_nivcsw)}
    for task in tasks.iterdir():
        try:
            name = (task / "comm").read_text().strip()
            status = (task / "status").read_text()
        except OSError:  # the thread ended meanwhile
            continue
        vol = re.search(r"^voluntary_ctxt_switches:\s*(\d+)", status, re.MULTILINE)
        invol = re.search(r"^nonvoluntary_ctxt_switches:\s*(\d+)", status, re.MULTILINE)
        if vol and invol:
            found[task.name] = (name, int(vol.group(1)), int(invol.group(1)))
    return found


def switch_delta(before: dict, after: dict) -> list[dict]:
    """Per thread: switches during the window (a thread born meanwhile counts from 0)."""
    main = str(threading.main_thread().native_id)
    rows = []
    for tid, (name, vol, invol) in after.items():
        _, vol0, invol0 = before.get(tid, (name, 0, 0))
        rows.append({"thread": ("main: " if tid == main else "") + name,
                     "voluntary": vol - vol0, "involuntary": invol - invol0})
    gone = [tid for tid in before if tid not in after]
    if gone:
        rows.append({"thread": f"({len(gone)} thread(s) ended)", "voluntary": 0,
                     "involuntary": 0})
    rows.sort(key=lambda r: -r["voluntary"])
    return rows


# -- Qt helpers used by every child ----------------------------------------------------------

_OWN: set[int] = set()  # C++ addresses of the script's own timers: never counted


def _address(obj) -> int:
    import shiboken6

    return shiboken6.getCppPointer(obj)[0]


def wait_for(predicate, signals=(), timeout_s: float = 30.0) -> bool:
    """Run the event loop until ``predicate()`` holds (checked when one of ``signals`` fires)
    or ``timeout_s`` passes. No polling: only the signals and one timer wake it."""
    from PySide6.QtCore import QEventLoop, QTimer

    if predicate():
        return True
    loop = QEventLoop()
    timer = QTimer(singleShot=True)
    _OWN.add(_address(timer))
    timer.timeout.connect(loop.quit)

    def check(*_args) -> None:
        if predicate():
            loop.quit()

    for signal in signals:
        signal.connect(check)
    timer.start(max(0, round(timeout_s * 1000)))
    loop.exec()
    timer.stop()
    for signal in signals:
        signal.disconnect(check)
    return bool(predicate())


def idle_for(seconds: float) -> None:
    wait_for(lambda: False, (), seconds)


def make_event_tally():
    """An application-wide event filter: counts every event of the main thread by type and
    every QTimerEvent by receiver."""
    from PySide6.QtCore import QEvent, QObject

    class EventTally(QObject):
        def __init__(self, names: dict[int, str]) -> None:
            super().__init__()
            self.names = names
            self.kinds: Counter[str] = Counter()
            self.timers: Counter[str] = Counter()

        def eventFilter(self, watched, event) -> bool:
            kind = event.type()
            if kind == QEvent.Type.Timer:
                address = _address(watched)
                if address in _OWN:
                    return False
                self.timers[self.names.get(address) or _class_of(watched)] += 1
            self.kinds[getattr(kind, "name", str(kind))] += 1
            return False

    return EventTally


def _class_of(obj) -> str:
    try:
        name = obj.metaObject().className()
    except Exception:
        name = type(obj).__name__
    label = obj.objectName() if hasattr(obj, "objectName") else ""
    return f"{name} '{label}'" if label else name


def timer_names(roots) -> dict[int, str]:
    """C++ address -> "Owner.attribute" for every QTimer/QObject attribute of the QObjects
    under ``roots`` (so a stray timer event can be traced to the code that armed it)."""
    from PySide6.QtCore import QObject, QTimer

    names: dict[int, str] = {}
    seen: list = []
    for root in roots:
        if root is None:
            continue
        seen.append(root)
        seen += root.findChildren(QObject)
    for owner in seen:
        for attr, value in getattr(owner, "__dict__", {}).items():
            if isinstance(value, QTimer):
                names[_address(value)] = f"{type(owner).__name__}.{attr}"
    return names


def armed_timers(roots) -> list[dict]:
    """The app's QTimers that are running: who owns them and when they fire."""
    from PySide6.QtCore import QObject, QTimer

    rows = []
    for root in roots:
        if root is None:
            continue
        for owner in [root, *root.findChildren(QObject)]:
            for attr, value in getattr(owner, "__dict__", {}).items():
                if isinstance(value, QTimer) and value.isActive():
                    rows.append({"timer": f"{type(owner).__name__}.{attr}",
                                 "fires_in_s": value.remainingTime() / 1000,
                                 "interval_s": value.interval() / 1000,
                                 "single_shot": value.isSingleShot()})
    rows.sort(key=lambda r: r["fires_in_s"])
    return rows


class IdleWindow:
    """Counts what happens in this process while nothing should (see the module docstring),
    from :meth:`begin` to :meth:`end`."""

    def __init__(self, app, names: dict[int, str]) -> None:
        self.app = app
        self.tally = make_event_tally()(names)

    def begin(self) -> None:
        self.switches0 = thread_switches()
        self.cpu0, self.wall0 = cpu_seconds(), time.perf_counter()
        self.app.installEventFilter(self.tally)

    def end(self) -> dict:
        self.app.removeEventFilter(self.tally)
        wall, cpu = time.perf_counter() - self.wall0, cpu_seconds() - self.cpu0
        threads = switch_delta(self.switches0, thread_switches())
        tally = self.tally
        return {"seconds": wall, "cpu_percent": 100 * cpu / wall,
                "timer_events": sum(tally.timers.values()), "timers": dict(tally.timers),
                "events": sum(tally.kinds.values()),
                "event_kinds": dict(tally.kinds.most_common(8)),
                "voluntary": sum(t["voluntary"] for t in threads),
                "involuntary": sum(t["involuntary"] for t in threads), "threads": threads}


def measure_idle(app, seconds: float, names: dict[int, str]) -> dict:
    window = IdleWindow(app, names)
    window.begin()
    idle_for(seconds)
    return window.end()


def rss_mib() -> float | None:
    """The resident set now (VmRSS), or None without /proc."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return None
    found = re.search(r"^VmRSS:\s*(\d+) kB", status, re.MULTILINE)
    return int(found.group(1)) / 1024 if found else None


def make_qapp():
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([sys.argv[0]])
    app.setQuitOnLastWindowClosed(False)  # as the tray app: a closed window quits nothing
    return app


# -- child: a bare PySide6 tray app ----------------------------------------------------------


def child_bare_tray(args) -> dict:
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
    from PySide6.QtWidgets import QSystemTrayIcon

    app = make_qapp()
    pixmap = QPixmap(64, 64)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setBrush(QColor("#5b8def"))
    painter.drawEllipse(4, 4, 56, 56)
    painter.end()
    tray = QSystemTrayIcon(QIcon(pixmap))
    tray.setToolTip("bare tray")
    tray.show()
    idle_for(args.settle)
    result = {"idle": measure_idle(app, args.idle_seconds, {}),
              "tray": QSystemTrayIcon.isSystemTrayAvailable()}
    tray.hide()
    result["rss_mib"] = peak_rss_mib()
    return result


# -- child: a bare PySide6 animation, the least the breath guide could cost -------------------


def child_bare_animation(args) -> dict:
    from PySide6.QtCore import QEasingCurve, QRectF, Qt, QVariantAnimation
    from PySide6.QtGui import QBrush, QColor, QGuiApplication, QPainter, QPen
    from PySide6.QtWidgets import QWidget

    app = make_qapp()
    frames = {"count": 0, "first": None}

    class Circle(QWidget):
        def __init__(self, parent: QWidget) -> None:
            super().__init__(parent)
            self.phase = 0.0
            self.setFixedSize(220, 220)

        def paintEvent(self, event) -> None:
            frames["count"] += 1
            painter = QPainter(self)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            centre = QRectF(self.rect()).center()
            ring = 105.0
            painter.setPen(QPen(QColor("#c9d3e0"), 2))
            painter.drawEllipse(centre, ring, ring)
            painter.setPen(QPen(Qt.PenStyle.NoPen))
            painter.setBrush(QBrush(QColor(91, 141, 239, 140)))
            radius = (0.28 + 0.6 * self.phase) * ring
            painter.drawEllipse(centre, radius, radius)
            painter.end()

    class Veil(QWidget):
        def __init__(self) -> None:
            super().__init__(None, Qt.WindowType.Window | Qt.WindowType.FramelessWindowHint
                             | Qt.WindowType.WindowStaysOnTopHint)
            self.setAttribute(Qt.WidgetAttribute.WA_TranslucentBackground)
            self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
            self.circle = Circle(self)

        def resizeEvent(self, event) -> None:
            self.circle.move((self.width() - 220) // 2, (self.height() - 220) // 2)

        def paintEvent(self, event) -> None:
            if frames["first"] is None:
                frames["first"] = (time.perf_counter(), cpu_seconds(), xserver_cpu())
            painter = QPainter(self)
            painter.fillRect(self.rect(), QColor(20, 24, 32, 200))
            painter.end()

    runs = []
    for _ in range(args.anim_runs):
        frames.update(count=0, first=None)
        veil = Veil()
        veil.setGeometry(QGuiApplication.primaryScreen().geometry())
        animation = QVariantAnimation()
        animation.setKeyValueAt(0.0, 0.0)
        animation.setKeyValueAt(0.4, 1.0)
        animation.setKeyValueAt(1.0, 0.1)
        animation.setEasingCurve(QEasingCurve.Type.InOutSine)
        animation.setDuration(PAUSE_SECONDS * 1000)

        def step(value, veil=veil) -> None:
            veil.circle.phase = float(value)
            veil.circle.update()

        animation.valueChanged.connect(step)
        done = {"at": None}
        animation.finished.connect(
            lambda done=done: done.__setitem__(
                "at", (time.perf_counter(), cpu_seconds(), xserver_cpu())))
        veil.show()
        animation.start()
        wait_for(lambda done=done: done["at"] is not None, (animation.finished,),
                 PAUSE_SECONDS + 10)
        if frames["first"] is not None and done["at"] is not None:
            (w0, c0, x0), (w1, c1, x1) = frames["first"], done["at"]
            runs.append({"cpu_percent": 100 * (c1 - c0) / (w1 - w0),
                         "fps": frames["count"] / (w1 - w0),
                         "xserver_cpu_percent": None if x0 is None or x1 is None
                         else 100 * (x1 - x0) / (w1 - w0)})
        veil.close()
        veil.deleteLater()
        idle_for(0.5)
    app.processEvents()
    return {"runs": runs, "rss_mib": peak_rss_mib()}


# -- children: the real microapp -------------------------------------------------------------


def _ics_stamp(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def write_calendar(path: Path, meetings: list[tuple[str, str, datetime]]) -> None:
    """(uid, title, start) each, 25 minutes long, with a Zoom link; replaced atomically."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//microapp benchmark//EN"]
    stamp = _ics_stamp(datetime.now(UTC))
    for number, (uid, title, start) in enumerate(meetings):
        lines += ["BEGIN:VEVENT", f"UID:{uid}", f"DTSTAMP:{stamp}",
                  f"DTSTART:{_ics_stamp(start)}",
                  f"DTEND:{_ics_stamp(start + timedelta(minutes=25))}",
                  f"SUMMARY:{title}", f"LOCATION:https://zoom.us/j/{9000000000 + number}",
                  "END:VEVENT"]
    lines.append("END:VCALENDAR")
    temporary = path.with_suffix(".tmp")
    temporary.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    os.replace(temporary, path)


class _Notifier:
    """Stands in for desktop notifications: the benchmark never pops one."""

    backend = "benchmark"

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    def notify(self, title: str, body: str) -> None:
        self.sent.append((title, body))


def build_microapp(work: Path, meetings: list[tuple[str, str, datetime]], lead_s: int):
    """A MicroApp as ``run_app`` builds one, on a temporary profile with one ICS file."""
    from microapp import APP_NAME
    from microapp.app import MicroApp
    from microapp.core.clock import SystemClock
    from microapp.core.paths import Profile
    from microapp.core.settings import load_settings
    from microapp.platform.logs import setup_logging
    from microapp.store.db import open_store
    from microapp.ui.theme import app_icon

    app = make_qapp()
    app.setApplicationName(APP_NAME)
    app.setWindowIcon(app_icon())
    profile = Profile.under(work / "profile")
    ics = work / "calendar" / "work.ics"
    ics.parent.mkdir(parents=True)
    write_calendar(ics, meetings)
    profile.settings_path.parent.mkdir(parents=True, exist_ok=True)
    profile.settings_path.write_text(
        f'[[calendars]]\nid = "work"\nkind = "file"\nlocation = "{ics}"\n\n'
        f"[meetings]\nlead_seconds = {lead_s}\n", encoding="utf-8")
    clock = SystemClock()
    setup_logging(profile.log_path)
    loaded = load_settings(profile.settings_path)
    assert not loaded.problems, loaded.problems
    opened = open_store(profile.database_path, clock.now())
    micro = MicroApp(profile=profile, clock=clock, loaded=loaded, opened=opened,
                     notifier=_Notifier(), opener=lambda url: True)
    if not micro.start():
        raise RuntimeError("microapp did not start (another instance on this profile?)")
    loaded_ok = wait_for(lambda: micro.calendars.refreshes > 0
                         and micro.scheduler.next_cue is not None,
                         (micro.calendars.updated, micro.scheduler.state_changed), 60)
    if not loaded_ok:
        raise RuntimeError("the calendar did not load, or planned no cue")
    return app, micro, ics


def _app_facts(micro) -> dict:
    from PySide6.QtCore import QObject

    busy = micro.pauses.busy
    guards = {type(o).__name__: type(o).WAKE_GUARD_MS / 1000
              for o in micro.findChildren(QObject) if hasattr(type(o), "WAKE_GUARD_MS")}
    return {"sleep_signal_available": micro.system.sleep_signal_available,
            "wake_guards_s": guards,
            "detectors": [getattr(d, "name", str(d)) for d in (*busy.dnd, *busy.fullscreen)],
            "tray": micro.tray.has_tray}


def _roots(micro) -> list:
    session = micro.pauses.session
    import shiboken6

    return [micro, session if session is not None and shiboken6.isValid(session) else None]


def child_micro_idle(args) -> dict:
    work = Path(tempfile.mkdtemp(prefix="microapp-pause-bench-", dir=args.work_dir))
    later = datetime.now(UTC).replace(microsecond=0) + LATER
    app, micro, _ics = build_microapp(work, [("later@bench", "Later meeting", later)],
                                       args.lead)
    try:
        idle_for(args.settle)
        roots = _roots(micro)
        armed = armed_timers(roots)
        idle = measure_idle(app, args.idle_seconds, timer_names(roots))
        return {"idle": idle, "armed": armed, **_app_facts(micro), "rss_mib": peak_rss_mib()}
    finally:
        micro.shutdown()
        shutil.rmtree(work, ignore_errors=True)


class _Probe:
    """Timestamps of one cue's way to the screen, filled in by the wrappers below."""

    def __init__(self) -> None:
        from PySide6.QtCore import QObject, Signal

        class Changed(QObject):
            changed = Signal()

        self.signal = Changed()
        self.cue: dict | None = None
        self.last_fire: float | None = None
        self.on_fire = None  # called first thing when the scheduler's timer fires

    def mark(self, name: str, *, emit: bool = True) -> None:
        """Note when ``name`` happened (the first time per cue). ``emit=False`` from worker
        threads: the script's waiting loops are woken from the UI thread only."""
        if self.cue is not None and name not in self.cue:
            self.cue[name] = time.time()
            if emit:
                self.signal.changed.emit()


def _wrap(cls, name: str, before=None, after=None) -> None:
    original = getattr(cls, name)

    def wrapper(self, *args, **kwargs):
        if before is not None:
            before(self, *args)
        result = original(self, *args, **kwargs)
        if after is not None:
            after(self, *args)
        return result

    wrapper.__name__ = name
    setattr(cls, name, wrapper)


def install_probe(probe: _Probe) -> None:
    """Thin wrappers around the app's methods, installed before the app is built (Qt binds
    the connected methods then). Each only notes the time; none changes what happens."""
    from PySide6.QtCore import QTimer

    from microapp.platform import busy as busy_module
    from microapp.store.history import History
    from microapp.ui.breath import BreathGuide
    from microapp.ui.pause_controller import PauseController
    from microapp.ui.pause_session import PauseSession
    from microapp.ui.pause_view import PauseView
    from microapp.ui.scheduler import PauseScheduler

    def fired(_self) -> None:
        probe.last_fire = time.time()
        if probe.on_fire is not None:
            probe.on_fire()
            if probe.cue is not None:  # what closing the idle window added to later stages
                probe.cue["probe_cost_ms"] = (time.time() - probe.last_fire) * 1000

    def cue_due(_self, cue) -> None:
        if probe.cue is not None:
            probe.cue["fired"] = probe.last_fire
            probe.cue["cue_title"] = ", ".join(m.title for m in cue.meetings)
            probe.cue["cue_due_instant"] = cue.due.timestamp()
        probe.mark("cue_due")

    def session_starting(session, *_args) -> None:
        if probe.cue is not None:  # known before its views show: Expose may come at once
            probe.cue["session"] = session
            session.closed.connect(lambda: probe.mark("closed"))
        probe.mark("start_in")

    def first_paint(view, *_args) -> None:
        cue = probe.cue
        if cue is not None and "paint" not in cue:
            cue["paint_cpu"] = cpu_seconds()
            cue["guide_paints_at_paint"] = probe_counts["guide"]
            cue["view_paints_at_paint"] = probe_counts["view"]
            cue["view_area_at_paint"] = probe_counts["view_area"]
            cue["xserver_at_paint"] = xserver_cpu()
            probe.mark("paint")
            QTimer.singleShot(0, lambda: probe.mark("frame"))

    probe_counts = {"guide": 0, "view": 0, "view_area": 0}

    def count_view(_view, event) -> None:
        probe_counts["view"] += 1
        probe_counts["view_area"] += event.rect().width() * event.rect().height()

    def count_guide(_guide, _event) -> None:
        probe_counts["guide"] += 1

    def finishing(session, *_args) -> None:
        cue = probe.cue
        if cue is not None and "finish" not in cue and not session.done:
            cue["finish_cpu"] = cpu_seconds()
            cue["guide_paints_at_finish"] = probe_counts["guide"]
            cue["view_paints_at_finish"] = probe_counts["view"]
            cue["view_area_at_finish"] = probe_counts["view_area"]
            cue["xserver_at_finish"] = xserver_cpu()
            probe.mark("finish")

    def busy_work_start(*_args) -> None:  # in the busy check's own thread
        probe.mark("detectors_start", emit=False)

    def busy_work_end(*_args) -> None:
        probe.mark("detectors_end", emit=False)

    def paint_first(view, event) -> None:
        count_view(view, event)
        first_paint(view, event)

    _wrap(PauseScheduler, "_on_timeout", before=fired)
    _wrap(PauseController, "on_cue_due", before=cue_due)
    original_ask_all = busy_module.ask_all

    def ask_all(*args, **kwargs):  # in the busy check's own thread: the detectors' run alone
        busy_work_start()
        try:
            return original_ask_all(*args, **kwargs)
        finally:
            busy_work_end()

    busy_module.ask_all = ask_all
    _wrap(PauseController, "_on_busy_answer", before=lambda *_: probe.mark("busy_answer"))
    _wrap(PauseController, "_open", before=lambda *_: probe.mark("open"))
    _wrap(History, "claim_cue", before=lambda *_: probe.mark("claim_start"),
          after=lambda *_: probe.mark("claim_end"))
    _wrap(PauseSession, "start", before=session_starting,
          after=lambda *_: probe.mark("start_out"))
    _wrap(PauseSession, "_finish", before=finishing)
    _wrap(PauseView, "paintEvent", before=paint_first)
    _wrap(BreathGuide, "paintEvent", before=count_guide)


def make_expose_watch(probe: _Probe):
    from PySide6.QtCore import QEvent, QObject

    class ExposeWatch(QObject):
        def eventFilter(self, watched, event) -> bool:
            cue = probe.cue
            if (event.type() == QEvent.Type.Expose and cue is not None and "expose" not in cue
                    and cue.get("session") is not None
                    and any(_address(view.windowHandle()) == _address(watched)
                            for view in cue["session"].views if view.windowHandle())):
                probe.mark("expose")
            return False

    return ExposeWatch()


STAGES = ("fired", "cue_due", "detectors_start", "detectors_end", "busy_answer", "open",
          "claim_start", "claim_end", "start_in", "start_out", "expose", "paint", "frame")


def child_micro_cues(args) -> dict:
    probe = _Probe()
    install_probe(probe)
    work = Path(tempfile.mkdtemp(prefix="microapp-pause-bench-", dir=args.work_dir))
    later = datetime.now(UTC).replace(microsecond=0) + LATER
    meetings = [("later@bench", "Later meeting", later)]
    app, micro, ics = build_microapp(work, meetings, args.lead)
    watch = make_expose_watch(probe)

    def one_cue(number: int, gap: float, idle: IdleWindow | None = None) -> dict:
        """Add a meeting ``gap`` s ahead to the file, wait for its pause, return its figures.
        With ``idle``: count the wait before it as an idle window (ended by the timer's
        firing, so the script wakes nothing in between)."""
        instant = math.ceil(time.time() + gap)
        start = datetime.fromtimestamp(instant + args.lead, UTC)
        meetings.append((f"call-{number}@bench", f"Bench call {number + 1}", start))
        write_calendar(ics, meetings)
        armed = wait_for(lambda: micro.scheduler.next_cue is not None
                         and micro.scheduler.next_cue.due.timestamp() == instant,
                         (micro.scheduler.state_changed,), gap + 10)
        cue: dict = {"instant": instant, "armed": armed, "armed_margin_s": instant - time.time()}
        if idle is not None:
            probe.on_fire = lambda: cue.__setitem__("idle", idle.end())
            cue["armed_timers"] = armed_timers(_roots(micro))
            idle.begin()
        probe.cue = cue
        app.installEventFilter(watch)
        wait_for(lambda: "frame" in cue, (probe.signal.changed,), instant - time.time() + 10)
        app.removeEventFilter(watch)  # nothing of the script's runs during the animation
        wait_for(lambda: "finish" in cue, (probe.signal.changed,), PAUSE_SECONDS + 10)
        wait_for(lambda: "closed" in cue, (probe.signal.changed,), 5)
        probe.cue = None
        probe.on_fire = None
        session = cue.pop("session", None)
        cue["outcome_ok"] = session is not None and session.done
        idle_for(0.3)
        figures = _cue_figures(cue)
        figures["rss_after_mib"] = rss_mib()
        return figures

    try:
        idle_for(args.settle)
        rss_before = rss_mib()
        cues = [one_cue(number, args.gap) for number in range(args.cues)]
        long_cue = None
        if args.long_wait > 0:
            long_cue = one_cue(args.cues, args.long_wait,
                               IdleWindow(app, timer_names(_roots(micro))))
        from microapp.core.clock import today

        history = [p.outcome.value for p in micro.history.pauses_on(
            today(micro.clock, micro.settings.day_starts_at))]
        return {"cues": cues, "long_cue": long_cue, "rss_before_mib": rss_before,
                "lead": args.lead,
                "history": history, "nice": os.nice(0), **_app_facts(micro),
                "rss_mib": peak_rss_mib()}
    finally:
        micro.shutdown()
        shutil.rmtree(work, ignore_errors=True)


def _cue_figures(cue: dict) -> dict:
    """Milliseconds after the cue instant for each stage; CPU and frames of the animation."""
    instant = cue["instant"]
    figures = {"title": cue.get("cue_title"), "armed": cue["armed"],
               "armed_margin_s": cue["armed_margin_s"],
               "due_matches": cue.get("cue_due_instant") == instant,
               "outcome_ok": cue["outcome_ok"]}
    for stage in STAGES:
        if cue.get(stage) is not None:
            figures[stage] = (cue[stage] - instant) * 1000
    for key in ("idle", "armed_timers", "probe_cost_ms"):
        if key in cue:
            figures[key] = cue[key]
    if "paint" in cue and "finish" in cue:
        wall = cue["finish"] - cue["paint"]
        figures["anim_cpu_percent"] = 100 * (cue["finish_cpu"] - cue["paint_cpu"]) / wall
        figures["anim_seconds"] = wall
        figures["guide_fps"] = (cue["guide_paints_at_finish"] - cue["guide_paints_at_paint"]) / wall
        views = cue["view_paints_at_finish"] - cue["view_paints_at_paint"]
        figures["view_paints_per_s"] = views / wall
        figures["view_area_per_paint_px"] = (
            cue["view_area_at_finish"] - cue["view_area_at_paint"]) / max(1, views)
        if cue["xserver_at_paint"] is not None and cue["xserver_at_finish"] is not None:
            figures["xserver_cpu_percent"] = 100 * (
                cue["xserver_at_finish"] - cue["xserver_at_paint"]) / wall
    return figures


CHILDREN = {"bare-tray": child_bare_tray, "bare-animation": child_bare_animation,
            "micro-idle": child_micro_idle, "micro-cues": child_micro_cues}


def run_child_mode(args) -> int:
    result = CHILDREN[args.child](args)
    Path(args.out).write_text(json.dumps(result, default=str), encoding="utf-8")
    return 0


# -- the parent: a display, the children, the report ------------------------------------------


class Display:
    """Our own Xvfb (and trayer, when installed), or whatever the environment has."""

    def __init__(self, args, work: Path) -> None:
        self.procs: list[subprocess.Popen] = []
        self.env = dict(os.environ)
        self.description = ""
        if args.platform == "offscreen":
            self.env["QT_QPA_PLATFORM"] = "offscreen"
            self.description = "Qt offscreen platform (no X server, no tray host)"
            return
        if os.environ.get("DISPLAY") and not args.own_display:
            self.env.setdefault("QT_QPA_PLATFORM", "xcb")
            self.description = (f"the session's display {os.environ['DISPLAY']} "
                                f"(QT_QPA_PLATFORM={self.env['QT_QPA_PLATFORM']})")
            return
        if not shutil.which("Xvfb"):
            raise SystemExit("pause_bench: no DISPLAY and no Xvfb; install it "
                             "(bash packaging/linux/system-deps.sh test) or use "
                             "--platform offscreen")
        read_fd, write_fd = os.pipe()
        xvfb = subprocess.Popen(["Xvfb", "-displayfd", str(write_fd), "-screen", "0",
                                 f"{args.screen}x24", "-nolisten", "tcp", "-noreset"],
                                pass_fds=(write_fd,), stderr=subprocess.DEVNULL)
        self.procs.append(xvfb)
        os.close(write_fd)
        with os.fdopen(read_fd) as pipe:
            number = pipe.readline().strip()
        if not number:
            raise SystemExit("pause_bench: Xvfb did not start")
        self.env.pop("WAYLAND_DISPLAY", None)
        self.env.update(DISPLAY=f":{number}", QT_QPA_PLATFORM="xcb",
                        MICROAPP_BENCH_XSERVER_PID=str(xvfb.pid))
        if not self.env.get("XDG_RUNTIME_DIR"):
            runtime = work / "runtime"
            runtime.mkdir(mode=0o700)
            self.env["XDG_RUNTIME_DIR"] = str(runtime)
        tray = "no tray host (trayer not installed)"
        if shutil.which("trayer"):
            self.procs.append(subprocess.Popen(
                ["trayer", "--edge", "top", "--align", "right", "--widthtype", "request",
                 "--height", "32", "--SetDockType", "true"],
                env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            tray = "trayer as tray host" if self._wait_for_tray() else "trayer (not seen yet)"
        self.description = f"own Xvfb :{number} {args.screen}x24, {tray}, QT_QPA_PLATFORM=xcb"

    def _wait_for_tray(self) -> bool:
        if not shutil.which("xwininfo"):
            time.sleep(1.5)
            return True
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            out = subprocess.run(["xwininfo", "-root", "-tree"], capture_output=True, text=True,
                                 env=self.env, timeout=10, check=False).stdout
            if '"panel"' in out:  # trayer's window
                return True
            time.sleep(0.1)
        return False

    def close(self) -> None:
        for proc in reversed(self.procs):
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()


def start_child(mode: str, args, display: Display, work: Path) -> tuple[subprocess.Popen, Path]:
    out = work / f"{mode}.json"
    log = work / f"{mode}.stderr"
    env = dict(display.env)
    if args.desktop:
        env["XDG_CURRENT_DESKTOP"] = args.desktop
    argv = [sys.executable, str(Path(__file__).resolve()), "--child", mode, "--out", str(out),
            "--idle-seconds", str(args.idle_seconds),
            "--long-wait", str(args.long_wait), "--cues", str(args.cues),
            "--lead", str(args.lead),
            "--gap", str(args.gap), "--settle", str(args.settle),
            "--anim-runs", str(args.anim_runs)]
    if args.work_dir:
        argv += ["--work-dir", args.work_dir]
    with log.open("w") as stderr:
        proc = subprocess.Popen(argv, env=env, stdout=stderr, stderr=stderr)
    return proc, out


def finish_child(mode: str, proc: subprocess.Popen, out: Path, timeout: float) -> dict:
    try:
        code = proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        code = "timeout"
    log = out.with_name(f"{mode}.stderr").read_text(errors="replace")
    if code != 0 or not out.exists():
        raise SystemExit(f"pause_bench: the {mode} child failed ({code}):\n{log[-3000:]}")
    result = json.loads(out.read_text(encoding="utf-8"))
    result["stderr_lines"] = [line for line in log.splitlines() if line.strip()]
    return result


def run_child(mode: str, args, display: Display, work: Path, timeout: float) -> dict:
    proc, out = start_child(mode, args, display, work)
    return finish_child(mode, proc, out, timeout)


# -- the report -------------------------------------------------------------------------------


def stats(values: list[float]) -> tuple[float, float, float]:
    """(median, p90, max); p90 by linear interpolation between the closest ranks."""
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0], ordered[0], ordered[0]
    position = 0.9 * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    p90 = ordered[low] + (ordered[high] - ordered[low]) * (position - low)
    return statistics.median(ordered), p90, ordered[-1]


def ratio(value: float, base: float) -> str:
    if base <= 0:
        return "   n/a (bare 0)" if value > 0 else "   = (both 0)"
    return f"{value / base:8.2f}x"


STAGE_LABELS = [
    ("fired", "scheduler timer fired (PreciseTimer)"),
    ("cue_due", "cue_due handled, busy check asked"),
    ("detectors_start", "detector thread running"),
    ("detectors_end", "detectors answered (in their thread)"),
    ("busy_answer", "busy answer back on the UI thread"),
    ("claim_start", "SQLite: claim the cue (begin)"),
    ("claim_end", "SQLite: claim the cue (committed)"),
    ("start_in", "PauseSession.start entered"),
    ("start_out", "PauseSession.start returned (shown)"),
    ("expose", "overlay window exposed"),
    ("paint", "FIRST PAINT of the PauseView"),
    ("frame", "first frame done (event loop free)"),
]


def report(args, facts: dict, display: Display, bare_tray: dict, micro_idle: dict,
           bare_anim: dict, micro: dict) -> None:
    print("microapp doorway pause: lateness, animation CPU, idle wake-ups")
    print(f"machine   {facts['cores']} cores ({facts['cpu']}), load average "
          f"{facts['load']} at start; {facts['system']}")
    print(f"          Python {platform.python_version()}, PySide6 {facts['pyside']}; "
          "figures vary with load: compare runs on the same machine")
    print(f"display   {display.description}")
    print(f"app       real SystemClock, SQLite in a temporary profile, BusyCheck detectors: "
          f"{', '.join(micro['detectors']) or 'none'}; tray icon: "
          f"{'yes' if micro['tray'] else 'no (stand-in window)'}; "
          f"logind sleep signal: {micro['sleep_signal_available']}")
    print()
    _report_lateness(micro)
    _report_cpu(args, bare_tray, bare_anim, micro)
    _report_idle(args, bare_tray, micro_idle, micro)
    _report_memory(bare_tray, micro_idle, bare_anim, micro)
    warnings = [line for child in (bare_tray, micro_idle, bare_anim, micro)
                for line in child["stderr_lines"]]
    if warnings:
        print(f"\n(children wrote {len(warnings)} line(s) to stderr; first: {warnings[0][:160]})")


def _report_lateness(micro: dict) -> None:
    cues = [c for c in micro["cues"] if "paint" in c]
    long_cue = micro["long_cue"]
    every = [*micro["cues"], *([long_cue] if long_cue else [])]
    bad = [c for c in every if not (c["armed"] and c["due_matches"] and c["outcome_ok"])
           or c["armed_margin_s"] < 0.2]
    print(f"1. First frame after the cue instant ({len(cues)} cues; the instant is the meeting's "
          f"DTSTART - lead, lead {micro['lead']} s)")
    head = f"   {'stage, ms after the cue instant':42} {'median':>8} {'p90':>8} {'max':>8}"
    if long_cue:
        head += f"   {'long wait':>9}"
    print(head)
    for key, label in STAGE_LABELS:
        values = [c[key] for c in cues if key in c]
        if not values:
            continue
        med, p90, top = stats(values)
        line = f"   {label:42} {med:8.1f} {p90:8.1f} {top:8.1f}"
        if long_cue:
            line += f"   {long_cue[key]:9.1f}" if key in long_cue else f"   {'-':>9}"
        if key == "paint":
            line += "   target median <= 50 ms"
        print(line)
    parts = [("timer late", "fired", None), ("busy check", "busy_answer", "cue_due"),
             ("detectors", "detectors_end", "detectors_start"),
             ("SQLite claim", "claim_end", "claim_start"),
             ("build + show views", "start_out", "start_in"),
             ("show -> exposed", "expose", "start_out"),
             ("exposed -> first paint", "paint", "expose"),
             ("first frame itself", "frame", "paint")]
    pieces = []
    for label, end, begin in parts:
        values = [c[end] - (c[begin] if begin else 0) for c in cues
                  if end in c and (begin is None or begin in c)]
        if values:
            pieces.append(f"{label} {statistics.median(values):.1f}")
    print("   where it goes (median ms): " + "; ".join(pieces))
    print("   per cue, first paint (ms): " + "  ".join(f"{c['paint']:.1f}" for c in cues)
          + "   (the first one builds an overlay for the first time in the process)")
    margins = [c["armed_margin_s"] for c in micro["cues"]]
    print(f"   the timer was armed {min(margins):.1f}-{max(margins):.1f} s before each instant "
          "(after the file reload); pauses saved: " + ", ".join(micro["history"]))
    if long_cue:
        wait = long_cue["armed_margin_s"]
        divisor = 200 if micro["nice"] > 0 else 1000
        slack_ms = min(wait * 1000 / divisor, 100.0)
        real_ms = min(PAUSE_REAL_FINAL_WAIT_S * 1000 / divisor, 100.0)
        cost = long_cue.get("probe_cost_ms")
        if cost is not None:
            print(f"   (the long-wait column's stages after the timer include {cost:.1f} ms the "
                  "script spent closing its idle window there)")
        print(f"   long wait: the last cue was armed {wait:.1f} s ahead and its timer fired "
              f"{long_cue['fired']:.1f} ms late. Linux adds slack to a poll() timeout, "
              f"{100 / divisor:g} % of it")
        print(f"   (at most 100 ms): ~{slack_ms:.1f} ms for this wait, ~{real_ms:.0f} ms for the "
              f"real {PAUSE_REAL_FINAL_WAIT_S // 60} min 'near' wait; the scheduler wakes "
              "a second early and lands with a short step, so that slack "
              "never reaches the pause (try --long-wait 300).")
    if bad:
        print(f"   WARNING: {len(bad)} cue(s) not armed in time, mismatched or not completed: "
              + "; ".join(str(c.get("title")) for c in bad))
    print()


def _report_cpu(args, bare_tray: dict, bare_anim: dict, micro: dict) -> None:
    cues = [c for c in micro["cues"] if "anim_cpu_percent" in c]
    anim = [c["anim_cpu_percent"] for c in cues]
    bare_runs = bare_anim["runs"]
    bare_cpu = statistics.median([r["cpu_percent"] for r in bare_runs]) if bare_runs else 0.0
    bare_fps = statistics.median([r["fps"] for r in bare_runs]) if bare_runs else 0.0
    print("2. CPU during the five-second animation (process CPU, all threads, % of one core)")
    if anim:
        med, p90, top = stats(anim)
        print(f"   microapp, first paint -> finished     median {med:5.1f} %  p90 {p90:5.1f} %  "
              f"max {top:5.1f} %   target <= 15 %")
        print(f"     breath guide painted {statistics.median(c['guide_fps'] for c in cues):.0f}"
              f" times/s; the PauseView under it "
              f"{statistics.median(c['view_paints_per_s'] for c in cues):.0f} times/s, "
              f"{statistics.median(c['view_area_per_paint_px'] for c in cues):,.0f} px each "
              f"(whole window {_screen_px(args):,} px)")
    print(f"   bare PySide6 veil + animated circle   median {bare_cpu:5.1f} %   "
          f"({len(bare_runs)} run(s), {bare_fps:.0f} frames/s)")
    tray_cpu = bare_tray["idle"]["cpu_percent"]
    print(f"   bare tray app, idle                          {tray_cpu:5.1f} %")
    if anim:
        print(f"   ratio microapp / bare animation      {ratio(statistics.median(anim), bare_cpu)}")
    x_app = [c["xserver_cpu_percent"] for c in cues if c.get("xserver_cpu_percent") is not None]
    x_bare = [r["xserver_cpu_percent"] for r in bare_runs
              if r.get("xserver_cpu_percent") is not None]
    if x_app and x_bare:
        print(f"   (the X server meanwhile, not counted above: microapp "
              f"{statistics.median(x_app):.1f} %, bare {statistics.median(x_bare):.1f} %)")
    print()


def _report_idle(args, bare_tray: dict, micro_idle: dict, micro: dict) -> None:
    tray_idle, app_idle = bare_tray["idle"], micro_idle["idle"]
    print(f"3. Idle between cues ({args.idle_seconds:g} s each, side by side; microapp's next "
          f"cue {LATER} ahead, one file calendar: no remote refresh planned)")
    print(f"   {'':44} {'bare tray':>10} {'microapp':>10} {'ratio':>10}")
    rows = [("QTimerEvents delivered (main thread)", "timer_events", "{:10.0f}"),
            ("events of any kind (main thread)", "events", "{:10.0f}"),
            ("voluntary context switches (all threads)", "voluntary", "{:10.0f}"),
            ("CPU % of one core", "cpu_percent", "{:10.3f}")]
    for label, key, fmt in rows:
        a, b = tray_idle[key], app_idle[key]
        print(f"   {label:44} {fmt.format(a)} {fmt.format(b)} {ratio(b, a):>10}")
    print("   (one main-thread switch per window is the script's own end-of-window timer)")
    for name, idle in (("bare tray", tray_idle), ("microapp", app_idle)):
        print(f"   {name:9} timer events by receiver: {_timers(idle)}; voluntary switches by "
              f"thread: {_threads(idle)}")
    print("   microapp's timers armed as the window opened:")
    for row in micro_idle["armed"]:
        print(f"     {row['timer']:32} fires in {row['fires_in_s']:8.1f} s   "
              f"{_explain(row['timer'])}")
    guards = micro_idle["wake_guards_s"]
    if micro_idle["sleep_signal_available"]:
        print("   logind's PrepareForSleep is available: waits run to what is due (no guard).")
    elif guards:
        names = " and ".join(f"{name} ({seconds:.0f} s)" for name, seconds in guards.items())
        per_hour = sum(3600 / seconds for seconds in guards.values())
        print(f"   sleep_signal_available = False (no logind on a system bus here): {names} cap "
              "each wait at their WAKE_GUARD_MS,")
        print(f"   planned wake-ups, up to {per_hour:.0f} an hour (fewer when they coincide); "
              "with logind there are none until something is due.")
    long_cue = micro["long_cue"]
    if long_cue and "idle" in long_cue:
        idle = long_cue["idle"]
        print(f"   after the {len(micro['cues'])} pauses, the {idle['seconds']:.1f} s wait for the "
              f"next cue: {idle['timer_events']} timer event(s) ({_timers(idle)}), "
              f"{idle['voluntary']} voluntary switches ({_threads(idle)}), CPU "
              f"{idle['cpu_percent']:.3f} %")
        print("     armed then: " + ", ".join(f"{r['timer']} in {r['fires_in_s']:.0f} s"
                                              for r in long_cue["armed_timers"]))
    print()


def _report_memory(bare_tray: dict, micro_idle: dict, bare_anim: dict, micro: dict) -> None:
    print("4. Peak RSS (ru_maxrss)")
    base = bare_tray["rss_mib"]
    for label, value in (("bare tray app", base), ("microapp, idle", micro_idle["rss_mib"]),
                         ("microapp, after its pauses", micro["rss_mib"]),
                         ("bare animation", bare_anim["rss_mib"])):
        print(f"   {label:32} {value:7.1f} MiB {ratio(value, base)}")
    after = [c.get("rss_after_mib") for c in micro["cues"]]
    if micro.get("rss_before_mib") and all(after):
        print(f"   microapp's RSS now, before the first pause and after each: "
              f"{micro['rss_before_mib']:.1f} -> " + " ".join(f"{v:.1f}" for v in after)
              + " MiB")


QT_OWN_TIMERS = {"QPMCache": "Qt's pixmap-cache cleanup, also in the bare app"}


def _timers(idle: dict) -> str:
    """Timer receivers and counts; Qt's own ones are said to be Qt's."""
    parts = []
    for name, count in idle["timers"].items():
        note = QT_OWN_TIMERS.get(name.split(" ")[0])
        parts.append(f"{name} x{count}" + (f" [{note}]" if note else ""))
    return ", ".join(parts) or "none"


def _threads(idle: dict) -> str:
    return ", ".join(f"{t['thread']} {t['voluntary']}" for t in idle["threads"]
                     if t["voluntary"]) or "none"


def _screen_px(args) -> int:
    width, height = (int(v) for v in args.screen.split("x"))
    return width * height


def _explain(timer: str) -> str:
    known = {
        "PauseScheduler.timer": "next cue or its 'near' moment; capped by the wake guard",
        "EveningPrompt.timer": "evening invitation; capped by its own wake guard",
        "MicroApp._day_timer": "day boundary, at most hourly",
        "MicroApp._next_meeting_timer": "tooltip's 'next meeting' moves on at its start",
        "CalendarService._timer": "re-expand the calendar window / remote refresh",
        "PauseController._tray_timer": "snooze end or tray 'Join' expiry",
        "TrayController._recheck": "NOT planned: polls for a tray host every 30 s",
    }
    return known.get(timer, "unknown: check it")


def machine_facts() -> dict:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        from PySide6 import __version__ as pyside
    except ImportError:
        pyside = "?"
    load = " ".join(f"{v:.2f}" for v in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    return {"cores": os.cpu_count(), "cpu": cpu, "load": load, "pyside": pyside,
            "system": f"{platform.system()} {platform.release()}"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="a ~40 s run: 2 cues, short idle windows, one bare animation")
    parser.add_argument("--cues", type=int, default=None, help="pauses to time (default 7)")
    parser.add_argument("--idle-seconds", type=float, default=None,
                        help="idle window of each app (default 30)")
    parser.add_argument("--long-wait", type=float, default=None,
                        help="one more cue armed this many seconds ahead, after the others: "
                             "its wait is counted as idle and its timer's lateness shown "
                             "(default 15; 0: none)")
    parser.add_argument("--platform", choices=("xcb", "offscreen"), default="xcb")
    parser.add_argument("--own-display", action="store_true",
                        help="start a private Xvfb even when DISPLAY is set")
    parser.add_argument("--screen", default="1920x1080", help="own Xvfb's screen size")
    parser.add_argument("--desktop", default=None,
                        help="XDG_CURRENT_DESKTOP for the apps (e.g. GNOME adds the gsettings "
                             "do-not-disturb detector to the busy check)")
    parser.add_argument("--work-dir", default=None,
                        help="where the temporary profiles go (its disk pays the SQLite fsync)")
    parser.add_argument("--lead", type=int, default=600,
                        help="the app's [meetings] lead_seconds (default 600: the meetings "
                             "start after the run, so the timers tied to a meeting's start "
                             "never coincide with a measured cue, as in real use)")
    parser.add_argument("--gap", type=float, default=2.0, help=argparse.SUPPRESS)
    parser.add_argument("--settle", type=float, default=1.5, help=argparse.SUPPRESS)
    parser.add_argument("--anim-runs", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--child", choices=sorted(CHILDREN), help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    quick = args.quick
    args.cues = args.cues if args.cues is not None else (2 if quick else 7)
    args.idle_seconds = args.idle_seconds if args.idle_seconds is not None else (
        6.0 if quick else 30.0)
    args.long_wait = args.long_wait if args.long_wait is not None else (5.0 if quick else 15.0)
    args.anim_runs = args.anim_runs if args.anim_runs is not None else (1 if quick else 2)
    if args.child:
        return run_child_mode(args)
    if not re.fullmatch(r"\d+x\d+", args.screen):
        parser.error("--screen takes WIDTHxHEIGHT, e.g. 1920x1080")
    if args.cues < 1:
        parser.error("--cues must be at least 1")

    facts = machine_facts()
    work = Path(tempfile.mkdtemp(prefix="microapp-pause-bench-"))
    display = Display(args, work)
    try:
        limit = 120 + args.idle_seconds
        tray_proc, tray_out = start_child("bare-tray", args, display, work)
        idle_proc, idle_out = start_child("micro-idle", args, display, work)
        bare_tray = finish_child("bare-tray", tray_proc, tray_out, limit)
        micro_idle = finish_child("micro-idle", idle_proc, idle_out, limit)
        bare_anim = run_child("bare-animation", args, display, work,
                              60 + args.anim_runs * (PAUSE_SECONDS + 5))
        micro = run_child("micro-cues", args, display, work,
                          120 + args.long_wait + (args.cues + 1) * (args.gap + 20))
    finally:
        display.close()
        shutil.rmtree(work, ignore_errors=True)
    report(args, facts, display, bare_tray, micro_idle, bare_anim, micro)
    return 0


if __name__ == "__main__":
    sys.exit(main())
