"""One screen's pause window as a user meets it: when it takes the keyboard, what it shows, and
that it fits any screen from 800x600 to 3840x2160."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import shiboken6
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QEnterEvent, QFont, QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

import microapp.ui.overlay as overlay
from microapp.core.pause_content import PauseContent
from microapp.core.records import Intention
from microapp.ui.pause_view import HELD_KEYS_LINE, PAUSE_NOW_LINE, PauseView, fit_lines
from microapp.ui.theme import DARK, LIGHT

NOW = datetime(2026, 3, 10, 9, 59, tzinfo=ZoneInfo("Europe/Berlin"))
LONG_TITLE = ("Quarterly planning with the product, design and platform teams about the "
              "roadmap for the second half of the year, hiring, budgets and the offsite")
LONG = PauseContent(titles=(LONG_TITLE,), start=NOW + timedelta(minutes=1),
                    service="Microsoft Teams", join_url="https://teams.microsoft.com/l/x")

_made: list[PauseView] = []
_spots = itertools.count()


def make(content: PauseContent = LONG, palette=LIGHT, size: tuple[int, int] | None = None,
         **kwargs) -> PauseView:
    kwargs.setdefault("when_text", content.when_text(NOW))
    if content.join_url:
        kwargs.setdefault("join_label", f"Join · {content.service}")
    view = PauseView(palette, content, **kwargs)
    _made.append(view)
    if size is not None:
        view.resize(*size)
    view.show()
    QApplication.processEvents()
    return view


@pytest.fixture(autouse=True)
def _close_views():
    yield
    while _made:
        view = _made.pop()
        if shiboken6.isValid(view):
            view.close()


@pytest.fixture
def big_font():
    """A user who reads at 13 pt."""
    app = QApplication.instance()
    before = QFont(app.font())
    font = QFont(before)
    font.setPointSizeF(13.0)
    app.setFont(font)
    yield
    app.setFont(before)


def fresh_x() -> int:
    return 30 + 11 * (next(_spots) % 40)


def test_the_app_finds_the_public_names_in_one_place() -> None:
    assert {"PauseSession", "PauseContent", "PauseView", "Chime"} <= set(overlay.__all__)


# -- reaching for the pause -------------------------------------------------------------------

def test_the_first_pointer_position_and_small_jitter_do_not_count(qtbot: QtBot) -> None:
    view = make()
    x = fresh_x()
    QTest.mouseMove(view, QPoint(x, 300))  # the pointer was resting here when it appeared
    QTest.mouseMove(view, QPoint(x + 2, 301))  # a nudge of the desk
    assert not view.keyboard_ready
    QTest.mouseMove(view, QPoint(x + 40, 320))  # the user's hand
    assert view.keyboard_ready


def test_an_enter_event_does_not_count(qtbot: QtBot) -> None:
    view = make()
    # X11 sends one when a window appears under a resting pointer.
    for position in (QPointF(300, 300), QPointF(500, 300)):
        enter = QEnterEvent(position, position, view.mapToGlobal(position))
        QApplication.sendEvent(view.windowHandle(), enter)
        QApplication.sendEvent(view, QEnterEvent(position, position, position))
    assert not view.keyboard_ready


def test_a_click_counts(qtbot: QtBot) -> None:
    view = make()
    chosen: list[str] = []
    view.intention_chosen.connect(chosen.append)
    qtbot.mouseClick(view.intention_buttons[Intention.NOTICE], Qt.MouseButton.LeftButton)
    assert view.keyboard_ready
    assert chosen == ["notice"]


def test_held_back_keys_are_never_swallowed_silently(qtbot: QtBot) -> None:
    view = make()
    seen: list[str] = []
    for signal in (view.intention_chosen, view.skip_requested, view.join_requested):
        signal.connect(lambda *args, s=signal: seen.append(str(s)))
    assert view.key_hint.isVisible() and not view.key_notice.isVisible()
    QTest.keyClicks(view, "hello 1")
    QTest.keyClick(view, Qt.Key.Key_Escape)
    assert seen == []
    assert view.key_notice.isVisible() and view.key_notice.text() == HELD_KEYS_LINE
    x = fresh_x()
    for dx in (0, 1, 30):
        QTest.mouseMove(view, QPoint(x + dx, 200))
    assert view.key_hint.isVisible() and not view.key_notice.isVisible()


def test_keys_reaching_the_window_before_the_user_never_reach_a_button(qtbot: QtBot) -> None:
    view = make()
    button = view.intention_buttons[Intention.LISTEN]
    assert button.focusPolicy() == Qt.FocusPolicy.NoFocus
    chosen: list[str] = []
    view.intention_chosen.connect(chosen.append)
    # Suppose a platform activated the window and focus landed on a button anyway: a key
    # delivered through the window (as the platform delivers it) is stopped before it.
    view.activateWindow()
    qtbot.waitUntil(view.isActiveWindow, timeout=1000)
    button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    button.setFocus()
    assert button.hasFocus()
    QTest.keyClick(view.windowHandle(), Qt.Key.Key_Space)
    QTest.keyClick(view.windowHandle(), Qt.Key.Key_2)
    assert chosen == [] and not button.isChecked()


def test_ready_keys_map_to_requests(qtbot: QtBot) -> None:
    view = make()
    view.make_keyboard_ready()
    seen: list[object] = []
    view.intention_chosen.connect(seen.append)
    view.join_requested.connect(lambda: seen.append("join"))
    view.skip_requested.connect(lambda: seen.append("skip"))
    for key in (Qt.Key.Key_3, Qt.Key.Key_Enter, Qt.Key.Key_Return, Qt.Key.Key_Escape):
        QTest.keyClick(view, key)
    assert seen == ["encourage", "join", "join", "skip"]


def test_a_close_by_the_window_manager_is_reported(qtbot: QtBot) -> None:
    view = make()
    with qtbot.waitSignal(view.closed, timeout=1000):
        view.close()


# -- what it shows ------------------------------------------------------------------------------

def test_pause_now_has_a_quiet_line_and_no_join(qtbot: QtBot) -> None:
    view = make(PauseContent())
    assert view.heading.text() == "A doorway pause"
    assert view.when.text() == PAUSE_NOW_LINE
    assert view.join_button is None


def test_a_long_title_is_cut_to_two_lines_and_kept_whole_in_the_tooltip(qtbot: QtBot) -> None:
    view = make(size=(1280, 800))
    assert view.heading.text().endswith("…")
    assert len(view.heading.text()) < len(f"Before {LONG_TITLE}")
    assert view.heading.toolTip() == f"Before {LONG_TITLE}"
    line = view.heading.fontMetrics().lineSpacing()
    assert view.heading.height() <= 2 * line + 4


def test_fit_lines_leaves_short_text_alone() -> None:
    font = QGuiApplication.font()
    assert fit_lines("Before 1:1", font, 400, 2) == "Before 1:1"
    cut = fit_lines("word " * 200, font, 200, 2)
    assert cut.endswith("…") and len(cut) < 200
    assert fit_lines("x" * 500, font, 100, 1).endswith("…")  # one endless word


@pytest.mark.parametrize("palette", [LIGHT, DARK])
def test_it_fits_a_small_screen_with_large_type(qtbot: QtBot, big_font, palette) -> None:
    view = make(palette=palette, size=(800, 600))
    QApplication.processEvents()
    assert view.size().width() == 800 and view.size().height() == 600  # never grows past it
    window = view.rect()
    card = view.card.geometry()
    assert window.contains(card)
    inside = [view.heading, view.when, view.guide, view.cue, view.countdown, view.key_hint,
              view.join_button, *view.intention_buttons.values()]
    for widget in inside:
        assert view.card.rect().contains(widget.geometry()), widget.objectName()
    # nothing squeezed on top of anything else
    assert view.guide.geometry().bottom() < view.cue.geometry().top()
    assert view.heading.geometry().bottom() < view.when.geometry().top()
    buttons = list(view.intention_buttons.values())
    assert buttons[0].geometry().bottom() < view.join_button.geometry().top()
    for button in buttons:
        assert button.height() >= button.heightForWidth(button.width())
    # the heading keeps clear of the close button
    heading = view.heading.geometry().translated(view.card.pos())
    assert heading.right() < view.close_button.geometry().left()


def test_it_is_not_lost_on_a_large_screen(qtbot: QtBot) -> None:
    small = make(PauseContent(), size=(1280, 800))
    large = make(PauseContent(), size=(3840, 2160))
    assert large.card.width() >= 1.9 * small.card.width()
    assert large.guide.width() >= 1.9 * small.guide.width()
    assert large.heading.font().pointSizeF() >= 1.9 * small.heading.font().pointSizeF()
    assert large.close_button.width() >= 1.9 * small.close_button.width()


def test_it_covers_the_screen_it_is_placed_on(qtbot: QtBot) -> None:
    screen = QGuiApplication.primaryScreen()
    view = make(screen=screen)
    assert view.target_screen is screen
    assert view.geometry() == screen.geometry()
