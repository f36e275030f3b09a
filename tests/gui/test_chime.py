"""The soft chime: silent (and said so once) without QtMultimedia, played when it is there."""

from __future__ import annotations

import logging

from pytestqt.qtbot import QtBot

from microapp.ui import chime as chime_module
from microapp.ui.chime import Chime
from tests.gui.pause_helpers import make


def test_without_qtmultimedia_the_chime_is_silent_and_says_so_once(
        qtbot: QtBot, long_pause, monkeypatch, caplog) -> None:
    monkeypatch.setattr(chime_module, "_told_unavailable", False)
    monkeypatch.setattr(chime_module, "_sound_effect_class", lambda: None)
    caplog.set_level(logging.INFO, logger="microapp.ui.chime")
    chime = Chime()
    assert not chime.available
    chime.play()
    Chime().play()
    make(chime=True).start()
    notes = [r for r in caplog.records if "chime is silent" in r.getMessage()]
    assert len(notes) == 1 and notes[0].levelno == logging.INFO


def test_the_chime_plays_when_qtmultimedia_is_there(qtbot: QtBot, long_pause,
                                                    monkeypatch) -> None:
    played: list[str] = []

    class FakeSoundEffect:
        def setSource(self, url) -> None:
            self.url = url.toLocalFile()

        def setVolume(self, volume: float) -> None:
            assert 0 < volume <= 1

        def play(self) -> None:
            played.append(self.url)

    monkeypatch.setattr(chime_module, "_sound_effect_class", lambda: FakeSoundEffect)
    make(chime=True).start()
    assert len(played) == 1 and played[0].endswith("chime.wav")
    make(chime=False).start()
    assert len(played) == 1
