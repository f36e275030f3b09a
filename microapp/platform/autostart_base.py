"""What every "start at login" backend shares: the error, the interface, the application's
identity and a safe way to write a small file.

Kept apart from :mod:`microapp.platform.autostart` so the backends can import it without a
cycle; callers import from ``autostart``.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import Protocol

from microapp import APP_ID as _PACKAGE_APP_ID

# The application id (reverse DNS) names the desktop entry, the AppStream component, the icon,
# the macOS LaunchAgent and the Wayland app_id (QGuiApplication.setDesktopFileName).
# The project has no domain of its own yet; see packaging/README.md.
APP_ID = _PACKAGE_APP_ID
# Name and Comment exactly as in packaging/linux/<APP_ID>.desktop (a test keeps them equal).
APP_DISPLAY_NAME = "microapp"
APP_COMMENT = "Pause for a breath before each call, and thank someone each evening"
RUN_VALUE_NAME = "microapp"  # the Windows Run value


class AutostartError(Exception):
    """Start at login could not be changed; ``str(error)`` is one sentence for the user."""


class Autostart(Protocol):
    """Start at login for one platform. ``where`` names the file or key it uses."""

    where: str

    def is_enabled(self) -> bool: ...

    def enable(self) -> None: ...

    def disable(self) -> None: ...


def display_path(path: Path) -> str:
    """``path`` with the home folder shown as ``~``, as people read it."""
    home = Path.home()
    try:
        return "~/" + path.relative_to(home).as_posix()
    except ValueError:
        return str(path)


def failure(action: str, where: str, exc: OSError) -> AutostartError:
    """One sentence naming what failed, where and the system's reason."""
    reason = exc.strerror or exc.__class__.__name__
    return AutostartError(f"Could not {action} start at login: {where} could not be "
                          f"changed ({reason}).")


def write_atomically(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, never half
    of one: a temporary file beside it, flushed to disk, then renamed over it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            if hasattr(os, "fchmod"):
                os.fchmod(out.fileno(), mode)  # whatever the umask, as the spec expects
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
