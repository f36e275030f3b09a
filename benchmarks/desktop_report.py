"""The printed report of benchmarks/run.py: one table of figure, bare, microapp, ratio, target
and whether it is met, then where the idle context switches and the memory go."""

from __future__ import annotations

import math
import os
import platform
import statistics
from pathlib import Path

LAUNCH_RATIO = 1.3
MEMORY_RATIO = 1.3
SWITCHES_PER_MIN = 10.0


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
    return {"cores": os.cpu_count(), "cpu": cpu, "pyside": pyside,
            "python": platform.python_version(),
            "system": f"{platform.system()} {platform.release()}",
            "load_before": " ".join(f"{v:.2f}" for v in os.getloadavg())}


def p90(values: list[float]) -> float:
    """The 90th percentile, interpolated linearly between the closest ranks."""
    ordered = sorted(values)
    position = 0.9 * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _ratio(a: float, b: float) -> float | None:
    return b / a if a else None


def _row(figure: str, bare: float | None, micro: float, fmt: str, target: str,
         met: bool | None, ratio: float | None = None) -> dict:
    return {"figure": figure, "bare": bare, "microapp": micro, "ratio": ratio,
            "target": target, "met": met, "format": fmt}


def build_rows(result: dict) -> list[dict]:
    launch = result["launch_ms"]
    bare_med = statistics.median(launch["bare"])
    micro_med = statistics.median(launch["microapp"])
    launch_ratio = _ratio(bare_med, micro_med)
    idle = result["idle"]
    bare, micro = idle["bare"], idle["microapp"]
    rss_ratio = _ratio(bare["rss_mib"], micro["rss_mib"])
    per_min = micro["switches"]["per_minute"]
    return [
        _row("launch -> icon embedded, median (ms)", bare_med, micro_med, "{:.0f}",
             f"ratio <= {LAUNCH_RATIO:g}", launch_ratio is not None
             and launch_ratio <= LAUNCH_RATIO, launch_ratio),
        _row("launch -> icon embedded, p90 (ms)", p90(launch["bare"]),
             p90(launch["microapp"]), "{:.0f}", "", None,
             _ratio(p90(launch["bare"]), p90(launch["microapp"]))),
        _row("first start, new profile (ms)", None, result["first_start_ms"], "{:.0f}", "",
             None),
        _row(f"RSS after {micro['memory_after_s']:.0f} s idle (MiB)", bare["rss_mib"],
             micro["rss_mib"], "{:.1f}", f"ratio <= {MEMORY_RATIO:g}",
             rss_ratio is not None and rss_ratio <= MEMORY_RATIO, rss_ratio),
        _row("PSS then (MiB, for information)", bare["pss_mib"], micro["pss_mib"], "{:.1f}",
             "", None, _ratio(bare["pss_mib"], micro["pss_mib"])),
        _row("context switches / min, idle", bare["switches"]["per_minute"], per_min,
             "{:.1f}", f"<= {SWITCHES_PER_MIN:g}/min", per_min <= SWITCHES_PER_MIN,
             _ratio(bare["switches"]["per_minute"], per_min)),
    ]


def _cell(value: float | None, fmt: str) -> str:
    return "-" if value is None else fmt.format(value)


def print_report(result: dict, args) -> list[dict]:
    facts = result["facts"]
    rows = build_rows(result)
    print()
    print(f"microapp vs a bare PySide6 tray app: {facts['cpu']}, {facts['cores']} cores, "
          f"{facts['system']}, Python {facts['python']}, PySide6 {facts['pyside']}")
    print(f"load average before {facts['load_before']}, after {facts['load_after']}; "
          f"X display {result['display']} with trayer")
    print(f"microapp: {' '.join(result['command'])}")
    cals = ", ".join(f"{c['name']} ({c['events']} events)" for c in result["calendars"])
    print(f"calendars: {cals}; {result['pauses_ahead_12h']} doorway pauses due in the next "
          "12 h, none inside a measured window")
    print(f"embedding observed by {result['observation']}")
    print(f"{args.runs} starts of each (alternating order); idle: memory "
          f"{args.idle_seconds:g} s after the icon, switches over {args.window:g} s after "
          f"{args.warmup:g} s of warm-up")
    print()
    head = f"{'figure':40} {'bare':>9} {'microapp':>9} {'ratio':>7}  {'target':14} met?"
    print(head)
    print("-" * len(head))
    for row in rows:
        ratio = "-" if row["ratio"] is None else f"{row['ratio']:.2f}x"
        met = {True: "yes", False: "NO", None: ""}[row["met"]]
        print(f"{row['figure']:40} {_cell(row['bare'], row['format']):>9} "
              f"{_cell(row['microapp'], row['format']):>9} {ratio:>7}  {row['target']:14} "
              f"{met}")
    print("(for comparison: Safe Eyes about 260 and Workrave about 670 context switches a "
          "minute while idle on the same kind of machine)")
    launch = result["launch_ms"]
    print()
    for which in ("bare", "microapp"):
        print(f"starts, {which:8} (ms): " + " ".join(f"{v:.0f}" for v in launch[which]))
    for which in ("bare", "microapp"):
        idle = result["idle"][which]
        switches = idle["switches"]
        print(f"\n{which}, idle: {switches['voluntary']} voluntary + "
              f"{switches['nonvoluntary']} nonvoluntary switches in {switches['seconds']:.1f} s, "
              f"{switches['processes']} process(es)"
              + (f", {switches['ended_tasks']} thread(s) ended in the window"
                 if switches["ended_tasks"] else "")
              + f"; sampled every {switches['interval_s']:g} s")
        print("  by 10 s of the window: " + " ".join(str(n) for n in switches["per_10s"]))
        for thread in switches["threads"]:
            if thread["voluntary"] or thread["nonvoluntary"]:
                ended = (f"  ({thread['ended']} of {thread['tasks']} ended: +1 each for "
                         "its exit)" if thread["ended"] else "")
                print(f"  {thread['thread']:44} {thread['voluntary']:5} vol "
                      f"{thread['nonvoluntary']:5} nonvol{ended}")
        quiet = sum(1 for t in switches["threads"]
                    if not (t["voluntary"] or t["nonvoluntary"]))
        if quiet:
            print(f"  ({quiet} other thread(s): none)")
        procs = ", ".join(f"{p['name']}[{p['pid']}] {p['rss_kib'] / 1024:.1f}/"
                          f"{p['pss_kib'] / 1024:.1f}" for p in idle["memory_processes"])
        print(f"  memory by process (RSS/PSS MiB): {procs}")
    return rows
