"""Calendars in the running app: read in a worker, watched, one broken source never hides
the others, and its error reaches the tray."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from microapp.app import MicroApp
from microapp.core.paths import Profile
from microapp.core.settings import Settings, load_settings, save_settings
from microapp.core.sources import SourceConfig, SourceKind
from microapp.store.db import open_store
from microapp.ui.calendar_service import CalendarService
from microapp.ui.theme import palette_for
from microapp.ui.tray import TrayController
from tests.helpers import FakeClock

START = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


def ics(*events: tuple[str, str, datetime]) -> str:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//microapp tests//EN"]
    for uid, title, start in events:
        lines += ["BEGIN:VEVENT", f"UID:{uid}", "DTSTAMP:20260301T000000Z", f"SUMMARY:{title}",
                  f"DTSTART:{start:%Y%m%dT%H%M%SZ}",
                  f"DTEND:{start + timedelta(minutes=30):%Y%m%dT%H%M%SZ}",
                  "LOCATION:https://meet.google.com/abc-defg-hij", "END:VEVENT"]
    return "\r\n".join([*lines, "END:VCALENDAR"]) + "\r\n"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def calendar_file(tmp_path: Path) -> Path:
    path = tmp_path / "work.ics"
    path.write_text(ics(("a", "Stand-up", START + timedelta(hours=1))), encoding="utf-8")
    return path


def settings_with(*configs: SourceConfig) -> Settings:
    return Settings(calendars=configs)


@pytest.fixture
def service(profile: Profile, clock: FakeClock):
    made: list[CalendarService] = []

    def make(settings: Settings) -> CalendarService:
        svc = CalendarService(profile, clock, settings)
        made.append(svc)
        return svc

    yield make
    for svc in made:
        svc.stop()


def test_meetings_arrive_from_the_worker(service, calendar_file: Path, qtbot: QtBot) -> None:
    svc = service(settings_with(SourceConfig("work", SourceKind.FILE, str(calendar_file))))
    with qtbot.waitSignal(svc.updated, timeout=10_000) as blocker:
        svc.start()
    snapshot = blocker.args[0]
    assert [m.title for m in snapshot.meetings] == ["Stand-up"]
    assert snapshot.meetings[0].service == "Google Meet"
    assert snapshot.next_meeting(START).title == "Stand-up"
    assert [s.ok for s in snapshot.statuses] == [True]


def test_an_edited_file_is_read_again_by_itself(service, calendar_file: Path,
                                                qtbot: QtBot, monkeypatch) -> None:
    monkeypatch.setattr(CalendarService, "WATCH_DEBOUNCE_MS", 20)
    svc = service(settings_with(SourceConfig("work", SourceKind.FILE, str(calendar_file))))
    with qtbot.waitSignal(svc.updated, timeout=10_000):
        svc.start()
    calendar_file.write_text(ics(("a", "Stand-up", START + timedelta(hours=1)),
                                 ("b", "Retro", START + timedelta(hours=2))), encoding="utf-8")
    qtbot.waitUntil(lambda: [m.title for m in svc.snapshot.meetings] == ["Stand-up", "Retro"],
                    timeout=10_000)


def test_a_broken_source_keeps_the_others_working(service, calendar_file: Path,
                                                  tmp_path: Path, qtbot: QtBot) -> None:
    broken = tmp_path / "broken.ics"
    broken.write_text("<html>this is a web page</html>", encoding="utf-8")
    svc = service(settings_with(
        SourceConfig("work", SourceKind.FILE, str(calendar_file)),
        SourceConfig("bad", SourceKind.FILE, str(broken), name="Old export")))
    with qtbot.waitSignal(svc.updated, timeout=10_000) as blocker:
        svc.start()
    snapshot = blocker.args[0]
    assert [m.title for m in snapshot.meetings] == ["Stand-up"]
    [problem] = snapshot.problems
    assert problem.id == "bad" and problem.label == "Old export" and problem.error


def test_remote_sources_are_asked_again_on_one_timer(service, clock: FakeClock) -> None:
    url = SourceConfig("shared", SourceKind.URL, "https://calendar.example.org/x.ics")
    svc = service(Settings(refresh_minutes=15, calendars=(url,)))
    svc._last_asked["shared"] = clock.now()
    assert svc.due_times() == {"shared": clock.now() + timedelta(minutes=15)}
    # A calendar that asks for a longer interval (REFRESH-INTERVAL) is asked less often.
    from microapp.ui.calendar_service import CalendarSnapshot

    svc.snapshot = CalendarSnapshot(intervals={"shared": timedelta(hours=2)})
    assert svc.due_times() == {"shared": clock.now() + timedelta(hours=2)}


def test_the_tray_tells_the_next_meeting_and_a_broken_calendar(
        profile: Profile, clock: FakeClock, calendar_file: Path, tmp_path: Path,
        qtbot: QtBot) -> None:
    missing = tmp_path / "gone.ics"
    save_settings(settings_with(
        SourceConfig("work", SourceKind.FILE, str(calendar_file)),
        SourceConfig("gone", SourceKind.FILE, str(missing), name="Old")),
        profile.settings_path, clock.now())
    tray = TrayController(palette_for("light"), tray_available=lambda: False)
    app = MicroApp(profile=profile, clock=clock, loaded=load_settings(profile.settings_path),
                   opened=open_store(profile.database_path, clock.now()), tray_controller=tray)
    try:
        assert app.start()
        panel = tray.window.panel
        qtbot.waitUntil(lambda: "Stand-up" in panel.next_meeting.text(), timeout=10_000)
        assert "Google Meet" in panel.next_meeting.text()
        assert "Old:" in panel.problems.text() and "gone.ics" in panel.problems.text()
    finally:
        app.shutdown()
