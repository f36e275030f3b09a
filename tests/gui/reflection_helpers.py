"""Shared pieces for the evening reflection window tests: a real History on a temporary
SQLite file, a window factory, a recording opener and a scripted answer to "discard?"."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from microapp.core.paths import Profile
from microapp.store.db import open_store
from microapp.store.history import History
from microapp.ui.reflection_parts import SentenceSection
from microapp.ui.reflection_window import ReflectionWindow
from microapp.ui.theme import LIGHT, Palette
from tests.helpers import FakeClock

BERLIN = ZoneInfo("Europe/Berlin")
EVENING_AT = time(20, 30)
DAY_STARTS_AT = time(4, 0)


def berlin(month: int, day: int, hh: int, mm: int = 0) -> datetime:
    return datetime(2026, month, day, hh, mm, tzinfo=BERLIN)


def open_history(profile: Profile, clock: FakeClock) -> Iterator[History]:
    opened = open_store(profile.database_path, clock.now())
    assert opened.persistent and opened.problem is None
    history = History(opened.db, DAY_STARTS_AT)
    yield history
    history.close()


class Opener:
    """Stands in for the desktop: records every URL it is asked to open."""

    def __init__(self, result: bool = True) -> None:
        self.result = result
        self.urls: list[str] = []

    def __call__(self, url: str) -> bool:
        self.urls.append(url)
        return self.result


WindowFactory = Callable[..., ReflectionWindow]


def window_factory(qtbot: QtBot, history: History, clock: FakeClock,
                   monkeypatch: pytest.MonkeyPatch) -> WindowFactory:
    """Windows that compute hints at once (no debounce to wait out) and are shown for today."""
    monkeypatch.setattr(SentenceSection, "HINT_DELAY_MS", 0)

    def make(palette: Palette = LIGHT, *, opener: Opener | None = None,
             show: bool = True) -> ReflectionWindow:
        window = ReflectionWindow(palette, history, clock, day_starts_at=DAY_STARTS_AT,
                                  evening_at=EVENING_AT, opener=opener or Opener())
        # A draft left by a test would make the closing window ask (and wait) at teardown.
        qtbot.addWidget(window, before_close_func=lambda w: w.discard())
        if show:
            window.open_for_today()
            qtbot.waitExposed(window)
            qtbot.waitUntil(window.isActiveWindow)  # it takes the keyboard: it was asked for
        return window

    return make


def answer_discard_question(monkeypatch: pytest.MonkeyPatch, answer: str | None) -> list[str]:
    """Make "Keep writing / Discard?" answer itself by clicking the button labelled
    ``answer`` (None: the question must not be asked). Returns the questions asked."""
    asked: list[str] = []

    def exec_(box: QMessageBox) -> int:
        asked.append(box.text())
        if answer is None:
            raise AssertionError(f"unexpected question: {box.text()}")
        for button in box.buttons():
            if button.text().replace("&", "") == answer:
                button.click()
                return 0
        raise AssertionError(f"no button {answer!r} in {[b.text() for b in box.buttons()]}")

    monkeypatch.setattr(QMessageBox, "exec", exec_)
    return asked


def focused() -> QWidget | None:
    return QApplication.focusWidget()


def type_entry(qtbot: QtBot, window: ReflectionWindow, name: str, sentence: str) -> None:
    qtbot.keyClicks(window.who.name_edit, name)
    window.who.completer.popup().hide()
    window.sentence.edit.setPlainText(sentence)
