"""A soft chime as a pause opens, when Qt's multimedia module is there; silence otherwise.

QtMultimedia ships in PySide6-Addons, which microapp does not require, so it is imported only
when a chime is first wanted. Without it (or without the sound file) :meth:`Chime.play` does
nothing, says so once in the log, and never raises: a missing sound must not cost a pause.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import QUrl

from microapp.core.paths import resource_path

log = logging.getLogger(__name__)

VOLUME = 0.35  # a quiet bell, not an alarm

_told_unavailable = False  # log the reason once per run, not once per pause


def _sound_effect_class() -> Any | None:
    """QSoundEffect, or ``None`` when QtMultimedia is not installed (or cannot load)."""
    try:
        from PySide6.QtMultimedia import QSoundEffect
    except ImportError:  # the optional PySide6-Addons are not installed
        return None
    except Exception:  # a broken multimedia backend must not cost a pause
        log.debug("QtMultimedia failed to load", exc_info=True)
        return None
    return QSoundEffect


def default_path() -> Path | None:
    try:
        return resource_path("sounds", "chime.wav")
    except FileNotFoundError:
        return None


class Chime:
    """One short sound, loaded on first use. Keep the object alive while it plays."""

    def __init__(self, path: Path | None = None) -> None:
        self._path = path
        self._effect: Any | None = None
        self._loaded = False

    @property
    def available(self) -> bool:
        """Whether :meth:`play` will make a sound (QtMultimedia and the file are there)."""
        self._load()
        return self._effect is not None

    def play(self) -> None:
        try:
            self._load()
            if self._effect is not None:
                self._effect.play()
        except Exception:  # never let a sound take the pause down
            log.warning("could not play the chime", exc_info=True)

    def _load(self) -> None:
        if self._loaded:
            return
        self._loaded = True
        path = self._path or default_path()
        effect_class = _sound_effect_class()
        if effect_class is None or path is None or not path.is_file():
            _tell_unavailable("QtMultimedia is not installed" if effect_class is None
                              else f"the sound file is missing ({path})")
            return
        try:
            effect = effect_class()
            effect.setSource(QUrl.fromLocalFile(str(path)))
            effect.setVolume(VOLUME)
        except Exception:
            log.warning("could not load the chime from %s", path, exc_info=True)
            return
        self._effect = effect


def _tell_unavailable(reason: str) -> None:
    global _told_unavailable
    if not _told_unavailable:
        _told_unavailable = True
        log.info("the pause chime is silent: %s", reason)
