"""Start at login on Windows: a value under the user's ``Run`` key.

``HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run`` holds one command line per program
(quoted as Windows programs split them: :func:`subprocess.list2cmdline`). When the user turns
an entry off in Task Manager or Settings > Apps > Startup, Windows leaves the Run value and
marks it in ``...\\Explorer\\StartupApproved\\Run`` instead (first byte odd: off); that counts as
off here, and turning microapp's switch on clears the mark.

The registry is reached through a small :class:`Registry` object so tests can check the exact
value written without Windows.
"""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from typing import Protocol

from microapp.platform.autostart_base import RUN_VALUE_NAME, failure

RUN_KEY = r"Software\Microsoft\Windows\CurrentVersion\Run"
APPROVED_KEY = r"Software\Microsoft\Windows\CurrentVersion\Explorer\StartupApproved\Run"


class Registry(Protocol):
    """Values under HKEY_CURRENT_USER. Errors are OSError."""

    def read(self, key: str, name: str) -> object | None:
        """The value's data, or None when the key or value does not exist."""
        ...

    def write_string(self, key: str, name: str, value: str) -> None:
        """Set a REG_SZ value, creating the key when needed."""
        ...

    def delete(self, key: str, name: str) -> None:
        """Remove a value; nothing happens when it is not there."""
        ...


class WinRegistry:
    """The real registry, through :mod:`winreg` (Windows only)."""

    def read(self, key: str, name: str) -> object | None:
        import winreg

        try:
            with winreg.OpenKey(winreg.HKEY_CURRENT_USER, key) as handle:
                data, _kind = winreg.QueryValueEx(handle, name)
        except FileNotFoundError:
            return None
        return data

    def write_string(self, key: str, name: str, value: str) -> None:
        import winreg

        with winreg.CreateKeyEx(winreg.HKEY_CURRENT_USER, key, 0, winreg.KEY_SET_VALUE) as handle:
            winreg.SetValueEx(handle, name, 0, winreg.REG_SZ, value)

    def delete(self, key: str, name: str) -> None:
        import winreg

        try:
            with winreg.OpenKey(winreg.HKEY_CURRENT_USER, key, 0, winreg.KEY_SET_VALUE) as handle:
                winreg.DeleteValue(handle, name)
        except FileNotFoundError:
            pass


def approval_says_off(data: object) -> bool:
    """Task Manager's mark: 12 bytes, the first one 2 or 6 when on, 3 or 7 when off."""
    return isinstance(data, bytes | bytearray) and len(data) > 0 and data[0] & 1 == 1


class RunKey:
    """microapp's value under the user's Run key."""

    def __init__(self, command: Sequence[str], registry: Registry | None = None,
                 name: str = RUN_VALUE_NAME) -> None:
        self.command = list(command)
        self.name = name
        self.registry: Registry = registry if registry is not None else WinRegistry()
        self.where = rf"HKEY_CURRENT_USER\{RUN_KEY}\{name}"

    @property
    def command_line(self) -> str:
        """The exact string written: each argument quoted as Windows splits them."""
        return subprocess.list2cmdline(self.command)

    def is_enabled(self) -> bool:
        try:
            value = self.registry.read(RUN_KEY, self.name)
            if not isinstance(value, str) or not value.strip():
                return False
            return not approval_says_off(self.registry.read(APPROVED_KEY, self.name))
        except OSError:
            return False

    def enable(self) -> None:
        try:
            self.registry.write_string(RUN_KEY, self.name, self.command_line)
            if approval_says_off(self.registry.read(APPROVED_KEY, self.name)):
                self.registry.delete(APPROVED_KEY, self.name)  # no mark means on
        except OSError as exc:
            raise failure("turn on", self.where, exc) from exc

    def disable(self) -> None:
        try:
            self.registry.delete(RUN_KEY, self.name)
            self.registry.delete(APPROVED_KEY, self.name)
        except OSError as exc:
            raise failure("turn off", self.where, exc) from exc
