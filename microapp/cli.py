"""The command line (DESIGN.md's contract). Only commands that truly work are offered.

Errors are one clear line on stderr: exit status 2 for bad input, 1 for anything else.
Qt is imported only by the commands that need it, so `status` stays quick and works without
a display.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from microapp import APP_NAME, __version__

if TYPE_CHECKING:

    from microapp.core.clock import Clock
    from microapp.core.meetings import Meeting
    from microapp.core.paths import Profile
    from microapp.core.settings import Settings

EXIT_BAD_INPUT = 2
EXIT_FAILURE = 1


class CliError(Exception):
    def __init__(self, message: str, status: int = EXIT_FAILURE) -> None:
        super().__init__(message)
        self.status = status


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_BAD_INPUT, f"{APP_NAME}: {message} (see '{APP_NAME} --help')\n")


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--profile", metavar="DIR", default=argparse.SUPPRESS,
                        help="keep settings, history and logs under DIR "
                             "(also: environment variable MICROAPP_HOME)")
    common.add_argument("--demo", action="store_true", default=argparse.SUPPRESS,
                        help="use a throw-away demo profile with a few weeks of sample history")

    parser = _Parser(
        prog=APP_NAME, parents=[common],
        description="microapp: a doorway pause before your calls and one sentence of "
                    "gratitude each evening. Without a command, runs the tray app (or wakes "
                    "the running one).",
    )
    parser.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.add_parser("pause", parents=[common], help="show a doorway pause in the running app",
                        description="Ask the running microapp to show a doorway pause now.")
    status = commands.add_parser("status", parents=[common],
                                 help="today's pauses and your streaks",
                                 description="Print today's pauses and your streaks.")
    status.add_argument("--json", action="store_true", help="print JSON (for scripts)")

    meetings = commands.add_parser(
        "meetings", parents=[common], help="the meetings microapp sees (next 24 h by default)",
        description="List the meetings microapp would pause before, after filters.")
    meetings.add_argument("--source", action="append", default=[], metavar="S",
                          help="a configured calendar id, a .ics file, a folder or a URL "
                               "(repeatable; default: every calendar that is on)")
    meetings.add_argument("--from", dest="start", metavar="ISO",
                          help="start of the window (default: now)")
    meetings.add_argument("--to", dest="end", metavar="ISO",
                          help="end of the window (default: 24 hours after the start)")
    meetings.add_argument("--json", action="store_true", help="print JSON (for scripts)")
    meetings.add_argument("--all", action="store_true",
                          help="also list meetings the filters skip, with the reason")

    calendars = commands.add_parser("calendars", parents=[common], help="manage calendars",
                                    description="List, add, remove, turn on or off calendars.")
    cal = calendars.add_subparsers(dest="calendars_command", metavar="ACTION",
                                   parser_class=_Parser, required=True)
    cal.add_parser("list", parents=[common], help="the calendars microapp reads")
    add = cal.add_parser("add", parents=[common], help="add a .ics file, folder, URL or CalDAV",
                         description="Add a calendar. It is read once first: on failure nothing "
                                     "is kept.")
    add.add_argument("source", metavar="SOURCE", help="a .ics file, a folder of .ics files, an "
                     "http(s)/webcal URL, or a CalDAV server URL with --user")
    add.add_argument("--name", help="a name to show for it")
    add.add_argument("--id", dest="source_id", help="a short id (default: from the source)")
    add.add_argument("--caldav", action="store_true", help="SOURCE is a CalDAV server")
    add.add_argument("--user", help="CalDAV user name (the password is asked for, or read "
                     "from MICROAPP_CALDAV_PASSWORD, and kept in the system keyring)")
    add.add_argument("--calendar", action="append", default=[], metavar="NAME",
                     help="CalDAV: only this calendar (repeatable; default: all)")
    add.add_argument("--password-file", action="store_true",
                     help="CalDAV without a system keyring: keep the password in a file only "
                          "you can read (not encrypted)")
    for action, text in (("remove", "forget a calendar"), ("enable", "turn a calendar on"),
                         ("disable", "turn a calendar off")):
        sub = cal.add_parser(action, parents=[common], help=text)
        sub.add_argument("source_id", metavar="ID")

    gratitude = commands.add_parser(
        "gratitude", parents=[common], help="write tonight's sentence of gratitude",
        description="Save one specific, present-tense sentence of gratitude to a person.")
    gratitude.add_argument("--to", dest="recipient", required=True, metavar="NAME",
                           help="who it is for")
    gratitude.add_argument("--relationship", metavar="R",
                           help="friend, partner, colleague, family, neighbour or other")
    gratitude.add_argument("--yesterday", action="store_true",
                           help="fill in yesterday's (allowed until tonight's invitation)")
    gratitude.add_argument("text", metavar="TEXT", nargs="+", help="the sentence")

    export = commands.add_parser("export", parents=[common], help="export your history",
                                 description="Write every pause and gratitude entry as JSON "
                                             "or CSV.")
    export.add_argument("--format", choices=("json", "csv"), default="json")
    export.add_argument("--output", metavar="FILE", help="write here (default: standard output)")
    imp = commands.add_parser("import", parents=[common], help="import an export file",
                              description="Merge a JSON or CSV export into your history; "
                                          "importing the same file twice adds nothing.")
    imp.add_argument("file", metavar="FILE")
    return parser


def resolve_profile(args: argparse.Namespace) -> Profile:
    from microapp.core.paths import Profile

    profile_dir = getattr(args, "profile", None)
    if getattr(args, "demo", False):
        if profile_dir:
            raise CliError("--demo and --profile cannot be used together", EXIT_BAD_INPUT)
        from microapp.demo_cli import demo_profile

        return demo_profile()
    if profile_dir is not None:
        path = Path(profile_dir).expanduser()
        if path.exists() and not path.is_dir():
            raise CliError(f"--profile {profile_dir}: exists and is not a folder", EXIT_BAD_INPUT)
    return Profile.resolve(profile_dir)


def cmd_status(profile: Profile, as_json: bool) -> int:
    from microapp.core.clock import SystemClock
    from microapp.core.settings import load_settings
    from microapp.core.summary import format_status
    from microapp.store.db import StoreError, open_store
    from microapp.store.history import History
    from microapp.store.report import today_summary

    clock = SystemClock()
    settings = load_settings(profile.settings_path).settings
    try:
        opened = open_store(profile.database_path, clock.now(), repair=False)
    except StoreError as exc:
        raise CliError(str(exc)) from exc
    next_meeting, problems = _offline_calendars(profile, settings, clock)
    history = History(opened.db, settings.day_starts_at)
    try:
        summary = today_summary(history, clock, next_meeting, problems, settings.rest_days)
    finally:
        history.close()
    if as_json:
        import json

        print(json.dumps(summary.as_json(), indent=2, ensure_ascii=False))
    else:
        print(format_status(summary))
    return 0


def _offline_calendars(profile: Profile, settings: Settings,
                       clock: Clock) -> tuple[Meeting | None, list[str]]:
    """The next meeting for `status`, without touching the network: local files are read,
    subscriptions and CalDAV come from their last good copies."""
    if not any(c.enabled for c in settings.calendars):
        return None, []
    from datetime import timedelta

    from microapp.core.calendars import CalendarEngine
    from microapp.core.sources import SourceKind

    now = clock.now()
    engine = CalendarEngine.for_profile(profile, settings, clock.zone())
    engine.load_cached()
    local = {c.id for c in settings.calendars if c.kind in (SourceKind.FILE, SourceKind.FOLDER)}
    engine.refresh_all(now, only=local)
    upcoming = [m for m in engine.upcoming(now, now + timedelta(days=7), settings)
                if m.start >= now]
    problems = [s.summary for s in engine.statuses() if s.enabled and not s.ok]
    return (upcoming[0] if upcoming else None), problems


def cmd_pause(profile: Profile) -> int:
    from PySide6.QtCore import QCoreApplication

    from microapp.platform.instance import send_command

    _app = QCoreApplication.instance() or QCoreApplication([APP_NAME])
    if not send_command(profile.instance_key(), "pause"):
        raise CliError("microapp is not running for this profile; start it with 'microapp' first")
    return 0


def _tell_running_app(profile: Profile, command: str) -> None:
    """Let a running microapp know (e.g. that the history changed); silent when none runs.

    Nothing Qt is started when no instance can be listening: a command run from a script (or
    in-process, as the tests do) is left without a QCoreApplication it never needed.
    """
    from microapp.platform.instance import may_be_running

    if not may_be_running(profile.instance_key()):
        return
    from PySide6.QtCore import QCoreApplication

    from microapp.platform.instance import send_command

    _app = QCoreApplication.instance() or QCoreApplication([APP_NAME])
    send_command(profile.instance_key(), command, timeout_ms=500)


def _has_display() -> bool:
    """Whether a graphical session is reachable (always true off Linux/BSD)."""
    if not sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        return True
    if os.environ.get("QT_QPA_PLATFORM", "").split(":")[0] in ("offscreen", "minimal", "vnc"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def cmd_run(profile: Profile, demo: bool) -> int:
    if not _has_display():
        raise CliError("no graphical session found (neither DISPLAY nor WAYLAND_DISPLAY is set); "
                       "run microapp from your desktop, or use 'microapp status' here")
    from microapp.app import run_app
    from microapp.demo_cli import announce_demo, reset_demo_profile

    if demo and reset_demo_profile(profile):
        announce_demo(profile)
    try:
        return run_app(profile, demo=demo)
    finally:
        if demo:
            shutil.rmtree(profile.custom_root or profile.data_dir, ignore_errors=True)


def _calendar_command(args: argparse.Namespace, profile: Profile) -> int:
    from microapp import calendar_cli as cc

    if args.command == "meetings":
        return cc.cmd_meetings(profile, args.source, args.start, args.end, args.json, args.all)
    action = args.calendars_command
    if action == "list":
        return cc.cmd_calendars_list(profile)
    if action == "add":
        return cc.cmd_calendars_add(profile, args.source, name=args.name,
                                    source_id=args.source_id, caldav=args.caldav,
                                    username=args.user, chosen=args.calendar,
                                    password_file=args.password_file)
    if action == "remove":
        return cc.cmd_calendars_remove(profile, args.source_id)
    return cc.cmd_calendars_enable(profile, args.source_id, action == "enable")


def _log_to_file(profile: Profile) -> None:
    """Commands log to the profile's log file, never onto the terminal they answer on."""
    import logging

    from microapp.platform.logs import setup_logging

    if setup_logging(profile.log_path) is not None:
        logging.getLogger().handlers.clear()
        logging.getLogger().addHandler(logging.NullHandler())


def _without_openssl_hashes() -> None:
    """In the tray process, hashing uses Python's own SHA-256, not OpenSSL's.

    The tray app hashes a few short strings and never speaks TLS itself (calendars are read
    in a child process), yet importing :mod:`hashlib` loads OpenSSL's libcrypto, over 3 MiB
    resident for as long as the app runs. Without ``_hashlib``, :mod:`hashlib` uses the
    built-in implementations; :mod:`ssl` does not depend on it. Only before the first import.
    """
    if "hashlib" not in sys.modules:
        sys.modules.setdefault("_hashlib", None)  # type: ignore[arg-type]


def _read_sources_once() -> None:
    """Keep PySide6 from caching the source of every module imported after it.

    PySide6 looks for the word "PySide6" in the source of each module imported after it
    (``shibokensupport.feature``, PYSIDE-2029) through :func:`inspect.getsource`, which leaves
    every line of every module in :mod:`linecache` for good: about 6 MiB in the tray app. The
    same question is answered here by reading the file once. Installed before PySide6 itself
    is imported (``shiboken6`` brings the hook); left alone when PySide6 changes.
    """
    try:
        import shiboken6  # noqa: F401
    except ImportError:
        return
    import linecache

    feature = sys.modules.get("shibokensupport.feature")
    upstream = getattr(feature, "_mod_uses_pyside", None)
    if upstream is None or getattr(upstream, "_reads_once", False):
        return

    def uses_pyside(module: object) -> bool:
        path = getattr(module, "__file__", None)
        if not isinstance(path, str) or not path.endswith(".py"):
            return upstream(module)
        try:
            with open(path, "rb") as handle:
                return b"PySide6" in handle.read()
        except OSError:
            return upstream(module)

    uses_pyside._reads_once = True  # type: ignore[attr-defined]
    feature._mod_uses_pyside = uses_pyside  # type: ignore[union-attr]
    linecache.clearcache()


def _plain_launch(argv: Sequence[str]) -> argparse.Namespace | None:
    """``microapp`` and ``microapp --profile DIR``, the way a desktop or autostart starts the
    app, read without building the whole parser (it costs more than the rest of the command
    line, and the icon waits for it). Anything else goes through the parser."""
    if not argv:
        return argparse.Namespace(command=None)
    if len(argv) == 2 and argv[0] == "--profile" and argv[1] and not argv[1].startswith("-"):
        return argparse.Namespace(command=None, profile=argv[1])
    return None


def main(argv: Sequence[str] | None = None) -> int:
    args_given = sys.argv[1:] if argv is None else list(argv)
    if args_given[:1] == ["_calendars"]:  # the app's own calendar reader (not for users)
        from microapp.calendar_child import child_main

        return child_main()
    # (The parser is not kept: the app may run for days.)
    args = _plain_launch(args_given) or build_parser().parse_args(argv)
    if args.command is None:  # the tray app: this process stays up for hours
        _without_openssl_hashes()
        _read_sources_once()
    try:
        profile = resolve_profile(args)
        if args.command is not None:
            _log_to_file(profile)
        if args.command == "status":
            return cmd_status(profile, args.json)
        if args.command == "pause":
            return cmd_pause(profile)
        if args.command in ("meetings", "calendars"):
            return _calendar_command(args, profile)
        if args.command == "gratitude":
            from microapp.gratitude_cli import cmd_gratitude

            code = cmd_gratitude(profile, args.recipient, " ".join(args.text),
                                 relationship=args.relationship, yesterday=args.yesterday)
            if code == 0:
                _tell_running_app(profile, "refresh")
            return code
        if args.command == "export":
            from microapp.history_cli import cmd_export

            return cmd_export(profile, args.format, args.output)
        if args.command == "import":
            from microapp.history_cli import cmd_import

            code = cmd_import(profile, args.file)
            if code == 0:
                _tell_running_app(profile, "refresh")
            return code
        return cmd_run(profile, getattr(args, "demo", False))
    except CliError as exc:
        print(f"{APP_NAME}: {exc}", file=sys.stderr)
        return exc.status
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
