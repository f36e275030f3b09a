"""The command line (DESIGN.md's contract). Only commands that truly work are offered.

Errors are one clear line on stderr: exit status 2 for bad input, 1 for anything else.
Qt is imported only by the commands that need it, so `status` stays quick and works without
a display.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from microapp import APP_NAME, __version__
from microapp.core.paths import Profile

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
    return parser


def demo_profile() -> Profile:
    uid = os.getuid() if hasattr(os, "getuid") else "user"
    return Profile.under(Path(tempfile.gettempdir()) / f"{APP_NAME}-demo-{uid}")


def resolve_profile(args: argparse.Namespace) -> Profile:
    profile_dir = getattr(args, "profile", None)
    if getattr(args, "demo", False):
        if profile_dir:
            raise CliError("--demo and --profile cannot be used together", EXIT_BAD_INPUT)
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
    history = History(opened.db, settings.day_starts_at)
    try:
        summary = today_summary(history, clock)
    finally:
        history.close()
    if as_json:
        print(json.dumps(summary.as_json(), indent=2, ensure_ascii=False))
    else:
        print(format_status(summary))
    return 0


def cmd_pause(profile: Profile) -> int:
    from PySide6.QtCore import QCoreApplication

    from microapp.platform.instance import send_command

    _app = QCoreApplication.instance() or QCoreApplication([APP_NAME])
    if not send_command(profile.instance_key(), "pause"):
        raise CliError("microapp is not running for this profile; start it with 'microapp' first")
    return 0


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

    if demo:
        _reset_demo_profile(profile)
    try:
        return run_app(profile, demo=demo)
    finally:
        if demo:
            shutil.rmtree(profile.custom_root or profile.data_dir, ignore_errors=True)


def _reset_demo_profile(profile: Profile) -> None:
    """Start each demo from scratch, unless a demo app is running in it right now."""
    from PySide6.QtNetwork import QLocalSocket

    root = profile.custom_root
    if root is None or not root.exists():
        return
    probe = QLocalSocket()
    probe.connectToServer(profile.instance_key())
    if probe.waitForConnected(300):
        probe.disconnectFromServer()
        return
    shutil.rmtree(root, ignore_errors=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        profile = resolve_profile(args)
        if args.command == "status":
            return cmd_status(profile, args.json)
        if args.command == "pause":
            return cmd_pause(profile)
        return cmd_run(profile, getattr(args, "demo", False))
    except CliError as exc:
        print(f"{APP_NAME}: {exc}", file=sys.stderr)
        return exc.status
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
