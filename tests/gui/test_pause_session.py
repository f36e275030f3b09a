"""The doorway pause across screens: its lifecycle and outcomes, choosing on every screen,
the breath and reduce motion, screens coming and going, and what it shows."""

from __future__ import annotations

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from microapp.core.pause_content import PauseContent
from microapp.core.records import Intention
from microapp.ui.breath import BreathGuide
from microapp.ui.pause_session import PauseSession
from microapp.ui.pause_view import PauseView
from microapp.ui.theme import DARK
from tests.gui.pause_helpers import NO_LINK, NOW, make, reach, recorder

# -- lifecycle ------------------------------------------------------------------------------

def test_it_runs_its_course_and_completes_with_the_chosen_intention(qtbot: QtBot,
                                                                     quick_pause) -> None:
    session = make()
    with qtbot.waitSignal(session.finished, timeout=3000) as blocker:
        session.start()
        assert session.views and all(view.isVisible() for view in session.views)
        session.choose(Intention.LISTEN)
    assert blocker.args == ["completed", "listen"]
    assert session.done and session.intention is Intention.LISTEN
    qtbot.waitSignal(session.closed, timeout=3000, raising=False)
    qtbot.waitUntil(lambda: not session.views, timeout=3000)


def test_without_a_choice_the_intention_is_empty(qtbot: QtBot, quick_pause) -> None:
    session = make(NO_LINK)
    with qtbot.waitSignal(session.finished, timeout=3000) as blocker:
        session.start()
    assert blocker.args == ["completed", ""]


def test_one_view_per_screen_covering_it_frameless_on_top(qtbot: QtBot, long_pause) -> None:
    session = make()
    session.start()
    screens = QGuiApplication.screens()
    assert len(session.views) == len(screens)
    for view, screen in zip(session.views, screens, strict=True):
        assert view.target_screen is screen
        assert view.geometry() == screen.geometry()
        assert view.windowFlags() & Qt.WindowType.FramelessWindowHint
        assert view.windowFlags() & Qt.WindowType.WindowStaysOnTopHint
        assert view.testAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)


def test_escape_leaves_at_once_as_skipped(qtbot: QtBot, long_pause) -> None:
    session = make()
    session.start()
    view = session.views[0]
    reach(view)
    QTest.keyClick(view, Qt.Key.Key_2)
    with qtbot.waitSignal(session.finished, timeout=1000) as blocker:
        QTest.keyClick(view, Qt.Key.Key_Escape)
    assert blocker.args == ["skipped", "listen"]
    assert not session.views


def test_the_close_button_leaves_as_skipped(qtbot: QtBot, long_pause) -> None:
    session = make()
    session.start()
    button = session.views[0].close_button
    assert button.isVisible() and button.accessibleName()
    with qtbot.waitSignal(session.finished, timeout=1000) as blocker:
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert blocker.args == ["skipped", ""]
    assert not session.views


def test_a_view_closed_by_the_window_manager_skips_and_closes_every_view(
        qtbot: QtBot, long_pause) -> None:
    session = make()
    session.start()
    other = session._add_view(session.views[0].target_screen)  # a second view to watch
    with qtbot.waitSignal(session.finished, timeout=1000) as blocker:
        session.views[0].close()
    assert blocker.args == ["skipped", ""]
    assert not session.views and not (shiboken6.isValid(other) and other.isVisible())


def test_it_reports_exactly_once_whatever_happens_after(qtbot: QtBot, quick_pause) -> None:
    session = make()
    seen = recorder(session.finished)
    closed = recorder(session.closed)
    session.start()
    session.views[0].close()
    session.skip()
    session.choose(Intention.NOTICE)  # too late: nothing changes
    session.skip()
    assert seen == [("skipped", "")]
    assert closed == [()]
    assert session.intention is None
    assert not session._end_timer.isActive() and not session._tick.isActive()


def test_skipping_during_the_fade_closes_at_once_and_keeps_completed(qtbot: QtBot,
                                                                      quick_pause) -> None:
    quick_pause.FADE_MS = 60_000  # a fade that would take a minute
    session = make()
    seen = recorder(session.finished)
    with qtbot.waitSignal(session.finished, timeout=3000):
        session.start()
    assert session.views  # fading
    session.skip()
    assert not session.views
    assert seen == [("completed", "")]


def test_an_explicit_duration_wins_over_the_class_default(qtbot: QtBot, long_pause) -> None:
    session = make(duration_ms=100)
    with qtbot.waitSignal(session.finished, timeout=3000) as blocker:
        session.start()
    assert blocker.args[0] == "completed"


# -- choosing, on every screen ----------------------------------------------------------------

@pytest.mark.parametrize(("key", "intention"), [
    (Qt.Key.Key_1, Intention.NOTICE), (Qt.Key.Key_2, Intention.LISTEN),
    (Qt.Key.Key_3, Intention.ENCOURAGE)])
def test_keys_choose_once_the_user_reached_the_pause(qtbot: QtBot, quick_pause, key,
                                                     intention) -> None:
    session = make()
    with qtbot.waitSignal(session.finished, timeout=3000) as blocker:
        session.start()
        view = session.views[0]
        reach(view)
        QTest.keyClick(view, key)
        assert view.intention_buttons[intention].isChecked()
    assert blocker.args == ["completed", intention.value]


def test_a_choice_on_one_screen_shows_on_every_screen(qtbot: QtBot, long_pause) -> None:
    session = make()
    session.start()
    first = session.views[0]
    second = session._add_view(first.target_screen)
    qtbot.mouseClick(second.intention_buttons[Intention.ENCOURAGE], Qt.MouseButton.LeftButton)
    reach(first)
    QTest.keyClick(first, Qt.Key.Key_1)
    QTest.keyClick(first, Qt.Key.Key_3)
    for view in (first, second):
        checked = [i for i, b in view.intention_buttons.items() if b.isChecked()]
        assert checked == [Intention.ENCOURAGE]
    assert session.intention is Intention.ENCOURAGE


# -- motion -------------------------------------------------------------------------------------

def test_the_breath_grows_then_settles(qtbot: QtBot, monkeypatch) -> None:
    monkeypatch.setattr(PauseSession, "DURATION_MS", 600)
    session = make()
    phases: list[float] = []
    session._breath.valueChanged.connect(lambda v: phases.append(float(v)))
    with qtbot.waitSignal(session.finished, timeout=3000):
        session.start()
        assert session.breathing
    peak = phases.index(max(phases))
    assert max(phases) > 0.9
    assert 0 < peak < len(phases) - 1  # it rose, then fell
    assert phases[-1] < 0.5


def test_a_long_pause_breathes_several_times(qtbot: QtBot) -> None:
    session = make(duration_ms=20_000)
    session.start()
    assert session._breath.loopCount() == 4
    assert session._breath.duration() == 5000


def test_reduce_motion_keeps_the_circle_still_and_does_not_fade(qtbot: QtBot,
                                                                quick_pause) -> None:
    quick_pause.FADE_MS = 60_000  # if it faded, the views would outlive the pause by a minute
    session = make(reduce_motion=True, palette=DARK)
    with qtbot.waitSignal(session.finished, timeout=3000):
        session.start()
        view = session.views[0]
        assert not session.breathing
        assert view.guide.phase == BreathGuide.STILL_PHASE
        assert "out" in view.cue.text().lower()
        assert session._tick.interval() == PauseSession.STILL_TICK_MS
    assert not session.views
    assert session._fade.state() != session._fade.State.Running


# -- screens ------------------------------------------------------------------------------------

def test_screens_added_and_removed_while_it_shows(qtbot: QtBot, long_pause) -> None:
    session = make()
    seen = recorder(session.finished)
    session.start()
    screen = session.views[0].target_screen
    session.choose(Intention.NOTICE)
    app = QGuiApplication.instance()

    app.screenAdded.emit(screen)  # already covered: no second view
    assert len(session.views) == len(QGuiApplication.screens())

    app.screenRemoved.emit(screen)  # its view closes; the pause goes on
    assert all(view.target_screen is not screen for view in session.views)
    assert seen == [] and not session.done

    app.screenAdded.emit(screen)  # back (or a new one): a view in the current state
    added = [view for view in session.views if view.target_screen is screen]
    assert len(added) == 1
    assert added[0].isVisible() and added[0].geometry() == screen.geometry()
    assert added[0].intention_buttons[Intention.NOTICE].isChecked()

    session.skip()
    app.screenAdded.emit(screen)  # after the pause: nothing
    assert not session.views


# -- text ---------------------------------------------------------------------------------------

def test_the_heading_and_start_time_are_shown(qtbot: QtBot, long_pause) -> None:
    session = make()
    session.start()
    view = session.views[0]
    assert view.heading.text() == "Before Weekly sync"
    assert view.when.text() == "Starts at 10:00 · Zoom"


def test_untrusted_titles_show_as_plain_text(qtbot: QtBot, long_pause) -> None:
    session = make(PauseContent(titles=("<b>x</b> <img src=y>",), start=NOW,
                                service="<i>Zoom</i>", join_url="https://zoom.us/j/1"))
    session.start()
    view = session.views[0]
    assert view.heading.text() == "Before <b>x</b> <img src=y>"
    assert view.heading.textFormat() == Qt.TextFormat.PlainText
    assert all(label.textFormat() == Qt.TextFormat.PlainText
               for label in view.findChildren(QLabel))
    assert view.join_button.text() == "Join · <i>Zoom</i>"  # QPushButton text is never markup


def test_a_pause_skipped_before_it_started_never_shows(qtbot: QtBot) -> None:
    session = make()
    seen = recorder(session.finished)
    session.skip()
    session.start()
    assert seen == [("skipped", "")] and not session.views


def test_raising_the_views_again_does_not_take_the_keyboard(qtbot: QtBot, long_pause,
                                                             monkeypatch) -> None:
    activated: list[object] = []
    monkeypatch.setattr(PauseView, "activateWindow", lambda self: activated.append(self))
    session = make()
    session.start()
    session.raise_views()
    assert activated == [] and not session.keyboard_ready


@pytest.mark.parametrize("reduce_motion", [False, True])
def test_the_ring_and_the_number_count_down(qtbot: QtBot, monkeypatch,
                                            reduce_motion: bool) -> None:
    monkeypatch.setattr(PauseSession, "STILL_TICK_MS", 50)
    session = make(duration_ms=1200, reduce_motion=reduce_motion)  # "2" for only 200 ms
    session.start()
    view = session.views[0]
    assert view.countdown.text() == "2" and view.guide.remaining == pytest.approx(1, abs=0.1)
    qtbot.waitUntil(lambda: view.countdown.text() == "1", timeout=3000)
    assert view.guide.remaining < 0.85
    session.skip()
