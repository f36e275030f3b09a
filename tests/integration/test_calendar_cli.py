"""`microapp meetings` and `microapp calendars`: real processes, real files, a local HTTP server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from microapp.core.paths import Profile
from microapp.core.settings import load_settings

NOW = datetime.now(UTC).replace(second=0, microsecond=0)


def stamp(dt: datetime) -> str:
    return dt.strftime("%Y%m%dT%H%M%SZ")


def calendar(*events: tuple[str, str, datetime, str]) -> str:
    """(uid, title, start, extra lines) → a small VCALENDAR, 30-minute events."""
    body = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//microapp tests//EN"]
    for uid, title, start, extra in events:
        body += ["BEGIN:VEVENT", f"UID:{uid}", f"DTSTAMP:{stamp(NOW)}", f"SUMMARY:{title}",
                 f"DTSTART:{stamp(start)}", f"DTEND:{stamp(start + timedelta(minutes=30))}"]
        body += [line for line in extra.split("\n") if line]
        body.append("END:VEVENT")
    body.append("END:VCALENDAR")
    return "\r\n".join(body) + "\r\n"


STANDUP = ("standup-1", "Team stand-up", NOW + timedelta(hours=2),
           "LOCATION:https://us02web.zoom.us/j/81234567890")
REVIEW = ("review-1", "Design review", NOW + timedelta(hours=3),
          "DESCRIPTION:Join at https://meet.google.com/abc-defg-hij")
FOCUS = ("focus-1", "Focus time", NOW + timedelta(hours=4), "")


def run(profile: Path, *args: str, env: dict[str, str] | None = None
        ) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    full.update(env or {})
    return subprocess.run([sys.executable, "-m", "microapp", "--profile", str(profile), *args],
                          capture_output=True, text=True, env=full, timeout=120)


@pytest.fixture
def ics_file(tmp_path: Path) -> Path:
    path = tmp_path / "work.ics"
    path.write_text(calendar(STANDUP, REVIEW, FOCUS), encoding="utf-8")
    return path


class _Handler(BaseHTTPRequestHandler):
    routes: ClassVar[dict[str, tuple[int, str]]] = {}

    def do_GET(self) -> None:
        status, body = self.routes.get(self.path.split("?")[0], (404, "not here"))
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/calendar" if status == 200 else "text/plain")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    _Handler.routes = {
        "/private-7f3a9c2b1d/basic.ics": (200, calendar(STANDUP)),
        "/broken.ics": (500, "oops"),
    }
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()
    thread.join()


def test_add_list_meetings_disable_remove(tmp_path: Path, ics_file: Path) -> None:
    profile = tmp_path / "p"
    added = run(profile, "calendars", "add", str(ics_file), "--name", "Work")
    assert added.returncode == 0, added.stderr
    assert '"Work"' in added.stdout and "2 upcoming meetings" in added.stdout  # Focus time skipped
    assert "Team stand-up · Zoom" in added.stdout

    listed = run(profile, "calendars", "list")
    assert listed.returncode == 0
    assert "work" in listed.stdout and "file" in listed.stdout and "yes" in listed.stdout

    meetings = run(profile, "meetings", "--json")
    assert meetings.returncode == 0, meetings.stderr
    data = json.loads(meetings.stdout)
    assert [m["title"] for m in data] == ["Team stand-up", "Design review"]
    first = data[0]
    assert set(first) == {"title", "start", "end", "calendar", "uid", "join_url", "service",
                          "status"}
    assert first["calendar"] == "work" and first["uid"] == "standup-1"
    assert first["service"] == "Zoom" and first["status"] == "confirmed"
    assert datetime.fromisoformat(first["start"]) == STANDUP[2]
    assert data[1]["service"] == "Google Meet"

    text = run(profile, "meetings", "--all").stdout
    assert "Focus time" in text and 'skipped: title matches "Focus time"' in text

    status = json.loads(run(profile, "status", "--json").stdout)
    assert status["next_meeting"]["title"] == "Team stand-up"

    assert run(profile, "calendars", "disable", "work").returncode == 0
    off = run(profile, "meetings")
    assert off.returncode == 1 and "turned off" in off.stderr
    assert run(profile, "calendars", "enable", "work").returncode == 0

    removed = run(profile, "calendars", "remove", "work")
    assert removed.returncode == 0 and "Removed" in removed.stdout
    assert load_settings(Profile.under(profile).settings_path).settings.calendars == ()


def test_add_keeps_nothing_on_failure(tmp_path: Path, server: str) -> None:
    profile = tmp_path / "p"
    failed = run(profile, "calendars", "add", f"{server}/broken.ics")
    assert failed.returncode == 1
    lines = failed.stderr.strip().splitlines()
    assert len(lines) == 1 and "500" in lines[0] and "Nothing was added" in lines[0]
    assert load_settings(Profile.under(profile).settings_path).settings.calendars == ()


def test_add_a_subscription_url_without_leaking_its_token(tmp_path: Path, server: str) -> None:
    profile = tmp_path / "p"
    url = f"{server}/private-7f3a9c2b1d/basic.ics"
    added = run(profile, "calendars", "add", url, "--name", "Shared")
    assert added.returncode == 0, added.stderr
    assert "1 upcoming meeting " in added.stdout
    listed = run(profile, "calendars", "list").stdout
    assert "7f3a9c2b1d" not in listed and "127.0.0.1" in listed


def test_missing_file_is_bad_input_and_nothing_is_saved(tmp_path: Path) -> None:
    profile = tmp_path / "p"
    done = run(profile, "calendars", "add", str(tmp_path / "nope.ics"))
    assert done.returncode == 2
    assert "neither an existing file" in done.stderr
    assert not Profile.under(profile).settings_path.exists()


def test_remove_unknown_is_bad_input(tmp_path: Path) -> None:
    done = run(tmp_path / "p", "calendars", "remove", "ghost")
    assert done.returncode == 2 and "no calendar with id 'ghost'" in done.stderr


def test_meetings_with_ad_hoc_sources_and_a_broken_one(tmp_path: Path, ics_file: Path,
                                                      server: str) -> None:
    done = run(tmp_path / "p", "meetings", "--source", str(ics_file),
               "--source", f"{server}/broken.ics", "--json")
    assert done.returncode == 1  # one source failed...
    assert [m["title"] for m in json.loads(done.stdout)] == ["Team stand-up", "Design review"]
    errors = done.stderr.strip().splitlines()
    assert len(errors) == 1 and "500" in errors[0]  # ...and says so in one line


def test_meetings_window(tmp_path: Path, ics_file: Path) -> None:
    start = (NOW + timedelta(hours=2, minutes=45)).isoformat()
    end = (NOW + timedelta(hours=5)).isoformat()
    done = run(tmp_path / "p", "meetings", "--source", str(ics_file), "--from", start,
               "--to", end, "--json")
    assert [m["title"] for m in json.loads(done.stdout)] == ["Design review"]


@pytest.mark.parametrize("args", [
    ("meetings", "--from", "tomorrow"),
    ("meetings", "--from", "2026-01-02", "--to", "2026-01-01"),
    ("calendars", "frobnicate"),
    ("calendars", "add"),
])
def test_bad_meetings_input(tmp_path: Path, ics_file: Path, args: tuple[str, ...]) -> None:
    done = run(tmp_path / "p", *args[:1], "--source", str(ics_file), *args[1:]) \
        if args[0] == "meetings" else run(tmp_path / "p", *args)
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1
