"""The PyInstaller one-folder bundle (packaging/pyinstaller/microapp.spec), built once per
session and run as a user would run it: from outside the checkout, with a bare environment,
so it can only work on what it carries inside.

Building needs PyInstaller (the `test` extra) and, on Linux, objdump (Debian: binutils;
`make sysdeps-test` installs it). Where one is missing the tests skip, except under CI
(MICROAPP_REQUIRE_E2E=1), where that is a failure.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from microapp import __version__
from microapp.core.paths import Profile
from tests.e2e.conftest import wait_for
from tests.real_parts import missing, need, stop

pytestmark = pytest.mark.bundle

REPO = Path(__file__).resolve().parents[2]
SPEC = REPO / "packaging" / "pyinstaller" / "microapp.spec"
GOOGLE = REPO / "tests" / "fixtures" / "calendars" / "google.ics"
WINDOW = ("--from", "2026-03-23T00:00+01:00", "--to", "2026-04-07T00:00+02:00")
BUILD_TIMEOUT = 1200  # about 40 s on two cores; the first build also fills PyInstaller's cache


@dataclass(frozen=True)
class Bundle:
    folder: Path

    @property
    def executable(self) -> Path:
        return self.folder / ("microapp.exe" if sys.platform == "win32" else "microapp")

    @property
    def internal(self) -> Path:
        return self.folder / "_internal"

    def env(self, home: Path, **extra: str) -> dict[str, str]:
        """A bare environment: no venv, no PYTHONPATH, no display, and no system zone files
        (PYTHONTZPATH empty), so time zones must come from the bundled tzdata."""
        env = {"PATH": os.defpath, "HOME": str(home), "LANG": "C.UTF-8", "TZ": "Europe/Berlin",
               "PYTHONTZPATH": "", "TMPDIR": tempfile.gettempdir()}
        env.update(extra)
        return env

    def run(self, home: Path, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(self.executable), *args], capture_output=True, text=True,
                              env=self.env(home, **extra), cwd=home, timeout=120)


@pytest.fixture(scope="session")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Bundle:
    if importlib.util.find_spec("PyInstaller") is None:
        missing("needs PyInstaller (pip install -e '.[test]' installs it)")
    if sys.platform.startswith("linux"):
        need("objdump", hint="Debian: the binutils package; make sysdeps-test installs it")
    root = tmp_path_factory.mktemp("bundle")
    env = {k: v for k, v in os.environ.items() if k != "MICROAPP_BUNDLE_CHIME"}  # the default
    done = subprocess.run(
        [sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean",
         "--distpath", str(root / "dist"), "--workpath", str(root / "work"), str(SPEC)],
        capture_output=True, text=True, env=env, cwd=root, timeout=BUILD_TIMEOUT)
    assert done.returncode == 0, done.stderr[-4000:]
    built = Bundle(root / "dist" / "microapp")
    assert built.executable.is_file(), f"no executable in {built.folder}"
    return built


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """Where the bundle runs: a folder outside the checkout, doubling as HOME."""
    path = tmp_path / "home"
    path.mkdir()
    return path


def test_the_bundle_carries_what_microapp_needs_and_leaves_the_rest(bundle: Bundle) -> None:
    resources = bundle.internal / "microapp" / "resources"
    for name in ("icons/microapp.svg", "styles/overlay.qss", "styles/panel.qss"):
        assert (resources / name).is_file(), name
    plugins = bundle.internal / "PySide6" / "Qt" / "plugins"
    found = [p.relative_to(plugins).as_posix() for p in plugins.rglob("*") if p.is_file()]
    if sys.platform.startswith("linux"):
        for wanted in ("platforms/libqxcb", "platforms/libqwayland", "platforms/libqoffscreen",
                       "imageformats/libqsvg", "iconengines/libqsvgicon",
                       "wayland-shell-integration/libxdg-shell", "platforminputcontexts/"):
            assert any(p.startswith(wanted) for p in found), wanted
    unwanted = [p for p in found
                if p.split("/")[0] in ("sqldrivers", "printsupport", "tls", "qmltooling",
                                       "egldeviceintegrations", "networkinformation", "generic")
                or "eglfs" in p or "gtk3" in p or p.startswith("imageformats/libqpdf")]
    assert unwanted == []
    names = {p.name for p in bundle.internal.rglob("*")}
    for module in ("WebEngine", "Qml", "Quick", "Multimedia", "Pdf", "3D", "Charts"):
        assert not any(n.startswith((f"libQt6{module}", f"Qt6{module}", f"Qt{module}"))
                       for n in names), module
    assert not (bundle.internal / "radicale").exists(), "caldav's test servers stay out"
    assert not (bundle.internal / "PySide6" / "Qt" / "translations").exists()


def test_version_and_status_without_a_display(bundle: Bundle, home: Path) -> None:
    version = bundle.run(home, "--version")
    assert version.returncode == 0, version.stderr
    assert version.stdout == f"microapp {__version__}\n"

    status = bundle.run(home, "--profile", str(home / "profile"), "status", "--json")
    assert status.returncode == 0, status.stderr
    data = json.loads(status.stdout)
    assert data["next_meeting"] is None
    for practice in ("pause", "gratitude"):
        assert set(data["streaks"][practice]) == {"current", "longest", "strength"}
        assert data["streaks"][practice]["current"] == 0
    assert data["today"]["pauses"] == []


def test_calendar_meetings_gratitude_and_export(bundle: Bundle, home: Path) -> None:
    profile = home / "profile"
    (profile / "config").mkdir(parents=True)
    (profile / "config" / "settings.toml").write_text(
        '[meetings]\nmy_emails = ["me@example.com"]\n', encoding="utf-8")
    added = bundle.run(home, "--profile", str(profile), "calendars", "add", str(GOOGLE))
    assert added.returncode == 0, added.stderr

    # icalendar, recurring-ical-events and the zone data at work: a weekly meeting across the
    # DST change, the all-day offsite and the declined pitch skipped.
    listed = bundle.run(home, "--profile", str(profile), "meetings", *WINDOW, "--json")
    assert listed.returncode == 0, listed.stderr
    found = [(m["title"], m["start"], m["service"], m["calendar"])
             for m in json.loads(listed.stdout)]
    assert found == [
        ("Platform team sync", "2026-03-24T09:00:00+01:00", "Google Meet", "google"),
        ("Quarterly planning", "2026-03-25T14:00:00+01:00", "Google Meet", "google"),
        ("Platform team sync", "2026-03-31T09:00:00+02:00", "Google Meet", "google"),
    ]

    sentence = "Your patient review today makes the release feel calm."
    saved = bundle.run(home, "--profile", str(profile), "gratitude", "--to", "Lena",
                       "--relationship", "colleague", sentence)
    assert saved.returncode == 0, saved.stderr
    exported = bundle.run(home, "--profile", str(profile), "export", "--format", "json")
    assert exported.returncode == 0, exported.stderr
    history = json.loads(exported.stdout)
    assert isinstance(history["schema"], int) and history["pauses"] == []
    assert [(g["recipient"], g["relationship"], g["text"]) for g in history["gratitude"]] == [
        ("Lena", "colleague", sentence)]


def calendar_readers(pid: int) -> list[int]:
    """The app's calendar readers still running: its children started as ``_calendars``."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            argv = (stat.parent / "cmdline").read_bytes().split(b"\0")
        except (OSError, IndexError, ValueError):
            continue  # gone meanwhile
        if parent == pid and argv[1:2] == [b"_calendars"]:
            found.append(int(stat.parent.name))
    return found


@pytest.mark.skipif(sys.platform == "win32", reason="SIGTERM and Unix sockets")
def test_tray_app_runs_offscreen_pauses_and_quits_cleanly(bundle: Bundle, home: Path) -> None:
    root = home / "profile"
    profile = Profile.under(root)
    profile.config_dir.mkdir(parents=True)
    # A short pause, and the evening invitation due at once (at the start of the practice day).
    profile.settings_path.write_text('[pause]\nseconds = 3\n\n[evening]\nat = "04:00"\n',
                                     encoding="utf-8")
    added = bundle.run(home, "--profile", str(root), "calendars", "add", str(GOOGLE))
    assert added.returncode == 0, added.stderr
    socket = Path(tempfile.gettempdir()) / profile.instance_key()
    # A notify-send that writes down the environment microapp hands to the programs it starts.
    tools, seen = home / "bin", home / "notify-send.env"
    tools.mkdir()
    (tools / "notify-send").write_text(
        f'#!/bin/sh\nenv > "{seen}.part" && mv "{seen}.part" "{seen}"\n', encoding="utf-8")
    (tools / "notify-send").chmod(0o755)
    users_libs = str(home / "my-libs")
    gui = bundle.env(home, PATH=f"{tools}{os.pathsep}{os.defpath}", LD_LIBRARY_PATH=users_libs,
                     QT_QPA_PLATFORM="offscreen", QT_DEBUG_PLUGINS="1")

    def log() -> str:
        return profile.log_path.read_text(encoding="utf-8") if profile.log_path.exists() else ""

    def pauses() -> list[dict]:
        status = bundle.run(home, "--profile", str(root), "status", "--json")
        assert status.returncode == 0, status.stderr
        return json.loads(status.stdout)["today"]["pauses"]

    errors = home / "app.err"  # a file, not a pipe: Qt's plugin report alone may fill a pipe
    with errors.open("w") as err_file:
        app = subprocess.Popen([str(bundle.executable), "--profile", str(root)], env=gui,
                               cwd=home, stdout=subprocess.DEVNULL, stderr=err_file)
    try:
        wait_for(lambda: re.search(rf"microapp {re.escape(__version__)} started", log()), 60,
                 "the 'started' line in the log")
        wait_for(socket.exists, 10, "the instance socket")
        wait_for(seen.exists, 30, "the evening invitation through notify-send")
        if Path("/proc").is_dir():  # the bundle ran itself to read the calendars, and it ended
            wait_for(lambda: not calendar_readers(app.pid), 60, "the calendar reader to end")

        asked = bundle.run(home, "--profile", str(root), "pause")
        assert asked.returncode == 0, asked.stderr
        done = wait_for(lambda: [p for p in pauses() if p["outcome"] == "completed"], 30,
                        "a completed pause in status --json", interval=0.5)
        assert len(done) == 1
        assert app.poll() is None, "the app must still run after the pause"
        app.send_signal(signal.SIGTERM)
        app.wait(timeout=30)
    finally:
        stop(app)
    err = errors.read_text(encoding="utf-8", errors="replace")
    assert app.returncode == 0, f"unclean exit {app.returncode}: {err[-3000:]}"
    assert not socket.exists(), "a clean quit removes the instance socket"

    text = log()
    assert "quitting" in text
    assert "Traceback" not in text and " ERROR " not in text, text[-3000:]
    assert not re.search(r"WARNING .*calendar", text), text[-3000:]
    assert "Traceback" not in err
    # Qt's plugins came from inside the bundle: the platform and the SVG icon engine.
    inside = re.escape(str(bundle.internal))
    for plugin in ("platforms/(lib)?qoffscreen", "iconengines/(lib)?qsvgicon"):
        assert re.search(rf'"{inside}/PySide6/Qt/plugins/{plugin}[^"]*" loaded library', err), \
            plugin
    assert [p["outcome"] for p in pauses()] == ["completed"]  # kept after the app quit

    # Programs microapp starts get the user's environment, not the bundle's libraries and Qt.
    child = dict(line.split("=", 1) for line in seen.read_text().splitlines() if "=" in line)
    assert child.get("LD_LIBRARY_PATH") == users_libs
    assert not {k: v for k, v in child.items() if str(bundle.internal) in v}
