"""Leaving the evening reflection window: closing, Esc, "remind me later" and "not tonight"
ask before an unsaved sentence goes, and the micro-round is never lost on the way out."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from peewee import OperationalError
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from microapp.core.paths import Profile
from microapp.store.history import History
from tests.gui.reflection_helpers import (
    WindowFactory,
    answer_discard_question,
    berlin,
    open_history,
    window_factory,
)
from tests.helpers import FakeClock

TONIGHT = date(2026, 3, 10)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(berlin(3, 10, 21, 0))


@pytest.fixture
def history(profile: Profile, clock: FakeClock) -> Iterator[History]:
    yield from open_history(profile, clock)


@pytest.fixture
def make(qtbot: QtBot, history: History, clock: FakeClock,
         monkeypatch: pytest.MonkeyPatch) -> WindowFactory:
    return window_factory(qtbot, history, clock, monkeypatch)


def test_closing_with_an_unsaved_sentence_asks_and_keep_writing_keeps_it(
        make: WindowFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    window = make()
    window.sentence.edit.setPlainText("Half a thought")
    asked = answer_discard_question(monkeypatch, "Keep writing")
    assert not window.close()
    assert asked and window.isVisible()
    assert window.sentence.text == "Half a thought"


def test_discard_really_discards(make: WindowFactory, history: History,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    window = make()
    window.who.name_edit.setText("Ana")
    window.sentence.edit.setPlainText("Half a thought")
    answer_discard_question(monkeypatch, "Discard")
    assert window.close()
    assert not window.isVisible()
    assert not window.has_unsaved_text() and window.who.name_edit.text() == ""
    assert history.gratitude_on(TONIGHT) == []


def test_escape_closes_by_the_same_rule(qtbot: QtBot, make: WindowFactory,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    window = make()
    answer_discard_question(monkeypatch, None)
    qtbot.keyClick(window.sentence.edit, Qt.Key.Key_Escape)  # nothing written: no question
    assert not window.isVisible()
    window.open_for_today()
    window.sentence.edit.setPlainText("Half a thought")
    asked = answer_discard_question(monkeypatch, "Keep writing")
    qtbot.keyClick(window.sentence.edit, Qt.Key.Key_Escape)
    assert asked and window.isVisible()


@pytest.mark.parametrize(("button", "signal", "args"), [
    ("later_15", "snooze_requested", ["15m"]),
    ("later_60", "snooze_requested", ["1h"]),
    ("not_tonight", "not_tonight_requested", []),
])
def test_later_and_not_tonight_hide_the_window_and_ask_first_when_needed(
        qtbot: QtBot, make: WindowFactory, monkeypatch: pytest.MonkeyPatch,
        button: str, signal: str, args: list[str]) -> None:
    window = make()
    window.sentence.edit.setPlainText("Half a thought")
    answer_discard_question(monkeypatch, "Keep writing")
    with qtbot.assertNotEmitted(getattr(window, signal)):
        getattr(window, button).click()
    assert window.isVisible()
    answer_discard_question(monkeypatch, "Discard")
    with qtbot.waitSignal(getattr(window, signal)) as emitted:
        getattr(window, button).click()
    assert emitted.args == args
    assert not window.isVisible()


def test_a_failed_micro_round_save_keeps_the_notes(
        make: WindowFactory, history: History, monkeypatch: pytest.MonkeyPatch) -> None:
    window = make()
    window.day.fields["confusing"].setText("The new expense tool")

    def locked(*args: object, **kwargs: object) -> None:
        raise OperationalError("database is locked")

    monkeypatch.setattr(history, "save_micro_round", locked)
    answer_discard_question(monkeypatch, None)
    assert not window.close()  # says why and stays, once
    assert "database is locked" in window.status.text()
    assert window.day.fields["confusing"].text() == "The new expense tool"
    assert window.close()  # the second time it lets the user go; the notes stay in the window
    assert window.day.fields["confusing"].text() == "The new expense tool"
