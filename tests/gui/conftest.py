from __future__ import annotations

import pytest

from microapp.ui.overlay import PauseOverlay


@pytest.fixture
def quick_pause(monkeypatch: pytest.MonkeyPatch) -> type[PauseOverlay]:
    """The doorway pause shortened from five seconds to a blink, so no test waits for time."""
    monkeypatch.setattr(PauseOverlay, "DURATION_MS", 150)
    monkeypatch.setattr(PauseOverlay, "FADE_MS", 20)
    return PauseOverlay
