"""Keep the garbage collector from stalling a UI while a big calendar is parsed.

The tray app parses calendars in a short-lived child process (:mod:`microapp.calendar_child`),
where this only spares the collector's time. Where a calendar is parsed in a worker thread of a
process with a UI (the Settings window checking a new calendar), it matters more: CPython's
cyclic collector runs on whichever thread allocates and holds the GIL throughout, and parsing
a 5 MB calendar triggers full collections of ~100 ms that freeze the UI thread too. Parsed
calendars hold no reference cycles (a test checks), so the collector has little to find in
them: it is paused while parsing, and what was built is then frozen (``gc.freeze``) so later
collections never walk it again. The memory is still returned by reference counting when a
calendar is replaced. The few cycles a broken series leaves (an exception kept with its
traceback) are collected by :func:`release`, which the app calls once a day at a quiet moment.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0
_was_enabled = True


@contextmanager
def quiet_gc() -> Iterator[None]:
    """Pause cyclic collection for the block (re-entrant, thread-safe); freeze its results."""
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                gc.freeze()
                if _was_enabled:
                    gc.enable()


def release() -> int:
    """Hand frozen objects back to the collector and collect once (a short pause: call it
    when nothing is on screen). Returns the number of unreachable objects found."""
    with _lock:
        if _depth:
            return 0
        gc.unfreeze()
    return gc.collect()



def release_memory() -> None:
    """Let go of the source lines :mod:`linecache` keeps.

    PySide6 reads the source of every module imported after it (to look for "PySide6" in
    it), and the lines stay cached: megabytes in a long-running app. The tray's launch keeps
    PySide6 from doing that (:mod:`microapp.cli`); this clears what is cached anyway (a window
    opened later, a traceback logged). Tracebacks read the lines again when they need them.

    (glibc's ``malloc_trim`` and a limit on malloc arenas were measured here too: the tray's
    C heap has well under a megabyte free and three threads, so neither gave anything back,
    while loading ``ctypes`` for them cost 0.2 MiB.)
    """
    import linecache

    linecache.clearcache()
