"""The breath guide: a soft circle that grows on the in-breath and settles on the out-breath,
ringed by a thin arc that quietly counts the pause down.

It only paints what it is told (:meth:`BreathGuide.set_phase`, :meth:`BreathGuide.set_remaining`);
the pause session owns the timing, so the guides on every screen move together. Everything is
painted as vectors in logical pixels, sized from :meth:`BreathGuide.set_side`, so it is crisp on
a 2x screen and never a fixed tiny figure on a large one.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QBrush, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from microapp.ui.theme import Palette, qcolor

DEFAULT_SIDE = 220  # logical pixels at scale 1


class BreathGuide(QWidget):
    """The circle and the countdown ring. ``phase`` 0..1 is how full the breath is;
    ``remaining`` 0..1 is the share of the pause still to come."""

    STILL_PHASE = 0.6  # reduce motion: a calm, half-full circle that does not move

    def __init__(self, palette: Palette, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._palette = palette
        self._side = DEFAULT_SIDE
        self.phase = 0.35
        self.remaining = 1.0
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setFixedSize(self.sizeHint())

    def sizeHint(self) -> QSize:
        return QSize(self._side, self._side)

    def set_side(self, side: int) -> None:
        self._side = max(48, side)
        self.setFixedSize(self.sizeHint())
        self.update()

    def set_phase(self, phase: float) -> None:
        self.phase = max(0.0, min(1.0, phase))
        self.update()

    def set_remaining(self, remaining: float) -> None:
        self.remaining = max(0.0, min(1.0, remaining))
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        side = min(self.width(), self.height())
        track_width = max(1.5, side / 110)
        arc_width = max(2.0, side / 72)
        centre = QRectF(self.rect()).center()
        ring = side / 2 - arc_width
        painter.setPen(QPen(qcolor(self._palette.border), track_width))
        painter.setBrush(QBrush())
        painter.drawEllipse(centre, ring, ring)

        arc = QPen(qcolor(self._palette.accent), arc_width)
        arc.setCapStyle(Qt.PenCapStyle.RoundCap)
        painter.setPen(arc)
        box = QRectF(centre.x() - ring, centre.y() - ring, 2 * ring, 2 * ring)
        painter.drawArc(box, 90 * 16, round(self.remaining * 360 * 16))

        breath = qcolor(self._palette.breath)
        breath.setAlphaF(0.55)
        painter.setPen(QPen(Qt.PenStyle.NoPen))
        # An explicit QBrush: PySide6 mis-counts references to None when a QColor is converted
        # implicitly here, and after a few thousand frames the interpreter aborts.
        painter.setBrush(QBrush(breath))
        radius = (0.28 + 0.6 * self.phase) * ring
        painter.drawEllipse(centre, radius, radius)
        painter.end()
