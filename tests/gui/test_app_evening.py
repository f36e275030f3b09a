"""The running app in the evening: the invitation arrives once, on time, the tray keeps a
gentle dot until the sentence is written, and a sentence saved elsewhere shows up here."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from pytestqt.qtbot import QtBot

from microapp.app import MicroApp
from microapp.core.paths import Profile
from microapp.store.db import open_store
from microapp.store.history import History
from tests.gui.test_app import FakeNotifier, build_app
from tests.helpers import FakeClock

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def evening_app(profile: Profile, clock: FakeClock, monkeypatch: pytest.MonkeyPatch, qapp):
    monkeypatch.setattr(MicroApp, "STARTUP_MESSAGE_DELAY_MS", 10)
    clock.set(datetime(2026, 3, 10, 20, 0, tzinfo=BERLIN))
    notifier = FakeNotifier()
    app = build_app(profile, clock, notifier=notifier)
    assert app.start()
    yield app, notifier
    app.shutdown()


def test_the_invitation_comes_at_half_past_eight_once(evening_app, clock: FakeClock) -> None:
    app, notifier = evening_app
    prompt = app.reflection.prompt
    assert prompt.timer.isActive() and not app.tray.invitation_pending
    clock.set(datetime(2026, 3, 10, 20, 29, 59, tzinfo=BERLIN))
    prompt.timer.timeout.emit()
    assert notifier.sent == []
    clock.set(datetime(2026, 3, 10, 20, 30, tzinfo=BERLIN))
    prompt.timer.timeout.emit()
    assert [title for title, _ in notifier.sent] == ["A sentence for tonight"]
    assert app.tray.invitation_pending
    prompt.timer.timeout.emit()  # the same evening: never twice
    app.reflection.replan("day")
    assert len(notifier.sent) == 1


def test_writing_the_sentence_clears_the_dot_and_counts(evening_app, clock: FakeClock,
                                                        qtbot: QtBot) -> None:
    app, _ = evening_app
    clock.set(datetime(2026, 3, 10, 20, 30, tzinfo=BERLIN))
    app.reflection.prompt.timer.timeout.emit()
    app.tray.gratitude_requested.emit()
    window = app.reflection.window
    assert window is not None and window.isVisible()
    window.who.name_edit.setText("Sam")
    window.sentence.edit.setPlainText("You stay after stand-up to walk me through the deploy.")
    record = window.save()
    assert record is not None and record.day.isoformat() == "2026-03-10"
    assert not app.tray.invitation_pending
    assert app.tray.window.panel.gratitude_streak.text().startswith("Gratitude streak: 1 day")


def test_a_sentence_saved_by_the_command_line_shows_after_refresh(
        evening_app, clock: FakeClock, profile: Profile) -> None:
    app, _ = evening_app
    other = open_store(profile.database_path, clock.now())
    try:
        History(other.db).add_gratitude(clock.now(), "Mum", "You ask about my week and listen.")
    finally:
        other.db.close()
    app.handle_command("refresh")
    assert app.tray.window.panel.gratitude_streak.text().startswith("Gratitude streak: 1 day")
    clock.set(datetime(2026, 3, 10, 20, 30, tzinfo=BERLIN))
    app.reflection.prompt.timer.timeout.emit()
    assert not app.tray.invitation_pending  # already written today: no invitation


def test_an_unsaved_sentence_survives_quitting(profile: Profile, clock: FakeClock, qapp) -> None:
    clock.set(datetime(2026, 3, 10, 21, 0, tzinfo=BERLIN))
    app = build_app(profile, clock)
    assert app.start()
    app.reflection.open_window()
    window = app.reflection.window
    window.who.name_edit.setText("Zoë")
    window.sentence.edit.setPlainText("You bring soup when I am ill —\nand stay to talk.")
    app.shutdown()

    again = build_app(profile, clock)
    try:
        assert again.start()
        again.reflection.open_window()
        window = again.reflection.window
        assert window.who.name_edit.text() == "Zoë"
        assert window.sentence.edit.toPlainText() == (
            "You bring soup when I am ill —\nand stay to talk.")
        assert again.history.get_state("reflection_draft") is None
    finally:
        window.discard()
        again.shutdown()


def test_the_dot_waits_until_the_window_is_opened(evening_app, clock: FakeClock) -> None:
    app, _ = evening_app
    clock.set(datetime(2026, 3, 10, 20, 30, tzinfo=BERLIN))
    app.reflection.prompt.timer.timeout.emit()
    assert app.tray.invitation_pending
    app.tray.gratitude_requested.emit()  # opened, nothing written yet
    assert not app.tray.invitation_pending
    app.reflection.window.hide()
    app.tray.evening_snooze_requested.emit("15m")  # ask again later: the dot comes back then
    clock.set(datetime(2026, 3, 10, 20, 45, tzinfo=BERLIN))
    app.reflection.prompt.timer.timeout.emit()
    assert app.tray.invitation_pending
