"""The tray menu, and the stand-in window for desktops without a system tray."""

from __future__ import annotations

from datetime import date

import pytest
from pytestqt.qtbot import QtBot

from microapp.core.records import Outcome, PauseRecord
from microapp.core.streaks import pause_streaks
from microapp.core.summary import TodaySummary
from microapp.ui.theme import LIGHT
from microapp.ui.tray import NO_TRAY_NOTICE, TrayController
from tests.helpers import FakeClock


class Switch:
    """Whether a tray host exists; a test flips it to make one 'appear'."""

    def __init__(self, on: bool) -> None:
        self.on = on

    def __call__(self) -> bool:
        return self.on


@pytest.fixture
def controller(qtbot: QtBot):
    made: list[TrayController] = []

    def make(available: bool) -> tuple[TrayController, Switch]:
        switch = Switch(available)
        tray = TrayController(LIGHT, tray_available=switch)
        made.append(tray)
        return tray, switch

    yield make
    for tray in made:
        tray.stop()


def summary_with(*outcomes: Outcome) -> TodaySummary:
    at = FakeClock().now()
    pauses = [PauseRecord(at=at, tz="Europe/Berlin", day=at.date(), outcome=o) for o in outcomes]
    return TodaySummary(day=at.date(), pauses=pauses,
                        pause_streak=pause_streaks({at.date(): [o.value for o in outcomes]},
                                                   at.date()),
                        gratitude_streak=pause_streaks({}, date(2026, 3, 10)))


def test_menu_offers_only_what_works(controller) -> None:
    tray, _ = controller(True)
    texts = [a.text().replace("&", "") for a in tray.menu.actions() if not a.isSeparator()]
    assert texts == ["Pause now", "Today…", "Quit microapp"]
    assert all(a.isEnabled() for a in tray.menu.actions())


def test_menu_actions_emit_requests(controller, qtbot: QtBot) -> None:
    tray, _ = controller(True)
    with qtbot.waitSignal(tray.pause_requested, timeout=500):
        tray.pause_action.trigger()
    with qtbot.waitSignal(tray.quit_requested, timeout=500):
        tray.quit_action.trigger()


def test_with_a_tray_the_icon_shows_and_the_tooltip_tells_today(controller) -> None:
    tray, _ = controller(True)
    tray.start()
    assert tray.has_tray and tray.window is None
    assert not tray.icon.icon().isNull()
    tray.refresh(summary_with(Outcome.COMPLETED, Outcome.SKIPPED))
    tip = tray.icon.toolTip()
    assert "2 pauses today, 1 completed" in tip
    assert "Pause streak: 1 day" in tip


def test_without_a_tray_a_window_explains_and_offers_the_same_actions(controller,
                                                                       qtbot: QtBot) -> None:
    tray, _ = controller(False)
    tray.start()
    assert not tray.has_tray
    assert tray.window is not None and tray.window.isVisible()
    panel = tray.window.panel
    assert panel.notice.text() == NO_TRAY_NOTICE and panel.notice.isVisible()
    with qtbot.waitSignal(tray.pause_requested, timeout=500):
        panel.pause_button.click()
    with qtbot.waitSignal(tray.quit_requested, timeout=500):
        panel.quit_button.click()


def test_closing_the_stand_in_window_does_not_quit(controller, qtbot: QtBot) -> None:
    tray, _ = controller(False)
    tray.start()
    quits: list[bool] = []
    tray.quit_requested.connect(lambda: quits.append(True))
    tray.window.close()
    assert not tray.window.isVisible()
    assert quits == []
    tray.show_today()  # a second launch brings it back
    assert tray.window.isVisible()


def test_a_tray_that_appears_later_is_found(controller, qtbot: QtBot, monkeypatch) -> None:
    monkeypatch.setattr(TrayController, "RECHECK_MS", 20)
    tray, switch = controller(False)
    tray.start()
    qtbot.wait(60)
    assert not tray.has_tray
    switch.on = True
    qtbot.waitUntil(lambda: tray.has_tray, timeout=2000)
    assert not tray.window.isVisible()


def test_the_today_panel_lists_pauses_and_streaks(controller) -> None:
    tray, _ = controller(False)
    tray.start()
    tray.refresh(summary_with(Outcome.COMPLETED))
    panel = tray.window.panel
    assert "1 pause today, 1 completed" in panel.summary_line.text()
    assert "completed" in panel.pause_list.text()
    assert panel.pause_streak.text().startswith("Pause streak: 1 day")
    assert panel.gratitude_streak.text() == "Gratitude streak: not started yet"


def test_notices_reach_the_window_when_there_is_no_tray(controller) -> None:
    tray, _ = controller(False)
    tray.start()
    tray.window.hide()
    tray.notify("microapp", "Your settings file has a problem.")
    assert tray.window.isVisible()
    assert tray.window.panel.notice.text() == "Your settings file has a problem."


def test_the_popup_opens_next_to_the_icon_and_pause_closes_it(controller, qtbot: QtBot) -> None:
    tray, _ = controller(True)
    tray.start()
    tray.refresh(summary_with())
    tray.show_today()
    assert tray.popup is not None and tray.popup.isVisible()
    assert "No pauses yet today" in tray.popup.summary_line.text()
    with qtbot.waitSignal(tray.pause_requested, timeout=500):
        tray.popup.pause_button.click()
    assert not tray.popup.isVisible()
