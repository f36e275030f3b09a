"""Test setup shared by every suite: no real display, no real profile, a fake clock at hand."""

from __future__ import annotations

import os

# Before anything imports Qt: render offscreen, never touch the user's desktop.
os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ.setdefault("QT_QPA_PLATFORMTHEME", "")

from pathlib import Path

import pytest

from microapp.core.paths import Profile
from tests.helpers import FakeClock


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """No test ever reads or writes the real config, data or log folders."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("MICROAPP_HOME", str(home / "profile"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "xdg-config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "xdg-data"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / "xdg-state"))
    yield


@pytest.fixture
def profile(tmp_path: Path) -> Profile:
    return Profile.under(tmp_path / "profile")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()
