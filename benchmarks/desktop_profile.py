"""A user's profile for benchmarks/run.py: a settings.toml like the README's, three calendars
added the way a user adds them (``microapp calendars add``), and the instants at which the app
would show a doorway pause, so the benchmark can keep its timed windows clear of them.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from benchmarks.calendar_gen import generate_calendar
from benchmarks.desktop_x import BenchError

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "calendars"
# (name, file, events, recurring series, seed): a work calendar after a few years, a team
# calendar and a small personal one, all spread over a year before and after today.
GENERATED = (("Work", "work.ics", 3000, 40, 1), ("Team", "team.ics", 800, 12, 2),
             ("Personal", "personal.ics", 200, 3, 3))
FIXTURE_FILES = (("Google", "google.ics"), ("Nextcloud", "nextcloud.ics"),
                 ("Outlook", "outlook.ics"))
LEAD_SECONDS = 60
PAUSE_SECONDS = 5
LATE_LIMIT = timedelta(minutes=2)  # a cue later than this after its start is not shown

SETTINGS = """\
schema_version = 1

[general]
day_starts_at = "04:00"
theme = "system"

[pause]
reduce_motion = false
seconds = {pause_seconds}
chime = false
when_busy = "notify"
respect_do_not_disturb = true
respect_fullscreen = true

[evening]
prompt = true
at = "20:30"
rest_days = []

[meetings]
lead_seconds = {lead}
refresh_minutes = 15
skip_all_day = true
skip_cancelled = true
skip_declined = true
skip_free = true
skip_tentative = false
my_emails = ["me@example.com"]
ignore_titles = ["Focus time", "Lunch", "Busy"]
link_patterns = [{{ name = "Our Jitsi", pattern = "https://meet\\\\.example\\\\.org/\\\\S+" }}]
"""


@dataclass
class UserProfile:
    root: Path
    calendars: list[dict]
    cue_windows: list[tuple[datetime, datetime]]  # when a pause would open, UTC

    def busy_until(self, start: datetime, span: timedelta) -> datetime | None:
        """The end of the last cue window that overlaps [start, start + span], or None."""
        end = start + span
        hits = [stop for begin, stop in self.cue_windows if begin < end and stop > start]
        return max(hits) if hits else None


def cli(command: list[str], profile: Path, *args: str, env: dict[str, str]) -> str:
    done = subprocess.run([*command, *args, "--profile", str(profile)], capture_output=True,
                          text=True, env=env, timeout=180, check=False)
    if done.returncode != 0:
        raise BenchError(f"microapp {' '.join(args[:2])} failed ({done.returncode}): "
                         f"{(done.stderr or done.stdout).strip()[-1500:]}")
    return done.stdout


def make_profile(work: Path, command: list[str], env: dict[str, str], which: str) -> UserProfile:
    """A fresh profile under ``work`` with settings and three calendars (``which``:
    "generated" or "fixtures"); the history database is left to the app's first start."""
    root = work / "profile"
    (root / "config").mkdir(parents=True)
    (root / "config" / "settings.toml").write_text(
        SETTINGS.format(lead=LEAD_SECONDS, pause_seconds=PAUSE_SECONDS), encoding="utf-8")
    folder = work / "calendars"
    folder.mkdir()
    files: list[tuple[str, Path]] = []
    if which == "fixtures":
        for name, file in FIXTURE_FILES:
            if not (FIXTURES / file).is_file():
                raise BenchError(f"{FIXTURES / file} is missing (use --calendars generated)")
            shutil.copyfile(FIXTURES / file, folder / file)
            files.append((name, folder / file))
    else:
        for name, file, events, series, seed in GENERATED:
            (folder / file).write_bytes(generate_calendar(events, series, seed))
            files.append((name, folder / file))
    calendars = []
    for name, path in files:
        said = cli(command, root, "calendars", "add", str(path), "--name", name, env=env)
        calendars.append({"name": name, "file": path.name, "bytes": path.stat().st_size,
                          "events": path.read_bytes().count(b"BEGIN:VEVENT"),
                          "added": said.strip().splitlines()[-1] if said.strip() else ""})
    return UserProfile(root, calendars, cue_windows(command, root, env))


def cue_windows(command: list[str], profile: Path, env: dict[str, str],
                hours: int = 12) -> list[tuple[datetime, datetime]]:
    """From ``microapp meetings --json`` (the meetings the app would pause before): for each,
    the stretch from its cue (``lead`` before the start, less a margin) to when a late cue is
    no longer shown, plus the pause itself."""
    now = datetime.now(UTC) - LATE_LIMIT  # the benchmark's own clock; late cues too
    out = cli(command, profile, "meetings", "--from", now.isoformat(timespec="seconds"),
              "--to", (now + timedelta(hours=hours)).isoformat(timespec="seconds"), "--json",
              env=env)
    windows = []
    for meeting in json.loads(out or "[]"):
        start = datetime.fromisoformat(meeting["start"]).astimezone(UTC)
        windows.append((start - timedelta(seconds=LEAD_SECONDS + 10),
                        start + LATE_LIMIT + timedelta(seconds=PAUSE_SECONDS + 10)))
    return windows
