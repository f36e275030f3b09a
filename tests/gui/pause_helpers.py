"""Shared by the pause tests: content to show, a session maker that tests clean up after
(tests/gui/conftest.py closes what is left), and the user's pointer."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import shiboken6
from PySide6.QtCore import QPoint
from PySide6.QtTest import QTest

from microapp.core.pause_content import PauseContent
from microapp.ui.pause_session import PauseSession
from microapp.ui.pause_view import PauseView
from microapp.ui.theme import LIGHT

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 3, 10, 9, 59, tzinfo=BERLIN)
ZOOM = PauseContent(titles=("Weekly sync",), start=NOW + timedelta(minutes=1), service="Zoom",
                    join_url="https://zoom.us/j/123", keys=("k",))
NO_LINK = PauseContent(titles=("1:1 with Sam",), start=NOW + timedelta(minutes=1))

made: list[PauseSession] = []
_spots = itertools.count()


def make(content: PauseContent = ZOOM, **kwargs) -> PauseSession:
    kwargs.setdefault("clock_now", lambda: NOW)
    session = PauseSession(kwargs.pop("palette", LIGHT), content, **kwargs)
    made.append(session)
    return session


def close_all() -> None:
    while made:
        session = made.pop()
        if shiboken6.isValid(session):
            session.skip()


def reach(view: PauseView) -> None:
    """The user moves the pointer across the view (fresh positions: a move to where the
    pointer already is would not be reported)."""
    x = 40 + 7 * (next(_spots) % 50)
    for dx in (0, 1, 30):
        QTest.mouseMove(view, QPoint(x + dx, 200))
    assert view.keyboard_ready


def recorder(signal) -> list[tuple]:
    seen: list[tuple] = []
    signal.connect(lambda *args: seen.append(args))
    return seen
