"""The installed app, fed only by an ICS file, shows the doorway pause on both screens at the
cue instant: watched from outside (xwininfo, screenshots, `status --json`) as a user would."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.e2e.conftest import Desktop, Installed, wait_for
from tests.e2e.test_installed_app import headless_env, icon_in_tray, run

pytestmark = pytest.mark.e2e

PAUSE_WINDOW = "doorway pause"  # the overlay's window title is "microapp — doorway pause"
DEFAULT_LEAD = timedelta(seconds=60)  # DESIGN.md: the pause comes `lead` before the start
CUE_AFTER_LAUNCH = 20.0  # seconds from launching the app to the pause's cue
LATENESS_SLACK = 3.0  # a correctness check, not a benchmark (benchmarks/ measure lateness)
EARLY_SLACK = 0.25  # our clock and the app's may read a hair apart

Rect = tuple[int, int, int, int]


@dataclass(frozen=True)
class Window:
    id: str
    name: str
    rect: Rect  # absolute x, y, width, height


def pause_windows(desktop: Desktop) -> list[Window]:
    """Every mapped (viewable) window whose title names the doorway pause."""
    found = []
    for wid, name in re.findall(r'^\s*(0x[0-9a-f]+) "([^"\n]*)"', desktop.tree(), re.MULTILINE):
        if PAUSE_WINDOW not in name:
            continue
        info = subprocess.run(["xwininfo", "-id", wid], capture_output=True, text=True,
                              env=desktop.env, timeout=10).stdout
        if "IsViewable" not in info:  # unmapped, or gone between the two calls
            continue
        numbers = [re.search(rf"{label}:\s+(-?\d+)", info) for label in
                   ("Absolute upper-left X", "Absolute upper-left Y", "Width", "Height")]
        if all(numbers):
            x, y, w, h = (int(m.group(1)) for m in numbers)
            found.append(Window(wid, name, (x, y, w, h)))
    return found


def covers(window: Rect, screen: Rect, share: float = 0.9) -> bool:
    """The window lies on this screen and covers (nearly) all of it."""
    wx, wy, ww, wh = window
    sx, sy, sw, sh = screen
    inside = sx <= wx and sy <= wy and wx + ww <= sx + sw and wy + wh <= sy + sh
    return inside and ww * wh >= share * sw * sh


def uncovered(windows: list[Window], screens: list[Rect]) -> list[Rect]:
    return [s for s in screens if not any(covers(w.rect, s) for w in windows)]


def ics_time(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def write_calendar(path: Path, *events: tuple[str, str, datetime, datetime]) -> None:
    """A minimal, valid iCalendar file (CRLF lines): (uid, summary, start, end) per event."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//microapp//e2e//EN"]
    stamp = ics_time(datetime.now(UTC))
    for uid, summary, start, end in events:
        lines += ["BEGIN:VEVENT", f"UID:{uid}", f"DTSTAMP:{stamp}",
                  f"DTSTART:{ics_time(start)}", f"DTEND:{ics_time(end)}",
                  f"SUMMARY:{summary}", "LOCATION:https://meet.jit.si/microapp-e2e",
                  "END:VEVENT"]
    lines.append("END:VCALENDAR")
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode())


def add_calendar(installed: Installed, profile: Path, ics: Path) -> None:
    added = run(installed, "--profile", str(profile), "calendars", "add", str(ics),
                "--name", "Work", env=headless_env())
    assert added.returncode == 0, added.stderr


def today_pauses(installed: Installed, profile: Path) -> list[dict]:
    done = run(installed, "--profile", str(profile), "status", "--json", env=headless_env())
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)["today"]["pauses"]


def launch(installed: Installed, desktop: Desktop, profile: Path) -> subprocess.Popen[str]:
    return subprocess.Popen([installed.microapp, "--profile", str(profile)], env=desktop.env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=installed.venv)


def stop(app: subprocess.Popen[str]) -> str:
    """SIGTERM, as a session logout would; returns stderr (the app's log) for messages."""
    if app.poll() is None:
        app.send_signal(signal.SIGTERM)
    _out, err = app.communicate(timeout=20)
    return err


def test_calendar_meeting_pauses_on_both_screens_at_the_cue(
        installed: Installed, two_screen_desktop: Desktop, tmp_path: Path) -> None:
    desktop = two_screen_desktop
    assert len(desktop.screens) == 2
    profile = tmp_path / "profile"
    profile.mkdir()
    ics = profile / "work.ics"
    # Whole seconds: the cue instant is exact. Setting up below takes a few seconds of this.
    cue = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=CUE_AFTER_LAUNCH + 5)
    start = cue + DEFAULT_LEAD
    write_calendar(ics, ("design-review@e2e", "Design review", start,
                         start + timedelta(minutes=30)))
    add_calendar(installed, profile, ics)

    listed = run(installed, "--profile", str(profile), "meetings", "--json", env=headless_env())
    assert listed.returncode == 0, listed.stderr
    meetings = json.loads(listed.stdout)
    assert [m["title"] for m in meetings] == ["Design review"], meetings
    assert meetings[0]["join_url"] == "https://meet.jit.si/microapp-e2e"
    assert "jitsi" in (meetings[0]["service"] or "").lower(), meetings[0]
    assert datetime.fromisoformat(meetings[0]["start"]) == start

    app = launch(installed, desktop, profile)
    launched = time.time()
    cue_at = cue.timestamp()
    assert cue_at - launched >= 10, "setting up took too long: the cue is almost here"
    err = ""
    try:
        # Until the cue: the icon embeds, and no pause may show (not even briefly).
        embedded = False
        while time.time() < cue_at - EARLY_SLACK:
            early = pause_windows(desktop)
            assert not early, (f"a pause showed {cue_at - time.time():.2f}s before its cue: "
                               f"{early}")
            embedded = embedded or icon_in_tray(desktop.tree())
            assert app.poll() is None, f"the app exited: {app.communicate()[1][-2000:]}"
            time.sleep(0.1)
        assert embedded, "the tray icon never embedded before the cue"

        # From the cue: one pause window covering each screen.
        def on_both() -> list[Window] | None:
            windows = pause_windows(desktop)
            return windows if windows and not uncovered(windows, desktop.screens) else None

        try:
            windows = wait_for(on_both, LATENESS_SLACK + 12, "the pause on both screens",
                               interval=0.05)
        except AssertionError:
            desktop.screenshot("04-two-screens-no-pause")
            raise AssertionError(f"no pause on every screen {LATENESS_SLACK + 12:.0f}s after "
                                 f"the cue; pause windows now: {pause_windows(desktop)}; "
                                 f"screens {desktop.screens}") from None
        lateness = time.time() - cue_at
        shot = desktop.screenshot("04-two-screens-pause")
        print(f"\npause on both screens {lateness * 1000:.0f} ms after the cue "
              f"(launch to cue {cue_at - launched:.1f}s); windows {windows}; screenshot {shot}")
        assert lateness <= LATENESS_SLACK, f"the pause came {lateness:.2f}s late"
        assert len({w.id for w in windows}) >= len(desktop.screens), windows
        assert all(w.name.endswith("doorway pause") and w.name.startswith("microapp")
                   for w in windows), windows

        # It runs its course (5 s by default), is recorded, then leaves the screens.
        def completed() -> list[dict] | None:
            pauses = today_pauses(installed, profile)
            return pauses if any(p["outcome"] == "completed" for p in pauses) else None

        pauses = wait_for(completed, 25, "a completed pause in status --json", interval=0.5)
        assert len(pauses) == 1, pauses
        assert pauses[0]["meeting"] == "Design review", pauses
        wait_for(lambda: not pause_windows(desktop), 10, "the pause to leave both screens")
        assert app.poll() is None, "the app must keep running after the pause"
    finally:
        err = stop(app)
    assert app.returncode == 0, f"unclean exit {app.returncode}: {err[-2000:]}"


def test_a_meeting_already_under_way_at_launch_brings_no_pause(
        installed: Installed, two_screen_desktop: Desktop, tmp_path: Path) -> None:
    """Started 3 minutes before the app: its cue is long stale, so nothing is shown."""
    desktop = two_screen_desktop
    profile = tmp_path / "profile"
    profile.mkdir()
    ics = profile / "work.ics"
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=3)
    write_calendar(ics, ("standup@e2e", "Stand-up", start, start + timedelta(minutes=30)))
    add_calendar(installed, profile, ics)

    app = launch(installed, desktop, profile)
    err = ""
    try:
        wait_for(lambda: icon_in_tray(desktop.tree()), 30, "the icon embedded in the tray")
        watch_until = time.monotonic() + 8  # the app has read its calendar and planned by now
        while time.monotonic() < watch_until:
            shown = pause_windows(desktop)
            assert not shown, f"a pause showed for a meeting under way: {shown}"
            time.sleep(0.1)
        # Nothing was shown, so nothing may say it was: at most a `missed` record.
        pauses = today_pauses(installed, profile)
        assert all(p["outcome"] == "missed" for p in pauses), pauses
        assert app.poll() is None
    finally:
        err = stop(app)
    assert app.returncode == 0, f"unclean exit {app.returncode}: {err[-2000:]}"
