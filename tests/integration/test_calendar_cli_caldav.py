"""`microapp calendars add` against a real CalDAV server (Radicale on 127.0.0.1)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

from microapp.core.paths import Profile
from microapp.core.settings import load_settings
from tests.integration.radicale_server import (  # noqa: F401 - the fixture
    PASSWORD,
    USER,
    RadicaleServer,
    radicale_fixture,
)


def run(profile: Path, *args: str, password: str | None = PASSWORD
        ) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    # No keyring backend here (as on many minimal desktops), and never the developer's own.
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    if password is not None:
        env["MICROAPP_CALDAV_PASSWORD"] = password
    return subprocess.run([sys.executable, "-m", "microapp", "--profile", str(profile), *args],
                          capture_output=True, text=True, env=env, timeout=120,
                          stdin=subprocess.DEVNULL)


def test_without_a_keyring_it_says_so_and_keeps_nothing(tmp_path: Path,
                                                        radicale: RadicaleServer) -> None:
    profile = tmp_path / "p"
    done = run(profile, "calendars", "add", radicale.url, "--user", USER)
    assert done.returncode == 1
    assert "--password-file" in done.stderr and "keyring" in done.stderr.lower()
    assert PASSWORD not in done.stderr + done.stdout
    assert load_settings(Profile.under(profile).settings_path).settings.calendars == ()


def test_add_with_a_password_file_lists_calendars_and_keeps_no_password_in_settings(
        tmp_path: Path, radicale: RadicaleServer) -> None:
    profile = tmp_path / "p"
    done = run(profile, "calendars", "add", radicale.url, "--user", USER, "--name", "Team",
               "--password-file")
    assert done.returncode == 0, done.stderr
    assert "Calendars there: Work" in done.stdout and "Tasks" not in done.stdout
    assert 'Added "Team" (caldav' in done.stdout
    settings_text = Profile.under(profile).settings_path.read_text(encoding="utf-8")
    assert PASSWORD not in settings_text
    [config] = load_settings(Profile.under(profile).settings_path).settings.calendars
    assert config.username == USER
    secret = Profile.under(profile).config_dir / "secrets" / config.id
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600

    listed = run(profile, "meetings", "--from", "2026-03-09", "--to", "2026-03-16", "--json",
                 password=None)  # the stored password is found without the environment
    assert listed.returncode == 0, listed.stderr
    assert "Zoom" in listed.stdout


def test_a_wrong_password_is_one_clear_line(tmp_path: Path, radicale: RadicaleServer) -> None:
    done = run(tmp_path / "p", "calendars", "add", radicale.url, "--user", USER,
               "--password-file", password="not-it")
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "user name or password" in lines[0]
    assert "not-it" not in done.stderr
