"""Gentle milestones for a streak: 7, 30, 100 and 365 done days.

A milestone is a small marker, never a target: the History window shows the highest one a run
has reached, with a warm phrase, and may mention the next one quietly. Nothing here ever says
that something was lost; a run that ended keeps the milestones its longest run reached.
"""

from __future__ import annotations

from typing import Literal

__all__ = [
    "MILESTONES",
    "Practice",
    "badge",
    "highest_reached",
    "next_milestone",
    "phrase",
    "reached",
]

MILESTONES: tuple[int, ...] = (7, 30, 100, 365)
"""Streak lengths (done days) worth marking, in increasing order."""

Practice = Literal["pause", "gratitude"]

_PHRASES: dict[Practice, dict[int, str]] = {
    "pause": {
        7: "a week of doorways",
        30: "a month of doorways",
        100: "a hundred unhurried arrivals",
        365: "a whole year of arriving present",
    },
    "gratitude": {
        7: "a week of thank-yous",
        30: "a month of noticing people",
        100: "a hundred kind sentences",
        365: "a whole year of gratitude",
    },
}


def reached(days: int) -> tuple[int, ...]:
    """Every milestone a run of ``days`` done days has reached, smallest first."""
    return tuple(m for m in MILESTONES if m <= days)


def highest_reached(days: int) -> int | None:
    """The largest milestone reached by ``days``, or None below the first one."""
    found = reached(days)
    return found[-1] if found else None


def next_milestone(days: int) -> int | None:
    """The first milestone still ahead of ``days``, or None once every one is reached."""
    return next((m for m in MILESTONES if m > days), None)


def phrase(milestone: int, practice: Practice = "pause") -> str:
    """The warm words for one milestone, e.g. "a month of doorways"."""
    try:
        return _PHRASES[practice][milestone]
    except KeyError:
        raise ValueError(f"no milestone {milestone!r} for the {practice!r} practice") from None


def badge(days: int, practice: Practice = "pause") -> str | None:
    """The small badge text for a run of ``days``, e.g. "30 days · a month of doorways".

    None when no milestone is reached yet (nothing is shown then: no badge is not a failure).
    """
    milestone = highest_reached(days)
    if milestone is None:
        return None
    return f"{milestone} days · {phrase(milestone, practice)}"
