"""Noticing that the wall clock jumped: the machine slept, or someone set the clock.

A single-shot timer waits on the *monotonic* clock, while cues are due at *wall-clock*
instants. The two drift apart in two ways the scheduler must hear about:

* Suspend. On Linux ``time.monotonic()`` (``CLOCK_MONOTONIC``) stands still while the machine
  sleeps and the wall clock keeps going, so after waking the wall clock is ahead by the time
  slept. Qt's timers count on the same monotonic clock, so a timer armed before the sleep fires
  that much late. (On Windows ``time.monotonic()`` keeps counting during sleep, so a sleep does
  not show up here; the scheduler's wake guard covers that case.)
* A manual or NTP *step* of the wall clock, forwards or backwards.

Both show up as "wall time elapsed" minus "monotonic time elapsed" since the last look. The
wall side is compared as UTC instants, so a DST night (the local clock jumps, the instant does
not) and a time-zone change are not jumps.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

DEFAULT_TOLERANCE = timedelta(seconds=5)


class JumpDetector:
    """Compares how far the wall clock and a monotonic clock moved since the last look.

    Every :meth:`check` takes a new reference, jump or not. Comparing against the previous
    look (not the first one) keeps NTP's slow slewing - a fraction of a millisecond per second,
    which adds up to seconds over a day - from ever summing up to a false jump.
    """

    def __init__(self, tolerance: timedelta = DEFAULT_TOLERANCE) -> None:
        if tolerance < timedelta(0):
            raise ValueError("tolerance must not be negative")
        self.tolerance = tolerance
        self._wall: datetime | None = None
        self._mono = 0.0

    def reset(self, wall: datetime, mono: float) -> None:
        """Take ``wall`` (aware) and ``mono`` (seconds, ``time.monotonic()``) as the reference."""
        self._wall = _utc(wall)
        self._mono = mono

    def check(self, wall: datetime, mono: float) -> timedelta | None:
        """The jump since the last look if it exceeds the tolerance, else ``None``.

        Positive: the wall clock moved further than the monotonic one (woke from sleep, clock
        set forward); negative: the clock was set back. The first call only takes the reference.
        """
        wall_utc = _utc(wall)
        previous, previous_mono = self._wall, self._mono
        self._wall, self._mono = wall_utc, mono
        if previous is None:
            return None
        jump = (wall_utc - previous) - timedelta(seconds=mono - previous_mono)
        return jump if abs(jump) > self.tolerance else None


def _utc(wall: datetime) -> datetime:
    if wall.tzinfo is None or wall.utcoffset() is None:
        raise ValueError(f"the wall-clock instant must be timezone-aware, got {wall.isoformat()}")
    return wall.astimezone(UTC)
