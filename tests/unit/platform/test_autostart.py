"""Start at login: the XDG autostart entry for real (files in a temporary home, checked by
desktop-file-validate and launched by GLib's own `gio launch`), the macOS LaunchAgent and the
Windows Run value on exactly what they would write."""

from __future__ import annotations

import json
import os
import plistlib
import stat
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from microapp import __version__
from microapp.platform.autostart import (
    APP_COMMENT,
    APP_DISPLAY_NAME,
    APP_ID,
    AutostartError,
    autostart_for_this_system,
    launch_command,
)
from microapp.platform.autostart_mac import LaunchAgent
from microapp.platform.autostart_windows import APPROVED_KEY, RUN_KEY, RunKey
from microapp.platform.autostart_xdg import XdgAutostart, read_entry
from tests.real_parts import need

COMMAND = ["/opt/microapp/bin/microapp", "--profile", "/home/ann/microapp profile"]


def validate(path: Path) -> None:
    """desktop-file-validate accepts the file without a single error, warning or hint."""
    (tool,) = need("desktop-file-validate", hint="Debian: desktop-file-utils")
    result = subprocess.run([tool, str(path)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and result.stdout.strip() == "", result.stdout


@pytest.fixture
def config_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_CONFIG_DIRS", str(tmp_path / "etc-xdg"))
    return home / ".config"


@contextmanager
def umask(mask: int) -> Iterator[None]:
    old = os.umask(mask)
    try:
        yield
    finally:
        os.umask(old)


# --- Linux and the BSDs: XDG autostart -----------------------------------------------------

def test_enable_writes_a_valid_entry_that_starts_microapp(config_home: Path) -> None:
    autostart = XdgAutostart(COMMAND)
    assert not autostart.is_enabled()

    with umask(0o077):  # a strict umask must not make the entry unreadable to the session
        autostart.enable()

    path = config_home / "autostart" / f"{APP_ID}.desktop"
    assert autostart.path == path and autostart.is_enabled()
    assert autostart.where == f"~/.config/autostart/{APP_ID}.desktop"
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    entry = read_entry(path)
    assert entry is not None
    assert entry["Type"] == "Application"
    assert entry["Exec"] == ('/opt/microapp/bin/microapp --profile '
                             '"/home/ann/microapp profile"')
    assert entry["X-GNOME-Autostart-enabled"] == "true"
    assert (entry["Name"], entry["Comment"], entry["Icon"]) == (APP_DISPLAY_NAME, APP_COMMENT,
                                                                APP_ID)
    validate(path)


def test_enable_twice_and_disable_twice_are_fine(config_home: Path) -> None:
    autostart = XdgAutostart(COMMAND)
    autostart.enable()
    first = autostart.path.read_bytes()
    autostart.enable()
    assert autostart.path.read_bytes() == first
    assert os.listdir(autostart.path.parent) == [autostart.path.name]  # no temporary leftovers

    autostart.disable()
    assert not autostart.path.exists() and not autostart.is_enabled()
    autostart.disable()  # already off: no error
    assert not autostart.is_enabled()


def test_enable_replaces_an_entry_for_another_install(config_home: Path) -> None:
    XdgAutostart(["/old/place/microapp"]).enable()
    autostart = XdgAutostart(COMMAND)
    autostart.enable()
    assert read_entry(autostart.path)["Exec"].startswith("/opt/microapp/bin/microapp ")


def test_odd_paths_reach_the_program_exactly(tmp_path: Path, config_home: Path) -> None:
    """Spaces, quotes, $, `, backslashes, % (field codes), ~, #, tabs and newlines: GLib, which
    GNOME, XFCE, Cinnamon and MATE launch autostart entries with, hands the program exactly the
    arguments microapp wrote."""
    (gio,) = need("gio", hint="Debian: libglib2.0-bin")
    folder = tmp_path / "a folder with spaces, 100% $HOME `x` 'q' \"qq\" #1 ~"
    folder.mkdir()
    script = folder / "show args.py"
    script.write_text("import json, sys\nprint(json.dumps(sys.argv[1:]))\n", encoding="utf-8")
    args = ["plain", "two words", "%f", "%%u", "50%", "back\\slash", "\\\\", "dollar$HOME",
            "tick`id`", 'say "hi"', "it's", "semi;colon&amp|pipe", "<in>", "~", "", "a\tb",
            "line\nbreak", "ünïcödé", "=", "#"]
    autostart = XdgAutostart([sys.executable, str(script), *args])
    autostart.enable()
    validate(autostart.path)

    # No session bus: the launch must not reach a real desktop session.
    env = {k: v for k, v in os.environ.items() if not k.startswith("DBUS_")}
    result = subprocess.run([gio, "launch", str(autostart.path)], capture_output=True,
                            text=True, timeout=60, env=env, check=False)
    # gio returns once the program is spawned; its stdout stays open (inherited by the
    # program) until the program exits, so the output is complete here.
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == args


def test_a_missing_program_makes_the_session_skip_the_entry(config_home: Path) -> None:
    """TryExec names the program, so an uninstalled microapp is not started (or complained
    about) at every login."""
    autostart = XdgAutostart(COMMAND)
    autostart.enable()
    assert read_entry(autostart.path)["TryExec"] == COMMAND[0]


def test_an_entry_the_user_switched_off_counts_as_off(config_home: Path) -> None:
    autostart = XdgAutostart(COMMAND)
    autostart.enable()
    text = autostart.path.read_text(encoding="utf-8")
    autostart.path.write_text(text + "Hidden=true\n", encoding="utf-8")
    assert not autostart.is_enabled()

    autostart.path.write_text(text.replace("X-GNOME-Autostart-enabled=true",
                                           "X-GNOME-Autostart-enabled=false"), encoding="utf-8")
    assert not autostart.is_enabled()

    autostart.enable()  # the switch in Settings turns it on again
    assert autostart.is_enabled()
    assert "Hidden" not in read_entry(autostart.path)


def test_a_system_wide_entry_is_hidden_not_deleted(tmp_path: Path, config_home: Path) -> None:
    system = tmp_path / "etc-xdg" / "autostart" / f"{APP_ID}.desktop"
    system.parent.mkdir(parents=True)
    system.write_text(f"[Desktop Entry]\nType=Application\nName={APP_DISPLAY_NAME}\n"
                      "Exec=microapp\n", encoding="utf-8")
    autostart = XdgAutostart(COMMAND)
    assert autostart.is_enabled()

    autostart.disable()
    assert not autostart.is_enabled()
    assert system.exists()
    assert read_entry(autostart.path)["Hidden"] == "true"
    validate(autostart.path)

    autostart.enable()
    assert autostart.is_enabled()


def test_config_home_falls_back_to_dot_config(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    for value in (None, "", "relative/config"):
        if value is None:
            monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
        else:
            monkeypatch.setenv("XDG_CONFIG_HOME", value)
        autostart = XdgAutostart(COMMAND)
        assert autostart.path == tmp_path / ".config" / "autostart" / f"{APP_ID}.desktop"


def test_an_unwritable_place_gives_one_clear_sentence(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    # A file where the config folder should be (works as root too, unlike permissions).
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(blocker))
    autostart = XdgAutostart(COMMAND)
    with pytest.raises(AutostartError) as caught:
        autostart.enable()
    message = str(caught.value)
    assert message.startswith("Could not turn on start at login: ")
    assert str(blocker / "autostart" / f"{APP_ID}.desktop") in message
    assert message.endswith(".") and "\n" not in message
    assert not autostart.is_enabled()


def test_disable_failing_says_so(config_home: Path) -> None:
    autostart = XdgAutostart(COMMAND)
    autostart.path.mkdir(parents=True)  # a folder in the entry's place cannot be removed
    with pytest.raises(AutostartError, match=r"^Could not turn off start at login: ~/"):
        autostart.disable()


def test_a_path_that_is_not_utf8_is_refused_clearly(config_home: Path) -> None:
    autostart = XdgAutostart([os.fsdecode(b"/opt/micro\xffapp/microapp")])
    with pytest.raises(AutostartError, match="not valid UTF-8"):
        autostart.enable()
    assert not autostart.path.exists()


# --- macOS: a LaunchAgent --------------------------------------------------------------------

def test_launch_agent_starts_at_login_and_stays_quit(tmp_path: Path) -> None:
    agent = LaunchAgent(COMMAND, home=tmp_path)
    assert not agent.is_enabled()
    agent.enable()

    path = tmp_path / "Library" / "LaunchAgents" / f"{APP_ID}.plist"
    assert agent.path == path and agent.is_enabled()
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    with path.open("rb") as src:
        written = plistlib.load(src)
    assert written["Label"] == APP_ID
    assert written["ProgramArguments"] == COMMAND
    assert written["RunAtLoad"] is True
    assert "KeepAlive" not in written  # Quit stays quit
    assert path.read_bytes().startswith(b"<?xml")

    agent.enable()  # twice is fine
    agent.disable()
    assert not path.exists() and not agent.is_enabled()
    agent.disable()


def test_launch_agent_disabled_or_broken_counts_as_off(tmp_path: Path) -> None:
    agent = LaunchAgent(COMMAND, home=tmp_path)
    agent.enable()
    with agent.path.open("rb") as src:
        keys = plistlib.load(src)
    agent.path.write_bytes(plistlib.dumps({**keys, "Disabled": True}))
    assert not agent.is_enabled()
    for broken in (b"<plist><dict><key>Label", b"bplist00\xff\x00", b"", b"<plist/>"):
        agent.path.write_bytes(broken)
        assert not agent.is_enabled(), broken
    agent.enable()
    assert agent.is_enabled()


def test_launch_agent_unwritable(tmp_path: Path) -> None:
    (tmp_path / "Library").write_text("", encoding="utf-8")
    with pytest.raises(AutostartError, match=r"^Could not turn on start at login: .*LaunchAgents"):
        LaunchAgent(COMMAND, home=tmp_path).enable()


# --- Windows: the Run key ----------------------------------------------------------------------

class FakeRegistry:
    """HKEY_CURRENT_USER as a dict of (key, value name) -> data."""

    def __init__(self) -> None:
        self.values: dict[tuple[str, str], object] = {}
        self.fail: OSError | None = None

    def read(self, key: str, name: str) -> object | None:
        return self.values.get((key, name))

    def write_string(self, key: str, name: str, value: str) -> None:
        if self.fail:
            raise self.fail
        self.values[(key, name)] = value

    def delete(self, key: str, name: str) -> None:
        if self.fail:
            raise self.fail
        self.values.pop((key, name), None)


BUNDLE = [r"C:\Program Files\microapp\microapp.exe", "--profile", r"C:\Users\Ann Lee\my prof"]


def test_run_value_is_the_quoted_command_line() -> None:
    registry = FakeRegistry()
    run = RunKey(BUNDLE, registry=registry)
    assert not run.is_enabled()
    run.enable()
    assert registry.values == {(RUN_KEY, "microapp"): '"C:\\Program Files\\microapp\\microapp.exe"'
                               ' --profile "C:\\Users\\Ann Lee\\my prof"'}
    assert run.is_enabled()
    assert run.where == ("HKEY_CURRENT_USER\\Software\\Microsoft\\Windows\\CurrentVersion\\Run"
                         "\\microapp")
    run.enable()
    run.disable()
    assert registry.values == {} and not run.is_enabled()
    run.disable()


def test_run_value_quotes_what_windows_would_split() -> None:
    registry = FakeRegistry()
    RunKey([r"C:\Python\pythonw.exe", "-m", "microapp", "--profile",
            'C:\\odd "dir"\\'], registry=registry).enable()
    assert registry.values[(RUN_KEY, "microapp")] == (
        'C:\\Python\\pythonw.exe -m microapp --profile "C:\\odd \\"dir\\"\\\\"')


def test_switched_off_in_task_manager_counts_as_off_until_turned_on() -> None:
    registry = FakeRegistry()
    run = RunKey(BUNDLE, registry=registry)
    run.enable()
    registry.values[(APPROVED_KEY, "microapp")] = bytes([3]) + bytes(11)  # Task Manager: off
    assert not run.is_enabled()
    run.enable()
    assert run.is_enabled() and (APPROVED_KEY, "microapp") not in registry.values
    registry.values[(APPROVED_KEY, "microapp")] = bytes([2]) + bytes(11)  # on
    assert run.is_enabled()


def test_registry_errors_become_one_sentence() -> None:
    registry = FakeRegistry()
    registry.fail = PermissionError(5, "Access is denied")
    with pytest.raises(AutostartError) as caught:
        RunKey(BUNDLE, registry=registry).enable()
    assert str(caught.value) == (
        "Could not turn on start at login: HKEY_CURRENT_USER\\Software\\Microsoft\\Windows\\"
        "CurrentVersion\\Run\\microapp could not be changed (Access is denied).")


# --- which backend, and what it runs -----------------------------------------------------------

def test_each_platform_gets_its_backend(config_home: Path) -> None:
    assert isinstance(autostart_for_this_system(COMMAND, platform="linux"), XdgAutostart)
    assert isinstance(autostart_for_this_system(COMMAND, platform="freebsd14"), XdgAutostart)
    assert isinstance(autostart_for_this_system(COMMAND, platform="darwin"), LaunchAgent)
    assert isinstance(autostart_for_this_system(COMMAND, platform="win32"), RunKey)
    assert autostart_for_this_system(COMMAND, platform="sunos5") is None
    default = autostart_for_this_system(platform="linux")
    assert isinstance(default, XdgAutostart) and default.command == launch_command()


def test_launch_command_for_each_kind_of_install(tmp_path: Path) -> None:
    bin_dir = tmp_path / "venv" / "bin"
    bin_dir.mkdir(parents=True)
    python = bin_dir / "python"
    python.touch()
    assert launch_command(executable=str(python), frozen=True, platform="linux") == [str(python)]
    assert launch_command(executable=str(python), frozen=False, platform="linux") == [
        str(python), "-m", "microapp"]
    (bin_dir / "microapp").touch()
    assert launch_command(executable=str(python), frozen=False, platform="linux") == [
        str(bin_dir / "microapp")]

    scripts = tmp_path / "venv" / "Scripts"
    scripts.mkdir()
    (scripts / "python.exe").touch()
    (scripts / "microapp.exe").touch()
    exe = str(scripts / "python.exe")
    assert launch_command(executable=exe, frozen=False, platform="win32") == [
        str(scripts / "microapp.exe")]
    (scripts / "pythonw.exe").touch()  # no console window at login
    assert launch_command(executable=exe, frozen=False, platform="win32") == [
        str(scripts / "pythonw.exe"), "-m", "microapp"]


def test_launch_command_adds_only_a_chosen_profile(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    assert "--profile" not in launch_command()
    monkeypatch.chdir(tmp_path)
    assert launch_command(Path("my profile"))[-2:] == ["--profile", str(tmp_path / "my profile")]


def test_launch_command_really_starts_this_install(tmp_path: Path) -> None:
    command = launch_command(tmp_path / "profile")
    result = subprocess.run([*command, "--version"], capture_output=True, text=True,
                            timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert __version__ in result.stdout
