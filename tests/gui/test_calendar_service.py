"""Calendars in the running app: read in a child process, watched, one broken source never
hides the others, a failed read keeps what was known, and errors reach the tray."""

from __future__ import annotations

import logging
import os
import pickle
import sys
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from microapp.app import MicroApp
from microapp.calendar_child import (
    ChildAnswer,
    _portable,
    child_command,
    load_answer,
)
from microapp.core.meetings import Meeting
from microapp.core.paths import Profile
from microapp.core.settings import Settings, load_settings, save_settings
from microapp.core.sources import SourceConfig, SourceKind
from microapp.store.db import open_store
from microapp.ui.calendar_service import CalendarService, CalendarSnapshot, CalendarWorker
from microapp.ui.theme import palette_for
from microapp.ui.tray import TrayController
from tests.helpers import FakeClock
from tests.integration.http_server import ETAG, CalendarServer

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
                                                  tmp_path: Path, qtbot: QtBot,
                                                  caplog: pytest.LogCaptureFixture) -> None:
    broken = tmp_path / "broken.ics"
    broken.write_text("<html>this is a web page</html>", encoding="utf-8")
    svc = service(settings_with(
        SourceConfig("work", SourceKind.FILE, str(calendar_file)),
        SourceConfig("bad", SourceKind.FILE, str(broken), name="Old export")))
    with caplog.at_level(logging.WARNING), qtbot.waitSignal(svc.updated, timeout=10_000) as \
            blocker:
        svc.start()
    snapshot = blocker.args[0]
    assert [m.title for m in snapshot.meetings] == ["Stand-up"]
    [problem] = snapshot.problems
    assert problem.id == "bad" and problem.label == "Old export" and problem.error
    # The reader's own log line (written in the child) is in the app's log, under its name.
    assert any(r.name == "microapp.core.calendars" and "calendar bad:" in r.getMessage()
               for r in caplog.records)


def test_a_relative_path_means_what_it_means_to_the_app(service, calendar_file: Path,
                                                        qtbot: QtBot, monkeypatch) -> None:
    monkeypatch.chdir(calendar_file.parent)  # the reader runs in a folder of its own
    svc = service(settings_with(SourceConfig("work", SourceKind.FILE, calendar_file.name)))
    with qtbot.waitSignal(svc.updated, timeout=10_000) as blocker:
        svc.start()
    assert [m.title for m in blocker.args[0].meetings] == ["Stand-up"]


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


# -- the reader is a child process ---------------------------------------------------------


def quit_with(code: int) -> list[str]:
    return [sys.executable, "-c", f"import sys; sys.stdin.buffer.read(); sys.exit({code})"]


def test_no_calendar_means_no_reader(service, qtbot: QtBot, monkeypatch) -> None:
    monkeypatch.setattr(CalendarWorker, "COMMAND", quit_with(5))  # would fail if started
    svc = service(Settings())
    with qtbot.waitSignal(svc.updated, timeout=2000) as blocker:
        svc.start()
        assert not svc.reading
    assert blocker.args[0].meetings == () and blocker.args[0].problem_lines() == []


def test_a_failed_read_keeps_the_meetings_and_says_why_once(
        service, calendar_file: Path, qtbot: QtBot, monkeypatch,
        caplog: pytest.LogCaptureFixture) -> None:
    svc = service(settings_with(SourceConfig("work", SourceKind.FILE, str(calendar_file))))
    with qtbot.waitSignal(svc.updated, timeout=10_000):
        svc.start()
    monkeypatch.setattr(CalendarWorker, "COMMAND", quit_with(3))
    with caplog.at_level(logging.WARNING):
        for _ in range(2):
            with qtbot.waitSignal(svc.updated, timeout=10_000) as blocker:
                svc.refresh_now()
    snapshot = blocker.args[0]
    assert [m.title for m in snapshot.meetings] == ["Stand-up"]  # nothing lost
    [line] = snapshot.problem_lines()
    assert line.startswith("could not read calendars: ") and "exit status 3" in line
    assert line.endswith("Showing the last good copy.")
    [status] = snapshot.statuses
    assert not status.ok and status.stale and status.error.startswith("could not read calendars")
    told = [r for r in caplog.records if "could not read calendars" in r.getMessage()]
    assert len(told) == 1  # logged once, not at every attempt
    monkeypatch.setattr(CalendarWorker, "COMMAND", None)
    with qtbot.waitSignal(svc.updated, timeout=10_000) as blocker:
        svc.refresh_now()
    assert blocker.args[0].problem_lines() == [] and blocker.args[0].statuses[0].ok


def test_a_reader_that_answers_nonsense_or_hangs_is_not_believed(
        service, calendar_file: Path, qtbot: QtBot, monkeypatch) -> None:
    svc = service(settings_with(SourceConfig("work", SourceKind.FILE, str(calendar_file))))
    monkeypatch.setattr(CalendarWorker, "COMMAND", [
        sys.executable, "-c", "import sys; sys.stdin.buffer.read(); sys.stdout.write('hello')"])
    with qtbot.waitSignal(svc.updated, timeout=10_000) as blocker:
        svc.start()
    assert "answer was unusable" in blocker.args[0].problem_lines()[0]
    assert blocker.args[0].meetings == ()
    monkeypatch.setattr(CalendarWorker, "TIMEOUT_MS", 300)
    monkeypatch.setattr(CalendarWorker, "COMMAND", [
        sys.executable, "-c", "import time; time.sleep(60)"])
    with qtbot.waitSignal(svc.updated, timeout=10_000) as blocker:
        svc.refresh_now()
    assert "took longer than" in blocker.args[0].problem_lines()[0]
    assert not svc.reading


def test_a_reader_that_cannot_start_is_a_problem_not_a_crash(
        service, calendar_file: Path, tmp_path: Path, qtbot: QtBot, monkeypatch) -> None:
    monkeypatch.setattr(CalendarWorker, "COMMAND", [str(tmp_path / "no-such-program")])
    svc = service(settings_with(SourceConfig("work", SourceKind.FILE, str(calendar_file))))
    with qtbot.waitSignal(svc.updated, timeout=10_000) as blocker:
        svc.start()
    [line] = blocker.args[0].problem_lines()
    assert line.startswith("could not read calendars: the calendar reader could not be started")
    assert not svc.reading


def test_stopping_ends_a_read_under_way(service, calendar_file: Path, qtbot: QtBot,
                                        monkeypatch) -> None:
    monkeypatch.setattr(CalendarWorker, "COMMAND", [
        sys.executable, "-c", "import time; time.sleep(60)"])
    svc = service(settings_with(SourceConfig("work", SourceKind.FILE, str(calendar_file))))
    svc.start()
    assert svc.reading
    process = svc._worker._process
    qtbot.waitUntil(lambda: process.processId() > 0, timeout=5000)
    pid = process.processId()
    with qtbot.assertNotEmitted(svc.updated, wait=200):
        svc.stop()
    assert not svc.reading
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_an_unchanged_feed_costs_a_conditional_request_not_a_download(
        service, profile: Profile, clock: FakeClock, qtbot: QtBot) -> None:
    """Reads happen in fresh processes; the copy kept on disk and its validators make each
    later ask a conditional one (also right after a restart)."""
    server = CalendarServer()
    try:
        feed = SourceConfig("team", SourceKind.URL, server.url("/etag.ics"))
        svc = service(settings_with(feed))
        with qtbot.waitSignal(svc.updated, timeout=20_000) as blocker:
            svc.start()
        assert [m.title for m in blocker.args[0].meetings] == ["Standup"]
        with qtbot.waitSignal(svc.updated, timeout=20_000) as blocker:
            svc.refresh_now()
        assert [m.title for m in blocker.args[0].meetings] == ["Standup"]
        [status] = blocker.args[0].statuses
        assert status.ok and not status.stale
        restarted = service(settings_with(feed))
        with qtbot.waitSignal(restarted.updated, timeout=20_000) as blocker:
            restarted.start()
        assert [m.title for m in blocker.args[0].meetings] == ["Standup"]
        asked = server.headers("/etag.ics")
        assert [h.get("If-None-Match") for h in asked] == [None, ETAG, ETAG]
    finally:
        server.stop()


def test_a_calendar_with_its_own_time_zone_reaches_the_tray(
        service, tmp_path: Path, qtbot: QtBot) -> None:
    """Meetings in a calendar's own VTIMEZONE cross over as plain offsets: the tray reads
    them without the calendar libraries."""
    path = tmp_path / "own-zone.ics"
    path.write_text("\r\n".join([
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//microapp tests//EN",
        "BEGIN:VTIMEZONE", "TZID:Office Time", "BEGIN:STANDARD",
        "DTSTART:19700101T000000", "TZOFFSETFROM:+0300", "TZOFFSETTO:+0300",
        "TZNAME:OFT", "END:STANDARD", "END:VTIMEZONE",
        "BEGIN:VEVENT", "UID:own-1", "DTSTAMP:20260301T000000Z", "SUMMARY:Planning",
        "DTSTART;TZID=Office Time:20260310T130000",
        "DTEND;TZID=Office Time:20260310T133000", "END:VEVENT", "END:VCALENDAR", ""]),
        encoding="utf-8")
    svc = service(settings_with(SourceConfig("own", SourceKind.FILE, str(path))))
    with qtbot.waitSignal(svc.updated, timeout=10_000) as blocker:
        svc.start()
    [meeting] = blocker.args[0].meetings
    assert meeting.title == "Planning"
    assert meeting.start == START + timedelta(hours=1)  # 13:00 at +03:00 is 10:00 UTC
    assert meeting.start.utcoffset() == timedelta(hours=3)


def test_an_answer_holds_nothing_but_calendar_data() -> None:
    class Sneaky:
        def __reduce__(self):
            return (os.system, ("true",))

    for data in (b"", b"not a pickle", pickle.dumps(Sneaky()), pickle.dumps({"a": 1})):
        with pytest.raises(ValueError):
            load_answer(data)
    meeting = Meeting("Stand-up", START, START + timedelta(minutes=15), "work", "u1")
    answer = ChildAnswer((meeting,), (), START, {"work": None}, {}, {})
    assert load_answer(pickle.dumps(answer)) == answer


def test_meetings_leave_the_reader_in_zones_the_tray_can_read() -> None:
    from dateutil import tz

    berlin = tz.gettz("Europe/Berlin")
    start = datetime(2026, 3, 10, 10, 0, tzinfo=berlin)
    meeting = Meeting("Review", start, start + timedelta(hours=1), "work", "u2")
    portable = _portable(meeting, {})
    assert type(portable.start.tzinfo) is timezone and portable.start == meeting.start
    assert load_answer(pickle.dumps(ChildAnswer((portable,), (), START, {}, {}, {})))
    with pytest.raises(ValueError):  # the calendar library's own zone would not cross
        load_answer(pickle.dumps(ChildAnswer((meeting,), (), START, {}, {}, {})))


def test_the_reader_is_this_program_with_a_hidden_argument() -> None:
    assert child_command("/usr/bin/python3", frozen=False) == [
        "/usr/bin/python3", "-m", "microapp", "_calendars"]
    assert child_command("/opt/microapp/microapp", frozen=True) == [
        "/opt/microapp/microapp", "_calendars"]


def test_one_failed_read_is_one_line_in_the_tray() -> None:
    from microapp.core.source_status import SourceStatus

    statuses = tuple(SourceStatus(id=i, label=i, kind=SourceKind.FILE, enabled=True, ok=False,
                                  error="could not read calendars: x", stale=True, events=2)
                     for i in ("a", "b"))
    snapshot = CalendarSnapshot(statuses=statuses, reader_error="could not read calendars: x")
    assert snapshot.problem_lines() == ["could not read calendars: x Showing the last good copy."]
