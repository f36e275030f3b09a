"""The Calendars page: the list of sources on a real settings.toml — on/off, rename, remove
(asked first), Test again off the UI thread, statuses that follow the calendar service."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from microapp.core.calendars import SourceStatus
from microapp.core.paths import Profile
from microapp.core.settings import Settings
from microapp.core.sources import ErrorKind, SourceConfig, SourceKind
from microapp.ui.calendar_service import CalendarService
from microapp.ui.settings_calendars_page import CalendarsPage
from microapp.ui.settings_calendars_text import NO_STATUS
from tests.gui.settings_calendars_helpers import (  # noqa: F401 - fixtures
    NOW,
    FakeStatuses,
    PageMaker,
    RecordingChecker,
    make_page_fixture,
    memory_keyring_fixture,
    on_disk,
    write_ics,
    written,
)
from tests.helpers import FakeClock, MemoryKeyring

SECRET_URL = "https://calendar.example.com/private-7f3a9c2b1d4e5f60718293a4b5c6/basic.ics"


def two_sources(tmp_path: Path) -> Settings:
    work = write_ics(tmp_path / "work.ics", ("Stand-up", timedelta(hours=1)))
    return Settings(calendars=(
        SourceConfig("work", SourceKind.FILE, str(work), name="Work"),
        SourceConfig("shared", SourceKind.URL, SECRET_URL, name="Shared"),
        SourceConfig("home", SourceKind.FILE, str(tmp_path / "home.ics")),
    ))


def remove_button(box: QMessageBox, text: str):
    return next(b for b in box.buttons() if b.text() == text)


def test_the_list_shows_each_source_without_its_secret_parts(make_page: PageMaker,
                                                             tmp_path: Path) -> None:
    page = make_page(two_sources(tmp_path))
    assert list(page.rows) == ["work", "shared", "home"]
    shared = page.rows["shared"]
    assert shared.switch.text() == "Shared" and shared.switch.isChecked()
    assert shared.where.text() == "Subscription link · https://calendar.example.com/…"
    assert "7f3a9c2b1d" not in shared.where.text() + shared.where.toolTip()
    assert page.rows["home"].switch.text() == "home"  # no name: its id
    assert all(row.status.text() == NO_STATUS for row in page.rows.values())  # no service yet
    assert not page.empty.isVisibleTo(page)


def test_an_empty_list_says_how_to_begin(make_page: PageMaker) -> None:
    page = make_page()
    assert page.rows == {} and page.empty.isVisibleTo(page)
    assert "No calendars yet" in page.empty.text()


def test_turning_off_and_on_writes_the_file(make_page: PageMaker, qtbot: QtBot,
                                            profile: Profile, tmp_path: Path) -> None:
    page = make_page(two_sources(tmp_path))
    row = page.rows["shared"]
    row.switch.click()
    written(qtbot, page)
    assert [c.enabled for c in on_disk(profile).calendars] == [True, False, True]
    assert "Turned off" in row.status.text()
    qtbot.keyClick(row.switch, Qt.Key.Key_Space)
    written(qtbot, page)
    assert [c.enabled for c in on_disk(profile).calendars] == [True, True, True]


def test_rename_with_enter_and_leave_it_with_esc(make_page: PageMaker, qtbot: QtBot,
                                                  profile: Profile, tmp_path: Path) -> None:
    page = make_page(two_sources(tmp_path))
    row = page.rows["work"]
    row.rename_button.click()
    assert row.renaming and row.name_edit.hasFocus() and row.name_edit.text() == "Work"
    qtbot.keyClicks(row.name_edit, "Day job")
    qtbot.keyClick(row.name_edit, Qt.Key.Key_Return)
    written(qtbot, page)
    assert on_disk(profile).calendars[0].name == "Day job"
    assert row.switch.text() == "Day job" and not row.renaming

    row.rename_button.click()
    qtbot.keyClicks(row.name_edit, "Something else")
    qtbot.keyClick(row.name_edit, Qt.Key.Key_Escape)
    assert not row.renaming and row.switch.text() == "Day job"
    assert page.isVisible()  # Esc in the name left the page (and its window) open
    written(qtbot, page)
    assert on_disk(profile).calendars[0].name == "Day job"


def test_delete_asks_first_cancel_keeps_and_remove_removes(
        make_page: PageMaker, qtbot: QtBot, profile: Profile, tmp_path: Path) -> None:
    page = make_page(two_sources(tmp_path))
    row = page.rows["shared"]
    row.test_button.setFocus()
    qtbot.keyClick(row.test_button, Qt.Key.Key_Delete)
    box = page.confirm_box
    assert box is not None and "Remove “Shared”?" in box.text()
    assert box.defaultButton() is remove_button(box, "Cancel")  # the safe answer is the default
    remove_button(box, "Cancel").click()
    qtbot.waitUntil(lambda: page.confirm_box is None)
    assert list(page.rows) == ["work", "shared", "home"]

    row.remove_button.click()
    box = page.confirm_box
    assert box is not None
    remove_button(box, "Remove").click()
    qtbot.waitUntil(lambda: "shared" not in page.rows)
    written(qtbot, page)
    assert [c.id for c in on_disk(profile).calendars] == ["work", "home"]
    # Focus moves on to the next source (the window's focus, once it is active again).
    assert page.focusWidget() is page.rows["home"].switch
    assert page.note.text() == "Removed “Shared”."


def test_removing_a_caldav_source_forgets_its_password(
        make_page: PageMaker, qtbot: QtBot, profile: Profile,
        memory_keyring: MemoryKeyring) -> None:
    dav = SourceConfig("dav", SourceKind.CALDAV, "https://dav.example.com/", username="me")
    memory_keyring.set_password("microapp", "dav", "s3cret")
    page = make_page(Settings(calendars=(dav,)))
    page.remove("dav")
    qtbot.waitUntil(lambda: memory_keyring.passwords == {})
    written(qtbot, page)
    assert on_disk(profile).calendars == ()
    assert page.add_button.hasFocus()


def test_statuses_follow_the_service(make_page: PageMaker, tmp_path: Path) -> None:
    statuses = FakeStatuses()
    page = make_page(two_sources(tmp_path), statuses=statuses)
    statuses.publish(
        SourceStatus("work", "Work", SourceKind.FILE, True, ok=True, events=12,
                     last_success=NOW - timedelta(minutes=5)),
        SourceStatus("shared", "Shared", SourceKind.URL, True, ok=False,
                     error="Shared: the server answered 500 (a problem on its side)",
                     error_kind=ErrorKind.SERVER, stale=True, events=3,
                     last_success=NOW - timedelta(days=1)),
    )
    work, shared, home = (page.rows[i] for i in ("work", "shared", "home"))
    assert work.status.text() == "12 events, read at 08:55."
    assert work.status.property("tone") == ""
    assert shared.status.text() == ("The server answered 500 (a problem on its side). "
                                    "Showing the last good copy (read on Mon 09 Mar at 09:00).")
    assert shared.status.property("tone") == "problem"
    assert home.status.text() == NO_STATUS
    page.read_button.click()
    assert statuses.asked == 1


def test_test_again_runs_off_the_ui_thread_and_cancel_drops_the_answer(
        make_page: PageMaker, qtbot: QtBot, profile: Profile, clock: FakeClock,
        tmp_path: Path) -> None:
    checker = RecordingChecker(profile, clock)
    checker.gate = threading.Event()
    page = make_page(two_sources(tmp_path), checker=checker)
    row = page.rows["work"]
    row.test_button.click()
    qtbot.waitUntil(lambda: len(checker.threads) == 1)
    assert row.reading and "Reading /" in row.busy.text.text()
    assert not row.test_button.isEnabled()
    # The page keeps working while the check waits in its thread.
    page.rows["shared"].rename_button.click()
    qtbot.keyClicks(page.rows["shared"].name_edit, "X")
    assert page.rows["shared"].name_edit.text() == "X"
    page.rows["shared"].cancel_rename()
    assert row.busy.cancel_button is not None
    row.busy.cancel_button.click()
    assert not row.reading and row.check.isHidden() and row.test_button.isEnabled()
    checker.gate.set()
    QApplication.processEvents()
    qtbot.wait(50)  # a late answer would arrive now; it must be dropped
    assert row.check.isHidden()
    assert not checker.on_ui_thread

    checker.gate = None
    row.test_button.click()
    qtbot.waitUntil(lambda: row.check.isVisibleTo(row), timeout=5000)
    assert row.check.text() == ("It works: 1 upcoming meeting in the next 14 days. "
                                "Next: Tue 10 Mar 10:00 Stand-up · Zoom.")
    assert row.check.property("tone") == "ok"
    assert not checker.on_ui_thread


def test_test_again_on_a_broken_source_shows_why(make_page: PageMaker, qtbot: QtBot,
                                                 tmp_path: Path) -> None:
    page = make_page(two_sources(tmp_path))  # the default checker: the real check_source
    row = page.rows["home"]  # its file does not exist
    row.test_button.click()
    qtbot.waitUntil(lambda: row.check.isVisibleTo(row), timeout=5000)
    assert row.check.property("tone") == "problem"
    assert "home.ics" in row.check.text() and not row.reading


def test_a_successful_test_asks_the_service_to_catch_up(
        make_page: PageMaker, qtbot: QtBot, tmp_path: Path) -> None:
    statuses = FakeStatuses()
    page = make_page(two_sources(tmp_path), statuses=statuses)
    statuses.publish(SourceStatus("work", "Work", SourceKind.FILE, True, ok=False,
                                  error="Work: the file is missing"))
    page.rows["work"].test_button.click()
    qtbot.waitUntil(lambda: statuses.asked == 1, timeout=5000)


def test_calendar_text_is_plain(make_page: PageMaker, tmp_path: Path) -> None:
    html = "<b>Team</b> <img src=x>"
    settings = Settings(calendars=(SourceConfig("t", SourceKind.FILE, "/x.ics", name=html),))
    statuses = FakeStatuses()
    page = make_page(settings, statuses=statuses)
    statuses.publish(SourceStatus("t", html, SourceKind.FILE, True, ok=False,
                                  error=f"{html}: <i>broken</i>"))
    row = page.rows["t"]
    assert row.switch.text() == html
    for label in (row.where, row.status, row.check, page.note):
        assert label.textFormat() == Qt.TextFormat.PlainText
    assert row.status.text() == "<i>broken</i>."


def test_outside_changes_show_up(make_page: PageMaker, qtbot: QtBot, tmp_path: Path) -> None:
    page = make_page(two_sources(tmp_path))
    settings = page.editor.settings
    changed = replace(settings, calendars=(
        replace(settings.calendars[2], name="Home"), settings.calendars[0]))
    page.editor.set_current(changed)  # a hand edit or `microapp calendars` while it is open
    assert list(page.rows) == ["home", "work"]
    assert [page.list_box.itemAt(i).widget() for i in range(2)] == \
        [page.rows["home"], page.rows["work"]]
    assert page.rows["home"].switch.text() == "Home"


def test_tab_reaches_a_new_source_in_screen_order(make_page: PageMaker, qtbot: QtBot,
                                                  tmp_path: Path) -> None:
    page = make_page(two_sources(tmp_path))
    page._save_new(SourceConfig("late", SourceKind.FILE, str(tmp_path / "late.ics")))
    qtbot.waitUntil(page.rows["late"].isVisible)
    order = page.focus_order()
    page.add_button.setFocus()
    seen = [page.add_button]
    while (widget := QApplication.focusWidget()) is not order[-1]:
        qtbot.keyClick(widget, Qt.Key.Key_Tab)
        assert QApplication.focusWidget() in order, "Tab left the page before its end"
        seen.append(QApplication.focusWidget())
        assert len(seen) < 100
    assert seen == [w for w in order if w in seen]  # screen order, nothing skipped back
    late = page.rows["late"]
    for widget in (late.switch, late.test_button, late.rename_button, late.remove_button,
                   page.emails.list, page.emails.line, page.links.pattern,
                   page.refresh_field.spin):
        assert widget in seen
    assert seen.index(page.rows["home"].remove_button) < seen.index(late.switch)


def test_with_the_real_calendar_service(qtbot: QtBot, make_page: PageMaker, profile: Profile,
                                        clock: FakeClock, tmp_path: Path) -> None:
    """The app's wiring: the editor writes, hands the settings to the service, and the page
    shows what the service read."""
    work = write_ics(tmp_path / "work.ics", ("Stand-up", timedelta(hours=1)),
                     ("Review", timedelta(hours=3)))
    service = CalendarService(profile, clock, Settings())
    page = make_page(Settings(), statuses=service, apply=service.apply_settings)
    service.start()
    try:
        page._save_new(SourceConfig("work", SourceKind.FILE, str(work), name="Work"))
        qtbot.waitUntil(lambda: page.rows["work"].status.text().startswith("2 events"),
                        timeout=10_000)
    finally:
        service.stop()


def test_the_page_offers_the_window_what_it_uses(make_page: PageMaker) -> None:
    from microapp.ui.theme import DARK

    page = make_page(Settings())
    assert isinstance(page, CalendarsPage)
    assert page.add_button in page.focus_order()
    page.set_palette(DARK)
    assert DARK.warning in page.styleSheet()
    page.refresh(Settings(skip_tentative=True), force=True)
    assert next(f for f in page.fields if f.attr == "skip_tentative").widgets[0].isChecked()


def test_inside_the_settings_window(make_page: PageMaker, qtbot: QtBot, profile: Profile,
                                    tmp_path: Path) -> None:
    """The real window around it: Tab comes in from the section list, Esc and Delete in a
    name being edited stay with the name, and the window's theme reaches the page."""
    from microapp.ui.settings_window import SettingsWindow
    from microapp.ui.theme import DARK

    page = make_page(two_sources(tmp_path), show=False)
    window = SettingsWindow(page.editor, page.palette, calendars_page=page,
                            data_dir=profile.data_dir, settings_path=profile.settings_path,
                            open_url=lambda _url: True)
    qtbot.addWidget(window)
    window.show_section("calendars")
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.sections.setFocus()
    qtbot.keyClick(window.sections, Qt.Key.Key_Tab)
    assert page.add_button.hasFocus()

    row = page.rows["work"]
    row.rename_button.click()
    qtbot.keyClick(row.name_edit, Qt.Key.Key_End)
    qtbot.keyClick(row.name_edit, Qt.Key.Key_Backspace)
    qtbot.keyClick(row.name_edit, Qt.Key.Key_Home)
    qtbot.keyClick(row.name_edit, Qt.Key.Key_Delete)
    assert row.name_edit.text() == "or" and page.confirm_box is None
    qtbot.keyClick(row.name_edit, Qt.Key.Key_Escape)
    assert window.isVisible() and not row.renaming
    qtbot.keyClick(window, Qt.Key.Key_Escape)  # outside the name, Esc closes the window
    assert not window.isVisible()

    window.set_palette(DARK)
    assert page.palette == DARK and DARK.warning in page.styleSheet()
