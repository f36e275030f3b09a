"""The tray process stays small: the calendar libraries, the network stack and the windows
nobody opened are never imported into it. Each check runs in a fresh interpreter, as the app
does; the second starts the real app (offscreen) with a calendar and looks once its first
snapshot of meetings has arrived."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

#: Never in the tray process: calendars are read in a child process, windows load when opened.
NEVER = (
    "icalendar", "recurring_ical_events", "dateutil.rrule", "x_wr_timezone", "caldav",
    "keyring", "requests", "niquests", "urllib3", "lxml", "ssl", "plyer",
    "microapp.core.calendars", "microapp.core.ics", "microapp.core.sources.http",
    "microapp.core.sources.local", "microapp.core.sources.caldav",
    "microapp.ui.history_window", "microapp.ui.reflection_window",
    "microapp.ui.settings_window", "microapp.ui.settings_controller",
    "microapp.ui.pause_session",
    "PySide6.QtNetwork",  # Linux: the single-instance socket is Python's own (3 MiB less)
)


def run_python(code: str, *args: str, timeout: float = 60) -> dict:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          timeout=timeout, env=env, cwd=ROOT, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_importing_the_app_imports_none_of_it() -> None:
    code = ("import json, sys; import microapp.app, microapp.launch; "
            f"print(json.dumps(sorted(m for m in {NEVER!r} if m in sys.modules)))")
    assert run_python(code) == []


@pytest.mark.parametrize(("ahead", "ready"), [
    (timedelta(hours=1), []),
    # Within five minutes of a cue, the pause's views are imported ahead of it, so the cue
    # itself never waits for an import.
    (timedelta(minutes=3), ["microapp.ui.pause_session"]),
])
def test_the_running_app_never_imports_it(tmp_path: Path, ahead: timedelta,
                                          ready: list[str]) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    start = now + ahead
    calendar = tmp_path / "work.ics"
    calendar.write_text("\r\n".join([
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//microapp tests//EN",
        "BEGIN:VEVENT", "UID:startup-1", "DTSTAMP:20260301T000000Z", "SUMMARY:Planning",
        f"DTSTART:{start:%Y%m%dT%H%M%SZ}",
        f"DTEND:{start + timedelta(minutes=30):%Y%m%dT%H%M%SZ}",
        "END:VEVENT", "END:VCALENDAR", ""]), encoding="utf-8")
    settings = tmp_path / "profile" / "config" / "settings.toml"
    settings.parent.mkdir(parents=True)
    settings.write_text(f'[[calendars]]\nid = "work"\nkind = "file"\nlocation = "{calendar}"\n',
                        encoding="utf-8")
    # Watch the app the way it really starts (the command line, the tray-first launch), and
    # report once the first snapshot has come from the reader.
    code = f"""
import json, sys
import microapp.cli as cli

tune = cli._read_sources_once  # the last step before the app is imported

def watch():
    tune()
    import microapp.launch as launch

    build = launch.Launch.build
    launch.Launch.build = lambda self, **parts: watched(build(self, **parts))

def watched(app):

    def first(snapshot):
        print(json.dumps({{
            "never": sorted(m for m in {NEVER!r} if m in sys.modules),
            "openssl": sys.modules.get("_hashlib") is not None,
            "titles": [m.title for m in snapshot.meetings],
            "problems": snapshot.problem_lines(),
        }}), flush=True)
        app.quit()

    app.calendars.updated.connect(first)
    return app

cli._read_sources_once = watch
sys.exit(cli.main(["--profile", sys.argv[1]]))
"""
    seen = run_python(code, str(tmp_path / "profile"), timeout=120)
    assert seen["titles"] == ["Planning"] and seen["problems"] == []
    assert seen["never"] == ready
    assert not seen["openssl"]  # hashing without OpenSSL's libcrypto (over 3 MiB resident)


@pytest.mark.parametrize("argv", [["--version"], ["--help"]])
def test_the_reader_is_not_offered_to_users(argv: list[str]) -> None:
    done = subprocess.run([sys.executable, "-m", "microapp", *argv], capture_output=True,
                          text=True, timeout=60, cwd=ROOT, check=False)
    assert done.returncode == 0 and "_calendars" not in done.stdout


def test_pyside_no_longer_keeps_every_modules_source() -> None:
    """The launch's fix for PySide6 keeping the lines of every imported module in memory: the
    same answer ("does this module use PySide6?"), without the cache."""
    code = """
import json, linecache, sys
import microapp.cli as cli
cli._read_sources_once()
from PySide6.QtWidgets import QApplication
import microapp.ui.theme, microapp.core.clock, microapp.store.db
uses = sys.modules["shibokensupport.feature"]._mod_uses_pyside
print(json.dumps({"cached": len(linecache.cache),
                  "theme": uses(microapp.ui.theme), "clock": uses(microapp.core.clock),
                  "sys": uses(sys)}))
"""
    seen = run_python(code)
    assert seen["cached"] <= 5
    assert (seen["theme"], seen["clock"], seen["sys"]) == (True, False, False)


def test_opening_settings_does_not_bring_the_calendar_stack_into_the_tray(tmp_path: Path) -> None:
    """The Calendars section shows statuses the child process sent; only reading a calendar
    (Add…, Test again) loads the calendar libraries."""
    code = (
        "import json, sys\n"
        "from pathlib import Path\n"
        "from PySide6.QtWidgets import QApplication\n"
        "from microapp.core.clock import SystemClock\n"
        "from microapp.core.paths import Profile\n"
        "from microapp.core.settings import Settings\n"
        "from microapp.ui.settings_controller import SettingsController\n"
        "from microapp.ui.theme import palette_for\n"
        "qt = QApplication([])\n"
        "profile = Profile.under(Path(sys.argv[1]))\n"
        "view = SettingsController(clock=SystemClock(), settings=Settings(),\n"
        "    palette=palette_for('light'), settings_path=profile.settings_path,\n"
        "    data_dir=profile.data_dir, apply=lambda s: None, profile=profile)\n"
        "view.open_window('calendars')\n"
        "qt.processEvents()\n"
        "shown = view.window is not None and view.window.isVisible()\n"
        f"print(json.dumps([shown] + sorted(m for m in {NEVER[:11]!r} if m in sys.modules)))"
    )
    assert run_python(code, str(tmp_path / "profile")) == [True]
