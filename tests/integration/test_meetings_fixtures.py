"""`microapp meetings --source FILE --json` on the hand-written exporter calendars: the
meetings a user would get a pause for, filters applied, in the contract's shape."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "calendars"
WINDOW = ("--from", "2026-03-23T00:00+01:00", "--to", "2026-04-07T00:00+02:00")


def meetings(profile: Path, *sources: str) -> list[dict]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["TZ"] = "Europe/Berlin"
    args = [a for s in sources for a in ("--source", str(FIXTURES / s))]
    done = subprocess.run([sys.executable, "-m", "microapp", "--profile", str(profile),
                           "meetings", *args, *WINDOW, "--json"],
                          capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.fixture
def profile(tmp_path: Path) -> Path:
    root = tmp_path / "p"
    (root / "config").mkdir(parents=True)
    (root / "config" / "settings.toml").write_text(
        '[meetings]\nmy_emails = ["me@example.com"]\n', encoding="utf-8")
    return root


@pytest.mark.parametrize(("fixture", "expected"), [
    # all-day offsite and the declined vendor pitch are skipped; tentative planning stays
    ("google.ics", [("Platform team sync", "2026-03-24T09:00:00+01:00", "Google Meet"),
                    ("Quarterly planning", "2026-03-25T14:00:00+01:00", "Google Meet"),
                    ("Platform team sync", "2026-03-31T09:00:00+02:00", "Google Meet")]),
    # "Focus time" (free) and the all-day holiday are skipped; Windows zones resolved
    ("outlook.ics", [("Migration status", "2026-03-23T10:00:00+01:00", "Microsoft Teams"),
                     ("Budget review (US)", "2026-03-25T09:00:00-07:00", "Microsoft Teams"),
                     ("Migration status", "2026-04-06T10:00:00+02:00", "Microsoft Teams")]),
])
def test_exporter_calendars(profile: Path, fixture: str, expected: list[tuple]) -> None:
    found = meetings(profile, fixture)
    assert [(m["title"], m["start"], m["service"]) for m in found] == expected
    assert all(m["calendar"] == Path(fixture).stem and m["status"] in ("confirmed", "tentative")
               for m in found)


def test_every_exporter_calendar_reads_cleanly_together(profile: Path) -> None:
    names = ["google.ics", "outlook.ics", "icloud.ics", "fastmail.ics", "nextcloud.ics",
             "thunderbird.ics"]
    found = meetings(profile, *names)
    assert {m["calendar"] for m in found} >= {"google", "outlook", "icloud", "fastmail"}
    instants = [datetime.fromisoformat(m["start"]) for m in found]
    assert instants == sorted(instants)  # one timeline across zones
