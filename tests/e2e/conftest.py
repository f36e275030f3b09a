"""End-to-end fixtures: the wheel installed in a fresh venv, and a real X server with a tray.

These need Xvfb and trayer (`make test` installs them on Debian). Where they are missing the
tests skip, except under CI, which sets MICROAPP_REQUIRE_E2E=1 and turns a skip into a failure.
"""

from __future__ import annotations

import ast
import dataclasses
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.real_parts import need, private_bus, quiet_bus_config, stop

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "artifacts" / "e2e"
SINGLE_SCREEN = (0, 0, 1280, 800)
#: Two 1280x800 monitors side by side: one wide Xvfb screen split with RandR 1.5 monitors.
#: (Xvfb's +xinerama with two -screen options stacks both heads at 0,0, and Qt 6's xcb
#: platform asks RandR, not Xinerama: it sees a single screen there.)
TWO_SCREENS = [(0, 0, 1280, 800), (1280, 0, 1280, 800)]


def wait_for(predicate, timeout: float, what: str, interval: float = 0.1):
    """Poll a real outside observation (X window tree, a CLI's answer) until it holds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")


@dataclass
class Installed:
    venv: Path

    @property
    def microapp(self) -> str:
        return str(self.venv / "bin" / "microapp")

    @property
    def python(self) -> str:
        return str(self.venv / "bin" / "python")


@pytest.fixture(scope="session")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """`pip install .` (not editable) into a fresh venv: what a newcomer gets."""
    root = tmp_path_factory.mktemp("installed")
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet",
           "--disable-pip-version-check"]
    done = subprocess.run([*pip, str(REPO)], capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    return Installed(venv)


@dataclass
class Desktop:
    display: str
    env: dict[str, str]
    #: Each monitor as (x, y, width, height) in root-window pixels, as Qt's xcb platform sees them.
    screens: list[tuple[int, int, int, int]] = field(default_factory=lambda: [SINGLE_SCREEN])

    @property
    def width(self) -> int:
        """The root window's width in pixels."""
        return max(x + w for x, _y, w, _h in self.screens)

    def tree(self) -> str:
        return subprocess.run(["xwininfo", "-root", "-tree"], capture_output=True, text=True,
                              env=self.env, timeout=10).stdout

    def pixels(self) -> bytes:
        """The whole root window as 8-bit RGB triples, row by row (``import`` from ImageMagick)."""
        return subprocess.run(["import", "-window", "root", "-depth", "8", "rgb:-"],
                              capture_output=True, env=self.env, timeout=30, check=True).stdout

    def screenshot(self, name: str, crop: tuple[int, int, int, int] | None = None) -> Path:
        """The root window (or its ``crop``: x, y, width, height) as artifacts/e2e/NAME.png."""
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        region = [] if crop is None else ["-crop", "{2}x{3}+{0}+{1}".format(*crop), "+repage"]
        subprocess.run(["import", "-window", "root", *region, str(path)], env=self.env,
                       timeout=30, check=True, capture_output=True)
        return path


def _monitors(env: dict[str, str]) -> list[tuple[int, int, int, int]]:
    """The RandR monitors, from `xrandr --listmonitors` (" 0: left 1280/338x800/212+0+0 ...")."""
    out = subprocess.run(["xrandr", "--listmonitors"], capture_output=True, text=True, env=env,
                         timeout=10, check=True).stdout
    found = re.findall(r"^\s*\d+: \S+ (\d+)/\d+x(\d+)/\d+\+(\d+)\+(\d+)", out, re.MULTILINE)
    return [(int(x), int(y), int(w), int(h)) for w, h, x, y in found]


def painted_share(desktop: Desktop, before: bytes, now: bytes,
                  screen: tuple[int, int, int, int]) -> float:
    """How much of ``screen`` looks different from ``before``: a grid of 16 x 10 points."""
    x0, y0, w, h = screen
    points = [(x0 + int(w * (i + 0.5) / 16), y0 + int(h * (j + 0.5) / 10))
              for i in range(16) for j in range(10)]
    offsets = [(y * desktop.width + x) * 3 for x, y in points]
    return sum(now[o:o + 3] != before[o:o + 3] for o in offsets) / len(points)



def _split_into_monitors(env: dict[str, str], screens: list[tuple[int, int, int, int]]) -> None:
    """Declare one RandR monitor per rectangle (the first one takes Xvfb's only output)."""
    output = "screen"  # the name Xvfb gives its one RandR output
    for i, (x, y, w, h) in enumerate(screens):
        mm_w, mm_h = round(w * 25.4 / 96), round(h * 25.4 / 96)
        subprocess.run(["xrandr", "--setmonitor", f"microapp-e2e-{i}",
                        f"{w}/{mm_w}x{h}/{mm_h}+{x}+{y}", output if i == 0 else "none"],
                       env=env, timeout=10, check=True, capture_output=True)
    seen = _monitors(env)
    assert sorted(seen) == sorted(screens), f"xrandr monitors {seen}, wanted {screens}"
    # What the app will see: Qt's xcb platform (the test venv has the same PySide6).
    probe = subprocess.run(
        [sys.executable, "-c",
         "from PySide6.QtGui import QGuiApplication; a = QGuiApplication([]); "
         "print([s.geometry().getRect() for s in a.screens()])"],
        capture_output=True, text=True, env=env, timeout=60)
    assert probe.returncode == 0, probe.stderr[-2000:]
    qt_screens = [tuple(r) for r in ast.literal_eval(probe.stdout.strip().splitlines()[-1])]
    assert sorted(qt_screens) == sorted(screens), f"Qt sees {qt_screens}, wanted {screens}"


def _start_desktop(tmp_path: Path, with_tray: bool,
                   screens: list[tuple[int, int, int, int]] | None = None) -> Iterator[Desktop]:
    screens = screens or [SINGLE_SCREEN]
    need("Xvfb", "trayer", "xwininfo", "import", *(["xrandr"] if len(screens) > 1 else []))
    width = max(x + w for x, _y, w, _h in screens)
    height = max(y + h for _x, y, _w, h in screens)
    read_fd, write_fd = os.pipe()
    # -noreset: Xvfb otherwise resets (dropping the RandR monitors) when its last client,
    # xrandr, disconnects.
    xvfb = subprocess.Popen(["Xvfb", "-displayfd", str(write_fd), "-screen", "0",
                             f"{width}x{height}x24", "-nolisten", "tcp", "-noreset"],
                            pass_fds=(write_fd,), stderr=subprocess.DEVNULL)
    os.close(write_fd)
    with os.fdopen(read_fd) as pipe:
        number = pipe.readline().strip()
    assert number, "Xvfb did not start"
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "WAYLAND_DISPLAY")}
    env.update(DISPLAY=f":{number}", QT_QPA_PLATFORM="xcb", HOME=str(tmp_path / "home"),
               XDG_RUNTIME_DIR=str(tmp_path / "run"))
    (tmp_path / "run").mkdir(mode=0o700)
    (tmp_path / "home").mkdir()
    desk = Desktop(display=env["DISPLAY"], env=env, screens=list(screens))
    tray = None
    try:
        if len(screens) > 1:
            _split_into_monitors(env, screens)
        if with_tray:  # on the first monitor: top edge, right end
            tray = subprocess.Popen(
                ["trayer", "--edge", "top", "--align", "right", "--widthtype", "request",
                 "--height", "32", "--transparent", "false", "--tint", "0x2b2b2b",
                 "--SetDockType", "true"],
                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            wait_for(lambda: '"panel"' in desk.tree(), 15, "the trayer panel")
        yield desk
    finally:
        if tray is not None:
            stop(tray)
        stop(xvfb)


@pytest.fixture
def desktop(tmp_path: Path) -> Iterator[Desktop]:
    """Xvfb plus trayer as the tray host, on a display of its own."""
    yield from _start_desktop(tmp_path, with_tray=True)


@pytest.fixture
def trayless_desktop(tmp_path: Path) -> Iterator[Desktop]:
    """Xvfb with no tray host at all (like GNOME without the AppIndicator extension)."""
    yield from _start_desktop(tmp_path, with_tray=False)


@pytest.fixture
def two_screen_desktop(tmp_path: Path) -> Iterator[Desktop]:
    """Xvfb with two side-by-side monitors Qt sees as two QScreens, and trayer on the first."""
    yield from _start_desktop(tmp_path, with_tray=True, screens=TWO_SCREENS)


# -- a desktop session: D-Bus and a notification daemon ---------------------------------------


#: Notes stay on screen (for the screenshots) on the first monitor, below trayer; every note
#: dunst shows runs the recording script, which is how the test sees what arrived, and when.
DUNSTRC = """[global]
    font = DejaVu Sans 10
    monitor = 0
    follow = none
    origin = top-right
    offset = 16x48
    icon_position = off
[urgency_low]
    timeout = 0
[urgency_normal]
    timeout = 0
[urgency_critical]
    timeout = 0
[record]
    summary = "*"
    script = {script}
"""

RECORD_SCRIPT = """#!/bin/sh
# Run by dunst for each note it shows: when (Unix time), app name, summary, body.
printf '%s\\t%s\\t%s\\t%s\\n' "$(date +%s.%N)" "$1" "$2" "$3" >> '{record}'
"""


@dataclass(frozen=True)
class Note:
    """One notification as the daemon showed it."""

    at: float  # Unix time the daemon showed it
    app: str
    summary: str
    body: str


@dataclass
class NotificationDaemon:
    """dunst on the session's private bus; reads back what it showed."""

    env: dict[str, str]
    record: Path

    def notes(self) -> list[Note]:
        if not self.record.exists():
            return []
        notes = []
        for line in self.record.read_text(encoding="utf-8").splitlines():
            at, app, summary, body = line.split("\t", 3)
            notes.append(Note(float(at), app, summary, body))
        return notes

    def close_all(self) -> None:
        """Take the notes off the screen (they stay in the daemon's history)."""
        subprocess.run(["dunstctl", "close-all"], env=self.env, timeout=10, check=True,
                       capture_output=True)


@dataclass
class Session:
    """A two-screen desktop with a tray host, a private session bus and a notification daemon;
    ``desktop.env`` carries the bus address, as a login session hands it to its apps."""

    desktop: Desktop
    notifications: NotificationDaemon


DESKTOP_COLOUR = "#3d4a5c"


@pytest.fixture
def desktop_session(two_screen_desktop: Desktop, tmp_path: Path) -> Iterator[Session]:
    need("dbus-daemon", "dunst", "dunstctl", "notify-send", "xsetroot", "xdotool",
         hint="Debian: dbus dunst libnotify-bin x11-xserver-utils xdotool; "
              "make sysdeps-test installs them")
    folder = tmp_path / "session"
    folder.mkdir()
    config = quiet_bus_config(folder)
    record = folder / "notes.tsv"
    script = folder / "record-note.sh"
    script.write_text(RECORD_SCRIPT.format(record=record), encoding="utf-8")
    script.chmod(0o755)
    dunstrc = folder / "dunstrc"
    dunstrc.write_text(DUNSTRC.format(script=script), encoding="utf-8")
    # A plain desktop colour rather than black, so the screenshots read as a desktop.
    subprocess.run(["xsetroot", "-solid", DESKTOP_COLOUR], env=two_screen_desktop.env,
                   timeout=10, check=True, capture_output=True)
    with private_bus(config) as address:
        env = {**two_screen_desktop.env, "DBUS_SESSION_BUS_ADDRESS": address}
        with (folder / "dunst.log").open("w", encoding="utf-8") as log:
            dunst = subprocess.Popen(["dunst", "-config", str(dunstrc)], env=env,
                                     stdout=log, stderr=subprocess.STDOUT)
            try:
                wait_for(lambda: dunst.poll() is not None or subprocess.run(
                    ["dunstctl", "is-paused"], env=env, capture_output=True,
                    timeout=10).returncode == 0, 15, "dunst on the session bus")
                assert dunst.poll() is None, (folder / "dunst.log").read_text()[-2000:]
                yield Session(dataclasses.replace(two_screen_desktop, env=env),
                              NotificationDaemon(env, record))
            finally:
                stop(dunst)
