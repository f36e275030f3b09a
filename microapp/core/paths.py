"""Where microapp keeps its files: one :class:`Profile` decides every path.

By default the platform's own folders (via platformdirs); with ``--profile DIR`` or the
``MICROAPP_HOME`` environment variable, everything lives under DIR instead.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from microapp import APP_NAME

PROFILE_ENV = "MICROAPP_HOME"
SETTINGS_FILE = "settings.toml"
DATABASE_FILE = "microapp.sqlite3"
LOG_FILE = "microapp.log"


@dataclass(frozen=True)
class Profile:
    """The folders of one microapp profile."""

    config_dir: Path
    data_dir: Path
    log_dir: Path
    custom_root: Path | None = None

    @classmethod
    def default(cls) -> Profile:
        return cls(
            config_dir=Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)),
            data_dir=Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)),
            log_dir=Path(platformdirs.user_log_dir(APP_NAME, appauthor=False)),
        )

    @classmethod
    def under(cls, root: Path) -> Profile:
        root = Path(root).expanduser().absolute()
        return cls(
            config_dir=root / "config",
            data_dir=root / "data",
            log_dir=root / "logs",
            custom_root=root,
        )

    @classmethod
    def resolve(cls, cli_dir: str | os.PathLike[str] | None = None,
                environ: os._Environ[str] | dict[str, str] | None = None) -> Profile:
        """``--profile`` wins, then ``MICROAPP_HOME``, then the platform folders."""
        env = os.environ if environ is None else environ
        if cli_dir:
            return cls.under(Path(cli_dir))
        if env.get(PROFILE_ENV):
            return cls.under(Path(env[PROFILE_ENV]))
        return cls.default()

    @property
    def settings_path(self) -> Path:
        return self.config_dir / SETTINGS_FILE

    @property
    def database_path(self) -> Path:
        return self.data_dir / DATABASE_FILE

    @property
    def calendar_cache_dir(self) -> Path:
        """Last good copies of subscribed calendars (used while offline)."""
        return self.data_dir / "calendar-cache"

    @property
    def log_path(self) -> Path:
        return self.log_dir / LOG_FILE

    def instance_key(self) -> str:
        """A short name for the single-instance socket: one per user and profile."""
        uid = os.getuid() if hasattr(os, "getuid") else os.environ.get("USERNAME", "user")
        digest = hashlib.sha256(str(self.data_dir).encode()).hexdigest()[:12]
        return f"{APP_NAME}-{uid}-{digest}"


def resources_dir() -> Path:
    """The shipped ``resources/`` folder.

    In an installed wheel it sits inside the package (``microapp/resources``); in a source
    checkout (editable install, tests) it is the top-level ``resources/`` beside the package.
    """
    package = Path(__file__).resolve().parent.parent
    for candidate in (package / "resources", package.parent / "resources"):
        if (candidate / "icons").is_dir():
            return candidate
    raise FileNotFoundError(
        f"microapp's resources folder is missing (looked in {package / 'resources'} "
        f"and {package.parent / 'resources'}); reinstall the package"
    )


def resource_path(*parts: str) -> Path:
    """A file inside the shipped resources, e.g. ``resource_path("icons", "microapp.svg")``."""
    path = resources_dir().joinpath(*parts)
    if not path.exists():
        raise FileNotFoundError(f"microapp resource not found: {path}")
    return path
