from __future__ import annotations

import pytest

from microapp.ui.pause_controller import PauseController
from microapp.ui.pause_session import PauseSession
from tests.gui import pause_helpers


@pytest.fixture
def quick_pause(monkeypatch: pytest.MonkeyPatch) -> type[PauseSession]:
    """The doorway pause shortened from five seconds to a blink, so no test waits for time."""
    monkeypatch.setattr(PauseSession, "DURATION_MS", 150)
    monkeypatch.setattr(PauseSession, "FADE_MS", 20)
    monkeypatch.setattr(PauseSession, "JOIN_SETTLE_MS", 0)
    monkeypatch.setattr(PauseController, "SECOND_MS", 30)  # the app's 5 s setting: 150 ms
    return PauseSession


@pytest.fixture
def long_pause(monkeypatch: pytest.MonkeyPatch) -> type[PauseSession]:
    """A pause that would last a minute: the test ends it."""
    monkeypatch.setattr(PauseSession, "DURATION_MS", 60_000)
    monkeypatch.setattr(PauseSession, "JOIN_SETTLE_MS", 0)
    monkeypatch.setattr(PauseController, "SECOND_MS", 12_000)  # the app's 5 s setting: 60 s
    return PauseSession


@pytest.fixture(autouse=True)
def _close_pauses():
    """Pauses a test left showing are skipped after it."""
    yield
    pause_helpers.close_all()
