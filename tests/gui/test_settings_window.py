"""The Settings window on a real settings.toml: every field writes its key and reads back the
same; a value that is not allowed says why and is not saved; Restore defaults asks and keeps the
calendars; a write that fails says so and keeps what the user chose."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import replace
from datetime import time
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt, QTime
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from microapp.core.settings import Settings, load_settings, save_settings
from microapp.core.sources import SourceConfig, SourceKind
from microapp.ui.settings_editor import SettingsEditor
from microapp.ui.settings_window import RESTORE_TEXT, SettingsWindow
from microapp.ui.theme import LIGHT
from tests.helpers import FakeClock

WORK = SourceConfig("work", SourceKind.FILE, "/home/me/work.ics", name="Work")


def file_value(path: Path, key: str) -> Any:
    section, name = key.split(".")
    return tomllib.loads(path.read_text(encoding="utf-8"))[section][name]


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "config" / "settings.toml"


@pytest.fixture
def make(qtbot: QtBot, path: Path, clock: FakeClock) -> Callable[..., SettingsWindow]:
    def build(settings: Settings | None = None, *, write: bool = True, save=save_settings,
              at: Path | None = None, **kwargs: Any) -> SettingsWindow:
        settings = settings or Settings()
        where = at or path
        if write:
            save_settings(settings, where, clock.now())
        editor = SettingsEditor(where, clock, settings, save=save)
        kwargs.setdefault("data_dir", where.parent.parent / "data")
        kwargs.setdefault("open_url", lambda _url: True)
        window = SettingsWindow(editor, LIGHT, calendars_page=QWidget(), settings_path=where,
                                **kwargs)
        qtbot.addWidget(window)
        window.show()
        return window

    return build


def written(qtbot: QtBot, window: SettingsWindow) -> None:
    """Wait until every queued write landed."""
    qtbot.waitUntil(lambda: not window.editor.busy, timeout=3000)


def type_into(qtbot: QtBot, spin, text: str) -> None:
    spin.setFocus()
    spin.selectAll()
    qtbot.keyClicks(spin, text)
    qtbot.keyClick(spin, Qt.Key.Key_Return)


# -- every field ---------------------------------------------------------------------------

def _click(attr: str) -> Callable[[SettingsWindow], None]:
    def act(window: SettingsWindow) -> None:
        for page in (window.pause, window.evening, window.history, window.general):
            for field in page.fields:
                if field.attr == attr:
                    field.widgets[0].click()
                    return
        raise AssertionError(attr)
    return act


def _radio(attr: str, value: str) -> Callable[[SettingsWindow], None]:
    def act(window: SettingsWindow) -> None:
        page = window.general if attr == "theme" else window.pause
        page.field(attr).buttons[value].click()
    return act


def _time(page: str, attr: str, hh: int, mm: int) -> Callable[[SettingsWindow], None]:
    def act(window: SettingsWindow) -> None:
        getattr(window, page).field(attr).edit.setTime(QTime(hh, mm))
    return act


def _rest_days(window: SettingsWindow) -> None:
    boxes = window.evening.rest_days.boxes
    boxes[5].click()
    boxes[6].click()


FIELDS = [
    ("pause.seconds", "pause_seconds",
     lambda w, q: type_into(q, w.pause.seconds.spin, "12"), 12, 12),
    ("meetings.lead_seconds", "lead_seconds",
     lambda w, q: type_into(q, w.pause.lead.spin, "90"), 90, 90),
    ("pause.chime", "chime", lambda w, q: _click("chime")(w), True, True),
    ("pause.reduce_motion", "reduce_motion", lambda w, q: _click("reduce_motion")(w), True, True),
    ("pause.respect_do_not_disturb", "respect_do_not_disturb",
     lambda w, q: _click("respect_do_not_disturb")(w), False, False),
    ("pause.respect_fullscreen", "respect_fullscreen",
     lambda w, q: _click("respect_fullscreen")(w), False, False),
    ("pause.when_busy", "when_busy", lambda w, q: _radio("when_busy", "silent")(w),
     "silent", "silent"),
    ("evening.prompt", "evening_prompt", lambda w, q: _click("evening_prompt")(w), False, False),
    ("evening.at", "evening_at", lambda w, q: _time("evening", "evening_at", 21, 45)(w),
     "21:45", time(21, 45)),
    ("evening.rest_days", "rest_days", lambda w, q: _rest_days(w), ["sat", "sun"], (5, 6)),
    ("general.day_starts_at", "day_starts_at",
     lambda w, q: _time("history", "day_starts_at", 5, 30)(w), "05:30", time(5, 30)),
    ("general.theme", "theme", lambda w, q: _radio("theme", "dark")(w), "dark", "dark"),
]


@pytest.mark.parametrize(("key", "attr", "act", "in_file", "value"), FIELDS,
                         ids=[f[0] for f in FIELDS])
def test_each_field_writes_its_key_and_the_file_reads_back_the_same(
        make, qtbot: QtBot, path: Path, key: str, attr: str, act, in_file: Any,
        value: Any) -> None:
    window = make()
    before = load_settings(path).settings
    assert getattr(before, attr) != value
    with qtbot.waitSignal(window.editor.saved, timeout=3000):
        act(window, qtbot)
    written(qtbot, window)
    assert file_value(path, key) == in_file
    loaded = load_settings(path)
    assert loaded.ok, loaded.problems
    assert loaded.settings == replace(before, **{attr: value})  # that key, and only that one
    assert window.status_text == "Saved"


def test_changes_made_quickly_all_reach_the_file_in_order(make, qtbot: QtBot,
                                                          path: Path) -> None:
    window = make()
    window.pause.motion.box.click()
    window.pause.dnd.box.click()
    type_into(qtbot, window.pause.seconds.spin, "9")
    window.pause.motion.box.click()  # and back again
    written(qtbot, window)
    loaded = load_settings(path).settings
    assert (loaded.reduce_motion, loaded.respect_do_not_disturb, loaded.pause_seconds) == (
        False, False, 9)


def test_the_lead_is_explained_in_a_sentence(make, qtbot: QtBot) -> None:
    window = make()
    assert window.pause.lead_line.text() == "The pause opens 1 minute before each call starts."
    type_into(qtbot, window.pause.lead.spin, "90")
    assert window.pause.lead_line.text() == (
        "The pause opens 1 minute 30 seconds before each call starts.")
    type_into(qtbot, window.pause.lead.spin, "0")
    assert window.pause.lead_line.text() == "The pause opens as each call starts."


# -- values that are not allowed -------------------------------------------------------------

@pytest.mark.parametrize(("field", "typed", "reason"), [
    ("seconds", "45", "Please use a whole number of seconds from 3 to 30."),
    ("seconds", "2", "Please use a whole number of seconds from 3 to 30."),
    ("lead", "700", "Please use a whole number of seconds from 0 to 600."),
])
def test_a_value_not_allowed_says_why_and_the_file_keeps_the_old_one(
        make, qtbot: QtBot, path: Path, field: str, typed: str, reason: str) -> None:
    window = make(Settings(pause_seconds=7, lead_seconds=120))
    before = path.read_bytes()
    spin_field = getattr(window.pause, field)
    type_into(qtbot, spin_field.spin, typed)
    assert spin_field.error.isVisible()
    assert spin_field.error.text() == reason
    assert spin_field.spin.accessibleDescription() == reason
    written(qtbot, window)
    assert path.read_bytes() == before
    assert window.editor.settings == Settings(pause_seconds=7, lead_seconds=120)

    type_into(qtbot, spin_field.spin, "8")  # fixed: saved, and the reason goes away
    written(qtbot, window)
    assert not spin_field.error.isVisible()
    assert load_settings(path).settings.pause_seconds == (8 if field == "seconds" else 7)


def test_an_invalid_entry_is_not_overwritten_while_the_user_is_in_it(
        make, qtbot: QtBot, path: Path, clock: FakeClock) -> None:
    window = make()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    spin = window.pause.seconds.spin
    type_into(qtbot, spin, "45")
    assert window.pause.seconds.invalid
    qtbot.waitUntil(spin.hasFocus, timeout=2000)
    outside = Settings(pause_seconds=6, reduce_motion=True)  # a hand edit of the file
    window.editor.set_current(outside)
    assert spin.value() == 45 and window.pause.seconds.invalid  # what the user typed stays
    assert window.pause.motion.box.isChecked()  # the other fields show the file


# -- Restore defaults ------------------------------------------------------------------------

CHANGED = Settings(pause_seconds=12, theme="dark", evening_at=time(21, 0), rest_days=(6,),
                   day_starts_at=time(5, 0), chime=True, ignore_titles=("Gym",),
                   calendars=(WORK,))


def test_restore_defaults_asks_and_then_resets_everything_but_the_calendars(
        make, qtbot: QtBot, path: Path) -> None:
    window = make(CHANGED)
    asked: list[tuple[str, str]] = []
    window.confirm = lambda title, text: asked.append((title, text)) or True
    with qtbot.waitSignal(window.editor.saved, timeout=3000):
        window.restore_button.click()
    written(qtbot, window)
    assert asked and asked[0][1] == RESTORE_TEXT
    assert "calendars are kept" in RESTORE_TEXT
    loaded = load_settings(path)
    assert loaded.ok
    assert loaded.settings == Settings(calendars=(WORK,))
    assert window.pause.seconds.spin.value() == 5
    assert window.evening.at.edit.time() == QTime(20, 30)
    assert not any(box.isChecked() for box in window.evening.rest_days.boxes)
    assert window.general.theme.buttons["system"].isChecked()


def test_restore_defaults_declined_changes_nothing(make, qtbot: QtBot, path: Path) -> None:
    window = make(CHANGED)
    before = path.read_bytes()
    window.confirm = lambda title, text: False
    window.restore_button.click()
    assert not window.editor.busy
    assert path.read_bytes() == before
    assert window.editor.settings == CHANGED
    assert window.pause.seconds.spin.value() == 12


# -- a write that fails ----------------------------------------------------------------------

def test_a_failed_write_says_so_keeps_the_value_and_try_again_saves_it(
        make, qtbot: QtBot, tmp_path: Path, clock: FakeClock) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the config folder should be")
    target = blocker / "settings.toml"  # opening it fails: its "folder" is a file
    window = make(write=False, at=target)
    with qtbot.waitSignal(window.editor.failed, timeout=3000) as failed:
        window.pause.motion.box.click()
    assert "could not be saved" in failed.args[0]
    assert "could not be saved" in window.status_text
    assert window.retry_button.isVisible()
    assert window.pause.motion.box.isChecked()  # nothing the user chose is undone
    assert window.editor.settings.reduce_motion and window.editor.unsaved

    blocker.unlink()  # the disk is fine again
    with qtbot.waitSignal(window.editor.saved, timeout=3000):
        window.retry_button.click()
    assert load_settings(target).settings.reduce_motion
    assert window.status_text == "Saved" and not window.retry_button.isVisible()


def test_a_failing_save_function_keeps_every_change_for_the_next_write(
        make, qtbot: QtBot, path: Path) -> None:
    full = [True]

    def save(settings: Settings, where: Path, now) -> Path | None:
        if full[0]:
            raise OSError(28, "No space left on device")
        return save_settings(settings, where, now)

    window = make(save=save)
    with qtbot.waitSignal(window.editor.failed, timeout=3000) as failed:
        window.pause.motion.box.click()
    assert "No space left on device" in failed.args[0]
    full[0] = False
    with qtbot.waitSignal(window.editor.saved, timeout=3000):
        window.pause.dnd.box.click()  # the next change writes both
    loaded = load_settings(path).settings
    assert loaded.reduce_motion and not loaded.respect_do_not_disturb
