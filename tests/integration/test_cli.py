"""The command line as scripts use it: real processes, real SQLite files, no display."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import types
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from microapp import __version__
from microapp.cli import cmd_run
from microapp.core.paths import Profile
from microapp.core.settings import load_settings
from microapp.demo_cli import (
    DEMO_CALENDAR_FILE,
    DEMO_CALENDAR_ID,
    prepare_demo_profile,
    reset_demo_profile,
)
from microapp.store.db import open_store
from microapp.store.history import History


def run(*args: str, env_extra: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.pop("QT_QPA_PLATFORM", None)  # status and --version must not need Qt or a display
    env.update(env_extra or {})
    return subprocess.run([sys.executable, "-m", "microapp", *args], capture_output=True,
                          text=True, env=env, timeout=60)


def test_version() -> None:
    done = run("--version")
    assert done.returncode == 0
    assert done.stdout.strip() == f"microapp {__version__}"


def test_status_json_on_a_new_profile(tmp_path: Path) -> None:
    done = run("--profile", str(tmp_path / "p"), "status", "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["next_meeting"] is None
    for practice in ("pause", "gratitude"):
        assert data["streaks"][practice] == {"current": 0, "longest": 0, "strength": 0.0}
    assert data["today"]["pauses"] == []


def test_status_reports_todays_pauses_and_streak(tmp_path: Path) -> None:
    profile = Profile.under(tmp_path / "p")
    now = datetime.now(ZoneInfo("UTC"))
    opened = open_store(profile.database_path, now)
    history = History(opened.db)
    history.record_pause(now, "completed", "listen", "Planning")
    history.close()
    done = run("status", env_extra={"MICROAPP_HOME": str(tmp_path / "p"), "TZ": "UTC"})
    assert done.returncode == 0, done.stderr
    assert "1 pause today, 1 completed" in done.stdout
    assert "completed, listen before Planning" in done.stdout
    assert "Pause streak: 1 day" in done.stdout
    data = json.loads(run("--profile", str(tmp_path / "p"), "status", "--json").stdout)
    assert data["streaks"]["pause"]["current"] == 1
    assert data["today"]["pauses"][0]["intention"] == "listen"


@pytest.mark.parametrize("args", [
    ("bogus",), ("status", "--yaml"), ("--demo", "--profile", "/tmp/x", "status"),
])
def test_bad_input_is_one_line_and_exit_2(args: tuple[str, ...]) -> None:
    done = run(*args)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("microapp: ")


def test_profile_that_is_a_file_is_bad_input(tmp_path: Path) -> None:
    afile = tmp_path / "file"
    afile.write_text("x")
    done = run("--profile", str(afile), "status")
    assert done.returncode == 2
    assert "not a folder" in done.stderr


def test_pause_without_a_running_app_says_so(tmp_path: Path) -> None:
    done = run("--profile", str(tmp_path / "p"), "pause",
               env_extra={"QT_QPA_PLATFORM": "offscreen"})
    assert done.returncode == 1
    assert done.stderr.strip() == ("microapp: microapp is not running for this profile; "
                                   "start it with 'microapp' first")


def test_status_on_a_damaged_history_explains_and_keeps_the_file(tmp_path: Path) -> None:
    profile = Profile.under(tmp_path / "p")
    profile.data_dir.mkdir(parents=True)
    junk = b"this is not a database " * 200
    profile.database_path.write_bytes(junk)
    done = run("--profile", str(tmp_path / "p"), "status")
    assert done.returncode == 1
    assert len(done.stderr.strip().splitlines()) == 1
    assert "cannot be read" in done.stderr
    assert profile.database_path.read_bytes() == junk


def test_status_with_an_unwritable_data_folder_is_one_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "p"
    blocker.mkdir()
    (blocker / "data").write_text("a file where the data folder should be")
    done = run("--profile", str(blocker), "status")
    assert done.returncode == 1
    assert "cannot write its history folder" in done.stderr


def test_status_does_not_load_qt(tmp_path: Path) -> None:
    code = ("import sys; from microapp.cli import main; main(['--profile', sys.argv[1], "
            "'status']); print('PySide6' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code, str(tmp_path / "p")],
                          capture_output=True, text=True, timeout=60)
    assert done.stdout.strip().splitlines()[-1] == "False"


def test_running_the_app_without_a_display_is_one_clear_error(tmp_path: Path) -> None:
    done = run("--profile", str(tmp_path / "p"))
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        "microapp: no graphical session found (neither DISPLAY nor WAYLAND_DISPLAY is set); "
        "run microapp from your desktop, or use 'microapp status' here"]


# -- the demo profile ----------------------------------------------------------------------

def test_the_demo_calendar_is_a_calendar_of_the_demo_profile(tmp_path: Path) -> None:
    """`microapp meetings` (a real process) sees the demo's first meeting about 75 s ahead."""
    profile = Profile.under(tmp_path / "demo")
    now = datetime.now(UTC)
    path = prepare_demo_profile(profile, now)
    assert path == profile.data_dir / DEMO_CALENDAR_FILE and path.is_file()
    calendars = load_settings(profile.settings_path).settings.calendars
    assert [(c.id, c.kind.value, c.location) for c in calendars] == [
        (DEMO_CALENDAR_ID, "file", str(path))]

    done = run("meetings", "--json", "--profile", str(tmp_path / "demo"))
    assert done.returncode == 0, done.stderr
    meetings = json.loads(done.stdout)
    assert len(meetings) > 10
    first = datetime.fromisoformat(meetings[0]["start"])
    assert timedelta(seconds=75) <= first - now <= timedelta(seconds=76)
    assert meetings[0]["join_url"] and meetings[0]["service"] == "Jitsi Meet"
    assert datetime.fromisoformat(meetings[1]["start"]) - first == timedelta(minutes=4)


def fake_app(seen: dict[str, object]) -> types.ModuleType:
    """Stands in for microapp.app (cmd_run imports it when it runs): records what the app
    would find in its profile, and never starts Qt."""
    def run_app(profile: Profile, *, demo: bool = False) -> int:
        seen["calendars"] = load_settings(profile.settings_path).settings.calendars
        seen["ics"] = (profile.data_dir / DEMO_CALENDAR_FILE).is_file()
        return 0
    module = types.ModuleType("microapp.app")
    module.run_app = run_app  # type: ignore[attr-defined]
    return module


def test_a_demo_run_starts_with_its_calendar_and_is_thrown_away(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    seen: dict[str, object] = {}
    monkeypatch.setitem(sys.modules, "microapp.app", fake_app(seen))
    profile = Profile.under(tmp_path / "demo")
    assert cmd_run(profile, demo=True) == 0
    assert seen["ics"] is True
    assert [c.id for c in seen["calendars"]] == [DEMO_CALENDAR_ID]
    assert "first sample meeting starts at" in capsys.readouterr().out
    assert not (tmp_path / "demo").exists()


def test_a_normal_run_never_gets_the_demo_calendar(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, object] = {}
    monkeypatch.setitem(sys.modules, "microapp.app", fake_app(seen))
    profile = Profile.under(tmp_path / "mine")
    assert cmd_run(profile, demo=False) == 0
    assert seen == {"calendars": (), "ics": False}
    assert not profile.settings_path.exists()


def test_a_running_demo_keeps_its_files(tmp_path: Path, qapp) -> None:
    from PySide6.QtNetwork import QLocalServer

    profile = Profile.under(tmp_path / "demo")
    path = prepare_demo_profile(profile, datetime.now(UTC))
    before = path.read_bytes()
    server = QLocalServer()
    QLocalServer.removeServer(profile.instance_key())
    assert server.listen(profile.instance_key())
    try:
        assert reset_demo_profile(profile) is False
        assert path.read_bytes() == before and profile.settings_path.exists()
    finally:
        server.close()
    assert reset_demo_profile(profile) is True  # nobody there now: a fresh start
    assert not (tmp_path / "demo").exists()
