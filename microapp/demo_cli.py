"""The throw-away demo profile of `microapp --demo`: where it lives, its generated calendar,
and starting each demo fresh (unless a demo app is running in it right now)."""

from __future__ import annotations

import os
import shutil
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from microapp import APP_NAME
from microapp.cli import CliError

if TYPE_CHECKING:
    from microapp.core.paths import Profile


def demo_profile() -> Profile:
    import tempfile

    from microapp.core.paths import Profile

    uid = os.getuid() if hasattr(os, "getuid") else "user"
    return Profile.under(Path(tempfile.gettempdir()) / f"{APP_NAME}-demo-{uid}")


def reset_demo_profile(profile: Profile) -> bool:
    """Start each demo from scratch, unless a demo app is running in it right now.

    Returns whether the profile is fresh (False: a running demo app owns it; leave it be).
    """
    from PySide6.QtNetwork import QLocalSocket

    root = profile.custom_root
    if root is None or not root.exists():
        return True
    probe = QLocalSocket()
    probe.connectToServer(profile.instance_key())
    if probe.waitForConnected(300):
        probe.disconnectFromServer()
        return False
    shutil.rmtree(root, ignore_errors=True)
    return True


DEMO_CALENDAR_FILE = "demo-calendar.ics"
DEMO_CALENDAR_ID = "demo"


def prepare_demo_profile(profile: Profile, now: datetime) -> Path:
    """Give a fresh demo profile its calendar: a generated .ics file (first meeting about 75 s
    after ``now``, then one every 4 minutes), added as a calendar the way `microapp calendars
    add` adds one, so settings.toml lists it. Returns the calendar file.

    Only for the demo profile: it writes that profile's settings.
    """
    import contextlib
    import io

    from microapp import calendar_cli
    from microapp.core.demo_calendar import demo_calendar

    path = profile.data_dir / DEMO_CALENDAR_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(demo_calendar(now), encoding="utf-8")
    with contextlib.redirect_stdout(io.StringIO()):  # its "Added …" line is not for this user
        calendar_cli.cmd_calendars_add(profile, str(path), name="Demo meetings",
                                       source_id=DEMO_CALENDAR_ID, caldav=False, username=None,
                                       chosen=(), password_file=False)
    return path


def announce_demo(profile: Profile) -> None:
    """Prepare the demo calendar and say when its first pause comes; the demo runs without
    it (history only) if that fails."""
    from microapp.core.clock import SystemClock
    from microapp.core.demo_calendar import FIRST_IN

    clock = SystemClock()
    now = clock.now()
    try:
        prepare_demo_profile(profile, now)
    except (CliError, OSError) as exc:  # CliError: the calendar could not be added
        print(f"{APP_NAME}: the demo calendar could not be set up ({exc}); "
              "the demo starts without meetings", file=sys.stderr)
        return
    first = (now + FIRST_IN).astimezone(clock.zone())
    print(f"{APP_NAME} demo: the first sample meeting starts at {first:%H:%M} and another "
          "every few minutes; a doorway pause opens a minute before each.")
