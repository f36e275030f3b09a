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

from microapp.core.settings_calendars import (
    CALENDARS_KEY,
    calendar_entry,
)
from microapp.core.settings_calendars import (
    describe as _describe,
)
from microapp.core.settings_calendars import (
    parse_calendars as _parse_calendars,
)
from microapp.core.sources import SourceConfig

SCHEMA_VERSION = 1
THEMES = ("system", "light", "dark")
WHEN_BUSY = ("notify", "silent")  # what a suppressed or missed pause leaves behind
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # date.weekday() order
DEFAULT_IGNORED_TITLES = ("Focus time", "Lunch", "Busy")


@dataclass(frozen=True)
class Settings:
    """Every setting microapp reads, with its default."""

    day_starts_at: time = time(4, 0)
    theme: str = "system"
    reduce_motion: bool = False
    # The doorway pause itself.
    pause_seconds: int = 5
    chime: bool = False  # a soft chime as it opens (needs QtMultimedia; silent without)
    when_busy: str = "notify"  # a pause that is not shown: "notify" quietly, or stay "silent"
    respect_do_not_disturb: bool = True  # the desktop's do-not-disturb suppresses pauses
    respect_fullscreen: bool = True  # a fullscreen window (presenting) suppresses pauses
    # The evening reflection.
    evening_prompt: bool = True  # invite one sentence of gratitude each evening
    evening_at: time = time(20, 30)  # local wall-clock time of the invitation
    # Weekdays (date.weekday(): Monday = 0) with no invitation; they are also neutral days for
    # the gratitude streak (DESIGN.md: "a weekday the user excluded").
    rest_days: tuple[int, ...] = ()
    # Meetings: which calendar events get a doorway pause, and when.
    lead_seconds: int = 60
    refresh_minutes: int = 15
    skip_all_day: bool = True
    skip_cancelled: bool = True
    skip_declined: bool = True
    skip_free: bool = True
    skip_tentative: bool = False
    my_emails: tuple[str, ...] = ()
    ignore_titles: tuple[str, ...] = DEFAULT_IGNORED_TITLES
    link_patterns: tuple[tuple[str, str], ...] = ()  # (service name, regular expression)
    calendars: tuple[SourceConfig, ...] = ()
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


def _parse_int(low: int, high: int, unit: str) -> Callable[[Any], int]:
    def parse(value: Any) -> int:
        if isinstance(value, int) and not isinstance(value, bool) and low <= value <= high:
            return value
        raise _Invalid(f"a whole number of {unit} from {low} to {high}")

    return parse


def _parse_emails(value: Any) -> tuple[str, ...]:
    allowed = 'a list of e-mail addresses, e.g. ["me@example.com"]'
    if not isinstance(value, list):
        raise _Invalid(allowed)
    out = []
    for item in value:
        if not isinstance(item, str) or "@" not in item or any(c.isspace() for c in item.strip()):
            raise _Invalid(allowed)
        out.append(item.strip().lower().removeprefix("mailto:"))
    return tuple(dict.fromkeys(out))


def _parse_weekdays(value: Any) -> tuple[int, ...]:
    allowed = 'a list of weekdays, e.g. ["sat", "sun"] (mon, tue, wed, thu, fri, sat, sun)'
    if not isinstance(value, list):
        raise _Invalid(allowed)
    days = []
    for item in value:
        name = item.strip().lower()[:3] if isinstance(item, str) else None
        if name not in WEEKDAYS:
            raise _Invalid(allowed)
        days.append(WEEKDAYS.index(name))
    return tuple(sorted(set(days)))


def _dump_weekdays(value: tuple[int, ...]) -> list[str]:
    return [WEEKDAYS[d] for d in value]


def _parse_titles(value: Any) -> tuple[str, ...]:
    allowed = 'a list of title patterns, e.g. ["Focus time", "Lunch*"]'
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise _Invalid(allowed)
    return tuple(v.strip() for v in value)


def _parse_link_patterns(value: Any) -> tuple[tuple[str, str], ...]:
    allowed = ('a list of tables with a name and a regular expression, e.g. '
               '[{ name = "Our Jitsi", pattern = "https://meet\\\\.example\\\\.org/\\\\S+" }]')
    if not isinstance(value, list):
        raise _Invalid(allowed)
    out = []
    for item in value:
        if not isinstance(item, dict) or set(item) != {"name", "pattern"}:
            raise _Invalid(allowed)
        name, pattern = item["name"], item["pattern"]
        if not isinstance(name, str) or not name.strip() or not isinstance(pattern, str):
            raise _Invalid(allowed)
        try:
            re.compile(pattern)
        except re.error as exc:
            raise _Invalid(f"a valid regular expression ({pattern!r}: {exc})") from None
        out.append((name.strip(), pattern))
    return tuple(out)


def _dump_link_patterns(value: tuple[tuple[str, str], ...]) -> list[dict[str, str]]:
    return [{"name": name, "pattern": pattern} for name, pattern in value]


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
    _Spec("pause", "seconds", "pause_seconds", _parse_int(3, 30, "seconds"), int),
    _Spec("pause", "chime", "chime", _parse_bool, bool),
    _Spec("pause", "when_busy", "when_busy", _parse_choice(WHEN_BUSY), str),
    _Spec("pause", "respect_do_not_disturb", "respect_do_not_disturb", _parse_bool, bool),
    _Spec("pause", "respect_fullscreen", "respect_fullscreen", _parse_bool, bool),
    _Spec("evening", "prompt", "evening_prompt", _parse_bool, bool),
    _Spec("evening", "at", "evening_at", _parse_time, lambda t: t.strftime("%H:%M")),
    _Spec("evening", "rest_days", "rest_days", _parse_weekdays, _dump_weekdays),
    _Spec("meetings", "lead_seconds", "lead_seconds", _parse_int(0, 600, "seconds"), int),
    _Spec("meetings", "refresh_minutes", "refresh_minutes", _parse_int(1, 1440, "minutes"), int),
    _Spec("meetings", "skip_all_day", "skip_all_day", _parse_bool, bool),
    _Spec("meetings", "skip_cancelled", "skip_cancelled", _parse_bool, bool),
    _Spec("meetings", "skip_declined", "skip_declined", _parse_bool, bool),
    _Spec("meetings", "skip_free", "skip_free", _parse_bool, bool),
    _Spec("meetings", "skip_tentative", "skip_tentative", _parse_bool, bool),
    _Spec("meetings", "my_emails", "my_emails", _parse_emails, list),
    _Spec("meetings", "ignore_titles", "ignore_titles", _parse_titles, list),
    _Spec("meetings", "link_patterns", "link_patterns", _parse_link_patterns,
          _dump_link_patterns),
)
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

    if CALENDARS_KEY in data:
        found: list[tuple[str, str]] = []
        values["calendars"] = _parse_calendars(data[CALENDARS_KEY], source, found)
        problems += [SettingsProblem(key, message) for key, message in found]

    for key, value in data.items():
        if key in ("schema_version", CALENDARS_KEY):
            continue
        if key not in known_sections:
            problems.append(SettingsProblem(
                key, f"{source}: unknown key {key} is ignored; known sections: "
                     + ", ".join(sorted(known_sections | {CALENDARS_KEY}))))
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
    if settings.calendars:
        data[CALENDARS_KEY] = [calendar_entry(c) for c in settings.calendars]
    header = ("# microapp settings. Times are local \"HH:MM\"; theme is system, light or dark.\n"
              "# Calendars are easiest to manage with `microapp calendars add|list|remove`.\n"
              "# Passwords are never kept here: they live in your system keyring.\n")
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
    # Private: calendar subscription URLs often carry a secret token.
    fd = os.open(tmp, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    with open(fd, "w", encoding="utf-8") as handle:
        handle.write(settings_to_toml(settings))
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    return kept


def _spec_for(key: str) -> _Spec:
    for spec in _SPECS:
        if key in (spec.key, spec.attr):
            return spec
    raise KeyError(f"unknown setting: {key}")


def parse_setting(key: str, raw: Any) -> Any:
    """Check one value as the settings file would hold it and return the typed value.

    ``key`` is the file's dotted key ("pause.seconds") or the :class:`Settings` attribute name
    ("pause_seconds"). Raises ValueError whose text says what is allowed (the same words a bad
    settings file gets), KeyError for a key that is not a setting.
    """
    return _spec_for(key).parse(raw)


def setting_file_key(attr: str) -> str:
    """The dotted key in settings.toml for a :class:`Settings` attribute ("pause.seconds")."""
    return _spec_for(attr).key


def dump_setting(key: str, value: Any) -> Any:
    """A typed value as the settings file writes it (a time as "HH:MM", weekdays by name)."""
    return _spec_for(key).dump(value)


def setting_keys() -> list[str]:
    """Every key a settings file may hold (for help texts and tests)."""
    return ["schema_version"] + [spec.key for spec in _SPECS] + [CALENDARS_KEY]

