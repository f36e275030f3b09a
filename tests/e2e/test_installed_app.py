"""The installed app on a real X server with a tray host, observed from outside as a user
would: the icon embedded in the tray, the pause on screen, the outcome in `status --json`."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
from pathlib import Path

import pytest

from tests.e2e.conftest import Desktop, Installed, painted_share, wait_for

pytestmark = pytest.mark.e2e


def run(installed: Installed, *args: str, env: dict[str, str] | None = None,
        timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([installed.microapp, *args], capture_output=True, text=True,
                          env=env, timeout=timeout, cwd=installed.venv)


def headless_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items()
            if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}


def tray_icons(tree: str) -> int:
    """How many of microapp's windows trayer's "panel" window holds (embedded icons)."""
    lines = tree.splitlines()
    count = 0
    for i, line in enumerate(lines):
        if '"panel"' in line:
            depth = len(line) - len(line.lstrip())
            for child in lines[i + 1:]:
                if len(child) - len(child.lstrip()) <= depth:
                    break
                count += '"microapp"' in child
    return count


def icon_in_tray(tree: str) -> bool:
    return tray_icons(tree) >= 1


def test_installed_without_a_display(installed: Installed, tmp_path: Path) -> None:
    env = headless_env()
    version = run(installed, "--version", env=env)
    assert version.returncode == 0 and re.fullmatch(r"microapp \d+\.\d+\.\d+\s*", version.stdout)
    status = run(installed, "--profile", str(tmp_path / "p"), "status", "--json", env=env)
    assert status.returncode == 0, status.stderr
    assert json.loads(status.stdout)["streaks"]["pause"]["current"] == 0
    shipped = subprocess.run(
        [installed.python, "-c", "from microapp.core.paths import resources_dir; "
                                 "print(resources_dir())"],
        capture_output=True, text=True, env=env, check=True,
        cwd=installed.venv).stdout.strip()  # not the checkout: the installed copy only
    assert Path(shipped).is_relative_to(installed.venv), "resources must come from the wheel"
    for name in ("icons/microapp.svg", "styles/overlay.qss", "styles/panel.qss"):
        assert (Path(shipped) / name).is_file(), name


def test_tray_pause_status_and_single_instance(installed: Installed, desktop: Desktop,
                                               tmp_path: Path) -> None:
    profile = str(tmp_path / "profile")
    app = subprocess.Popen([installed.microapp, "--profile", profile], env=desktop.env,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           cwd=installed.venv)
    try:
        wait_for(lambda: icon_in_tray(desktop.tree()), 30, "the icon embedded in the tray")
        desktop.screenshot("01-tray")

        again = run(installed, "--profile", profile, env=desktop.env, timeout=30)
        assert again.returncode == 0, again.stderr
        assert "already running" in again.stdout
        assert tray_icons(desktop.tree()) == 1

        before = desktop.pixels()
        asked = run(installed, "--profile", profile, "pause", env=desktop.env, timeout=30)
        assert asked.returncode == 0, asked.stderr
        wait_for(lambda: "doorway pause" in desktop.tree(), 15, "the pause on screen")
        # Listed in the window tree is not yet drawn: wait until the screen shows it.
        wait_for(lambda: painted_share(desktop, before, desktop.pixels(), desktop.screens[0])
                 >= 0.9, 15, "the pause drawn over the screen", interval=0.05)
        desktop.screenshot("02-pause")

        def completed() -> dict | None:
            done = run(installed, "--profile", profile, "status", "--json", env=headless_env())
            data = json.loads(done.stdout)
            pauses = data["today"]["pauses"]
            return data if pauses and pauses[0]["outcome"] == "completed" else None

        data = wait_for(completed, 20, "one completed pause in status --json", interval=0.5)
        assert len(data["today"]["pauses"]) == 1
        assert data["streaks"]["pause"]["current"] == 1
        wait_for(lambda: "doorway pause" not in desktop.tree(), 10, "the pause to fade away")
        assert app.poll() is None, "the app must still be running after the pause"
    finally:
        if app.poll() is None:
            app.send_signal(signal.SIGTERM)
        _out, err = app.communicate(timeout=20)
    assert app.returncode == 0, f"unclean exit {app.returncode}: {err[-2000:]}"


def test_without_a_tray_the_window_stands_in(installed: Installed, trayless_desktop: Desktop,
                                             tmp_path: Path) -> None:
    desktop = trayless_desktop
    app = subprocess.Popen([installed.microapp, "--profile", str(tmp_path / "p")],
                           env=desktop.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True, cwd=installed.venv)
    try:
        # A real, mapped top-level window of a few hundred pixels: the stand-in window.
        wait_for(lambda: re.search(r'"microapp": \("microapp" "microapp"\)\s+\d{3,}x\d{3,}',
                                   desktop.tree()), 30, "the stand-in window")
        desktop.screenshot("03-no-tray")
    finally:
        app.send_signal(signal.SIGTERM)
        app.communicate(timeout=20)
    assert app.returncode == 0
