"""Is now a bad moment for a doorway pause? Snooze, the desktop's do-not-disturb, fullscreen.

:class:`BusyCheck` asks the detectors for this desktop off the UI thread (each one in its own
daemon thread, so a hung tool can neither block the UI nor keep the app from quitting) and
answers once per question with :attr:`BusyCheck.done`. The decision itself is
:func:`microapp.core.busy.decide`.
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Protocol

from PySide6.QtCore import QObject, Qt, Signal, Slot

from microapp.core.busy import combine, decide
from microapp.core.snooze import is_snoozed
from microapp.platform.busy_detectors import (
    KdeInhibited,
    MacFocus,
    WindowsFullscreen,
    X11Fullscreen,
    gnome_detector,
    xfce_detector,
)

log = logging.getLogger(__name__)


class BusyDetector(Protocol):
    """One question to the desktop. ``busy`` never raises and returns within about half a
    second: True (busy), False (not busy) or None (cannot tell, which counts as not busy)."""

    name: str

    def busy(self) -> bool | None: ...


Which = Callable[[str], str | None]


def _desktops(env: Mapping[str, str]) -> set[str]:
    """XDG_CURRENT_DESKTOP is a colon-separated list, e.g. "ubuntu:GNOME" or "KDE"."""
    return {part.strip().upper() for part in env.get("XDG_CURRENT_DESKTOP", "").split(":")}


def dnd_detectors(env: Mapping[str, str] | None = None, platform: str | None = None,
                  which: Which = shutil.which) -> list[BusyDetector]:
    """The do-not-disturb detectors for this platform and desktop.

    Windows Focus Assist has no documented way to be read, so Windows has none.
    """
    env = os.environ if env is None else env
    platform = platform or sys.platform
    if platform == "darwin":
        return [MacFocus()]
    if not platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        return []
    desktops = _desktops(env)
    found: list[BusyDetector] = []
    if desktops & {"GNOME", "UNITY"} and (gsettings := which("gsettings")):
        found.append(gnome_detector(gsettings))
    if "KDE" in desktops:
        found.append(KdeInhibited())
    if "XFCE" in desktops and (xfconf := which("xfconf-query")):
        found.append(xfce_detector(xfconf))
    return found


def fullscreen_detectors(env: Mapping[str, str] | None = None, platform: str | None = None,
                         which: Which = shutil.which) -> list[BusyDetector]:
    """The fullscreen detectors: X11 (when there is an X display and ``xprop``), Windows."""
    env = os.environ if env is None else env
    platform = platform or sys.platform
    if platform == "win32":
        return [WindowsFullscreen()]
    if platform == "darwin":
        return []
    if env.get("DISPLAY") and (xprop := which("xprop")):
        return [X11Fullscreen(xprop)]
    return []


def ask_all(detectors: Sequence[BusyDetector], deadline_s: float) -> list[bool | None]:
    """Every detector's answer, asked at once; one still busy after ``deadline_s`` (or one
    that raised) answers None. Its thread is a daemon and is simply left behind."""
    answers: list[bool | None] = [None] * len(detectors)

    def ask(index: int, detector: BusyDetector) -> None:
        try:
            answer = detector.busy()
        except Exception:
            log.exception("busy detector %s failed", getattr(detector, "name", detector))
            return
        answers[index] = answer if isinstance(answer, bool) else None

    threads = [threading.Thread(target=ask, args=(i, d), daemon=True,
                                name=f"microapp-busy-{getattr(d, 'name', i)}")
               for i, d in enumerate(detectors)]
    for thread in threads:
        thread.start()
    give_up = time.monotonic() + deadline_s
    for thread in threads:
        thread.join(max(0.0, give_up - time.monotonic()))
    late = [getattr(d, "name", d) for d, t in zip(detectors, threads, strict=True)
            if t.is_alive()]
    if late:
        log.warning("busy detectors gave no answer in time: %s", ", ".join(map(str, late)))
    return list(answers)


class BusyCheck(QObject):
    """Answers "should the pause stay away, and why?" without blocking the UI thread.

    Each :meth:`start` is answered by exactly one :attr:`done`: a
    :class:`~microapp.core.busy.BusyReason` value, or "" when the pause may show. The answer
    always arrives through the event loop, never from inside ``start``.
    """

    done = Signal(str)
    _answered = Signal(str)  # from worker threads; queued into this object's thread

    DEADLINE_S = 1.5  # detectors still silent by then count as "cannot tell" (X11 asks twice)

    def __init__(self, dnd: Sequence[BusyDetector], fullscreen: Sequence[BusyDetector],
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.dnd = tuple(dnd)
        self.fullscreen = tuple(fullscreen)
        self._answered.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    def start(self, *, snoozed_until: datetime | None, now: datetime, respect_dnd: bool,
              respect_fullscreen: bool) -> None:
        """Ask now; :attr:`done` follows. A snooze answers at once, without any detector."""
        dnd = self.dnd if respect_dnd else ()
        fullscreen = self.fullscreen if respect_fullscreen else ()
        if is_snoozed(snoozed_until, now) or not (dnd or fullscreen):
            reason = decide(snoozed_until=snoozed_until, now=now, dnd=None, fullscreen=None,
                            respect_dnd=respect_dnd, respect_fullscreen=respect_fullscreen)
            self._answered.emit(reason or "")
            return
        try:
            threading.Thread(
                target=self._work, name="microapp-busy-check", daemon=True,
                args=(dnd, fullscreen, now, respect_dnd, respect_fullscreen)).start()
        except RuntimeError:  # no thread to be had: cannot tell, so the pause may show
            log.exception("cannot start the busy check")
            self._answered.emit("")

    def _work(self, dnd: Sequence[BusyDetector], fullscreen: Sequence[BusyDetector],
              now: datetime, respect_dnd: bool, respect_fullscreen: bool) -> None:
        reason = None
        try:
            answers = ask_all((*dnd, *fullscreen), self.DEADLINE_S)
            reason = decide(snoozed_until=None, now=now,
                            dnd=combine(answers[: len(dnd)]),
                            fullscreen=combine(answers[len(dnd):]),
                            respect_dnd=respect_dnd, respect_fullscreen=respect_fullscreen)
        except Exception:
            log.exception("the busy check failed; the pause may show")
        finally:
            try:
                self._answered.emit(reason or "")
            except RuntimeError:  # the check was deleted meanwhile (the app is quitting)
                log.debug("busy check gone before it could answer")

    @Slot(str)
    def _deliver(self, reason: str) -> None:
        self.done.emit(reason)
