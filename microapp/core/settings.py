"""Typed settings, read from (and written to) a TOML file in the config folder.

A settings file is the user's: a broken or invalid one never stops the app. Loading always
returns usable :class:`Settings` (defaults for whatever could not be read) plus a list of
problems, each naming the key, the bad value and what is allowed. The file itself is never
rewritten while it holds something we could not read; when we must write, the user's version
is first copied beside it.
"""

from __future__ import annotations

import os
import re
import shutil
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, time
from pathlib import Path
from typing import Any

import tomli_w

SCHEMA_VERSION = 1
THEMES = ("system", "light", "dark")


@dataclass(frozen=True)
class Settings:
    """Every setting microapp reads, with its default."""

    day_starts_at: time = time(4, 0)
    theme: str = "system"
    reduce_motion: bool = False
    schema_version: int = SCHEMA_VERSION


@dataclass(frozen=True)
class SettingsProblem:
    """One thing wrong with the settings file, in words a user can act on."""

    key: str
    message: str

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class LoadedSettings:
    settings: Settings
    problems: list[SettingsProblem] = field(default_factory=list)
    path: Path | None = None
    existed: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems


class _Invalid(ValueError):
    """A value of the right key but the wrong kind; ``allowed`` says what would do."""

    def __init__(self, allowed: str) -> None:
        super().__init__(allowed)
        self.allowed = allowed


_HHMM = re.compile(r"^(\d{1,2}):(\d{2})$")


def _parse_time(value: Any) -> time:
    allowed = 'a time of day as "HH:MM" (00:00 to 23:59)'
    if isinstance(value, time):
        return value.replace(second=0, microsecond=0, tzinfo=None)
    if not isinstance(value, str) or not (m := _HHMM.match(value.strip())):
        raise _Invalid(allowed)
    hour, minute = int(m.group(1)), int(m.group(2))
    if hour > 23 or minute > 59:
        raise _Invalid(allowed)
    return time(hour, minute)


def _parse_choice(choices: tuple[str, ...]) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        if isinstance(value, str) and value.strip().lower() in choices:
            return value.strip().lower()
        raise _Invalid("one of " + ", ".join(f'"{c}"' for c in choices))

    return parse


def _parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    raise _Invalid("true or false (without quotes)")


@dataclass(frozen=True)
class _Spec:
    section: str
    name: str
    attr: str
    parse: Callable[[Any], Any]
    dump: Callable[[Any], Any]

    @property
    def key(self) -> str:
        return f"{self.section}.{self.name}"


_SPECS: tuple[_Spec, ...] = (
    _Spec("general", "day_starts_at", "day_starts_at", _parse_time, lambda t: t.strftime("%H:%M")),
    _Spec("general", "theme", "theme", _parse_choice(THEMES), str),
    _Spec("pause", "reduce_motion", "reduce_motion", _parse_bool, bool),
)


def _describe(value: Any) -> str:
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a table"
    return repr(value)


def parse_settings(data: dict[str, Any], source: str = "settings") -> LoadedSettings:
    """Turn parsed TOML into :class:`Settings`; every bad key falls back to its default."""
    problems: list[SettingsProblem] = []
    values: dict[str, Any] = {}
    known_sections = {spec.section for spec in _SPECS}

    version = data.get("schema_version", SCHEMA_VERSION)
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        problems.append(SettingsProblem(
            "schema_version",
            f"{source}: schema_version = {_describe(version)} is not allowed; "
            f"expected a whole number from 1 to {SCHEMA_VERSION}"))
    elif version > SCHEMA_VERSION:
        problems.append(SettingsProblem(
            "schema_version",
            f"{source}: schema_version = {version} was written by a newer microapp "
            f"(this one knows up to {SCHEMA_VERSION}); keys it does not know are ignored"))

    for key, value in data.items():
        if key == "schema_version":
            continue
        if key not in known_sections:
            problems.append(SettingsProblem(
                key, f"{source}: unknown key {key} is ignored; known sections: "
                     + ", ".join(sorted(known_sections))))
        elif not isinstance(value, dict):
            problems.append(SettingsProblem(
                key, f"{source}: {key} = {_describe(value)} is not allowed; "
                     f"expected a table [{key}]"))

    for spec in _SPECS:
        section = data.get(spec.section)
        if not isinstance(section, dict) or spec.name not in section:
            continue
        raw = section[spec.name]
        try:
            values[spec.attr] = spec.parse(raw)
        except _Invalid as bad:
            problems.append(SettingsProblem(
                spec.key,
                f"{source}: {spec.key} = {_describe(raw)} is not allowed; expected {bad.allowed}. "
                f"Using the default ({_describe(spec.dump(getattr(Settings(), spec.attr)))})."))

    for section_name in known_sections:
        section = data.get(section_name)
        if isinstance(section, dict):
            known = {s.name for s in _SPECS if s.section == section_name}
            for name in section:
                if name not in known:
                    problems.append(SettingsProblem(
                        f"{section_name}.{name}",
                        f"{source}: unknown key {section_name}.{name} is ignored; known keys: "
                        + ", ".join(f"{section_name}.{k}" for k in sorted(known))))

    return LoadedSettings(settings=replace(Settings(), **values), problems=problems)


def load_settings(path: Path) -> LoadedSettings:
    """Read the settings file; never raises for anything the file holds."""
    name = path.name
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return LoadedSettings(Settings(), [], path, existed=False)
    except OSError as exc:
        return LoadedSettings(Settings(), [SettingsProblem(
            "", f"{name}: cannot be read ({exc.strerror or exc}); using the defaults")], path, True)
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return LoadedSettings(Settings(), [SettingsProblem(
            "", f"{name}: is not UTF-8 text; using the defaults (your file is left as it is)")],
            path, True)
    except tomllib.TOMLDecodeError as exc:
        return LoadedSettings(Settings(), [SettingsProblem(
            "", f"{name}: is not valid TOML ({exc}); using the defaults "
                "(your file is left as it is)")], path, True)
    loaded = parse_settings(data, name)
    return replace(loaded, path=path, existed=True)


def settings_to_toml(settings: Settings) -> str:
    data: dict[str, Any] = {"schema_version": SCHEMA_VERSION}
    for spec in _SPECS:
        data.setdefault(spec.section, {})[spec.name] = spec.dump(getattr(settings, spec.attr))
    header = ("# microapp settings. Times are local \"HH:MM\"; theme is system, light or dark.\n"
              "# Edit while microapp is closed, or use its Settings window.\n")
    return header + tomli_w.dumps(data)


def save_settings(settings: Settings, path: Path, now: datetime) -> Path | None:
    """Write ``settings`` atomically. Returns the path of the copy kept of the user's file, if any.

    When the file on disk holds anything we could not read, it is first copied beside itself
    (``settings.toml.invalid-YYYYmmdd-HHMMSS``) so no hand edit is ever lost.
    """
    kept: Path | None = None
    if path.exists() and not load_settings(path).ok:
        stamp = now.strftime("%Y%m%d-%H%M%S")
        kept = path.with_name(f"{path.name}.invalid-{stamp}")
        n = 1
        while kept.exists():  # same second, or a local hour repeated by DST: keep both
            n += 1
            kept = path.with_name(f"{path.name}.invalid-{stamp}-{n}")
        shutil.copy2(path, kept)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(settings_to_toml(settings))
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    return kept


def setting_keys() -> list[str]:
    """Every key a settings file may hold (for help texts and tests)."""
    return ["schema_version"] + [spec.key for spec in _SPECS]

