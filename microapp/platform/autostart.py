"""Start microapp at login: one interface (:class:`Autostart`), one backend per platform.

- Linux and the BSDs: an XDG autostart desktop entry (:mod:`.autostart_xdg`).
- macOS: a LaunchAgent property list (:mod:`.autostart_mac`).
- Windows: a value under the user's Run key (:mod:`.autostart_windows`).

Each ``enable`` writes the command from :func:`launch_command`, so login starts the very
install (and profile) the user turned the switch on in.
"""

from __future__ import annotations

import sys
from pathlib import Path

from microapp.platform.autostart_base import (
    APP_COMMENT,
    APP_DISPLAY_NAME,
    APP_ID,
    Autostart,
    AutostartError,
)
from microapp.platform.autostart_mac import LaunchAgent
from microapp.platform.autostart_windows import RunKey
from microapp.platform.autostart_xdg import XdgAutostart

__all__ = [
    "APP_COMMENT",
    "APP_DISPLAY_NAME",
    "APP_ID",
    "Autostart",
    "AutostartError",
    "autostart_for_this_system",
    "launch_command",
]


def launch_command(profile_dir: Path | None = None, *, executable: str | None = None,
                   frozen: bool | None = None, platform: str | None = None) -> list[str]:
    """The command that starts this same install at login.

    A PyInstaller bundle runs itself. Otherwise the ``microapp`` script installed beside this
    Python (a venv, pipx), else ``python -m microapp``. On Windows ``pythonw -m microapp``
    comes first: the console script would keep a console window open all day.
    ``--profile DIR`` only for a profile other than the default one. The keyword arguments
    stand in for ``sys`` in tests.
    """
    exe = Path(executable if executable is not None else (sys.executable or "python3"))
    frozen = bool(getattr(sys, "frozen", False)) if frozen is None else frozen
    platform = sys.platform if platform is None else platform
    windows = platform.startswith("win")
    if frozen:
        command = [str(exe)]
    else:
        pythonw = exe.with_name("pythonw.exe")
        script = exe.with_name("microapp.exe" if windows else "microapp")
        if windows and pythonw.is_file():
            command = [str(pythonw), "-m", "microapp"]
        elif script.is_file():
            command = [str(script)]
        else:
            command = [str(exe), "-m", "microapp"]
    if profile_dir is not None:
        command += ["--profile", str(Path(profile_dir).expanduser().absolute())]
    return command


def autostart_for_this_system(command: list[str] | None = None, *,
                              platform: str | None = None) -> Autostart | None:
    """Start at login for this platform (``platform`` stands in for ``sys.platform`` in
    tests), running ``command`` (default :func:`launch_command`); None where microapp does
    not know how."""
    platform = sys.platform if platform is None else platform
    command = command if command is not None else launch_command()
    if platform == "darwin":
        return LaunchAgent(command)
    if platform.startswith("win"):
        return RunKey(command)
    if platform.startswith(("linux", "freebsd", "openbsd", "netbsd", "dragonfly")):
        return XdgAutostart(command)
    return None
