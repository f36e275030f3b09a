"""What the user's keys and clicks do to a doorway pause: typing elsewhere is never caught by
it, keys act only once the user reaches for it, and Join opens the call link while the pause
goes on."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit
from pytestqt.qtbot import QtBot

from microapp.core.pause_content import PauseContent
from microapp.core.records import Intention
from microapp.ui.pause_session import PauseSession
from microapp.ui.pause_view import PauseView
from tests.gui.pause_helpers import NO_LINK, NOW, make, reach, recorder

# -- typing protection ------------------------------------------------------------------------

def test_typing_elsewhere_keeps_going_there_when_the_pause_appears(qtbot: QtBot, long_pause,
                                                                   monkeypatch) -> None:
    activated: list[PauseView] = []
    monkeypatch.setattr(PauseView, "activateWindow", lambda self: activated.append(self))
    editor = QLineEdit()
    qtbot.addWidget(editor)
    editor.show()
    editor.activateWindow()
    editor.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is editor)

    session = make()
    session.start()
    QApplication.processEvents()
    # The session never asks for the keyboard. (Qt's offscreen platform activates every new
    # window anyway; the session hands the keyboard straight back to the editor.)
    assert activated == []
    qtbot.waitUntil(lambda: QApplication.focusWidget() is editor)
    QTest.keyClicks(QApplication.focusWidget(), "123")
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    assert editor.text() == "123"
    assert session.intention is None and not session.keyboard_ready
    assert not session.done


def test_keys_that_reach_the_pause_before_the_user_does_are_held_back(qtbot: QtBot,
                                                                      long_pause) -> None:
    opened: list[str] = []
    session = make(opener=lambda url: opened.append(url) is None)
    session.start()
    view = session.views[0]
    assert not view.keyboard_ready
    QTest.keyClicks(view, "123")
    for key in (Qt.Key.Key_Return, Qt.Key.Key_Escape, Qt.Key.Key_Space):
        QTest.keyClick(view, key)
    assert session.intention is None and not session.done and opened == []
    assert view.key_notice.isVisible() and not view.key_hint.isVisible()  # never silently
    assert all(button.focusPolicy() == Qt.FocusPolicy.NoFocus
               for button in view.intention_buttons.values())


def test_after_real_pointer_motion_the_view_takes_the_keyboard(qtbot: QtBot, long_pause,
                                                               monkeypatch) -> None:
    activated: list[PauseView] = []
    real_activate = PauseView.activateWindow
    monkeypatch.setattr(PauseView, "activateWindow",
                        lambda self: (activated.append(self), real_activate(self)))
    session = make()
    session.start()
    view = session.views[0]
    QTest.keyClick(view, Qt.Key.Key_1)  # held back
    reach(view)
    assert session.keyboard_ready and activated == [view]
    qtbot.waitUntil(view.isActiveWindow, timeout=1000)  # where the platform allows it
    assert not view.key_notice.isVisible()
    assert view.intention_buttons[Intention.LISTEN].focusPolicy() == Qt.FocusPolicy.TabFocus
    QTest.keyClick(view, Qt.Key.Key_2)
    assert session.intention is Intention.LISTEN


# -- join ---------------------------------------------------------------------------------------

def test_enter_joins_and_the_pause_still_runs_its_course(qtbot: QtBot, quick_pause,
                                                         monkeypatch) -> None:
    monkeypatch.setattr(PauseSession, "DURATION_MS", 2000)
    opened: list[str] = []
    session = make(opener=lambda url: opened.append(url) is None)
    session.start()
    view = session.views[0]
    assert view.join_button is not None and view.join_button.text() == "Join · Zoom"
    reach(view)
    with qtbot.waitSignal(session.join_opened, timeout=1000) as blocker:
        QTest.keyClick(view, Qt.Key.Key_Return)
        assert view.join_button.text() == "Opening…"
    assert blocker.args == ["https://zoom.us/j/123"]
    assert opened == ["https://zoom.us/j/123"]
    qtbot.waitUntil(lambda: view.join_button.text() == "Joined", timeout=1000)
    assert not session.done
    with qtbot.waitSignal(session.finished, timeout=5000) as finished:
        pass
    assert finished.args == ["completed", ""]


def test_the_join_button_opens_the_link_each_time(qtbot: QtBot, long_pause) -> None:
    opened: list[str] = []
    session = make(opener=lambda url: opened.append(url) is None)
    session.start()
    button = session.views[0].join_button
    for _ in range(2):
        with qtbot.waitSignal(session.join_opened, timeout=1000):
            qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: button.text() == "Joined", timeout=1000)
    assert opened == ["https://zoom.us/j/123"] * 2
    assert not session.done


def test_without_a_link_there_is_no_join_and_enter_does_nothing(qtbot: QtBot,
                                                                 long_pause) -> None:
    opened: list[str] = []
    session = make(NO_LINK, opener=lambda url: opened.append(url) is None)
    seen = recorder(session.join_opened)
    session.start()
    view = session.views[0]
    assert view.join_button is None
    assert "Enter" not in view.key_hint.text()
    reach(view)
    QTest.keyClick(view, Qt.Key.Key_Return)
    session.join()
    QApplication.processEvents()
    assert opened == [] and seen == [] and not session.done


def test_a_link_that_cannot_be_opened_says_so(qtbot: QtBot, long_pause) -> None:
    session = make(opener=lambda url: False)
    seen = recorder(session.join_opened)
    session.start()
    session.join()
    button = session.views[0].join_button
    qtbot.waitUntil(lambda: button.text() == "Could not open the link", timeout=1000)
    assert seen == [] and button.isEnabled() and not session.done


def test_a_local_file_is_never_opened_as_a_call_link(qtbot: QtBot, long_pause) -> None:
    opened: list[str] = []
    content = PauseContent(titles=("x",), start=NOW, service="Zoom",
                           join_url="file:///etc/passwd")
    session = make(content, opener=lambda url: opened.append(url) is None)
    session.start()
    session.join()
    QApplication.processEvents()
    assert opened == []
    assert session.views[0].join_button.text() == "Could not open the link"
