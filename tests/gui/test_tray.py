"""The tray menu, and the stand-in window for desktops without a system tray."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QIcon, QKeySequence
from PySide6.QtWidgets import QMenu
from pytestqt.qtbot import QtBot

from microapp.core.evening import SNOOZE_CHOICES
from microapp.core.meetings import Meeting
from microapp.core.records import Outcome, PauseRecord
from microapp.core.snooze import SNOOZE_LABELS, SnoozeChoice, snooze_until
from microapp.core.streaks import pause_streaks
from microapp.core.summary import TodaySummary
from microapp.ui.theme import DARK, LIGHT
from microapp.ui.today_panel import INVITE_TEXT, NEAR_TEXT, STATE_ICON_PX, TodayPanel
from microapp.ui.tray import TrayController
from microapp.ui.tray_icons import ICON_SIZES, IconState, state_pixmap, tray_icon
from microapp.ui.tray_parts import EVENING_SNOOZE_LABELS, NO_TRAY_NOTICE, join_text, with_mnemonic
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


def summary_with(*outcomes: Outcome, next_meeting: Meeting | None = None) -> TodaySummary:
    at = FakeClock().now()
    pauses = [PauseRecord(at=at, tz="Europe/Berlin", day=at.date(), outcome=o) for o in outcomes]
    return TodaySummary(day=at.date(), pauses=pauses,
                        pause_streak=pause_streaks({at.date(): [o.value for o in outcomes]},
                                                   at.date()),
                        gratitude_streak=pause_streaks({}, date(2026, 3, 10)),
                        next_meeting=next_meeting)


ZOOM_URL = "https://example.zoom.us/j/123456789"


def meeting(title: str = "Design review", url: str | None = ZOOM_URL,
            service: str | None = "Zoom") -> Meeting:
    start = FakeClock().now() + timedelta(minutes=5)
    return Meeting(title=title, start=start, end=start + timedelta(minutes=25), calendar="work",
                   uid="u1", join_url=url, service=service if url else None)


def visible_texts(menu: QMenu) -> list[str]:
    return [a.text().replace("&", "") for a in menu.actions()
            if a.isVisible() and not a.isSeparator()]


def test_menu_offers_only_what_works(controller) -> None:
    tray, _ = controller(True)
    assert visible_texts(tray.menu) == ["Pause now", "Today…", "Write gratitude…", "History…",
                                        "Snooze pauses", "Settings…", "Quit microapp"]
    assert all(a.isEnabled() for a in tray.menu.actions() if a.isVisible())


def test_menu_actions_emit_requests(controller, qtbot: QtBot) -> None:
    tray, _ = controller(True)
    with qtbot.waitSignal(tray.pause_requested, timeout=500):
        tray.pause_action.trigger()
    with qtbot.waitSignal(tray.gratitude_requested, timeout=500):
        tray.gratitude_action.trigger()
    with qtbot.waitSignal(tray.history_requested, timeout=500):
        tray.history_action.trigger()
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


# -- joining the next call -------------------------------------------------------------------

def test_the_join_item_shows_only_with_a_link(controller) -> None:
    tray, _ = controller(True)
    assert not tray.join_action.isVisible()
    tray.set_join_target("Design review", ZOOM_URL, "Zoom")
    assert tray.join_action.isVisible()
    assert tray.join_action.text() == "&Join “Design review” · Zoom"
    assert visible_texts(tray.menu)[:2] == ["Pause now", "Join “Design review” · Zoom"]
    tray.set_join_target("Design review", None)
    assert not tray.join_action.isVisible()


def test_the_join_item_asks_to_join_its_url(controller, qtbot: QtBot) -> None:
    tray, _ = controller(True)
    tray.set_join_target("Design review", ZOOM_URL, "Zoom")
    with qtbot.waitSignal(tray.join_requested, timeout=500) as blocker:
        tray.join_action.trigger()
    assert blocker.args == [ZOOM_URL]


def test_an_ampersand_in_a_title_is_shown_literally(controller) -> None:
    tray, _ = controller(True)
    tray.set_join_target("R&D sync", ZOOM_URL, "Q&A Meet")
    text = tray.join_action.text()
    assert text == "&Join “R&&D sync” · Q&&A Meet"
    assert QKeySequence.mnemonic(text) == QKeySequence("Alt+J")  # the only mnemonic: J


def test_join_text_without_a_title_or_service_and_with_a_long_title() -> None:
    assert join_text(None, None) == "&Join next meeting"
    assert join_text("Stand-up", None) == "&Join “Stand-up”"
    long = join_text("A very\nlong title " * 10, "Zoom")
    assert "\n" not in long and "…”" in long and len(long) < 70


def test_every_menu_item_has_its_own_mnemonic(controller) -> None:
    tray, _ = controller(True)
    tray.set_join_target("Planning", ZOOM_URL, "Zoom")
    tray.set_invitation(True)
    for menu in (tray.menu, tray.snooze_menu, tray.evening_menu):
        actions = [a for a in menu.actions() if not a.isSeparator()]
        keys = [QKeySequence.mnemonic(a.text()) for a in actions]
        assert all(not k.isEmpty() for k in keys), [a.text() for a in actions]
        assert len(set(keys)) == len(keys)


def test_the_panel_has_a_focusable_join_button_for_a_meeting_with_a_link(
        controller, qtbot: QtBot) -> None:
    tray, _ = controller(False)
    tray.start()
    panel = tray.window.panel
    tray.refresh(summary_with(next_meeting=meeting(url=None)))
    assert panel.next_meeting.isVisible() and not panel.join_button.isVisible()
    tray.refresh(summary_with(next_meeting=meeting("<b>Board</b> & co")))
    assert panel.join_button.isVisible() and panel.join_url == ZOOM_URL
    assert panel.join_button.focusPolicy() == Qt.FocusPolicy.StrongFocus
    assert panel.next_meeting.textFormat() == Qt.TextFormat.PlainText
    assert "<b>Board</b> & co" in panel.next_meeting.text()
    assert QKeySequence.mnemonic(panel.join_button.text()) == QKeySequence("Alt+J")
    with qtbot.waitSignal(tray.join_requested, timeout=500) as blocker:
        panel.join_button.click()
    assert blocker.args == [ZOOM_URL]
    assert tray.window.isVisible()


def test_joining_from_the_popup_closes_it(controller, qtbot: QtBot) -> None:
    tray, _ = controller(True)
    tray.start()
    tray.refresh(summary_with(next_meeting=meeting()))
    tray.show_today()
    assert tray.popup.join_button.isVisible()
    assert tray.popup.focusWidget() is tray.popup.pause_button  # a stray Space never joins
    with qtbot.waitSignal(tray.join_requested, timeout=500) as blocker:
        tray.popup.join_button.click()
    assert blocker.args == [ZOOM_URL]
    assert not tray.popup.isVisible()


@pytest.mark.parametrize("palette", [LIGHT, DARK])
def test_the_panel_fits_a_long_title_with_join(qtbot: QtBot, palette) -> None:
    panel = TodayPanel(palette)
    qtbot.addWidget(panel)
    panel.setFixedWidth(TrayController.POPUP_WIDTH)
    panel.refresh(summary_with(Outcome.COMPLETED, next_meeting=meeting("Quarterly planning: "
                                                                       "roadmap, hiring " * 3)))
    panel.show()
    panel.adjustSize()
    label, button = panel.next_meeting, panel.join_button
    assert label.height() >= label.heightForWidth(label.width())  # nothing cut off
    assert not label.geometry().intersects(button.geometry())
    assert button.width() >= button.sizeHint().width()


# -- snoozing ----------------------------------------------------------------------------------

def test_the_snooze_choices_ask_for_their_snooze(controller, qtbot: QtBot) -> None:
    tray, _ = controller(True)
    assert [a.text().replace("&", "") for a in tray.snooze_actions.values()] == list(
        SNOOZE_LABELS.values())
    for choice in SnoozeChoice:
        with qtbot.waitSignal(tray.snooze_requested, timeout=500) as blocker:
            tray.snooze_actions[choice].trigger()
        assert blocker.args == [choice.value]


def test_resume_is_offered_only_while_snoozed(controller, qtbot: QtBot) -> None:
    tray, _ = controller(True)
    tray.start()
    now = FakeClock().now()
    assert not tray.resume_action.isEnabled()
    assert tray.snooze_menu.title() == "&Snooze pauses"
    tray.set_snooze(snooze_until(SnoozeChoice.HALF_HOUR, now), now)
    assert tray.resume_action.isEnabled() and tray.snoozed
    assert tray.snooze_menu.title() == "Pauses &snoozed until 09:30"
    with qtbot.waitSignal(tray.snooze_requested, timeout=500) as blocker:
        tray.resume_action.trigger()
    assert blocker.args == [""]
    tray.set_snooze(None, now)
    assert not tray.resume_action.isEnabled() and not tray.snoozed
    tray.set_snooze(now - timedelta(minutes=1), now)  # already over
    assert not tray.resume_action.isEnabled()
    assert tray.snooze_menu.title() == "&Snooze pauses"


def test_the_tooltip_mentions_the_snooze(controller) -> None:
    tray, _ = controller(True)
    tray.start()
    now = FakeClock().now()
    tray.set_snooze(snooze_until(SnoozeChoice.REST_OF_DAY, now), now)
    assert tray.icon.toolTip() == "microapp\nPauses snoozed until 04:00 tomorrow"
    tray.refresh(summary_with(Outcome.COMPLETED))
    tip = tray.icon.toolTip().splitlines()
    assert tip[0] == "microapp"  # Qt guesses rich text from the first line only
    assert "1 pause today, 1 completed" in tip
    assert tip[-1] == "Pauses snoozed until 04:00 tomorrow"
    tray.set_snooze(None, now)
    assert "snoozed" not in tray.icon.toolTip()


# -- the icon's state ----------------------------------------------------------------------

def image_of(icon: QIcon, size: int = 32) -> bytes:
    return bytes(icon.pixmap(QSize(size, size)).toImage().constBits())


def test_the_icons_differ_and_are_drawn_at_every_size(qapp) -> None:
    images = {state: image_of(tray_icon(state)) for state in IconState}
    assert len(set(images.values())) == 3
    dotted = {state: image_of(tray_icon(state, invite=True)) for state in IconState}
    assert len(set(dotted.values()) | set(images.values())) == 6
    for state in IconState:
        for invite in (False, True):
            icon = tray_icon(state, invite)
            assert icon is tray_icon(state, invite)  # drawn once
            sizes = {s.width() for s in icon.availableSizes()}
            assert set(ICON_SIZES) | {2 * s for s in ICON_SIZES} <= sizes
            hidpi = icon.pixmap(QSize(22, 22), 2.0)
            assert hidpi.size() == QSize(44, 44) and hidpi.devicePixelRatio() == 2.0


def test_the_invitation_dot_leaves_the_state_marks_alone(qapp) -> None:
    """The dot sits at the bottom right: the top-right corner (near's dot, snoozed's moon) is
    the same with or without it."""
    for state in IconState:
        plain = tray_icon(state).pixmap(QSize(64, 64)).toImage()
        dotted = tray_icon(state, True).pixmap(QSize(64, 64)).toImage()
        assert plain.copy(32, 0, 32, 28) == dotted.copy(32, 0, 32, 28)
        assert plain.copy(40, 40, 24, 24) != dotted.copy(40, 40, 24, 24)


def test_the_icon_shows_a_near_pause_and_a_snooze(controller) -> None:
    tray, _ = controller(True)
    tray.start()
    idle = image_of(tray.icon.icon())
    tray.set_icon_state(IconState.NEAR)
    assert tray.icon_state is IconState.NEAR
    near = image_of(tray.icon.icon())
    assert near != idle and near == image_of(tray_icon(IconState.NEAR))
    now = FakeClock().now()
    tray.set_snooze(snooze_until(SnoozeChoice.HOUR, now), now)
    assert tray.icon_state is IconState.SNOOZED  # a snooze shows over a near pause
    assert image_of(tray.icon.icon()) == image_of(tray_icon(IconState.SNOOZED))
    tray.set_snooze(None, now)
    assert tray.icon_state is IconState.NEAR
    tray.set_icon_state(IconState.IDLE)
    assert image_of(tray.icon.icon()) == idle


def test_the_stand_in_window_shows_the_state_and_offers_snooze(controller) -> None:
    tray, _ = controller(False)
    tray.start()
    panel = tray.window.panel
    assert not panel.state_line.isVisible() and panel.state is IconState.IDLE
    tray.set_icon_state(IconState.NEAR)
    assert panel.state is IconState.NEAR and panel.state_line.text() == NEAR_TEXT
    now = FakeClock().now()
    tray.set_snooze(snooze_until(SnoozeChoice.HALF_HOUR, now), now)
    assert panel.state is IconState.SNOOZED
    assert panel.state_line.text() == "Pauses snoozed until 09:30"
    assert image_of(tray.window.windowIcon()) == image_of(tray_icon(IconState.SNOOZED))
    assert panel.snooze_button is not None and panel.snooze_button.menu() is tray.snooze_menu
    # Without a tray, everything its menu offers (History…, Write gratitude…) is one button away.
    assert panel.more_button is not None and panel.more_button.menu() is tray.menu
    assert tray.history_action in tray.menu.actions()
    tray.set_snooze(None, now)
    tray.set_icon_state(IconState.IDLE)
    assert not panel.state_line.isVisible()


def test_the_popup_follows_the_state(controller) -> None:
    tray, _ = controller(True)
    tray.start()
    now = FakeClock().now()
    tray.set_snooze(snooze_until(SnoozeChoice.HOUR, now), now)
    tray.show_today()
    assert tray.popup.state is IconState.SNOOZED
    assert tray.popup.state_line.text() == "Pauses snoozed until 10:00"
    assert tray.popup.snooze_button is None  # the tray menu has it
    tray.set_snooze(None, now)
    assert tray.popup.state is IconState.IDLE


def test_with_mnemonic_prefers_a_word_start() -> None:
    assert with_mnemonic("Pauses snoozed until 14:30", "s") == "Pauses &snoozed until 14:30"
    assert with_mnemonic("For the rest of the day", "d") == "For the rest of the &day"
    assert with_mnemonic("For 30 minutes", "3") == "For &30 minutes"
    assert with_mnemonic("R&D", "x") == "R&&D"


# -- the evening invitation ----------------------------------------------------------------

def test_the_evening_items_show_only_while_an_invitation_waits(controller, qtbot: QtBot) -> None:
    tray, _ = controller(True)
    tray.start()
    assert not tray.invitation_pending
    assert "Tonight's reminder" not in visible_texts(tray.menu)
    tray.set_invitation(True)
    assert tray.invitation_pending
    assert visible_texts(tray.menu)[2:5] == ["Write gratitude…", "Tonight's reminder", "History…"]
    assert visible_texts(tray.evening_menu) == [
        "Remind me in 15 minutes", "Remind me in 1 hour", "Not tonight"]
    for choice in ("15m", "1h"):
        with qtbot.waitSignal(tray.evening_snooze_requested, timeout=500) as blocker:
            tray.evening_snooze_actions[choice].trigger()
        assert blocker.args == [choice]
    with qtbot.waitSignal(tray.evening_dismissed, timeout=500):
        tray.not_tonight_action.trigger()
    tray.set_invitation(False)
    assert "Tonight's reminder" not in visible_texts(tray.menu)


def test_the_evening_snooze_choices_are_the_cores() -> None:
    assert set(EVENING_SNOOZE_LABELS) == set(SNOOZE_CHOICES)


def test_a_waiting_invitation_puts_a_dot_on_every_state(controller) -> None:
    tray, _ = controller(True)
    tray.start()
    tray.set_invitation(True)
    assert image_of(tray.icon.icon()) == image_of(tray_icon(IconState.IDLE, True))
    tray.set_icon_state(IconState.NEAR)
    assert image_of(tray.icon.icon()) == image_of(tray_icon(IconState.NEAR, True))
    now = FakeClock().now()
    tray.set_snooze(snooze_until(SnoozeChoice.HOUR, now), now)
    assert tray.icon_state is IconState.SNOOZED  # the snooze still shows, the dot beside it
    assert image_of(tray.icon.icon()) == image_of(tray_icon(IconState.SNOOZED, True))
    tray.set_invitation(False)
    assert image_of(tray.icon.icon()) == image_of(tray_icon(IconState.SNOOZED))


def test_the_tooltip_mentions_a_waiting_invitation(controller) -> None:
    tray, _ = controller(True)
    tray.start()
    tray.set_invitation(True)
    assert tray.icon.toolTip() == "microapp\nTonight's sentence is waiting"
    tray.set_invitation(False)
    assert tray.icon.toolTip() == "microapp"


def test_the_popup_invites_and_write_opens_the_window(controller, qtbot: QtBot) -> None:
    tray, _ = controller(True)
    tray.start()
    tray.show_today()
    assert not tray.popup.invite_row.isVisible()
    tray.set_invitation(True)
    assert tray.popup.invite_row.isVisible() and tray.popup.invitation
    assert tray.popup.invite_line.text() == INVITE_TEXT
    shown = tray.popup.state_icon.pixmap().toImage()
    assert shown == state_pixmap(IconState.IDLE, STATE_ICON_PX, 1.0, invite=True).toImage()
    with qtbot.waitSignal(tray.gratitude_requested, timeout=500):
        tray.popup.write_button.click()
    assert not tray.popup.isVisible()
    tray.set_invitation(False)
    tray.show_today()
    assert not tray.popup.invite_row.isVisible()


def test_a_popup_opened_later_shows_the_invitation(controller) -> None:
    tray, _ = controller(True)
    tray.start()
    tray.set_invitation(True)
    tray.show_today()
    assert tray.popup.invite_row.isVisible()


def test_the_stand_in_window_invites_too(controller, qtbot: QtBot) -> None:
    tray, _ = controller(False)
    tray.start()
    panel = tray.window.panel
    tray.set_invitation(True)
    assert panel.invite_row.isVisible()
    assert image_of(tray.window.windowIcon()) == image_of(tray_icon(IconState.IDLE, True))
    with qtbot.waitSignal(tray.gratitude_requested, timeout=500):
        panel.write_button.click()
    assert tray.window.isVisible()
    tray.set_invitation(False)
    assert not panel.invite_row.isVisible()


def test_clicking_a_message_runs_its_callback_else_shows_today(controller) -> None:
    tray, _ = controller(True)
    tray.start()
    opened: list[str] = []
    tray.notify("A sentence for tonight", "Who made today lighter?",
                on_click=lambda: opened.append("window"))
    tray.icon.messageClicked.emit()
    assert opened == ["window"]
    assert tray.popup is None
    tray.notify("microapp", "Your settings file has a problem.")  # a message without one
    tray.icon.messageClicked.emit()
    assert opened == ["window"]
    assert tray.popup is not None and tray.popup.isVisible()


@pytest.mark.parametrize("palette", [LIGHT, DARK])
def test_the_panel_fits_the_invitation_beside_write(qtbot: QtBot, palette) -> None:
    panel = TodayPanel(palette)
    qtbot.addWidget(panel)
    panel.setFixedWidth(TrayController.POPUP_WIDTH)
    panel.refresh(summary_with(Outcome.COMPLETED, next_meeting=meeting()))
    panel.set_invitation(True)
    panel.show()
    panel.adjustSize()
    label, button = panel.invite_line, panel.write_button
    assert label.height() >= label.heightForWidth(label.width())
    assert not label.geometry().intersects(button.geometry())
    assert button.width() >= button.sizeHint().width()
    assert QKeySequence.mnemonic(button.text()) == QKeySequence("Alt+W")
    assert panel.focusWidget() is panel.pause_button
