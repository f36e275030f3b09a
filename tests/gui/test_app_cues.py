"""The running app and a real calendar file: a pause before the meeting, once; held back when
snoozed, under do-not-disturb or when the machine slept through it; Join from the tray."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pytestqt.qtbot import QtBot

from microapp.app import MicroApp
from microapp.core.paths import Profile
from microapp.platform.busy import BusyCheck
from microapp.store.history import History
from microapp.ui.tray_icons import IconState
from tests.gui.test_app import FakeNotifier, build_app, close_app
from tests.helpers import FakeClock

BERLIN = ZoneInfo("Europe/Berlin")
START = datetime(2026, 3, 10, 10, 0, tzinfo=BERLIN)  # the meeting; the clock starts at 09:00
DUE = datetime(2026, 3, 10, 9, 59, tzinfo=BERLIN)  # default lead: one minute before

CALENDAR = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//microapp tests//EN
BEGIN:VEVENT
UID:design-review@example.org
DTSTAMP:20260301T000000Z
DTSTART;TZID=Europe/Berlin:20260310T100000
DTEND;TZID=Europe/Berlin:20260310T103000
SUMMARY:Design review
LOCATION:https://meet.jit.si/microapp-design-review
END:VEVENT
BEGIN:VEVENT
UID:lunch@example.org
DTSTAMP:20260301T000000Z
DTSTART;TZID=Europe/Berlin:20260310T120000
DTEND;TZID=Europe/Berlin:20260310T130000
SUMMARY:Focus time
END:VEVENT
END:VCALENDAR
"""


class Detector:
    def __init__(self, answer: bool | None) -> None:
        self.name = "fake"
        self.answer = answer

    def busy(self) -> bool | None:
        return self.answer


@pytest.fixture
def calendar_profile(profile: Profile, tmp_path: Path) -> Profile:
    ics = tmp_path / "work.ics"
    ics.write_text(CALENDAR, encoding="utf-8")
    profile.settings_path.parent.mkdir(parents=True, exist_ok=True)
    profile.settings_path.write_text(
        f'[[calendars]]\nid = "work"\nkind = "file"\nlocation = "{ics}"\n', encoding="utf-8")
    return profile


@pytest.fixture
def start_app(calendar_profile: Profile, clock: FakeClock, qtbot: QtBot,
              monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(MicroApp, "STARTUP_MESSAGE_DELAY_MS", 10)
    made: list[MicroApp] = []

    def start(**kwargs) -> MicroApp:
        app = build_app(calendar_profile, clock, **kwargs)
        made.append(app)
        assert app.start()
        qtbot.waitUntil(lambda: app.scheduler.next_cue is not None, timeout=10_000)
        return app

    yield start
    for app in made:
        close_app(app, qtbot)


def fire_at(app: MicroApp, clock: FakeClock, instant: datetime) -> None:
    """Move the clock to ``instant`` and let the scheduler's single-shot timer fire."""
    clock.set(instant)
    app.scheduler.timer.timeout.emit()


def shown(app: MicroApp, qtbot: QtBot):
    """The pause appears once the quick look at the desktop (busy or not) has answered."""
    qtbot.waitUntil(lambda: app.pauses.session is not None, timeout=3000)
    return app.pauses.session


def pauses(app: MicroApp) -> list[tuple[str, str | None]]:
    return [(p.outcome.value, p.meeting) for p in app.history.pauses_on(START.date())]


def test_the_pause_comes_a_minute_before_the_meeting_and_only_once(
        start_app, clock: FakeClock, qtbot: QtBot, quick_pause) -> None:
    app = start_app()
    cue = app.scheduler.next_cue
    assert [m.title for m in cue.meetings] == ["Design review"]  # "Focus time" is filtered
    assert cue.due == DUE
    assert app.scheduler.timer.isActive()

    fire_at(app, clock, datetime(2026, 3, 10, 9, 58, 59, tzinfo=BERLIN))
    assert app.pauses.session is None  # a second early: nothing yet

    fire_at(app, clock, DUE)
    session = shown(app, qtbot)
    assert session.views
    assert session.views[0].join_button is not None
    with qtbot.waitSignal(session.finished, timeout=3000):
        pass
    assert pauses(app) == [("completed", "Design review")]

    # A refresh of the same calendar, and the timer firing again, never repeat it.
    before = app.calendars.refreshes
    app.calendars.refresh_now()
    qtbot.waitUntil(lambda: app.calendars.refreshes > before, timeout=10_000)
    fire_at(app, clock, datetime(2026, 3, 10, 9, 59, 30, tzinfo=BERLIN))
    assert app.pauses.session is session
    assert pauses(app) == [("completed", "Design review")]


def test_a_restart_does_not_show_a_handled_pause_again(
        start_app, clock: FakeClock, qtbot: QtBot, quick_pause, calendar_profile) -> None:
    app = start_app()
    fire_at(app, clock, DUE)
    with qtbot.waitSignal(shown(app, qtbot).finished, timeout=3000):
        pass
    app.shutdown()
    clock.set(datetime(2026, 3, 10, 9, 59, 20, tzinfo=BERLIN))
    again = build_app(calendar_profile, clock)
    try:
        assert again.start()
        qtbot.waitUntil(lambda: again.calendars.refreshes > 0, timeout=10_000)
        assert again.scheduler.next_cue is None
        assert again.pauses.session is None
    finally:
        again.shutdown()


def test_after_the_pause_the_tray_offers_to_join_until_the_meeting_starts(
        start_app, clock: FakeClock, qtbot: QtBot, quick_pause) -> None:
    opened: list[str] = []
    app = start_app(opener=lambda url: opened.append(url) is None)
    assert app.tray.join_action.isVisible()  # the next meeting has a link
    fire_at(app, clock, DUE)
    with qtbot.waitSignal(shown(app, qtbot).finished, timeout=3000):
        pass
    assert app.tray.join_action.isVisible()
    app.tray.join_action.trigger()
    assert opened == ["https://meet.jit.si/microapp-design-review"]


def test_snoozed_pauses_are_held_back_and_noted_quietly(
        start_app, clock: FakeClock, qtbot: QtBot, quick_pause) -> None:
    notifier = FakeNotifier()
    app = start_app(notifier=notifier)
    app.tray.snooze_requested.emit("1h")
    assert app.tray.icon_state is IconState.SNOOZED
    fire_at(app, clock, DUE)
    qtbot.waitUntil(lambda: pauses(app) == [("suppressed", "Design review")], timeout=3000)
    assert app.pauses.session is None
    assert len(notifier.sent) == 1 and "Design review" in notifier.sent[0][1]
    # The snooze is kept across a restart of the app.
    assert History(app.history.db).snoozed_until() is not None


def test_do_not_disturb_holds_the_pause_back(start_app, clock: FakeClock, qtbot: QtBot,
                                             quick_pause) -> None:
    app = start_app(busy_check=BusyCheck([Detector(True)], [Detector(None)]))
    fire_at(app, clock, DUE)
    qtbot.waitUntil(lambda: pauses(app) == [("suppressed", "Design review")], timeout=3000)
    assert app.pauses.session is None


def test_a_fullscreen_window_holds_the_pause_back_unless_the_setting_says_otherwise(
        start_app, clock: FakeClock, qtbot: QtBot, quick_pause, calendar_profile) -> None:
    with calendar_profile.settings_path.open("a", encoding="utf-8") as f:
        f.write("[pause]\nrespect_fullscreen = false\n")
    app = start_app(busy_check=BusyCheck([Detector(False)], [Detector(True)]))
    fire_at(app, clock, DUE)
    shown(app, qtbot)


def test_sleeping_through_the_pause_records_it_missed(
        start_app, clock: FakeClock, qtbot: QtBot, quick_pause) -> None:
    notifier = FakeNotifier()
    app = start_app(notifier=notifier)
    clock.set(datetime(2026, 3, 10, 10, 3, tzinfo=BERLIN))  # woke three minutes into it
    app.scheduler.on_resumed()
    assert pauses(app) == [("missed", "Design review")]
    assert app.pauses.session is None
    assert len(notifier.sent) == 1
    # Recorded on the day it belonged to, at the instant it was due.
    assert app.history.pauses_on(START.date())[0].at == DUE


def test_silent_when_busy_sends_no_notification(start_app, clock: FakeClock, qtbot: QtBot,
                                                quick_pause, calendar_profile) -> None:
    with calendar_profile.settings_path.open("a", encoding="utf-8") as f:
        f.write('[pause]\nwhen_busy = "silent"\n')
    notifier = FakeNotifier()
    app = start_app(notifier=notifier)
    clock.set(datetime(2026, 3, 10, 10, 3, tzinfo=BERLIN))
    app.scheduler.on_resumed()
    assert pauses(app) == [("missed", "Design review")]
    assert notifier.sent == []


def test_a_changed_lead_in_the_settings_file_moves_the_cue(
        start_app, clock: FakeClock, qtbot: QtBot, calendar_profile, monkeypatch) -> None:
    from microapp.ui.settings_watch import SettingsWatch

    monkeypatch.setattr(SettingsWatch, "DEBOUNCE_MS", 10)
    app = start_app()
    text = calendar_profile.settings_path.read_text(encoding="utf-8")
    calendar_profile.settings_path.write_text(
        text + "[meetings]\nlead_seconds = 300\n", encoding="utf-8")
    qtbot.waitUntil(lambda: app.scheduler.next_cue is not None
                    and app.scheduler.next_cue.due == datetime(2026, 3, 10, 9, 55,
                                                               tzinfo=BERLIN), timeout=5000)


def test_the_today_view_moves_past_a_meeting_once_it_starts(start_app, clock: FakeClock) -> None:
    app = start_app()
    panel = app.tray.window.panel
    assert "Design review" in panel.next_meeting.text()
    assert app._next_meeting_timer.isActive()
    clock.set(datetime(2026, 3, 10, 10, 0, 1, tzinfo=BERLIN))
    app._next_meeting_timer.timeout.emit()
    assert "Design review" not in panel.next_meeting.text()
