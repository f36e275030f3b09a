"""The History window from the tray, the daily backup, and restoring a backup while the app
runs: the restored history is what the app shows and writes to from then on."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from microapp.app import MicroApp
from microapp.core.paths import Profile
from microapp.store.backup import default_folder, list_backups
from tests.gui.test_app import build_app
from tests.helpers import FakeClock


@pytest.fixture
def app(profile: Profile, clock: FakeClock, monkeypatch: pytest.MonkeyPatch, qapp):
    monkeypatch.setattr(MicroApp, "STARTUP_MESSAGE_DELAY_MS", 10)
    made = build_app(profile, clock)
    assert made.start()
    made.history_view._pool.waitForDone()  # the start-up backup
    yield made
    made.shutdown()


def test_history_opens_from_the_tray_with_the_streaks(app: MicroApp, clock: FakeClock) -> None:
    app.history.record_pause(clock.now(), "completed", "listen", None)
    app.tray.history_requested.emit()
    window = app.history_view.window
    assert window is not None and window.isVisible()
    assert window.pauses.current.value.text() == "1 day"


def test_one_backup_a_day_is_taken_in_the_background(app: MicroApp, profile: Profile,
                                                     clock: FakeClock) -> None:
    folder = default_folder(profile.database_path)
    assert len(list_backups(folder)) == 1
    app.history_view.daily_backup()  # the same day: nothing new
    app.history_view._pool.waitForDone()
    assert len(list_backups(folder)) == 1
    clock.advance(days=1)
    app.history_view.daily_backup()
    app.history_view._pool.waitForDone()
    assert len(list_backups(folder)) == 2


def test_restoring_a_backup_swaps_the_history_under_the_running_app(
        app: MicroApp, profile: Profile, clock: FakeClock, qtbot: QtBot) -> None:
    app.history.record_pause(clock.now(), "completed", "notice", None)
    clock.advance(days=1)
    app.history_view.daily_backup()
    app.history_view._pool.waitForDone()
    backup = list_backups(default_folder(profile.database_path))[0].path
    clock.advance(minutes=5)
    app.history.record_pause(clock.now(), "skipped", None, None)  # after the backup

    app.history_view.restore_backup(str(backup))
    assert app.history.pause_count() == 1  # the later pause is not in the backup
    kept = list(profile.database_path.parent.glob("*.before-restore-*"))
    assert kept, "the replaced history is kept aside, never deleted"
    app.history.record_pause(clock.now(), "completed", None, None)  # still writable
    assert app.history.pause_count() == 2
