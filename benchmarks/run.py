"""microapp beside a bare PySide6 tray app, on the same X server, in one run (issue 7).

The bare app (benchmarks/desktop_bare_tray.py) is a QApplication, a QSystemTrayIcon with an
icon and a QMenu with one action, and the event loop: nothing else. microapp is the real
program as a user starts it, ``<this venv>/bin/microapp --profile DIR`` (``--microapp CMD``
measures another install, e.g. a PyInstaller bundle), on a fresh profile with a settings.toml
like the README's and three calendars added with ``microapp calendars add`` beforehand
(generated ones: a work calendar of 3000 events after a few years of use, a team and a
personal one; ``--calendars fixtures`` takes the small Google, Nextcloud and Outlook samples).
microapp is started once first, unmeasured for the ratios, so its history database exists and
every measured start is an ordinary daily start; that first start is reported on its own.

The desktop is the script's own: Xvfb on :91 (or :92-:94 when taken), trayer as the tray host
(``--edge top --align right --widthtype request --height 28 --SetDockType true``) and a
private D-Bus session bus; both apps get the same environment. Each app runs in a process
group of its own, so it is stopped with everything it started, also on Ctrl+C or an error.

The figures:

1. Launch -> icon embedded (ms). From just before ``Popen`` to the moment the app's tray icon
   window is reparented into trayer's panel: the X server's ReparentNotify, read from a
   SubstructureNotify selection on the root window through libxcb (ctypes; resolution well
   under 1 ms), checked to be the app's window by its ``_NET_WM_PID``. Without libxcb the
   script polls ``xwininfo -root -tree`` and prints how often it could look. ``--runs``
   starts of each app, alternating which goes first; median and p90; the target is the ratio
   of the medians, <= 1.3.
2. Resident memory after ``--idle-seconds`` (default 60) of idle, counted from the icon being
   embedded: the sum of VmRSS of the app's process and every descendant alive at that moment
   (a helper process it keeps counts; one that has ended costs nothing). PSS from
   smaps_rollup, which shares out pages used by several processes, is shown for information.
   Target: ratio <= 1.3.
3. Context switches per minute while idle: after a warm-up (``--warmup``, default 10 s, from
   the icon being embedded), over ``--window`` seconds (default 60), the voluntary and
   nonvoluntary context switches of every thread of the app and of its descendants
   (/proc/PID/task/*/status), sampled every 0.5 s so threads and processes that come and go
   are counted while they live (a thread that ends adds the switch of its exit, which /proc
   can no longer show); scaled to one minute and listed per thread. Target: <= 10 a minute
   (Safe Eyes measures about 260 and Workrave about 670 on the same kind of machine).

The measured windows are kept clear of doorway pauses: the script asks ``microapp meetings``
when a pause would open and waits before a start that would meet one. The evening invitation
is kept out by saving today's sentence of gratitude after the first start.

Figures vary with the machine's load (other work on the same cores adds nonvoluntary
switches); compare runs made on the same machine. Exit status 0 even when a target is missed
(this is a measurement); 1 when the measurement itself failed, 130 when interrupted.

    .venv/bin/python benchmarks/run.py [--runs N] [--idle-seconds S] [--warmup S]
        [--window S] [--microapp CMD] [--calendars generated|fixtures] [--json FILE]

About three minutes with the defaults.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import sysconfig
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.desktop_procs import SwitchCounter, memory, tree
from benchmarks.desktop_profile import UserProfile, cli, make_profile
from benchmarks.desktop_report import machine_facts, print_report
from benchmarks.desktop_x import BenchError, Desktop, EmbedWatch, stop

BARE_SCRIPT = Path(__file__).resolve().with_name("desktop_bare_tray.py")
START_TIMEOUT_S = 60.0
SAMPLE_S = 0.5


class Apps:
    """Starts the bare app or microapp on the desktop and times it to its icon in the tray."""

    def __init__(self, desktop: Desktop, watch: EmbedWatch, work: Path,
                 argv: dict[str, list[str]]) -> None:
        self.desktop = desktop
        self.watch = watch
        self.work = work
        self.argv = argv
        self.running: list[subprocess.Popen] = []
        self.logs = work / "logs"
        self.logs.mkdir()
        self.count = 0

    def start(self, which: str) -> tuple[subprocess.Popen, float, float]:
        """(process, launch instant, embedded instant) in time.perf_counter() seconds."""
        self.count += 1
        log_path = self.logs / f"{self.count:02d}-{which}.log"
        self.watch.drain()
        with log_path.open("w") as log:
            launched = time.perf_counter()
            proc = subprocess.Popen(self.argv[which], env=self.desktop.env, stdout=log,
                                    stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                    start_new_session=True, cwd=self.work)
        self.running.append(proc)
        embedded = self.watch.wait(lambda: set(tree(proc.pid)), START_TIMEOUT_S,
                                   lambda: proc.poll() is None)
        if embedded is None:
            code = proc.poll()
            self.stop(proc)
            why = (f"ended (status {code}) before its icon was in the tray" if code is not None
                   else f"no icon in the tray within {START_TIMEOUT_S:g} s")
            raise BenchError(f"{which}: {why}; its output:\n"
                             f"{log_path.read_text(errors='replace')[-3000:]}")
        return proc, launched, embedded

    def stop(self, proc: subprocess.Popen) -> None:
        """Stop the app and its process group; wait until its icon has left the panel."""
        stop(proc, group=True)
        if proc in self.running:
            self.running.remove(proc)
        deadline = time.monotonic() + 10
        while self.desktop.embedded_icons() and time.monotonic() < deadline:
            time.sleep(0.05)

    def close(self) -> None:
        for proc in list(self.running):
            self.stop(proc)


def keep_clear(profile: UserProfile, span_s: float) -> None:
    """Wait until no doorway pause would open in the next ``span_s`` seconds."""
    while True:
        now = datetime.now(UTC)  # the benchmark's wall clock, not app logic
        until = profile.busy_until(now, timedelta(seconds=span_s))
        if until is None:
            return
        wait = (until - now).total_seconds()
        print(f"  (waiting {wait:.0f} s: a doorway pause would open in the next "
              f"{span_s:.0f} s)", flush=True)
        time.sleep(max(wait, 0.1))


def idle_run(apps: Apps, which: str, args: argparse.Namespace) -> dict:
    """Start the app, leave it alone, count its context switches over the window and read its
    memory ``args.idle_seconds`` after the icon was embedded."""
    proc, launched, embedded = apps.start(which)
    try:
        counter = SwitchCounter(proc.pid, SAMPLE_S)
        begin_at = embedded + args.warmup
        end_at = begin_at + args.window
        memory_at = embedded + args.idle_seconds
        switches = mem = None
        mem_after = 0.0
        while switches is None or mem is None:
            if proc.poll() is not None:
                raise BenchError(f"{which} ended (status {proc.returncode}) while idle")
            now = time.perf_counter()
            if not counter.began and now >= begin_at:
                counter.begin()
            elif counter.began and switches is None:
                if now >= end_at:
                    switches = counter.end()
                else:
                    counter.sample()
            if mem is None and now >= memory_at:
                mem = memory(proc.pid)
                mem_after = now - embedded
            due = []
            if not counter.began:
                due.append(begin_at)
            elif switches is None:
                due.append(min(now + SAMPLE_S, end_at))
            if mem is None:
                due.append(memory_at)
            if due:
                time.sleep(max(0.0, min(due) - time.perf_counter()))
        processes = tree(proc.pid)
    finally:
        apps.stop(proc)
    return {"launch_ms": (embedded - launched) * 1000, "switches": switches,
            "rss_mib": mem.rss_mib, "pss_mib": mem.pss_mib, "memory_after_s": mem_after,
            "memory_processes": mem.processes, "processes_at_end": len(processes)}


def measure(args: argparse.Namespace, work: Path, result: dict) -> None:
    micro_cmd = shlex.split(args.microapp) if args.microapp else [
        str(Path(sysconfig.get_path("scripts")) / "microapp")]
    if not shutil.which(micro_cmd[0]):
        raise BenchError(f"{micro_cmd[0]} not found (install microapp, or give --microapp CMD)")
    desktop = watch = apps = None
    try:
        desktop = Desktop(work, args.screen)
        watch = EmbedWatch(desktop)
        print(f"desktop: Xvfb {desktop.display} {args.screen}, trayer, private session bus; "
              f"embedding seen by {watch.how}", flush=True)
        profile = make_profile(work, micro_cmd, desktop.env, args.calendars)
        result["calendars"] = profile.calendars
        result["command"] = [*micro_cmd, "--profile", str(profile.root)]
        result["pauses_ahead_12h"] = len(profile.cue_windows)
        apps = Apps(desktop, watch, work, {
            "bare": [sys.executable, str(BARE_SCRIPT)],
            "microapp": result["command"]})

        keep_clear(profile, START_TIMEOUT_S)
        proc, launched, embedded = apps.start("microapp")
        result["first_start_ms"] = (embedded - launched) * 1000
        database = profile.root / "data" / "microapp.sqlite3"
        deadline = time.monotonic() + START_TIMEOUT_S
        while not database.exists() and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.1)
        time.sleep(2)  # let it finish what it does on a first start (backup, calendars)
        apps.stop(proc)
        if not database.exists():
            raise BenchError(f"microapp's first start made no history database ({database})")
        cli(micro_cmd, profile.root, "gratitude", "--to", "Ana", "--relationship", "colleague",
            "Thank you for staying late to pair with me on the release notes today.",
            env=desktop.env)
        print(f"first start (new history database): {result['first_start_ms']:.0f} ms",
              flush=True)

        launches: dict[str, list[float]] = {"bare": [], "microapp": []}
        for run in range(args.runs):
            order = ("bare", "microapp") if run % 2 == 0 else ("microapp", "bare")
            for which in order:
                if which == "microapp":
                    keep_clear(profile, 20)
                proc, launched, embedded = apps.start(which)
                apps.stop(proc)
                launches[which].append((embedded - launched) * 1000)
            print(f"start {run + 1}/{args.runs}: bare {launches['bare'][-1]:.0f} ms, "
                  f"microapp {launches['microapp'][-1]:.0f} ms", flush=True)
        result["launch_ms"] = launches

        span = max(args.warmup + args.window, args.idle_seconds) + 30
        result["idle"] = {}
        for which in ("bare", "microapp"):
            if which == "microapp":
                keep_clear(profile, span)
            print(f"{which}: idle for {span - 30:.0f} s ...", flush=True)
            result["idle"][which] = idle_run(apps, which, args)
        result["observation"] = watch.how
        result["display"] = desktop.display
    finally:
        if apps is not None:
            apps.close()
        if watch is not None:
            watch.close()
        if desktop is not None:
            desktop.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7,
                        help="timed starts of each app (default 7)")
    parser.add_argument("--idle-seconds", type=float, default=60.0,
                        help="read memory this long after the icon is embedded (default 60)")
    parser.add_argument("--warmup", type=float, default=10.0,
                        help="seconds after the icon is embedded before counting context "
                             "switches (default 10)")
    parser.add_argument("--window", type=float, default=60.0,
                        help="seconds over which context switches are counted (default 60)")
    parser.add_argument("--microapp", metavar="CMD",
                        help="the command that starts microapp (default: this venv's "
                             "bin/microapp); e.g. a PyInstaller bundle")
    parser.add_argument("--calendars", choices=("generated", "fixtures"), default="generated",
                        help="three generated calendars of realistic size (default) or the "
                             "three small samples from tests/fixtures")
    parser.add_argument("--screen", default="1920x1080", help="Xvfb's screen size")
    parser.add_argument("--json", metavar="FILE", help="also write every figure to FILE")
    parser.add_argument("--keep", action="store_true",
                        help="keep the work folder (profile, calendars, app logs)")
    args = parser.parse_args()
    if args.runs < 1 or args.window <= 0 or args.warmup < 0 or args.idle_seconds < 0:
        parser.error("--runs must be at least 1, --window positive, the others not negative")

    def interrupted(*_args) -> None:
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, signal.SIG_IGN)  # a second Ctrl+C must not cut the clean-up
        raise KeyboardInterrupt

    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, interrupted)  # stop everything it started, whoever asks
    work = Path(tempfile.mkdtemp(prefix="microapp-run-bench-"))
    result: dict = {"facts": machine_facts(), "args": vars(args),
                    "started": datetime.now(UTC).isoformat(timespec="seconds")}
    try:
        measure(args, work, result)
    except BenchError as error:
        print(f"run.py: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("run.py: interrupted; everything it started is stopped", file=sys.stderr)
        return 130
    finally:
        if args.keep:
            print(f"(work folder kept: {work})")
        else:
            shutil.rmtree(work, ignore_errors=True)
    result["facts"]["load_after"] = " ".join(f"{v:.2f}" for v in os.getloadavg())
    rows = print_report(result, args)
    result["rows"] = rows
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2, default=str) + "\n",
                                   encoding="utf-8")
        print(f"(figures written to {args.json})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
