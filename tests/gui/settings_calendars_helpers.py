"""Shared by tests/gui/test_settings_calendars*.py: a Calendars page on a real settings.toml,
real calendar files, a keyring in memory, and a stand-in for the calendar service's statuses.

Import the fixtures ``make_page_fixture`` and ``memory_keyring_fixture`` (they register as
``make_page`` and ``memory_keyring``)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import keyring
import keyring.core
import pytest
from PySide6.QtCore import QObject, Signal
from pytestqt.qtbot import QtBot

from microapp.core import calendar_setup as setup
from microapp.core.paths import Profile
from microapp.core.settings import Settings, load_settings, save_settings
from microapp.core.sources import SourceConfig
from microapp.ui.calendar_service import CalendarSnapshot
from microapp.ui.settings_calendars_page import CalendarsPage
from microapp.ui.settings_editor import SettingsEditor
from microapp.ui.theme import LIGHT, Palette
from tests.helpers import DEFAULT_ZONE, FakeClock, MemoryKeyring

NOW = FakeClock().now()


def stamp(dt: datetime) -> str:
    return dt.astimezone(DEFAULT_ZONE).strftime("%Y%m%dT%H%M%S")


def ics(*events: tuple[str, timedelta], prefix: str = "e") -> str:
    """(title, start after NOW) → a calendar of 30-minute events with a Zoom link each."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//microapp tests//EN"]
    for n, (title, after) in enumerate(events):
        start = NOW + after
        lines += ["BEGIN:VEVENT", f"UID:{prefix}{n}@example.com", "DTSTAMP:20260301T000000Z",
                  f"SUMMARY:{title}", f"DTSTART;TZID=Europe/Berlin:{stamp(start)}",
                  f"DTEND;TZID=Europe/Berlin:{stamp(start + timedelta(minutes=30))}",
                  "LOCATION:https://us02web.zoom.us/j/81234567890", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return "\r\n".join(lines) + "\r\n"


def write_ics(path: Path, *events: tuple[str, timedelta]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(ics(*events), encoding="utf-8")
    return path


class FakeStatuses(QObject):
    """What the page needs of the calendar service: a snapshot, `updated`, `refresh_now`."""

    updated = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self.snapshot = CalendarSnapshot()
        self.asked = 0

    def publish(self, *statuses: Any) -> None:
        self.snapshot = CalendarSnapshot(statuses=tuple(statuses))
        self.updated.emit(self.snapshot)

    def refresh_now(self) -> None:
        self.asked += 1


class RecordingChecker:
    """The real check, recording which thread it ran on; `gate` (when set) holds it until
    the test releases it."""

    def __init__(self, profile: Profile, clock: FakeClock) -> None:
        self.profile = profile
        self.clock = clock
        self.threads: list[threading.Thread] = []
        self.gate: threading.Event | None = None
        self.passwords: list[str | None] = []

    def __call__(self, config: SourceConfig, password: str | None) -> setup.SourceCheck:
        self.threads.append(threading.current_thread())
        self.passwords.append(password)
        if self.gate is not None:
            assert self.gate.wait(30), "the test never released the check"
        return setup.check_source(config, password, secrets_dir=self.profile.config_dir,
                                  now=self.clock.now(), zone=self.clock.zone())

    @property
    def on_ui_thread(self) -> bool:
        return any(t is threading.main_thread() for t in self.threads)


@pytest.fixture(name="memory_keyring")
def memory_keyring_fixture() -> Iterator[MemoryKeyring]:
    """Never the user's keyring."""
    backend = MemoryKeyring()
    previous = keyring.core._keyring_backend
    keyring.set_keyring(backend)
    yield backend
    keyring.core._keyring_backend = previous


PageMaker = Callable[..., CalendarsPage]


@pytest.fixture(name="make_page")
def make_page_fixture(qtbot: QtBot, profile: Profile, clock: FakeClock,
              memory_keyring: MemoryKeyring) -> PageMaker:
    def build(settings: Settings | None = None, *, statuses: Any = None,
              checker: Any = None, palette: Palette = LIGHT, show: bool = True,
              apply: Callable[[Settings], None] | None = None) -> CalendarsPage:
        settings = settings or Settings()
        save_settings(settings, profile.settings_path, clock.now())
        editor = SettingsEditor(profile.settings_path, clock, settings, apply=apply)
        page = CalendarsPage(editor, statuses, checker, palette, profile=profile, clock=clock)
        qtbot.addWidget(page)
        page.resize(640, 900)
        if show:
            page.show()
            page.activateWindow()
            qtbot.waitUntil(page.isActiveWindow)  # focus works as on a desktop
        return page

    return build


def written(qtbot: QtBot, page: CalendarsPage) -> None:
    qtbot.waitUntil(lambda: not page.editor.busy, timeout=5000)


def on_disk(profile: Profile) -> Settings:
    loaded = load_settings(profile.settings_path)
    assert loaded.ok, loaded.problems
    return loaded.settings
