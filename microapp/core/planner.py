"""Which doorway pause is due now, which were missed, and when to look again.

The planner is a pure function of the meetings, the current instant and what has already been
handled. It never keeps state and never reads a clock: the Qt side calls :func:`plan`, shows
``show_now`` (if any), records ``superseded`` and ``missed`` as ``missed`` pause outcomes, adds
all of their keys to ``done_keys`` and arms ONE single-shot timer for :func:`next_wake`
milliseconds. When it fires (or a source, a setting, the zone or the day changes, or the machine
wakes) it plans again. There is no polling loop.

Every comparison and every piece of arithmetic here happens on UTC instants. Two reasons:

* Python compares and subtracts datetimes that share a ``tzinfo`` by *wall time*: 02:30 before
  and 02:30 after a fall-back transition compare equal, and ``start - lead`` across a
  spring-forward gap lands on an hour that does not exist.
* PEP 495: an instant in the repeated hour (``fold=1``) is never equal to any datetime in
  another zone, so mixing zones without converting first gives wrong answers.

Rules (DESIGN.md, "Meetings → pause cues"):

* A cue is due ``lead`` before its meeting's start; one cue per occurrence (``Meeting.key``).
* Meetings starting in the same minute share one cue. The minute is the UTC minute, which is
  the local wall-clock minute in every zone whose offset is a whole number of minutes (all of
  them since 1972).
* A meeting more than :data:`STALE_AFTER` past its start, or one that has already ended, can no
  longer be shown: it is reported in ``missed``. A meeting up to :data:`STALE_AFTER` late is
  still shown — walking in a minute late, the pause still helps.
"""

from __future__ import annotations

import sys
from bisect import bisect_left
from collections.abc import Collection, Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from microapp.core.meetings import Meeting

DEFAULT_LEAD = timedelta(seconds=60)
MAX_LEAD = timedelta(minutes=10)
STALE_AFTER = timedelta(minutes=2)

#: QTimer takes a signed 32-bit millisecond count (~24.8 days). A longer wait is cut to this;
#: the timer then fires early, the caller plans again and gets the rest of the wait.
MAX_TIMER_MS = 2**31 - 1

_MINUTE = timedelta(minutes=1)
_SEP = "\x1f"  # between the fields of Meeting.key


@dataclass(frozen=True)
class Cue:
    """One doorway pause: for one meeting, or for several that start in the same minute."""

    due: datetime  # aware, in UTC; = earliest start in the group - lead
    meetings: tuple[Meeting, ...]  # sorted by (start, title); one or more (same-minute group)

    def __post_init__(self) -> None:
        if not self.meetings:
            raise ValueError("a Cue needs at least one meeting")
        if self.due.tzinfo is None:
            raise ValueError("a Cue's due instant must be timezone-aware")

    @property
    def keys(self) -> tuple[str, ...]:
        """The ``Meeting.key`` of each meeting, in the cue's order."""
        return tuple(m.key for m in self.meetings)

    @property
    def start(self) -> datetime:
        """The earliest meeting start (in that meeting's own zone, for display)."""
        return self.meetings[0].start


@dataclass(frozen=True)
class Plan:
    """What :func:`plan` decided for one instant.

    ``show_now``: the cue to show now — due (``due <= now``) and still useful. When several are
    due at once (the app started late, the machine woke up) only the LATEST-starting one is
    shown, because two pauses back to back help nobody; the earlier ones go to ``superseded``.

    ``superseded``: due and still in time, but replaced by ``show_now``. They were never shown,
    so the caller records them as ``missed`` (DESIGN.md: "missed — not shown in time") and adds
    their keys to ``done_keys``.

    ``missed``: cues that can no longer be shown — the meeting started more than
    :data:`STALE_AFTER` ago, or has already ended — and were not fired before. The caller records
    them as ``missed`` and adds their keys to ``done_keys``.

    ``next_cue``: the earliest cue with ``due > now``; ``wake_at`` is its ``due`` (or ``None``):
    when the caller's single-shot timer should fire next.
    """

    show_now: Cue | None
    superseded: tuple[Cue, ...]
    missed: tuple[Cue, ...]
    next_cue: Cue | None
    wake_at: datetime | None


def _utc(instant: datetime, name: str) -> datetime:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {instant.isoformat()}")
    return instant.astimezone(UTC)


def _check_lead(lead: timedelta) -> None:
    if not timedelta(0) <= lead <= MAX_LEAD:
        raise ValueError(
            f"lead must be between 0 and {MAX_LEAD.total_seconds() / 60:g} minutes "
            f"before the meeting, got {lead.total_seconds():g} s"
        )


# (UTC start, title, calendar, uid, arrival index, meeting). Sorted as plain tuples: the first
# four give the order; the index only separates exact duplicates (collapsed later, by content),
# so a Meeting is never compared.
_Entry = tuple[datetime, str, str, str, int, Meeting]


def _start_of(entry: _Entry) -> datetime:
    return entry[0]


class _Done:
    """``meeting.key in done_keys``, without formatting every meeting's key when that is slow.

    ``Meeting.key`` formats the start with ``isoformat()`` (~1 µs). After a long sleep with no
    ``since``, thousands of past meetings must each be checked, and that alone would cost more
    than the rest of planning. So once more meetings have been checked than a quarter of the
    done keys, the done keys are read back once (~0.25 µs each) into (calendar + UID, instant)
    pairs and meetings are looked up by those. The check that switches over also makes sure
    ``Meeting.key`` is still built the way it is read here; if not, real keys are used to the
    end (slower, never wrong).
    """

    __slots__ = ("_index", "_keys", "_slow_left")

    def __init__(self, done_keys: Collection[str]) -> None:
        self._keys = done_keys if isinstance(done_keys, AbstractSet) else frozenset(done_keys)
        self._index: set[tuple[str, datetime]] | None = None
        self._slow_left = len(self._keys) // 4 + 16

    def __bool__(self) -> bool:
        return bool(self._keys)

    def holds(self, meeting: Meeting, start: datetime) -> bool:
        """Whether ``meeting``, which starts at the UTC instant ``start``, is done."""
        if self._index is None:
            if self._slow_left > 0:
                self._slow_left -= 1
                return meeting.key in self._keys
            key = meeting.key
            if key != f"{meeting.calendar}{_SEP}{meeting.uid}{_SEP}{start.isoformat()}":
                self._slow_left = sys.maxsize  # the key format changed: real keys from now on
                return key in self._keys
            self._index = self._read_keys()
        return (f"{meeting.calendar}{_SEP}{meeting.uid}", start) in self._index

    def _read_keys(self) -> set[tuple[str, datetime]]:
        index: set[tuple[str, datetime]] = set()
        for key in self._keys:
            prefix, _, stamp = key.rpartition(_SEP)
            instant = _read_utc_stamp(stamp)
            if instant is not None:
                index.add((prefix, instant))
            # Anything else cannot equal a key of the form checked above: it matches nothing.
        return index


def _read_utc_stamp(stamp: str) -> datetime | None:
    """The instant of ``stamp`` if it is spelled exactly as ``datetime.isoformat()`` spells an
    instant in UTC (``2026-03-10T08:59:00+00:00``, with ``.ffffff`` only when not zero).

    Other spellings of the same instant (``Z``, ``+01:00``, ``.000000``) are refused, so reading
    keys back matches exactly the keys that comparing strings would.
    """
    size = len(stamp)
    if not (
        (size == 25 or (size == 32 and stamp[19] == "."))
        and stamp.endswith("+00:00")
        and stamp[4] == stamp[7] == "-"
        and stamp[10] == "T"
        and stamp[13] == stamp[16] == ":"
    ):
        return None
    try:
        instant = datetime.fromisoformat(stamp)
    except ValueError:
        return None
    if size == 32 and not instant.microsecond:
        return None
    return instant


def _pending(group: list[_Entry], done: _Done) -> list[_Entry]:
    """The entries of one minute that are not done, one per key, in order.

    Duplicates of a key (a refresh may deliver the same occurrence twice, perhaps with an edited
    title) are collapsed to the one whose content sorts first, not the first to arrive, so the
    plan does not depend on the order sources happen to be read in.
    """
    if done:
        group = [e for e in group if not done.holds(e[5], e[0])]
    if len(group) < 2:
        return group
    unique: dict[tuple[str, str, datetime], _Entry] = {}
    for entry in group:
        ident = (entry[2], entry[3], entry[0])  # calendar, UID, start: what Meeting.key is
        seen = unique.get(ident)
        if seen is None or repr(entry[5]) < repr(seen[5]):
            unique[ident] = entry
    if len(unique) == len(group):
        return group
    return sorted(unique.values())


def plan(
    meetings: Iterable[Meeting],
    now: datetime,
    *,
    lead: timedelta = DEFAULT_LEAD,
    done_keys: Collection[str] = frozenset(),
    since: datetime | None = None,
) -> Plan:
    """Decide what is due at ``now``, what was missed, and when the next cue is due.

    ``done_keys``: keys already fired, skipped or recorded missed; those meetings are never
    considered again. A same-minute group keeps its cue for whichever meetings are not done.

    ``since``: meetings that started before it are ignored entirely (pass when the app started
    or last planned), so days the app did not run stay neutral instead of filling up with
    ``missed``. ``None`` means no lower bound.

    Status, all-day, declined and the like are the caller's filters: every meeting given here
    is planned. Duplicates of one key are collapsed, whatever order they come in.

    Raises ``ValueError`` for a naive ``now``/``since`` or a ``lead`` outside 0..MAX_LEAD.
    """
    _check_lead(lead)
    now_utc = _utc(now, "now")
    since_utc = None if since is None else _utc(since, "since")
    done = _Done(done_keys)
    any_done = bool(done)

    # One sort, then one pass that stops at the first cue not yet due: done keys and duplicates
    # are only looked at in the minutes the pass reaches.
    entries: list[_Entry] = [
        (m.start.astimezone(UTC), m.title, m.calendar, m.uid, index, m)
        for index, m in enumerate(meetings)
    ]
    entries.sort()

    candidates: list[Cue] = []
    missed: list[Cue] = []
    next_cue: Cue | None = None
    stale_before = now_utc - STALE_AFTER  # a meeting that started before this is missed
    due_until = now_utc + lead  # a meeting starting up to this is due

    n = len(entries)
    i = 0 if since_utc is None else bisect_left(entries, since_utc, key=_start_of)
    while i < n:
        first = entries[i][0]
        minute = first.minute  # UTC minute: the same wall-clock minute in every zone
        j = i + 1
        while j < n and entries[j][0].minute == minute and entries[j][0] - first < _MINUTE:
            j += 1
        if j == i + 1:  # the usual case: one meeting in its minute
            group = [] if any_done and done.holds(entries[i][5], first) else [entries[i]]
        else:
            group = _pending(entries[i:j], done)
        i = j
        if not group:
            continue  # every meeting of this minute is done: its cue is gone
        first = group[0][0]

        if first > due_until:
            # Not due yet. Groups are in start order, so this is the next cue and nothing
            # after it can be due or missed.
            next_cue = Cue(first - lead, tuple([e[5] for e in group]))
            break
        if group[-1][0] < stale_before:  # the whole group is stale (the usual bulk case)
            missed.append(Cue(first - lead, tuple([e[5] for e in group])))
            continue

        # The group is due. Each meeting is judged on its own: one that started more than
        # STALE_AFTER ago or has already ended is missed; the rest still share a cue.
        live: list[Meeting] = []
        live_start = first
        gone: list[Meeting] = []
        gone_start = first
        for start, *_, meeting in group:
            # max(): an end before the start (bad data) counts as ending at the start.
            if start < stale_before or max(meeting.end.astimezone(UTC), start) <= now_utc:
                if not gone:
                    gone_start = start
                gone.append(meeting)
            else:
                if not live:
                    live_start = start
                live.append(meeting)
        if gone:
            missed.append(Cue(gone_start - lead, tuple(gone)))
        if live:
            cue = Cue(live_start - lead, tuple(live))
            if cue.due <= now_utc:
                candidates.append(cue)
            else:
                # With a short lead, the meeting that made this group due was missed and the
                # rest (later in the same minute) are not due yet: they are the next cue.
                next_cue = cue
                break

    show_now = candidates.pop() if candidates else None
    return Plan(
        show_now=show_now,
        superseded=tuple(candidates),
        missed=tuple(missed),
        next_cue=next_cue,
        wake_at=None if next_cue is None else next_cue.due,
    )


def next_wake(plan: Plan, now: datetime) -> int | None:
    """Milliseconds from ``now`` until ``plan.wake_at`` for a single-shot timer, or ``None``.

    Rounded up, so the timer never fires before the cue is due (a re-plan a fraction of a
    millisecond early would find nothing to do and arm a 0 ms timer). Never negative: a wake
    time already past gives 0. Capped at :data:`MAX_TIMER_MS` (what QTimer accepts).
    """
    if plan.wake_at is None:
        return None
    delta = plan.wake_at.astimezone(UTC) - _utc(now, "now")
    micros = delta // timedelta(microseconds=1)
    millis = -(-micros // 1000) if micros > 0 else 0  # integer ceiling: no float rounding
    return min(millis, MAX_TIMER_MS)
