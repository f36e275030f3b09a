"""Adding a calendar from the Settings window: real files, the real local HTTP server, and
Radicale for CalDAV. A source is read once (in a worker thread) before it is kept; on failure
nothing is kept and the reason is shown."""

from __future__ import annotations

import socket
import stat
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail
from PySide6.QtCore import Qt, QTimer
from pytestqt.qtbot import QtBot

from microapp.core.paths import Profile
from microapp.core.settings import Settings
from microapp.core.sources import SourceKind
from microapp.ui.settings_calendars_add import AddCalendarDialog
from microapp.ui.settings_calendars_page import CalendarsPage
from tests.gui.settings_calendars_helpers import (  # noqa: F401 - fixtures
    PageMaker,
    RecordingChecker,
    make_page_fixture,
    memory_keyring_fixture,
    on_disk,
    write_ics,
    written,
)
from tests.helpers import FakeClock, MemoryKeyring
from tests.integration.http_server import CalendarServer
from tests.integration.radicale_server import (  # noqa: F401 - the module-scoped fixture
    PASSWORD,
    USER,
    RadicaleServer,
    radicale_fixture,
)


@pytest.fixture(autouse=True)
def _no_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)


@pytest.fixture
def server() -> Iterator[CalendarServer]:
    running = CalendarServer()
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def work_ics(tmp_path: Path) -> Path:
    return write_ics(tmp_path / "cals" / "Work.ics", ("Stand-up", timedelta(hours=1)),
                     ("Focus time", timedelta(hours=2)), ("Review", timedelta(days=2)))


def open_dialog(qtbot: QtBot, page: CalendarsPage) -> AddCalendarDialog:
    page.add_button.click()
    dialog = page.add_dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    return dialog


def fill(qtbot: QtBot, dialog: AddCalendarDialog, location: str, name: str = "") -> None:
    dialog.location.setFocus()
    qtbot.keyClicks(dialog.location, location)
    if name:
        qtbot.keyClicks(dialog.name, name)


def wait_result(qtbot: QtBot, dialog: AddCalendarDialog) -> str:
    qtbot.waitUntil(lambda: not dialog.reading and dialog.result.isVisibleTo(dialog),
                    timeout=20_000)
    return dialog.result.text()


def closed(qtbot: QtBot, page: CalendarsPage) -> None:
    qtbot.waitUntil(lambda: page.add_dialog is None, timeout=20_000)


# -- files ----------------------------------------------------------------------------------------

def test_add_a_file_reads_it_off_the_ui_thread_then_keeps_it(
        make_page: PageMaker, qtbot: QtBot, profile: Profile, clock: FakeClock,
        work_ics: Path) -> None:
    checker = RecordingChecker(profile, clock)
    page = make_page(checker=checker)
    dialog = open_dialog(qtbot, page)
    fill(qtbot, dialog, str(work_ics), "Work")
    dialog.add_button.click()  # not tested yet: Add tests first
    closed(qtbot, page)
    written(qtbot, page)
    [config] = on_disk(profile).calendars
    assert (config.id, config.kind, config.name, config.location) == (
        "work", SourceKind.FILE, "Work", str(work_ics))
    assert checker.threads and not checker.on_ui_thread
    assert page.note.text() == ("Added “Work”: It works: 2 upcoming meetings in the next 14 "
                                "days. Next: Tue 10 Mar 10:00 Stand-up · Zoom.")
    assert list(page.rows) == ["work"]


def test_enter_tests_and_nothing_is_kept_until_add(make_page: PageMaker, qtbot: QtBot,
                                                   profile: Profile, work_ics: Path) -> None:
    page = make_page()
    dialog = open_dialog(qtbot, page)
    fill(qtbot, dialog, str(work_ics.parent))  # a folder
    qtbot.keyClick(dialog.location, Qt.Key.Key_Return)
    assert wait_result(qtbot, dialog).startswith("It works: 2 upcoming meetings")
    assert dialog.result.property("tone") == "ok"
    assert dialog.isVisible()
    written(qtbot, page)
    assert on_disk(profile).calendars == ()
    dialog.add_button.click()  # tested and unchanged: kept at once
    closed(qtbot, page)
    written(qtbot, page)
    [config] = on_disk(profile).calendars
    assert config.kind is SourceKind.FOLDER and config.id == "cals"


def test_a_path_that_is_not_there_is_refused_before_any_reading(
        make_page: PageMaker, qtbot: QtBot, profile: Profile, clock: FakeClock,
        tmp_path: Path) -> None:
    checker = RecordingChecker(profile, clock)
    page = make_page(checker=checker)
    dialog = open_dialog(qtbot, page)
    assert not dialog.test_button.isEnabled() and not dialog.add_button.isEnabled()
    fill(qtbot, dialog, str(tmp_path / "nope.ics"))
    dialog.add_button.click()
    assert dialog.result.text().startswith("'") and "neither an existing file" in \
        dialog.result.text()
    assert dialog.result.property("tone") == "problem"
    assert checker.threads == [] and page.editor.settings.calendars == ()


def test_changing_the_entry_after_a_good_test_tests_again_on_add(
        make_page: PageMaker, qtbot: QtBot, profile: Profile, work_ics: Path,
        tmp_path: Path) -> None:
    broken = tmp_path / "broken.ics"
    broken.write_text("BEGIN:VCALENDAR\r\nthis is not a calendar", encoding="utf-8")
    page = make_page()
    dialog = open_dialog(qtbot, page)
    fill(qtbot, dialog, str(work_ics))
    dialog.test_button.click()
    assert wait_result(qtbot, dialog).startswith("It works")
    dialog.location.setText(str(broken))
    dialog.add_button.click()
    text = wait_result(qtbot, dialog)
    assert text.endswith("Nothing was added.") and dialog.result.property("tone") == "problem"
    written(qtbot, page)
    assert on_disk(profile).calendars == () and dialog.isVisible()


def test_the_ui_stays_responsive_and_esc_abandons_the_reading(
        make_page: PageMaker, qtbot: QtBot, profile: Profile, clock: FakeClock,
        work_ics: Path) -> None:
    checker = RecordingChecker(profile, clock)
    checker.gate = threading.Event()
    page = make_page(checker=checker)
    dialog = open_dialog(qtbot, page)
    fill(qtbot, dialog, str(work_ics))
    dialog.test_button.click()
    qtbot.waitUntil(lambda: len(checker.threads) == 1)
    assert dialog.reading and dialog.busy.isVisibleTo(dialog)
    assert dialog.busy.text.text() == f"Reading {work_ics} …"
    assert not dialog.test_button.isEnabled() and not dialog.add_button.isEnabled()
    ticks: list[int] = []
    QTimer.singleShot(0, lambda: ticks.append(1))
    qtbot.keyClicks(dialog.name, "Still typing")
    qtbot.waitUntil(lambda: ticks == [1])  # the event loop runs while the check waits
    assert dialog.name.text() == "Still typing"
    qtbot.keyClick(dialog.name, Qt.Key.Key_Escape)
    closed(qtbot, page)
    checker.gate.set()
    qtbot.wait(50)  # the abandoned answer arrives now and must change nothing
    assert not checker.on_ui_thread
    written(qtbot, page)
    assert on_disk(profile).calendars == () and page.rows == {}


# -- subscription links (the local HTTP server) -------------------------------------------------

def test_a_subscription_link_is_kept_and_shown_without_its_secret(
        make_page: PageMaker, qtbot: QtBot, profile: Profile, server: CalendarServer) -> None:
    page = make_page()
    dialog = open_dialog(qtbot, page)
    url = server.url("/plain.ics").replace("http://", "HTTP://")
    fill(qtbot, dialog, url, "Team")
    assert dialog.link_kind.isVisible() and dialog.link_kind.isChecked()
    assert not dialog.user.isVisible()
    dialog.add_button.click()
    closed(qtbot, page)
    written(qtbot, page)
    [config] = on_disk(profile).calendars
    assert config.kind is SourceKind.URL and config.location == server.url("/plain.ics")
    assert page.rows[config.id].where.text() == "Subscription link · http://127.0.0.1/…"
    assert server.count("/plain.ics") == 1


@pytest.mark.parametrize(("path", "expected"), [
    ("/status/500", "500"),
    ("/html", "web page"),
])
def test_a_failing_link_keeps_nothing_and_says_why(
        make_page: PageMaker, qtbot: QtBot, profile: Profile, server: CalendarServer,
        path: str, expected: str) -> None:
    page = make_page()
    dialog = open_dialog(qtbot, page)
    fill(qtbot, dialog, server.url(path))
    dialog.add_button.click()
    text = wait_result(qtbot, dialog)
    assert expected in text and text.endswith("Nothing was added.")
    assert dialog.result.property("tone") == "problem"
    written(qtbot, page)
    assert on_disk(profile).calendars == () and page.editor.settings.calendars == ()


def test_an_unreachable_port(make_page: PageMaker, qtbot: QtBot, profile: Profile) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    page = make_page()
    dialog = open_dialog(qtbot, page)
    fill(qtbot, dialog, f"http://127.0.0.1:{port}/team.ics")
    dialog.test_button.click()
    text = wait_result(qtbot, dialog)
    assert "127.0.0.1" in text and text.endswith("Nothing was added.")
    assert page.editor.settings.calendars == ()


# -- CalDAV (Radicale) ---------------------------------------------------------------------------

def caldav(qtbot: QtBot, dialog: AddCalendarDialog, radicale: RadicaleServer,
           password: str = PASSWORD) -> None:
    fill(qtbot, dialog, radicale.url, "Team")
    dialog.caldav_kind.click()
    assert dialog.user.isVisible() and dialog.password.isVisible()
    assert not dialog.test_button.isEnabled()  # user name and password first
    qtbot.keyClicks(dialog.user, USER)
    qtbot.keyClicks(dialog.password, password)


def test_caldav_lists_its_calendars_and_the_password_goes_to_the_keyring(
        make_page: PageMaker, qtbot: QtBot, profile: Profile, radicale: RadicaleServer,
        memory_keyring: MemoryKeyring) -> None:
    page = make_page()
    dialog = open_dialog(qtbot, page)
    caldav(qtbot, dialog, radicale)
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    text = wait_result(qtbot, dialog)
    assert "Next: Wed 11 Mar 14:00 Call with Bob · Zoom." in text
    assert [box.text() for _, box in dialog.calendars.boxes] == ["Work"]  # not the task list
    assert memory_keyring.passwords == {}  # a test keeps nothing
    dialog.add_button.click()
    closed(qtbot, page)
    written(qtbot, page)
    [config] = on_disk(profile).calendars
    assert (config.kind, config.username, config.name) == (SourceKind.CALDAV, USER, "Team")
    assert memory_keyring.passwords == {("microapp", config.id): PASSWORD}
    assert PASSWORD not in profile.settings_path.read_text(encoding="utf-8")
    assert page.rows[config.id].where.text() == "CalDAV · http://127.0.0.1/ · alice"


def test_caldav_with_a_wrong_password_keeps_nothing(
        make_page: PageMaker, qtbot: QtBot, radicale: RadicaleServer,
        memory_keyring: MemoryKeyring) -> None:
    page = make_page()
    dialog = open_dialog(qtbot, page)
    caldav(qtbot, dialog, radicale, password="not-it")
    dialog.add_button.click()
    text = wait_result(qtbot, dialog)
    assert "user name or password" in text and "not-it" not in text
    assert page.editor.settings.calendars == () and memory_keyring.passwords == {}


def test_caldav_without_a_keyring_offers_a_private_file(
        make_page: PageMaker, qtbot: QtBot, profile: Profile,
        radicale: RadicaleServer) -> None:
    page = make_page()
    keyring.set_keyring(fail.Keyring())  # restored by the memory_keyring fixture
    dialog = open_dialog(qtbot, page)
    caldav(qtbot, dialog, radicale)
    dialog.test_button.click()
    assert wait_result(qtbot, dialog).startswith("It works")
    assert dialog.keyring.note.isVisible() and dialog.keyring.password_file.isVisible()
    assert "MICROAPP_CALDAV_PASSWORD_127.0.0.1".replace(".", "_") in dialog.keyring.note.text()
    dialog.add_button.click()
    text = wait_result(qtbot, dialog)
    assert "no system keyring" in text and "not added" in text
    written(qtbot, page)
    assert on_disk(profile).calendars == ()
    dialog.keyring.password_file.click()
    dialog.add_button.click()
    closed(qtbot, page)
    written(qtbot, page)
    [config] = on_disk(profile).calendars
    secret = profile.config_dir / "secrets" / config.id
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    assert PASSWORD not in profile.settings_path.read_text(encoding="utf-8")


def test_caldav_only_the_ticked_calendars(
        make_page: PageMaker, qtbot: QtBot, profile: Profile, radicale: RadicaleServer) -> None:
    radicale.mkcalendar(f"/{USER}/home/", "Home")
    try:
        page = make_page(Settings())
        dialog = open_dialog(qtbot, page)
        caldav(qtbot, dialog, radicale)
        dialog.test_button.click()
        wait_result(qtbot, dialog)
        boxes = dict((box.text(), box) for _, box in dialog.calendars.boxes)
        assert set(boxes) == {"Work", "Home"}
        boxes["Home"].click()  # untick: changes what would be read, so Add reads again
        dialog.add_button.click()
        closed(qtbot, page)
        written(qtbot, page)
        [config] = on_disk(profile).calendars
        assert config.calendars == ("Work",)
    finally:
        radicale.delete(f"/{USER}/home/")
