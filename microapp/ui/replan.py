"""One re-plan at a time, for the timer-driven schedulers (pauses, the evening invitation).

A re-plan emits signals; a slot may react by asking for another re-plan (a snooze chosen at
once, a cue recorded). Running that one *inside* the first would interleave two plans, so it
is queued and runs right after the current one finishes.
"""

from __future__ import annotations

from collections.abc import Callable


class SerialReplan:
    """Call it with a reason to re-plan; nested calls run after the current one."""

    def __init__(self, run_once: Callable[[str], None]) -> None:
        self._run_once = run_once
        self._busy = False
        self._again: str | None = None
        self.stopped = False

    def __call__(self, reason: str = "") -> None:
        if self.stopped:
            return
        if self._busy:
            self._again = reason or "again"
            return
        self._busy = True
        try:
            while True:
                self._run_once(reason)
                if self._again is None or self.stopped:
                    break
                reason, self._again = self._again, None
        finally:
            self._busy = False
            self._again = None
