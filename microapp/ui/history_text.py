"""Every sentence the History window says, built in one place (no Qt here, easy to test).

The wording is meant to be calm: a miss is stated plainly and never judged, a run that ended
is talked about through what stays (the longest run, the slowly fading strength).

Untrusted text (meeting titles, names, sentences) only ever appears in lines meant for plain-text
widgets; the heatmap tooltips deliberately carry counts and intentions only, because a tooltip
would render anything that looks like HTML.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from microapp.core.milestones import Practice, badge, next_milestone
from microapp.core.records import GratitudeRecord, Outcome, PauseRecord
from microapp.core.streaks import DayState, StreakSummary
from microapp.core.summary import days_phrase
from microapp.store.history_view import DayEntries

STRENGTH_SENTENCES: dict[Practice, str] = {
    "pause": ("Strength is the habit's momentum: each day with a pause lifts it a little, "
              "a missed day lets it settle slowly, and no single day undoes the rest."),
    "gratitude": ("Strength is the habit's momentum: each evening with a sentence lifts it a "
                  "little, a missed one lets it settle slowly, and no single day undoes the rest."),
}

_NOT_STARTED: dict[Practice, str] = {
    "pause": "Nothing here yet. Your first pause before a call starts the count.",
    "gratitude": "Nothing here yet. One sentence to someone, one evening, starts the count.",
}
_NEUTRAL: dict[Practice, str] = {"pause": "no pauses", "gratitude": "rest day"}
_NOUN: dict[Practice, tuple[str, str]] = {
    "pause": ("pause", "pauses"),
    "gratitude": ("sentence", "sentences"),
}


def plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def short_day(day: date) -> str:
    """"Tue 10 Mar" (English names whatever the locale, like the rest of the app)."""
    return f"{day:%a} {day.day} {day:%b}"


def long_day(day: date, today: date | None = None) -> str:
    """"Tuesday 10 March 2026", or "Today · Tuesday 10 March" / "Yesterday · ..."."""
    text = f"{day:%A} {day.day} {day:%B}"
    if today is not None and day == today:
        return f"Today · {text}"
    if today is not None and (today - day).days == 1:
        return f"Yesterday · {text}"
    return f"{text} {day.year}"


def percent(strength: float) -> str:
    return f"{round(strength * 100)}%"


def streak_note(streak: StreakSummary, practice: Practice) -> str:
    """The one line under the numbers: a milestone, what stays after a run ended, the next
    gentle marker, or how to begin. Never a reproach."""
    if streak.longest == 0:
        return _NOT_STARTED[practice]
    current = badge(streak.current, practice)
    if current is not None:
        return current
    kept = badge(streak.longest, practice)
    if streak.current == 0:
        reached = f" ({kept})" if kept else ""
        return (f"Your longest run, {days_phrase(streak.longest)}{reached}, stays yours. "
                "Strength settles slowly, so the next day counts straight away.")
    if kept is not None:
        return f"Your longest run reached {kept}; it stays yours."
    ahead = next_milestone(streak.current)
    return f"{ahead - streak.current} more to the {ahead}-day marker." if ahead else ""


def _intentions(pauses: Iterable[PauseRecord]) -> str:
    names = sorted({p.intention.value for p in pauses if p.intention is not None})
    return f" ({', '.join(names)})" if names else ""


def day_tooltip(day: date, state: DayState | None, forgiven: bool,
                entries: DayEntries | None, practice: Practice) -> str:
    """One heatmap cell: "Tue 10 Mar · done · 2 pauses (listen, notice)"."""
    parts = [short_day(day)]
    if state is None:
        parts.append("before the first day")
        return " · ".join(parts)
    if state is DayState.MISSED:
        parts.append("forgiven miss" if forgiven else "missed")
    elif state is DayState.PENDING:
        parts.append("today, still open")
    elif state is DayState.NEUTRAL:
        parts.append(_NEUTRAL[practice])
    else:
        parts.append("done")
    if entries is not None:
        parts += _counts(entries, practice)
    return " · ".join(parts)


def _counts(entries: DayEntries, practice: Practice) -> list[str]:
    one, many = _NOUN[practice]
    if practice == "gratitude":
        return [plural(len(entries.gratitude), one, many)] if entries.gratitude else []
    done = [p for p in entries.pauses if p.outcome is Outcome.COMPLETED]
    others = len(entries.pauses) - len(done)
    counts = []
    if done:
        counts.append(plural(len(done), one, many) + _intentions(done))
    if others:
        counts.append(f"{others} not completed")
    return counts


def pause_line(p: PauseRecord) -> str:
    """"09:58  listen · Design review" (the outcome only when the pause did not complete)."""
    done = p.outcome is Outcome.COMPLETED
    intention = p.intention.value if p.intention is not None else None
    if done:
        what = intention or "completed"
    else:
        what = f"{p.outcome.value}, {intention}" if intention else p.outcome.value
    # Formatted by hand: this runs for every pause of every row the list lays out.
    return f"{p.at.hour:02d}:{p.at.minute:02d}  {what} · {p.meeting or 'a pause of your own'}"


def gratitude_heading(g: GratitudeRecord) -> str:
    """"To Sam · colleague · added later"."""
    parts = [f"To {g.recipient}"]
    if g.relationship:
        parts.append(g.relationship)
    if g.backfilled:
        parts.append("added later")
    return " · ".join(parts)


def day_counts(entries: DayEntries) -> str:
    """"2 of 3 pauses · 1 sentence" for the right side of a day's heading."""
    parts = []
    if entries.pauses:
        total = len(entries.pauses)
        done = entries.completed
        parts.append(f"{done} of {plural(total, 'pause', 'pauses')}" if done != total
                     else plural(total, "pause", "pauses"))
    if entries.gratitude:
        parts.append(plural(len(entries.gratitude), "sentence", "sentences"))
    return " · ".join(parts)


def day_text(entries: DayEntries, today: date | None = None) -> str:
    """The whole day as plain text (what assistive technology reads for a row)."""
    lines = [f"{long_day(entries.day, today)} · {day_counts(entries)}"]
    lines += [pause_line(p) for p in entries.pauses]
    for g in entries.gratitude:
        lines += [gratitude_heading(g), g.text]
    return "\n".join(lines)
