"""Small widget helpers shared by the windows."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel


def plain_label(text: str = "", name: str | None = None, *, wrap: bool = False) -> QLabel:
    """A label that never reads its text as rich text (names, titles and sentences come from
    the user or their calendars and are shown exactly as written)."""
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(wrap)
    if name:
        label.setObjectName(name)
    return label
