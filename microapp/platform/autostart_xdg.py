"""Start at login on Linux and the BSDs: an XDG autostart desktop entry.

The user's entry is ``$XDG_CONFIG_HOME/autostart/<app id>.desktop`` (``~/.config`` when the
variable is unset or not absolute). Desktop sessions (GNOME, KDE, XFCE, LXQt, Cinnamon, MATE)
start every entry found there or in ``$XDG_CONFIG_DIRS/autostart`` unless it says
``Hidden=true``; an entry in the user's folder hides one of the same name in the system's.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from microapp.platform.autostart_base import (
    APP_COMMENT,
    APP_DISPLAY_NAME,
    APP_ID,
    AutostartError,
    display_path,
    failure,
    write_atomically,
)

# Desktop Entry spec, "The Exec key": an argument holding any of these must be quoted.
_RESERVED = frozenset(" \t\n\"'\\><~|&;$*?#()`")
# ...and inside double quotes these four are escaped with a backslash.
_QUOTED_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "`": "\\`", "$": "\\$"})
# The general escapes of a string value, applied after quoting (so a literal backslash in a
# quoted argument ends up as four).
_STRING_ESCAPES = str.maketrans({"\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r"})


def exec_argument(arg: str) -> str:
    """One argument as the Exec key's quoting rules want it (before the string escapes)."""
    if arg == "" or any(ch in _RESERVED for ch in arg):
        arg = '"' + arg.translate(_QUOTED_ESCAPES) + '"'
    return arg.replace("%", "%%")  # a lone % would be read as a field code such as %f


def exec_value(command: Sequence[str]) -> str:
    """The Exec value that runs ``command`` exactly, whatever its arguments contain."""
    if not command:
        raise ValueError("the command to start at login is empty")
    return " ".join(exec_argument(arg) for arg in command).translate(_STRING_ESCAPES)


def string_value(text: str) -> str:
    """A plain string value (TryExec, Name): only the general escapes."""
    escaped = text.translate(_STRING_ESCAPES)
    return "\\s" + escaped[1:] if escaped.startswith(" ") else escaped


def desktop_entry(command: Sequence[str]) -> str:
    """The autostart entry's text for ``command``: the same name, comment and icon as the
    application's own desktop entry."""
    lines = [
        "[Desktop Entry]",
        "Type=Application",
        "Version=1.4",
        f"Name={APP_DISPLAY_NAME}",
        f"Comment={APP_COMMENT}",
        f"Icon={APP_ID}",
        f"Exec={exec_value(command)}",
    ]
    if os.path.isabs(command[0]):
        # Once that program is gone (microapp uninstalled) the session skips the entry quietly.
        lines.append(f"TryExec={string_value(command[0])}")
    lines += [
        "Terminal=false",
        "StartupNotify=false",
        "X-GNOME-Autostart-enabled=true",
    ]
    return "\n".join(lines) + "\n"


def read_entry(path: Path) -> dict[str, str] | None:
    """The ``[Desktop Entry]`` keys of the file at ``path`` (values as written), or None when
    there is no such file or it is not a desktop entry."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:  # missing, a folder, unreadable: no entry to go by
        return None
    keys: dict[str, str] = {}
    group: str | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            group = line[1:-1]
        elif group == "Desktop Entry" and "=" in line:
            key, _, value = line.partition("=")
            keys.setdefault(key.strip(), value.strip())
    return keys if group is not None and keys else None


def is_hidden(entry: Mapping[str, str]) -> bool:
    """True when the entry is switched off: ``Hidden=true`` (the spec's way, used by session
    settings tools) or GNOME's ``X-GNOME-Autostart-enabled=false``."""
    return (entry.get("Hidden", "").lower() == "true"
            or entry.get("X-GNOME-Autostart-enabled", "").lower() == "false")


def _config_home(env: Mapping[str, str]) -> Path:
    value = env.get("XDG_CONFIG_HOME", "")
    return Path(value) if os.path.isabs(value) else Path.home() / ".config"


def _config_dirs(env: Mapping[str, str]) -> list[Path]:
    value = env.get("XDG_CONFIG_DIRS", "") or "/etc/xdg"
    return [Path(part) for part in value.split(":") if os.path.isabs(part)]


class XdgAutostart:
    """An autostart desktop entry in the user's config folder."""

    def __init__(self, command: Sequence[str], env: Mapping[str, str] | None = None) -> None:
        env = os.environ if env is None else env
        self.command = list(command)
        self.path = _config_home(env) / "autostart" / f"{APP_ID}.desktop"
        self._system_paths = [d / "autostart" / f"{APP_ID}.desktop" for d in _config_dirs(env)]
        self.where = display_path(self.path)

    def _system_entry(self) -> dict[str, str] | None:
        """The first system-wide entry of ours (a distribution package may ship one)."""
        for path in self._system_paths:
            entry = read_entry(path)
            if entry is not None:
                return entry
        return None

    def is_enabled(self) -> bool:
        entry = read_entry(self.path)
        if entry is None:
            entry = self._system_entry()
        return entry is not None and not is_hidden(entry)

    def enable(self) -> None:
        try:
            data = desktop_entry(self.command).encode("utf-8")
        except UnicodeEncodeError as exc:
            raise AutostartError(
                "Could not turn on start at login: microapp's path cannot be written in a "
                "desktop entry (it is not valid UTF-8).") from exc
        try:
            write_atomically(self.path, data, 0o644)
        except OSError as exc:
            raise failure("turn on", self.where, exc) from exc

    def disable(self) -> None:
        try:
            system = self._system_entry()
            if system is not None and not is_hidden(system):
                # A system-wide entry cannot be removed by the user; the spec's answer is a
                # user entry of the same name that hides it.
                hidden = "[Desktop Entry]\nType=Application\nName=%s\nExec=%s\nHidden=true\n"
                write_atomically(self.path,
                                 (hidden % (APP_DISPLAY_NAME, system.get("Exec", "microapp")))
                                 .encode("utf-8"), 0o644)
            else:
                self.path.unlink(missing_ok=True)
        except OSError as exc:
            raise failure("turn off", self.where, exc) from exc
