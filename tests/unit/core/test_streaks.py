"""Tests for microapp.core.streaks: worked examples, a table of cases and properties."""

from __future__ import annotations

import itertools
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from microapp.core.streaks import (
    EMPTY,
    PAUSE_OUTCOMES,
    STRENGTH_MULTIPLIER,
    DayState,
    StreakSummary,
    gratitude_day_states,
    gratitude_streaks,
    pause_day_states,
    pause_streaks,
    summarize,
)

M = STRENGTH_MULTIPLIER
TODAY = date(2024, 3, 31)  # a Sunday, and a DST night in Europe: dates must not care
ONE = timedelta(days=1)

_SYMBOLS = {
    "D": DayState.DONE,
    "M": DayState.MISSED,
    "N": DayState.NEUTRAL,
    "·": DayState.PENDING,
}


def states_of(pattern: str, today: date = TODAY) -> dict[date, DayState]:
    """Turn "D D M N ·" (D done, M missed, N neutral, · pending) into states ending today."""
    tokens = pattern.split()
    first = today - timedelta(days=len(tokens) - 1)
    return {first + timedelta(days=i): _SYMBOLS[token] for i, token in enumerate(tokens)}


def summary_of(pattern: str, today: date = TODAY) -> StreakSummary:
    return summarize(states_of(pattern, today), today)


def offsets(days: frozenset[date], pattern: str, today: date = TODAY) -> list[int]:
    """Indices (into the pattern's tokens) of ``days``."""
    first = today - timedelta(days=len(pattern.split()) - 1)
    return sorted((day - first).days for day in days)


# --- The worked examples from the spec ------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "current", "longest", "forgiven"),
    [
        ("D D M D N D ·", 4, 4, [2]),
        ("D D M M D ·", 1, 2, []),
        ("D M D D M D ·", 1, 3, [1]),
        ("D D D M ·", 3, 3, [3]),
    ],
)
def test_worked_examples(pattern: str, current: int, longest: int, forgiven: list[int]) -> None:
    summary = summary_of(pattern)
    assert (summary.current, summary.longest) == (current, longest)
    assert offsets(summary.forgiven, pattern) == forgiven


# --- A table of cases -----------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    id: str
    make: Callable[[], StreakSummary]
    current: int
    longest: int
    strength: float | None = None


def _pattern(pattern: str) -> Callable[[], StreakSummary]:
    return lambda: summary_of(pattern)


def _weekday_on_or_before(day: date, weekday: int) -> date:
    return day - timedelta(days=(day.weekday() - weekday) % 7)


_MONDAY = _weekday_on_or_before(TODAY, 0)  # 2024-03-25

CASES = [
    Case("empty history", lambda: summarize({}, TODAY), 0, 0, 0.0),
    Case("empty pause history", lambda: pause_streaks({}, TODAY), 0, 0, 0.0),
    Case("only empty pause days", lambda: pause_streaks({TODAY - ONE: []}, TODAY), 0, 0, 0.0),
    Case("all done", _pattern("D D D D D"), 5, 5, 1 - M**5),
    Case("all done, today pending", _pattern("D D D D ·"), 4, 4, 1 - M**4),
    Case("only today, done", _pattern("D"), 1, 1, 1 - M),
    Case("only today, pending", _pattern("·"), 0, 0, 0.0),
    Case("one done day, today pending", _pattern("D ·"), 1, 1, 1 - M),
    Case("done then missed (forgiven)", _pattern("D M ·"), 1, 1, (1 - M) * M),
    Case("done, two misses", _pattern("D M M ·"), 0, 1, (1 - M) * M * M),
    Case("miss on the first day is forgiven", _pattern("M D D ·"), 2, 2),
    Case("two misses on the first days", _pattern("M M D ·"), 1, 1),
    Case("lone miss on the only past day", _pattern("M ·"), 0, 0, 0.0),
    Case("forgiven misses 7 days apart", _pattern("D M D D D D D D M D ·"), 8, 8),
    Case("misses 6 days apart: second not forgiven", _pattern("D M D D D D D M D ·"), 1, 6),
    Case("miss then neutral days, then done", _pattern("D D M N N D ·"), 3, 3),
    Case("miss then neutral days up to today", _pattern("D D M N N ·"), 2, 2),
    Case("two misses then neutral days", _pattern("D D M M N N ·"), 0, 2),
    Case("neutral days only after the first", _pattern("D N N N ·"), 1, 1, 1 - M),
    Case("unforgiven miss then today done", _pattern("D D M M D"), 1, 2),
    Case(
        # Mon..Sun; weekends are rest days. Sat without entry is neutral, Sun is today.
        "gratitude: rest weekend passed over",
        lambda: gratitude_streaks(
            [_MONDAY + timedelta(days=i) for i in range(5)], _MONDAY + timedelta(days=6), {5, 6}
        ),
        5,
        5,
    ),
    Case(
        "gratitude: without rest days the weekend day is a miss",
        lambda: gratitude_streaks(
            [_MONDAY + timedelta(days=i) for i in (0, 1, 2, 3, 4, 7)],
            _MONDAY + timedelta(days=7),
            (),
        ),
        1,
        5,
    ),
    Case(
        "gratitude: an entry on a rest weekday counts as done",
        lambda: gratitude_streaks(
            [_MONDAY + timedelta(days=i) for i in range(7)], _MONDAY + timedelta(days=6), {5, 6}
        ),
        7,
        7,
        1 - M**7,
    ),
    Case(
        "pause: days after today are ignored",
        lambda: pause_streaks(
            {
                TODAY - ONE: ["completed"],
                TODAY + ONE: ["completed"],
                TODAY + 2 * ONE: ["skipped"],
            },
            TODAY,
        ),
        1,
        1,
        1 - M,
    ),
    Case(
        "gratitude: days after today are ignored",
        lambda: gratitude_streaks([TODAY + ONE, TODAY + 5 * ONE], TODAY),
        0,
        0,
        0.0,
    ),
    Case(
        "pause: skipped, suppressed and missed pauses make a missed day",
        lambda: pause_streaks(
            {
                TODAY - 4 * ONE: ["completed"],
                TODAY - 3 * ONE: ["skipped", "suppressed"],
                TODAY - 2 * ONE: ["missed"],
                TODAY - ONE: ["skipped", "completed"],
            },
            TODAY,
        ),
        1,
        1,
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_table(case: Case) -> None:
    summary = case.make()
    assert (summary.current, summary.longest) == (case.current, case.longest)
    if case.strength is not None:
        assert summary.strength == pytest.approx(case.strength, abs=1e-12)


# --- Day states -----------------------------------------------------------------------------


def test_pause_day_states() -> None:
    start = TODAY - 4 * ONE
    states = pause_day_states(
        {
            start - ONE: [],  # empty: neutral, and not the first event
            start: iter(["skipped"]),  # any iterable, consumed once
            start + ONE: ("completed",),
            # start + 2: absent -> neutral
            start + 3 * ONE: ["suppressed", "missed"],
            TODAY: ["skipped"],
            TODAY + ONE: ["completed"],
        },
        TODAY,
    )
    assert states == {
        start: DayState.MISSED,
        start + ONE: DayState.DONE,
        start + 2 * ONE: DayState.NEUTRAL,
        start + 3 * ONE: DayState.MISSED,
        TODAY: DayState.PENDING,
    }


@pytest.mark.parametrize(
    ("today_outcomes", "expected"),
    [
        (None, DayState.PENDING),
        ([], DayState.PENDING),
        (["skipped"], DayState.PENDING),
        (["missed", "completed"], DayState.DONE),
    ],
)
def test_pause_today_is_done_or_pending(
    today_outcomes: list[str] | None, expected: DayState
) -> None:
    data: dict[date, list[str]] = {TODAY - 2 * ONE: ["completed"]}
    if today_outcomes is not None:
        data[TODAY] = today_outcomes
    assert pause_day_states(data, TODAY)[TODAY] is expected


def test_gratitude_day_states_rest_weekdays() -> None:
    friday = _MONDAY + timedelta(days=4)
    next_monday = _MONDAY + timedelta(days=7)
    states = gratitude_day_states(
        [friday, friday, _MONDAY + timedelta(days=6)], next_monday + ONE, rest_weekdays={5, 6, 0}
    )
    assert list(states.values()) == [
        DayState.DONE,  # Fri
        DayState.NEUTRAL,  # Sat (rest)
        DayState.DONE,  # Sun (rest, but written)
        DayState.NEUTRAL,  # Mon (rest)
        DayState.PENDING,  # Tue, today
    ]
    assert list(states) == [friday + i * ONE for i in range(5)]


def test_gratitude_today_on_rest_day_is_pending() -> None:
    sunday = TODAY
    assert sunday.weekday() == 6
    assert gratitude_day_states([sunday - ONE], sunday, {6})[sunday] is DayState.PENDING


def test_invalid_rest_weekday() -> None:
    with pytest.raises(ValueError, match="rest weekdays"):
        gratitude_day_states([TODAY], TODAY, {7})


def test_datetimes_are_refused() -> None:
    instant = datetime(2024, 3, 30, 12, tzinfo=UTC)
    with pytest.raises(TypeError):
        gratitude_streaks([instant], TODAY)
    with pytest.raises(TypeError):
        pause_streaks({instant: ["completed"]}, TODAY)
    with pytest.raises(TypeError):
        summarize({TODAY: DayState.DONE}, instant)


def test_summary_states_cover_every_day_and_are_read_only() -> None:
    states = {TODAY - 5 * ONE: DayState.DONE, TODAY - 2 * ONE: DayState.MISSED}
    summary = summarize(states, TODAY)
    assert list(summary.states) == [TODAY - i * ONE for i in range(5, -1, -1)]
    assert summary.states[TODAY - 4 * ONE] is DayState.NEUTRAL
    assert summary.states[TODAY] is DayState.PENDING
    assert summary.forgiven == frozenset({TODAY - 2 * ONE})
    with pytest.raises(TypeError):
        summary.states[TODAY] = DayState.DONE  # type: ignore[index]
    hash(summary)  # frozen and hashable despite the mapping


def test_summarize_normalises_input() -> None:
    # A stale PENDING in the past says nothing: neutral. A MISSED "today" cannot be: pending.
    raw: dict[date, str] = {
        TODAY - 2 * ONE: "done",
        TODAY - ONE: DayState.PENDING,
        TODAY: DayState.MISSED,
    }
    summary = summarize(raw, TODAY)  # type: ignore[arg-type]
    assert list(summary.states.values()) == [DayState.DONE, DayState.NEUTRAL, DayState.PENDING]
    assert summarize({TODAY + ONE: DayState.DONE}, TODAY) == EMPTY


def test_as_dict() -> None:
    assert summary_of("D D M ·").as_dict() == {
        "current": 2,
        "longest": 2,
        "strength": round((1 - M**2) * M, 3),
    }
    assert EMPTY.as_dict() == {"current": 0, "longest": 0, "strength": 0.0}
    assert EMPTY.states == {}


def test_pause_outcomes() -> None:
    assert PAUSE_OUTCOMES == ("completed", "skipped", "suppressed", "missed")
    assert pytest.approx(0.5) == STRENGTH_MULTIPLIER**13


# --- Documented non-properties ----------------------------------------------------------------
# Forgiveness is greedy (left to right) over calendar days, so a change early in the history can
# move which later misses are forgiven. These pin the consequences down so nobody "fixes" them.


def test_turning_a_past_miss_into_done_can_lower_current_and_longest() -> None:
    # Before: both early misses are unforgiven (adjacent), the third one is forgiven.
    # After: the second miss becomes forgiven and blocks the third (2 days later).
    assert summary_of("M M D M ·").current == 1
    assert summary_of("D M D M ·").current == 0
    assert summary_of("M M D M D D ·").longest == 3
    assert summary_of("D M D M D D ·").longest == 2


def test_inserting_a_neutral_day_can_move_the_forgiveness_window() -> None:
    assert summary_of("M D D D D D M D ·").current == 1  # misses 6 days apart
    assert summary_of("M N D D D D D M D ·").current == 6  # 7 days apart: both forgiven
    assert summary_of("M M D M ·").current == 1
    assert summary_of("M N M D M ·").current == 0  # the first miss is now forgiven


# --- Properties -----------------------------------------------------------------------------


def reference(tokens: list[str]) -> tuple[int, int, float, set[int]]:
    """A direct, slow transcription of the spec on a token list ending with today."""
    n = len(tokens)
    forgiven: set[int] = set()
    for i, token in enumerate(tokens):
        if token != "M":
            continue
        before_missed = i > 0 and tokens[i - 1] == "M"
        after_missed = i + 1 < n and tokens[i + 1] == "M"
        recent = any(j in forgiven for j in range(i - 6, i))
        if not (before_missed or after_missed or recent):
            forgiven.add(i)
    runs: list[list[int]] = [[]]
    for i, token in enumerate(tokens):
        if token == "M" and i not in forgiven:
            runs.append([])
        else:
            runs[-1].append(i)

    def run_length(i: int) -> int:
        run = next(r for r in runs if i in r)
        return sum(tokens[j] == "D" for j in run)

    i = n - 1
    if tokens[i] == "·":
        i -= 1
    while i >= 0 and tokens[i] == "N":
        i -= 1
    reached_unforgiven_miss = i >= 0 and tokens[i] == "M" and i not in forgiven
    current = 0 if i < 0 or reached_unforgiven_miss else run_length(i)
    longest = max((sum(tokens[j] == "D" for j in run) for run in runs), default=0)
    strength = 0.0
    for token in tokens:
        if token in "DM":
            strength = strength * M + (1 - M) * (token == "D")
    return current, longest, strength, forgiven


past_days = st.lists(st.sampled_from("DMN"), max_size=60)
today_token = st.sampled_from("D·")


def tokens_of(past: list[str], today: str) -> list[str]:
    return [*past, today]


def summary_of_tokens(tokens: list[str], today: date = TODAY) -> StreakSummary:
    return summary_of(" ".join(tokens), today)


def numbers(summary: StreakSummary) -> tuple[int, int, float]:
    return summary.current, summary.longest, summary.strength


@settings(max_examples=500)
@given(past_days, today_token)
def test_matches_reference(past: list[str], today: str) -> None:
    tokens = tokens_of(past, today)
    summary = summary_of_tokens(tokens)
    current, longest, strength, forgiven = reference(tokens)
    assert (summary.current, summary.longest) == (current, longest)
    assert summary.strength == pytest.approx(strength, abs=1e-12)
    assert offsets(summary.forgiven, " ".join(tokens)) == sorted(forgiven)


@given(past_days, today_token)
def test_invariants(past: list[str], today: str) -> None:
    summary = summary_of_tokens(tokens_of(past, today))
    assert 0.0 <= summary.strength <= 1.0
    assert 0 <= summary.current <= summary.longest
    assert summary.longest <= sum(s is DayState.DONE for s in summary.states.values())
    forgiven = sorted(summary.forgiven)
    for day in forgiven:
        assert summary.states[day] is DayState.MISSED
        assert summary.states.get(day - ONE) is not DayState.MISSED
        assert summary.states.get(day + ONE) is not DayState.MISSED
    for earlier, later in itertools.pairwise(forgiven):
        assert (later - earlier).days >= 7


@given(past_days)
def test_finishing_today_adds_exactly_one(past: list[str]) -> None:
    pending = summary_of_tokens(tokens_of(past, "·"))
    done = summary_of_tokens(tokens_of(past, "D"))
    assert done.current == pending.current + 1
    assert done.longest >= pending.longest
    assert done.strength >= pending.strength
    assert done.forgiven == pending.forgiven


@given(past_days, today_token, st.data())
def test_past_neutral_day_done_never_lowers(
    past: list[str], today: str, data: st.DataObject
) -> None:
    neutral = [i for i, token in enumerate(past) if token == "N"]
    if not neutral:
        return
    i = data.draw(st.sampled_from(neutral))
    before = summary_of_tokens(tokens_of(past, today))
    after = summary_of_tokens(tokens_of([*past[:i], "D", *past[i + 1 :]], today))
    assert after.current >= before.current
    assert after.longest >= before.longest
    assert after.strength >= before.strength
    assert after.forgiven == before.forgiven


@given(past_days, today_token, st.data())
def test_past_missed_day_done(past: list[str], today: str, data: st.DataObject) -> None:
    missed = [i for i, token in enumerate(past) if token == "M"]
    if not missed:
        return
    i = data.draw(st.sampled_from(missed))
    before = summary_of_tokens(tokens_of(past, today))
    after = summary_of_tokens(tokens_of([*past[:i], "D", *past[i + 1 :]], today))
    # Strength is a positive-weighted sum of the day values, so it can only grow...
    assert after.strength >= before.strength - 1e-12
    # ...but current and longest can fall (see the documented example above), except when the
    # changed day is the last miss: then no later forgiveness depends on it.
    if i == missed[-1]:
        assert after.current >= before.current
        assert after.longest >= before.longest


@given(past_days, today_token, st.data())
def test_inserting_neutral_days(past: list[str], today: str, data: st.DataObject) -> None:
    position = data.draw(st.integers(min_value=0, max_value=len(past)))
    count = data.draw(st.integers(min_value=1, max_value=10))
    before = summary_of_tokens(tokens_of(past, today))
    after = summary_of_tokens(tokens_of([*past[:position], *"N" * count, *past[position:]], today))
    # Strength never looks at neutral days.
    assert after.strength == before.strength
    # Current and longest are unchanged when nothing is missed, or when the neutral days go
    # just before today (no distance between two misses changes). In general the calendar
    # distances that forgiveness depends on change: see the documented example above.
    if "M" not in past or position == len(past):
        assert (after.current, after.longest) == (before.current, before.longest)
        assert len(after.forgiven) == len(before.forgiven)


@given(past_days, today_token, st.integers(min_value=-20_000, max_value=20_000))
def test_only_relative_dates_matter(past: list[str], today: str, shift: int) -> None:
    tokens = tokens_of(past, today)
    moved_today = TODAY + timedelta(days=shift)
    assert numbers(summary_of_tokens(tokens, moved_today)) == numbers(summary_of_tokens(tokens))


@contextmanager
def _time_zone(name: str) -> Iterator[None]:
    old = os.environ.get("TZ")
    os.environ["TZ"] = name
    time.tzset()
    try:
        yield
    finally:
        if old is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = old
        time.tzset()


@pytest.mark.skipif(not hasattr(time, "tzset"), reason="needs time.tzset (POSIX)")
@settings(max_examples=30)
@given(
    st.dictionaries(
        st.dates(min_value=date(2023, 1, 1), max_value=date(2024, 12, 31)),
        st.lists(st.sampled_from(PAUSE_OUTCOMES), max_size=4),
        max_size=40,
    ),
    st.dates(min_value=date(2023, 1, 1), max_value=date(2024, 12, 31)),
    st.sets(st.integers(min_value=0, max_value=6), max_size=3),
)
def test_independent_of_time_zone(
    outcomes: dict[date, list[str]], today: date, rest: set[int]
) -> None:
    def compute() -> tuple[StreakSummary, StreakSummary]:
        return pause_streaks(outcomes, today), gratitude_streaks(outcomes, today, rest)

    expected = compute()
    for zone in ("UTC", "Pacific/Kiritimati", "America/St_Johns", "Europe/Berlin", "Etc/GMT+12"):
        with _time_zone(zone):
            assert compute() == expected


@given(
    st.dictionaries(
        st.dates(min_value=TODAY - timedelta(days=90), max_value=TODAY + timedelta(days=5)),
        st.lists(st.sampled_from(PAUSE_OUTCOMES), max_size=3),
    )
)
def test_pause_states_are_contiguous_and_consistent(outcomes: dict[date, list[str]]) -> None:
    states = pause_day_states(outcomes, TODAY)
    with_events = [day for day, outs in outcomes.items() if outs and day <= TODAY]
    if not with_events:
        assert states == {}
        return
    assert list(states) == [min(with_events) + i * ONE for i in range(len(states))]
    assert max(states) == TODAY
    for day, state in states.items():
        outs = outcomes.get(day, [])
        if "completed" in outs:
            assert state is DayState.DONE
        elif day == TODAY:
            assert state is DayState.PENDING
        else:
            assert state is (DayState.MISSED if outs else DayState.NEUTRAL)
    assert pause_streaks(outcomes, TODAY) == summarize(states, TODAY)
