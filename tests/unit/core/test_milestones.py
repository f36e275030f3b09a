"""Tests for microapp.core.milestones: which markers a run reached, what comes next, the words."""

from __future__ import annotations

import pytest

from microapp.core.milestones import (
    MILESTONES,
    badge,
    highest_reached,
    next_milestone,
    phrase,
    reached,
)


def test_the_milestones_are_the_four_from_the_issue() -> None:
    assert MILESTONES == (7, 30, 100, 365)


@pytest.mark.parametrize(
    ("days", "expected"),
    [(0, ()), (6, ()), (7, (7,)), (29, (7,)), (30, (7, 30)), (99, (7, 30)),
     (100, (7, 30, 100)), (365, MILESTONES), (4000, MILESTONES)],
)
def test_reached_lists_every_marker_up_to_the_run(days: int, expected: tuple[int, ...]) -> None:
    assert reached(days) == expected
    assert highest_reached(days) == (expected[-1] if expected else None)


@pytest.mark.parametrize(
    ("days", "expected"),
    [(0, 7), (6, 7), (7, 30), (30, 100), (99, 100), (100, 365), (364, 365), (365, None)],
)
def test_next_milestone_is_the_first_one_still_ahead(days: int, expected: int | None) -> None:
    assert next_milestone(days) == expected


def test_every_milestone_has_its_own_phrase_for_both_practices() -> None:
    for practice in ("pause", "gratitude"):
        words = [phrase(m, practice) for m in MILESTONES]
        assert len(set(words)) == len(MILESTONES)
        assert all(w and w == w.strip() for w in words)


def test_the_words_are_gentle() -> None:
    harsh = ("fail", "lost", "broke", "miss", "again", "don't", "must", "should", "!")
    for practice in ("pause", "gratitude"):
        for m in MILESTONES:
            assert not any(h in phrase(m, practice).lower() for h in harsh)


def test_a_badge_names_the_highest_milestone_reached() -> None:
    assert badge(6) is None
    assert badge(31) == "30 days · a month of doorways"
    assert badge(120, "gratitude") == "100 days · a hundred kind sentences"


def test_an_unknown_milestone_or_practice_is_refused() -> None:
    with pytest.raises(ValueError, match="no milestone"):
        phrase(8)
    with pytest.raises(ValueError, match="no milestone"):
        phrase(7, "running")  # type: ignore[arg-type]
