"""What an app and every process under it hold and do, read from /proc from the outside (reading
another process's /proc files never wakes it).

* :func:`tree` — the app's pid and all its descendants, found again at every call, so a
  helper process that comes and goes is counted while it lives.
* :func:`memory` — VmRSS (``/proc/PID/status``) and PSS (``/proc/PID/smaps_rollup``) summed
  over that tree.
* :class:`SwitchCounter` — voluntary + nonvoluntary context switches of every thread of every
  process in the tree over a window, sampled every ``interval`` seconds: a thread or process
  born in the window counts from zero; one that ends counts up to its last sample (what it
  did after that sample, at most ``interval`` seconds of it, is lost, and one that lives less
  than ``interval`` between two samples may be missed altogether). A task that ended adds one
  voluntary switch: the one of its exit, which the kernel counts but /proc no longer shows.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from pathlib import Path

PROC = Path("/proc")


def _read(path: Path) -> str | None:
    try:
        return path.read_text()
    except (OSError, ValueError):  # gone meanwhile, or not ours to read
        return None


def _children(pid: int) -> list[int]:
    """Direct children: /proc/PID/task/*/children when the kernel has it, else a scan."""
    tasks = PROC / str(pid) / "task"
    found: list[int] = []
    try:
        task_dirs = list(tasks.iterdir())
    except OSError:
        return found
    probe = task_dirs[0] / "children" if task_dirs else None
    if probe is not None and probe.exists():
        for task in task_dirs:
            text = _read(task / "children")
            if text:
                found += [int(part) for part in text.split()]
        return found
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            stat = _read(entry / "stat")
            if stat and int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def tree(pid: int) -> list[int]:
    """``pid`` and every live descendant (an empty list once ``pid`` has ended)."""
    if not (PROC / str(pid)).exists():
        return []
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo += [child for child in _children(current) if child not in found]
    return found


def comm(pid: int, tid: int | None = None) -> str:
    base = PROC / str(pid) if tid is None else PROC / str(pid) / "task" / str(tid)
    return (_read(base / "comm") or "?").strip()


def _kib(text: str | None, key: str) -> int:
    if not text:
        return 0
    found = re.search(rf"^{key}:\s*(\d+) kB", text, re.MULTILINE)
    return int(found.group(1)) if found else 0


@dataclass
class Memory:
    rss_kib: int = 0
    pss_kib: int = 0
    processes: list[dict] = field(default_factory=list)

    @property
    def rss_mib(self) -> float:
        return self.rss_kib / 1024

    @property
    def pss_mib(self) -> float:
        return self.pss_kib / 1024


def memory(pid: int) -> Memory:
    """RSS and PSS of ``pid`` and its descendants, now."""
    total = Memory()
    for member in tree(pid):
        rss = _kib(_read(PROC / str(member) / "status"), "VmRSS")
        pss = _kib(_read(PROC / str(member) / "smaps_rollup"), "Pss")
        total.rss_kib += rss
        total.pss_kib += pss
        total.processes.append({"pid": member, "name": comm(member), "rss_kib": rss,
                                "pss_kib": pss})
    return total


def _switches(pid: int, tid: str) -> tuple[int, int] | None:
    text = _read(PROC / str(pid) / "task" / tid / "status")
    if not text:
        return None
    vol = re.search(r"^voluntary_ctxt_switches:\s*(\d+)", text, re.MULTILINE)
    invol = re.search(r"^nonvoluntary_ctxt_switches:\s*(\d+)", text, re.MULTILINE)
    if not (vol and invol):
        return None
    return int(vol.group(1)), int(invol.group(1))


@dataclass
class _Task:
    pid: int
    tid: str
    process: str
    thread: str
    start: tuple[int, int]  # counts when first seen (zero when born inside the window)
    last: tuple[int, int]
    alive: bool = True


class SwitchCounter:
    """Context switches of a process tree between :meth:`begin` and :meth:`end`; call
    :meth:`sample` every ``interval`` seconds in between."""

    def __init__(self, pid: int, interval: float = 0.5) -> None:
        self.pid = pid
        self.root_process = comm(pid)
        self.interval = interval
        self.tasks: dict[tuple[int, str], _Task] = {}
        self.gone: list[_Task] = []  # tasks whose tid was taken again by a new thread
        self.began = 0.0
        self.ended = 0.0
        self.samples = 0
        self.timeline: list[tuple[float, int]] = []  # (perf_counter, switches so far)

    def _look(self, first: bool) -> None:
        seen = set()
        for member in tree(self.pid):
            try:
                tids = [entry.name for entry in (PROC / str(member) / "task").iterdir()]
            except OSError:
                continue
            for tid in tids:
                counts = _switches(member, tid)
                if counts is None:
                    continue
                key = (member, tid)
                seen.add(key)
                task = self.tasks.get(key)
                if task is not None and (counts[0] < task.last[0] or counts[1] < task.last[1]):
                    # the tid now names a new thread
                    task.alive = False
                    self.gone.append(task)
                    task = None
                if task is None:
                    self.tasks[key] = _Task(member, tid, comm(member), comm(member, int(tid)),
                                            counts if first else (0, 0), counts)
                else:
                    task.last = counts
        for key, task in self.tasks.items():
            task.alive = key in seen
        self.samples += 1
        self.timeline.append((time.perf_counter(), self._total()))

    def _total(self) -> int:
        """Switches so far in the window, every task (an ended one with its exit)."""
        return sum(sum(task.last) - sum(task.start) + (0 if task.alive else 1)
                   for task in [*self.tasks.values(), *self.gone])

    def buckets(self, seconds: float = 10.0) -> list[int]:
        """Switches in each successive ``seconds`` of the window: when they happened."""
        if not self.timeline:
            return []
        start = self.timeline[0][0]
        counts: list[int] = []
        previous = 0
        for at, total in self.timeline:
            index = min(int((at - start) / seconds), max(0, round(
                (self.timeline[-1][0] - start) / seconds) - 1))
            while len(counts) <= index:
                counts.append(0)
            counts[index] += total - previous
            previous = total
        return counts

    def begin(self) -> None:
        self.began = time.perf_counter()
        self._look(first=True)

    def sample(self) -> None:
        self._look(first=False)

    def end(self) -> dict:
        self._look(first=False)
        self.ended = time.perf_counter()
        seconds = self.ended - self.began
        rows: dict[str, list[int]] = {}
        for task in [*self.tasks.values(), *self.gone]:
            where = "" if task.pid == self.pid else f"child {task.process}[{task.pid}]: "
            label = where + (f"main thread ({task.thread})" if task.tid == str(task.pid)
                             else task.thread)
            exited = 0 if task.alive else 1
            row = rows.setdefault(label, [0, 0, 0, 0])
            row[0] += task.last[0] - task.start[0] + exited
            row[1] += task.last[1] - task.start[1]
            row[2] += 1
            row[3] += exited
        threads = sorted(({"thread": label, "voluntary": v, "nonvoluntary": n, "tasks": c,
                           "ended": e} for label, (v, n, c, e) in rows.items()),
                         key=lambda r: -(r["voluntary"] + r["nonvoluntary"]))
        voluntary = sum(r["voluntary"] for r in threads)
        nonvoluntary = sum(r["nonvoluntary"] for r in threads)
        processes = {task.pid for task in self.tasks.values()}
        return {
            "seconds": seconds,
            "voluntary": voluntary,
            "nonvoluntary": nonvoluntary,
            "per_minute": (voluntary + nonvoluntary) * 60 / seconds if seconds else 0.0,
            "threads": threads,
            "processes": len(processes),
            "ended_tasks": sum(r["ended"] for r in threads),
            "samples": self.samples,
            "per_10s": self.buckets(10.0),
            "interval_s": self.interval,
        }
