"""The doorway pause's public names, gathered in one place for the app.

The pause now spans every screen: :class:`PauseSession` (``ui/pause_session.py``) owns the
timing and the outcome, :class:`PauseView` (``ui/pause_view.py``) is its window on one screen,
:class:`PauseContent` (``core/pause_content.py``) is what it says, :class:`Chime` the optional
sound.
"""

from __future__ import annotations

from microapp.core.pause_content import PauseContent
from microapp.ui.chime import Chime
from microapp.ui.pause_session import PauseSession
from microapp.ui.pause_view import PauseView

__all__ = ["Chime", "PauseContent", "PauseSession", "PauseView"]
