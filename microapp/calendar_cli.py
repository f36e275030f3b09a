"""`microapp meetings` and `microapp calendars …`: what the app sees in your calendars.

`meetings` is how users answer "why didn't it pause for X?", so its text output is made to
be read, and `--all` shows skipped meetings with the reason.
"""

from __future__ import annotations

import getpass
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

from microapp.cli import EXIT_BAD_INPUT, EXIT_FAILURE, CliError
from microapp.core import calendar_setup as setup
from microapp.core.calendars import CalendarEngine, default_fetcher_factory
from microapp.core.clock import SystemClock
from microapp.core.filters import MeetingFilter
from microapp.core.meetings import Meeting
from microapp.core.paths import Profile
from microapp.core.settings import Settings, load_settings, save_settings
from microapp.core.sources import (
    SourceConfig,
    SourceError,
    SourceKind,
)

DEFAULT_WINDOW = timedelta(hours=24)
ADD_LOOKAHEAD = setup.LOOKAHEAD
PASSWORD_ENV = "MICROAPP_CALDAV_PASSWORD"


# -- helpers ------------------------------------------------------------------------------

def parse_instant(text: str, option: str, zone) -> datetime:
    """ISO 8601 date or date-time; without an offset it is local time."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise CliError(f"{option} {text!r} is not an ISO 8601 date or time "
                               "(e.g. 2026-11-21 or 2026-11-21T09:00+01:00)",
                               EXIT_BAD_INPUT) from None
    return value if value.tzinfo is not None else value.replace(tzinfo=zone)


def ad_hoc_config(source: str, taken: set[str]) -> SourceConfig:
    try:
        kind = setup.guess_kind(source, caldav=False)
    except setup.SetupError as exc:
        raise CliError(str(exc), EXIT_BAD_INPUT) from None
    location = source if kind is SourceKind.URL else str(Path(source).expanduser().absolute())
    return SourceConfig(id=setup.suggest_id(source, kind, taken), kind=kind, location=location)


def _engine(profile: Profile, configs: Sequence[SourceConfig], zone) -> CalendarEngine:
    engine = CalendarEngine(zone, default_fetcher_factory(profile.calendar_cache_dir,
                                                          profile.config_dir))
    engine.configure(configs)
    return engine


# -- meetings -----------------------------------------------------------------------------

def cmd_meetings(profile: Profile, sources: Sequence[str], start_text: str | None,
                 end_text: str | None, as_json: bool, show_all: bool) -> int:
    clock = SystemClock()
    zone = clock.zone()
    now = clock.now()
    settings = load_settings(profile.settings_path).settings
    start = parse_instant(start_text, "--from", zone) if start_text else now
    end = parse_instant(end_text, "--to", zone) if end_text else start + DEFAULT_WINDOW
    if end <= start:
        raise CliError("--to must be later than --from", EXIT_BAD_INPUT)

    configured = {c.id: c for c in settings.calendars}
    if sources:
        configs: list[SourceConfig] = []
        taken = set(configured)
        for text in sources:
            if text in configured:
                configs.append(replace_enabled(configured[text]))
            else:
                config = ad_hoc_config(text, taken)
                taken.add(config.id)
                configs.append(config)
    else:
        configs = [c for c in settings.calendars if c.enabled]
        if not configs:
            if settings.calendars:
                raise CliError("every calendar is turned off: turn one on with 'microapp "
                               "calendars enable ID', or name one with --source")
            raise CliError("no calendars yet: add one with 'microapp calendars add "
                           "PATH-OR-URL', or name one with --source")

    engine = _engine(profile, configs, zone)
    failed = 0
    for outcome in engine.refresh_all(now):
        status = outcome.status
        if not status.ok:
            failed += 1
            stale = " (showing its last good copy)" if status.stale else ""
            print(f"microapp: {status.label}: {str(status.error).rstrip('.')}{stale}",
                  file=sys.stderr)
    everything = engine.meetings_between(start, end, settings)
    keep = MeetingFilter.from_settings(settings, disabled=())
    shown = everything if show_all else keep.apply(everything)
    if as_json:
        print(json.dumps([m.as_json() for m in shown], indent=2, ensure_ascii=False))
    else:
        print(format_meetings(shown, keep if show_all else None, start, end))
    return EXIT_FAILURE if failed else 0


def replace_enabled(config: SourceConfig) -> SourceConfig:
    return replace(config, enabled=True)  # asked for by name: read it even when turned off


def format_meetings(meetings: Sequence[Meeting], explain: MeetingFilter | None,
                    start: datetime, end: datetime) -> str:
    if not meetings:
        return (f"No meetings between {start:%a %d %b %H:%M} and {end:%a %d %b %H:%M} "
                "(after filters; --all shows skipped ones).")
    lines: list[str] = []
    day = None
    for m in meetings:
        local_start = m.start.astimezone(start.tzinfo)
        local_end = m.end.astimezone(start.tzinfo)
        if local_start.date() != day:
            day = local_start.date()
            if lines:
                lines.append("")
            lines.append(local_start.strftime("%a %d %b %Y"))
        when = "all day     " if m.all_day else f"{local_start:%H:%M}–{local_end:%H:%M}"
        service = f" · {m.service}" if m.service else ""
        extra = []
        if m.status.value != "confirmed":
            extra.append(m.status.value)
        if explain is not None and (why := explain.reason(m)):
            extra.append(f"skipped: {why}")
        note = f"  [{', '.join(extra)}]" if extra else ""
        lines.append(f"  {when}  {m.title}{service}  ({m.calendar}){note}")
    return "\n".join(lines)


# -- calendars ----------------------------------------------------------------------------

def _save(profile: Profile, settings: Settings) -> None:
    kept = save_settings(settings, profile.settings_path, SystemClock().now())
    if kept is not None:
        print(f"Your settings file had problems; a copy of it was kept at {kept}.")


def cmd_calendars_list(profile: Profile) -> int:
    settings = load_settings(profile.settings_path).settings
    if not settings.calendars:
        print("No calendars yet. Add one with: microapp calendars add PATH-OR-URL")
        return 0
    rows = [("ID", "KIND", "ON", "NAME", "LOCATION")]
    for c in settings.calendars:
        rows.append((c.id, c.kind.value, "yes" if c.enabled else "no", c.name or "-",
                     setup.shown_location(c)))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    return 0


def _read_password(source_id: str) -> str:
    password = os.environ.get(PASSWORD_ENV)
    if password:
        return password
    if sys.stdin is not None and sys.stdin.isatty():
        return getpass.getpass(f"Password for calendar {source_id}: ")
    raise CliError(f"a CalDAV password is needed: run this in a terminal to be asked, "
                           f"or set {PASSWORD_ENV}", EXIT_BAD_INPUT)


def cmd_calendars_add(profile: Profile, source: str, *, name: str | None, source_id: str | None,
                      caldav: bool, username: str | None, chosen: Sequence[str],
                      password_file: bool) -> int:
    loaded = load_settings(profile.settings_path)
    settings = loaded.settings
    taken = {c.id for c in settings.calendars}
    try:
        kind = setup.guess_kind(source, caldav or bool(username))
        if kind is SourceKind.CALDAV and not username:
            raise CliError("a CalDAV calendar needs --user NAME", EXIT_BAD_INPUT)
        if source_id is not None:
            try:
                setup.check_new_id(source_id, taken)
            except setup.SetupError as exc:
                raise setup.SetupError(f"--id {exc}") from None
        config = setup.new_config(source, taken=taken, kind=kind, name=name or "",
                                  source_id=source_id, username=username, calendars=chosen)
    except setup.SetupError as exc:
        raise CliError(str(exc), EXIT_BAD_INPUT) from None
    new_id = config.id

    stored_secret = False
    password = None
    if kind is SourceKind.CALDAV:
        password = _read_password(new_id)
        try:
            where = setup.store_password(new_id, password, profile.config_dir,
                                         allow_file=password_file)
        except SourceError as exc:
            raise CliError(str(exc)) from None
        stored_secret = True
        print(f"Password stored in {where}.")
    clock = SystemClock()
    zone = clock.zone()
    try:
        check = setup.check_source(config, password, secrets_dir=profile.config_dir,
                                   now=clock.now(), zone=zone, settings=settings,
                                   cache_dir=profile.calendar_cache_dir, lookahead=ADD_LOOKAHEAD)
        if not check.ok:
            raise CliError(f"{str(check.error).rstrip('.')}. Nothing was added.")
    except BaseException:
        if stored_secret:
            setup.forget_source(config, profile.config_dir, profile.calendar_cache_dir)
        raise
    _save(profile, replace(settings, calendars=(*settings.calendars, config)))
    print(f'Added "{config.label}" ({kind.value}, id {new_id}): {check.upcoming_text}.')
    if check.calendars:
        which = "using " + (", ".join(chosen) if chosen else "all of them")
        print(f"Calendars there: {', '.join(c.name for c in check.calendars)} "
              f"({which}; choose with --calendar NAME).")
    if (first := check.next_text(zone)) is not None:
        print(f"Next: {first}")
    return 0


def _find(settings: Settings, source_id: str) -> SourceConfig:
    for config in settings.calendars:
        if config.id == source_id:
            return config
    known = ", ".join(c.id for c in settings.calendars) or "none yet"
    raise CliError(f"no calendar with id {source_id!r} (known: {known})", EXIT_BAD_INPUT)


def cmd_calendars_remove(profile: Profile, source_id: str) -> int:
    settings = load_settings(profile.settings_path).settings
    config = _find(settings, source_id)
    _save(profile, replace(settings, calendars=tuple(
        c for c in settings.calendars if c.id != source_id)))
    setup.forget_source(config, profile.config_dir, profile.calendar_cache_dir)
    print(f'Removed "{config.label}" ({source_id}).')
    return 0


def cmd_calendars_enable(profile: Profile, source_id: str, enabled: bool) -> int:
    settings = load_settings(profile.settings_path).settings
    config = _find(settings, source_id)
    _save(profile, replace(settings, calendars=tuple(
        replace(c, enabled=enabled) if c.id == source_id else c for c in settings.calendars)))
    print(f'"{config.label}" ({source_id}) is now {"on" if enabled else "off"}.')
    return 0
