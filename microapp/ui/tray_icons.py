"""The tray icon's three faces: idle, a pause is near, pauses are snoozed - each with or without
a small warm dot while tonight's gratitude invitation waits.

Each face is an SVG under ``resources/icons``; the invitation's dot is one more SVG drawn over
whichever face is showing (it sits at the bottom right, so the near and snoozed marks at the top
right keep their meaning).

Faces are rendered here into pixmaps at the sizes tray hosts ask for, rather than handed to Qt
as an SVG icon: over D-Bus (StatusNotifierItem, the tray of KDE, GNOME's AppIndicator extension,
…) Qt sends only the sizes an icon *has*, and an SVG icon has none, so the host would get 22 and
64 px and scale them, blurrily, to its own 16, 24 or 32 px. Pixmaps drawn at every common size
(and at twice that, for HiDPI) stay crisp.
"""

from __future__ import annotations

from enum import StrEnum
from functools import cache

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QIcon, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

from microapp.core.paths import resource_path


class IconState(StrEnum):
    IDLE = "idle"
    NEAR = "near"  # a doorway pause is coming up
    SNOOZED = "snoozed"  # pauses are snoozed from the tray


ICON_FILES: dict[IconState, str] = {
    IconState.IDLE: "microapp.svg",
    IconState.NEAR: "microapp-near.svg",
    IconState.SNOOZED: "microapp-snoozed.svg",
}

INVITE_DOT_FILE = "microapp-invite-dot.svg"

# Logical sizes tray hosts and window decorations use; each is also drawn at 2x.
ICON_SIZES = (16, 20, 22, 24, 32, 48, 64)


def _renderer(name: str) -> QSvgRenderer:
    path = resource_path("icons", name)
    renderer = QSvgRenderer(str(path))
    if not renderer.isValid():
        raise RuntimeError(f"the tray icon {path.name} could not be read")
    return renderer


def _render(layers: list[QSvgRenderer], pixels: int, ratio: float) -> QPixmap:
    pixmap = QPixmap(pixels, pixels)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    for renderer in layers:
        renderer.render(painter, QRectF(0, 0, pixels, pixels))
    painter.end()
    pixmap.setDevicePixelRatio(ratio)
    return pixmap


def tray_icon(state: IconState, invite: bool = False) -> QIcon:
    """The icon for ``state`` (with the invitation's dot when ``invite``), drawn once per
    process at every size in :data:`ICON_SIZES`."""
    return _tray_icon(IconState(state), bool(invite))


@cache
def _tray_icon(state: IconState, invite: bool) -> QIcon:
    layers = [_renderer(ICON_FILES[state])]
    if invite:
        layers.append(_renderer(INVITE_DOT_FILE))
    icon = QIcon()
    for size in ICON_SIZES:
        icon.addPixmap(_render(layers, size, 1.0))
        icon.addPixmap(_render(layers, size * 2, 2.0))
    return icon


def state_pixmap(state: IconState, size: int, ratio: float = 1.0,
                 invite: bool = False) -> QPixmap:
    """A pixmap of the icon for a label (the Today panel's heading), sharp at ``ratio``."""
    return tray_icon(state, invite).pixmap(QSize(size, size), ratio)
