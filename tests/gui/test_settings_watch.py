"""The running app notices a changed settings file, and a broken one changes nothing."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from microapp.core.settings import Settings, load_settings, save_settings
from microapp.ui.settings_watch import SettingsWatch
from tests.helpers import FakeClock


@pytest.fixture
def watch(tmp_path: Path, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(SettingsWatch, "DEBOUNCE_MS", 10)
    path = tmp_path / "config" / "settings.toml"
    save_settings(Settings(), path, FakeClock().now())
    w = SettingsWatch(path)
    w.start()
    yield w
    w.stop()


def test_an_atomic_save_is_noticed_again_and_again(watch: SettingsWatch, qtbot: QtBot) -> None:
    for lead in (120, 30):
        with qtbot.waitSignal(watch.changed, timeout=5000) as got:
            save_settings(Settings(lead_seconds=lead), watch.path, FakeClock().now())
        assert got.args[0].lead_seconds == lead


def test_a_bad_value_reports_the_problem_and_keeps_the_rest(watch: SettingsWatch,
                                                          qtbot: QtBot) -> None:
    text = watch.path.read_text(encoding="utf-8").replace("lead_seconds = 60",
                                                          "lead_seconds = 9000")
    text = text.replace('theme = "system"', 'theme = "dark"')
    seen: list = []
    watch.problems.connect(seen.append)
    with qtbot.waitSignal(watch.changed, timeout=5000) as got:
        tmp = watch.path.with_name("x.tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, watch.path)
    assert len(seen) == 1 and any("meetings.lead_seconds" in p for p in seen[0])
    settings = got.args[0]
    assert settings.theme == "dark" and settings.lead_seconds == 60


def test_a_file_that_is_not_toml_changes_nothing(watch: SettingsWatch, qtbot: QtBot) -> None:
    with qtbot.waitSignal(watch.problems, timeout=5000) as got, \
            qtbot.assertNotEmitted(watch.changed, wait=100):
        watch.path.write_text("this is [not toml", encoding="utf-8")
    assert "not valid TOML" in got.args[0][0]
    assert load_settings(watch.path).existed
