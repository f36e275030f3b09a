"""The doorway pause as a user meets it: it runs its course, listens to keys, lets go at once."""

from __future__ import annotations

import pytest
import shiboken6
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from microapp.core.records import Intention
from microapp.ui.overlay import PauseOverlay
from microapp.ui.theme import DARK, LIGHT

_made: list[PauseOverlay] = []


def make(qtbot: QtBot, **kwargs) -> PauseOverlay:
    """An overlay; it deletes itself when closed, so teardown closes only what is still alive."""
    overlay = PauseOverlay(kwargs.pop("palette", LIGHT), **kwargs)
    _made.append(overlay)
    return overlay


def gone(overlay: PauseOverlay) -> bool:
    return not shiboken6.isValid(overlay) or not overlay.isVisible()


@pytest.fixture(autouse=True)
def _close_overlays():
    yield
    while _made:
        overlay = _made.pop()
        if shiboken6.isValid(overlay):
            overlay.close()


def test_the_pause_runs_its_course_and_completes(qtbot: QtBot, quick_pause) -> None:
    overlay = make(qtbot)
    with qtbot.waitSignal(overlay.finished, timeout=3000) as blocker:
        overlay.start()
        assert overlay.isVisible()
    assert blocker.args == ["completed", ""]
    qtbot.waitUntil(lambda: gone(overlay), timeout=3000)


@pytest.mark.parametrize(("key", "intention"), [
    (Qt.Key.Key_1, Intention.NOTICE), (Qt.Key.Key_2, Intention.LISTEN),
    (Qt.Key.Key_3, Intention.ENCOURAGE)])
def test_keys_choose_an_intention_that_is_recorded(qtbot: QtBot, quick_pause, key, intention):
    overlay = make(qtbot)
    with qtbot.waitSignal(overlay.finished, timeout=3000) as blocker:
        overlay.start()
        qtbot.keyClick(overlay, key)
        assert overlay.intention_buttons[intention].isChecked()
    assert blocker.args == ["completed", intention.value]


def test_the_last_choice_wins_and_only_one_is_checked(qtbot: QtBot, quick_pause) -> None:
    overlay = make(qtbot)
    overlay.start()
    qtbot.keyClick(overlay, Qt.Key.Key_1)
    qtbot.mouseClick(overlay.intention_buttons[Intention.ENCOURAGE], Qt.MouseButton.LeftButton)
    checked = [i for i, b in overlay.intention_buttons.items() if b.isChecked()]
    assert checked == [Intention.ENCOURAGE]
    assert overlay.intention is Intention.ENCOURAGE


def test_escape_leaves_at_once_as_skipped(qtbot: QtBot, monkeypatch) -> None:
    monkeypatch.setattr(PauseOverlay, "DURATION_MS", 60_000)  # would be a minute
    overlay = make(qtbot)
    overlay.start()
    qtbot.keyClick(overlay, Qt.Key.Key_2)
    with qtbot.waitSignal(overlay.finished, timeout=1000) as blocker:
        qtbot.keyClick(overlay, Qt.Key.Key_Escape)
    assert blocker.args == ["skipped", "listen"]
    assert gone(overlay)


def test_the_visible_close_button_leaves_as_skipped(qtbot: QtBot, monkeypatch) -> None:
    monkeypatch.setattr(PauseOverlay, "DURATION_MS", 60_000)
    overlay = make(qtbot)
    overlay.start()
    assert overlay.close_button.isVisible()
    assert overlay.close_button.accessibleName()
    with qtbot.waitSignal(overlay.finished, timeout=1000) as blocker:
        qtbot.mouseClick(overlay.close_button, Qt.MouseButton.LeftButton)
    assert blocker.args == ["skipped", ""]


def test_closing_the_window_counts_as_skipped_and_reports_once(qtbot: QtBot, quick_pause) -> None:
    overlay = make(qtbot)
    seen: list[tuple[str, str]] = []
    overlay.finished.connect(lambda outcome, intention: seen.append((outcome, intention)))
    overlay.start()
    overlay.close()
    overlay.skip()  # a second way out changes nothing
    qtbot.wait(300)  # past the (shortened) end of the pause: it must not report again
    assert seen == [("skipped", "")]


def test_it_covers_the_screen_frameless_and_on_top(qtbot: QtBot, quick_pause) -> None:
    overlay = make(qtbot)
    overlay.start()
    flags = overlay.windowFlags()
    assert flags & Qt.WindowType.FramelessWindowHint
    assert flags & Qt.WindowType.WindowStaysOnTopHint
    assert overlay.geometry() == overlay.screen().geometry()


def test_meeting_titles_are_plain_text(qtbot: QtBot, quick_pause) -> None:
    overlay = make(qtbot, meeting="<b>Board</b> <img src=x>")
    from PySide6.QtWidgets import QLabel

    labels = [w for w in overlay.findChildren(QLabel) if "Board" in w.text()]
    assert labels and all(w.textFormat() == Qt.TextFormat.PlainText for w in labels)
    assert "<b>Board</b>" in labels[0].text()


def test_reduce_motion_keeps_the_circle_still(qtbot: QtBot, quick_pause) -> None:
    overlay = make(qtbot, reduce_motion=True, palette=DARK)
    overlay.start()
    phase = overlay.guide.phase
    qtbot.wait(60)
    assert overlay.guide.phase == phase
    assert "out" in overlay.cue.text().lower()


def test_the_breath_grows_then_settles(qtbot: QtBot, monkeypatch) -> None:
    monkeypatch.setattr(PauseOverlay, "DURATION_MS", 600)
    overlay = make(qtbot)
    phases: list[float] = []
    overlay._breath.valueChanged.connect(lambda v: phases.append(float(v)))
    with qtbot.waitSignal(overlay.finished, timeout=3000):
        overlay.start()
    peak = phases.index(max(phases))
    assert max(phases) > 0.9
    assert 0 < peak < len(phases) - 1  # it rose, then fell
    assert phases[-1] < 0.5
