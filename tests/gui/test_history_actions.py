"""The History window's export, import, backup and restore buttons, on real SQLite files, with
the dialogs answered by the test."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMenu
from pytestqt.qtbot import QtBot

from microapp.core.paths import Profile
from microapp.store.backup import default_folder, list_backups
from microapp.store.db import open_memory, open_store
from microapp.store.history import History
from microapp.ui import history_actions
from microapp.ui.history_actions import HistoryActions
from microapp.ui.history_window import HistoryWindow
from microapp.ui.theme import LIGHT
from tests.helpers import FakeClock

BERLIN = ZoneInfo("Europe/Berlin")
TODAY = date(2026, 3, 10)


def at(days_ago: int, hh: int) -> datetime:
    day = TODAY - timedelta(days=days_ago)
    return datetime(day.year, day.month, day.day, hh, tzinfo=BERLIN)


class Answers:
    """What the test answers to the window's dialogs, and what the window said."""

    def __init__(self, actions: HistoryActions, monkeypatch: pytest.MonkeyPatch) -> None:
        self.save_path = ""
        self.open_path = ""
        self.yes = True
        self.told: list[tuple[str, bool]] = []
        self.asked: list[str] = []
        self.menu: list[str] = []
        self.pick = 0
        monkeypatch.setattr(actions, "ask_save_path", lambda suggested: self.save_path)
        monkeypatch.setattr(actions, "ask_open_path", lambda *args: self.open_path)
        monkeypatch.setattr(actions, "confirm", self._confirm)
        monkeypatch.setattr(actions, "inform", self._inform)
        monkeypatch.setattr(actions, "show_menu", self._menu)

    def _confirm(self, title: str, text: str) -> bool:
        self.asked.append(text)
        return self.yes

    def _inform(self, title: str, text: str, *, warning: bool = False) -> None:
        self.told.append((text, warning))

    def _menu(self, menu: QMenu) -> None:
        items = [a for a in menu.actions() if not a.isSeparator()]
        self.menu = [a.text() for a in items]
        items[self.pick].trigger()


@pytest.fixture
def open_history(tmp_path: Path, clock: FakeClock) -> Iterator[Callable[[str], History]]:
    opened: list[History] = []

    def make(name: str) -> History:
        store = open_store(Profile.under(tmp_path / name).database_path, clock.now())
        history = History(store.db)
        opened.append(history)
        return history

    yield make
    for history in opened:
        history.close()


@pytest.fixture
def window_for(qtbot: QtBot, clock: FakeClock, monkeypatch: pytest.MonkeyPatch):
    def make(history: History) -> tuple[HistoryWindow, Answers]:
        window = HistoryWindow(LIGHT, history, clock)
        qtbot.addWidget(window)
        return window, Answers(window.actions, monkeypatch)

    return make


def seed(history: History) -> None:
    history.record_pause(at(1, 9), "completed", "listen", "Stand-up")
    history.record_pause(at(2, 9), "skipped", None, "=cmd|' /C calc'!A0")
    history.add_gratitude(at(1, 20), "Sam", "You stay with the hard question.", "colleague")


def run(qtbot: QtBot, window: HistoryWindow, button_text: str) -> str:
    button = next(b for b in window.actions.buttons if b.text() == button_text)
    with qtbot.waitSignal(window.actions.finished, timeout=10_000) as said:
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert not window.actions.working and button.isEnabled()
    return said.args[0]


def test_export_writes_json_or_csv_by_extension_off_the_ui_thread(
    open_history, window_for, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    history = open_history("a")
    seed(history)
    window, answers = window_for(history)
    threads: list[threading.Thread] = []
    real = history_actions.write_json

    def spying(db, stream):
        threads.append(threading.current_thread())
        return real(db, stream)

    monkeypatch.setattr(history_actions, "write_json", spying)
    answers.save_path = str(tmp_path / "out.json")
    said = run(qtbot, window, "E&xport…")
    assert said == "Exported 2 pauses and 1 sentence to out.json."
    assert window.actions.message.text() == said
    data = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    assert (len(data["pauses"]), len(data["gratitude"])) == (2, 1)
    assert threads and threads[0] is not threading.main_thread()
    answers.save_path = str(tmp_path / "out.csv")
    run(qtbot, window, "E&xport…")
    lines = (tmp_path / "out.csv").read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("kind,") and len(lines) == 4
    assert not list(tmp_path.glob("*.part"))


def test_import_merges_once_and_refreshes_the_window(
    open_history, window_for, qtbot: QtBot, tmp_path: Path
) -> None:
    source = open_history("a")
    seed(source)
    exporter, answers = window_for(source)
    answers.save_path = str(tmp_path / "out.json")
    run(qtbot, exporter, "E&xport…")

    window, answers = window_for(open_history("b"))
    assert window.days.model().rowCount() == 0
    answers.open_path = str(tmp_path / "out.json")
    with qtbot.waitSignal(window.history_changed):
        said = run(qtbot, window, "&Import…")
    assert said == "Added 2 pauses and 1 sentence."
    assert answers.told == [(said, False)]
    assert window.days.model().rowCount() == 2
    assert window.pauses.longest.value.text() == "1 day"
    with qtbot.assertNotEmitted(window.history_changed):
        again = run(qtbot, window, "&Import…")
    assert again == "Added 0 pauses and 0 sentences. 3 entries were already here."


def test_a_bad_file_imports_nothing_and_names_its_problems(
    open_history, window_for, qtbot: QtBot, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"schema": 5, "pauses": [
        {"at": "yesterday", "tz": "Europe/Berlin", "day": "2026-03-09", "outcome": "<b>done</b>",
         "intention": None, "meeting": None}], "gratitude": []}), encoding="utf-8")
    window, answers = window_for(open_history("b"))
    answers.open_path = str(bad)
    run(qtbot, window, "&Import…")
    ((text, warning),) = answers.told
    assert warning
    assert text.startswith("Nothing was imported.")
    assert "<b>done</b>" in text  # quoted literally (the message box shows plain text)
    assert window.history.pause_count() == 0


def test_back_up_now_and_restore_after_confirming(
    open_history, window_for, qtbot: QtBot
) -> None:
    history = open_history("a")
    seed(history)
    window, answers = window_for(history)
    said = run(qtbot, window, "&Back up now")
    folder = default_folder(Path(history.db.database))
    (backup,) = list_backups(folder)
    assert said == f"Backed up to {backup.path.name}."

    answers.yes = False
    with qtbot.assertNotEmitted(window.restore_requested):
        window.actions.restore_button.click()
    assert answers.menu[0].startswith("Tue 10 Mar 2026, 09:00 · ")
    assert answers.menu[-1] == "Another file…"
    assert backup.path.name in answers.asked[0]
    answers.yes = True
    with qtbot.waitSignal(window.restore_requested) as requested:
        window.actions.restore_button.click()
    assert requested.args == [str(backup.path)]
    assert history.pause_count() == 2  # the window never restores by itself


def test_a_file_that_is_not_a_backup_is_refused_before_asking(
    open_history, window_for, qtbot: QtBot, tmp_path: Path
) -> None:
    window, answers = window_for(open_history("a"))
    not_a_backup = tmp_path / "notes.sqlite3"
    not_a_backup.write_text("hello", encoding="utf-8")
    answers.open_path = str(not_a_backup)
    with qtbot.assertNotEmitted(window.restore_requested):
        window.actions.restore_button.click()  # no backups yet: only "Another file…"
    assert answers.menu == ["Another file…"]
    assert answers.asked == []
    ((text, warning),) = answers.told
    assert warning and "not a SQLite database" in text


def test_an_in_memory_history_exports_but_offers_no_backup(
    window_for, qtbot: QtBot, tmp_path: Path
) -> None:
    history = History(open_memory())
    try:
        seed(history)
        window, answers = window_for(history)
        assert [b.text() for b in window.actions.buttons] == ["E&xport…", "&Import…"]
        answers.save_path = str(tmp_path / "memory.json")
        said = run(qtbot, window, "E&xport…")
        assert said == "Exported 2 pauses and 1 sentence to memory.json."
    finally:
        history.close()
