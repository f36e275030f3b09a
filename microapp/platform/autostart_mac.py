"""Start at login on macOS: a per-user LaunchAgent, ``~/Library/LaunchAgents/<app id>.plist``.

launchd loads every agent in that folder when the user logs in. ``RunAtLoad`` starts microapp
then; there is deliberately no ``KeepAlive``, so choosing Quit keeps it quit until the next
login. Nothing is loaded now: turning the switch on never starts a second copy.
"""

from __future__ import annotations

import plistlib
from collections.abc import Sequence
from pathlib import Path
from xml.parsers.expat import ExpatError

from microapp.platform.autostart_base import APP_ID, display_path, failure, write_atomically


def launch_agent(command: Sequence[str]) -> dict[str, object]:
    """The LaunchAgent's keys for ``command``."""
    return {
        "Label": APP_ID,
        "ProgramArguments": list(command),
        "RunAtLoad": True,
        "ProcessType": "Interactive",  # a program the user works with: no background throttling
        "LimitLoadToSessionType": "Aqua",  # a graphical login only, never an ssh session
    }


class LaunchAgent:
    """A LaunchAgent property list in the user's ``Library/LaunchAgents``."""

    def __init__(self, command: Sequence[str], home: Path | None = None) -> None:
        self.command = list(command)
        self.path = (home or Path.home()) / "Library" / "LaunchAgents" / f"{APP_ID}.plist"
        self.where = display_path(self.path)

    def is_enabled(self) -> bool:
        try:
            with self.path.open("rb") as src:
                agent = plistlib.load(src)
        except (OSError, ValueError, ExpatError):  # InvalidFileException is a ValueError
            return False  # absent, or so broken that launchd would not load it either
        return isinstance(agent, dict) and agent.get("Disabled") is not True

    def enable(self) -> None:
        data = plistlib.dumps(launch_agent(self.command), fmt=plistlib.FMT_XML)
        try:
            write_atomically(self.path, data, 0o644)
        except OSError as exc:
            raise failure("turn on", self.where, exc) from exc

    def disable(self) -> None:
        try:
            self.path.unlink(missing_ok=True)
        except OSError as exc:
            raise failure("turn off", self.where, exc) from exc
