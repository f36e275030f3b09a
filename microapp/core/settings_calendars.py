"""The ``[[calendars]]`` entries of settings.toml, and how a bad value is described.

Each entry is checked on its own: a bad one is skipped with a message naming the key, the
value and what is allowed, and the others are kept.
"""

from __future__ import annotations

from typing import Any

from microapp.core.sources import SOURCE_ID_RULE, SourceConfig, SourceKind, valid_source_id


def describe(value: Any) -> str:
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(describe(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {describe(v)}" for k, v in value.items()) + " }"
    return repr(value)


CALENDARS_KEY = "calendars"


def parse_calendar_entry(entry: Any, where: str) -> SourceConfig:
    """One ``[[calendars]]`` table; raises ValueError naming the key, the value and what is
    allowed."""
    if not isinstance(entry, dict):
        raise ValueError(f"{where} = {describe(entry)} is not allowed; expected a table")
    known = {"id", "kind", "location", "name", "enabled", "username", "calendars"}
    unknown = sorted(set(entry) - known)
    if unknown:
        raise ValueError(f"{where}.{unknown[0]} is not a calendar key; known: "
                         + ", ".join(sorted(known)))
    source_id = entry.get("id")
    if not isinstance(source_id, str) or not valid_source_id(source_id):
        raise ValueError(f"{where}.id = {describe(source_id)} is not allowed; expected "
                         f"{SOURCE_ID_RULE}")
    kind = entry.get("kind")
    if kind not in {k.value for k in SourceKind}:
        raise ValueError(f"{where}.kind = {describe(kind)} is not allowed; expected one of "
                         + ", ".join(f'"{k.value}"' for k in SourceKind))
    location = entry.get("location")
    if not isinstance(location, str) or not location.strip():
        raise ValueError(f"{where}.location = {describe(location)} is not allowed; expected a "
                         "path or a URL")
    name = entry.get("name", "")
    enabled = entry.get("enabled", True)
    username = entry.get("username")
    chosen = entry.get("calendars", [])
    if not isinstance(name, str):
        raise ValueError(f"{where}.name = {describe(name)} is not allowed; expected text")
    if not isinstance(enabled, bool):
        raise ValueError(f"{where}.enabled = {describe(enabled)} is not allowed; "
                         "expected true or false")
    if username is not None and not isinstance(username, str):
        raise ValueError(f"{where}.username = {describe(username)} is not allowed; "
                         "expected text")
    if not isinstance(chosen, list) or not all(isinstance(c, str) for c in chosen):
        raise ValueError(f"{where}.calendars = {describe(chosen)} is not allowed; expected a "
                         "list of calendar names or URLs")
    return SourceConfig(id=source_id, kind=SourceKind(kind), location=location.strip(),
                        name=name.strip(), enabled=enabled, username=username or None,
                        calendars=tuple(chosen))


def calendar_entry(config: SourceConfig) -> dict[str, Any]:
    entry: dict[str, Any] = {"id": config.id, "kind": config.kind.value,
                             "location": config.location}
    if config.name:
        entry["name"] = config.name
    entry["enabled"] = config.enabled
    if config.username:
        entry["username"] = config.username
    if config.calendars:
        entry["calendars"] = list(config.calendars)
    return entry


def parse_calendars(raw: Any, source: str,
                     problems: list[tuple[str, str]]) -> tuple[SourceConfig, ...]:
    if not isinstance(raw, list):
        problems.append((CALENDARS_KEY, (
            f"{source}: calendars = {describe(raw)} is not allowed; expected [[calendars]] "
            "tables")))
        return ()
    out: list[SourceConfig] = []
    seen: set[str] = set()
    for i, entry in enumerate(raw):
        where = f"calendars[{i + 1}]"
        try:
            config = parse_calendar_entry(entry, where)
        except ValueError as exc:
            problems.append((where, f"{source}: {exc}; this calendar is skipped"))
            continue
        if config.id in seen:
            problems.append((where, (
                f"{source}: {where}.id = \"{config.id}\" is used twice; the second is skipped")))
            continue
        seen.add(config.id)
        out.append(config)
    return tuple(out)
