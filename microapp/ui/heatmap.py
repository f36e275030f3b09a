"""A year of practice days as a grid: 53 week columns × 7 weekday rows (Monday on top).

Colour-blind safe by construction: done days use one hue in four clearly different lightness
steps (more done, darker in light mode / brighter in dark mode), and the other states differ by
*shape*, not colour - a missed day is an empty outline, a forgiven miss is an outline with a dot
in the middle, a day without events is a faint flat square, today (while open) has a dashed
outline. :class:`HeatmapLegend` shows the same shapes with words.

Keyboard: the grid takes focus; arrows move a focus cell (left/right a week, up/down a day),
Page Up/Down move four weeks, Home/End go to the first day and today, Enter or Space
*activates* the focused day. The focused day's description is the widget's accessible
description (so a screen reader announces it) and is emitted with :attr:`Heatmap.day_focused`.
The mouse hovers for a tooltip and clicks to focus and activate. Everything is painted in
logical coordinates, so it is crisp at any device pixel ratio.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import Enum
from typing import ClassVar

from PySide6.QtCore import QEvent, QPoint, QPointF, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFocusEvent,
    QFont,
    QFontMetrics,
    QHelpEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
)
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from microapp.ui.theme import Palette, qcolor

WEEKS = 53
DAYS = 7
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
WEEKDAY_LABELS = {0: "Mon", 2: "Wed", 4: "Fri"}
MIN_PITCH, MAX_PITCH = 9, 17  # logical px from one cell to the next
_UNSET = date(2000, 1, 3)  # a Monday: what the grid shows before its first set_cells


class CellKind(Enum):
    """How a cell is drawn (the practice's day state, with forgiven misses told apart)."""

    NONE = "none"  # before the practice began
    NEUTRAL = "neutral"
    DONE = "done"
    MISSED = "missed"
    FORGIVEN = "forgiven"
    PENDING = "pending"  # today, not done yet


@dataclass(frozen=True)
class HeatCell:
    kind: CellKind
    text: str
    """What the tooltip, the focus label and assistive technology say about the day."""
    level: int = 0
    """1-4 for done days (how much was done); 0 otherwise."""


def first_day(today: date) -> date:
    """The Monday 52 weeks before the Monday of ``today``'s week: the grid's first cell."""
    return today - timedelta(days=today.weekday(), weeks=WEEKS - 1)


def blend(a: QColor, b: QColor, t: float) -> QColor:
    """``a`` moved a fraction ``t`` of the way towards ``b``."""
    return QColor.fromRgbF(a.redF() + (b.redF() - a.redF()) * t,
                           a.greenF() + (b.greenF() - a.greenF()) * t,
                           a.blueF() + (b.blueF() - a.blueF()) * t)


class CellPainter:
    """Draws one cell of any kind; shared by the grid and its legend."""

    LEVEL_MIX = (0.4, 0.6, 0.8, 1.0)

    def __init__(self, palette: Palette) -> None:
        panel, accent = qcolor(palette.panel), qcolor(palette.accent)
        self.levels = [blend(panel, accent, t) for t in self.LEVEL_MIX]
        self.outline = qcolor(palette.muted)
        self.faint = blend(panel, qcolor(palette.border), 0.45)
        self.accent = accent
        self.text = qcolor(palette.text)
        self.muted = qcolor(palette.muted)

    def draw(self, painter: QPainter, rect: QRectF, kind: CellKind, level: int = 0) -> None:
        radius = max(1.5, rect.width() * 0.2)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(Qt.PenStyle.NoPen)
        if kind is CellKind.DONE:
            painter.setBrush(self.levels[max(1, min(level, 4)) - 1])
            painter.drawRoundedRect(rect, radius, radius)
        elif kind in (CellKind.NEUTRAL, CellKind.NONE):
            painter.setBrush(self.faint)
            painter.drawRoundedRect(rect, radius, radius)
        elif kind in (CellKind.MISSED, CellKind.FORGIVEN):
            inner = rect.adjusted(0.75, 0.75, -0.75, -0.75)  # a 1.5 px pen inside the cell
            painter.setPen(QPen(self.outline, 1.5))
            painter.drawRoundedRect(inner, radius, radius)
            if kind is CellKind.FORGIVEN:
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(self.outline)
                dot = max(1.5, rect.width() * 0.16)
                painter.drawEllipse(rect.center(), dot, dot)
        elif kind is CellKind.PENDING:
            inner = rect.adjusted(0.75, 0.75, -0.75, -0.75)
            pen = QPen(self.accent, 1.5)
            pen.setStyle(Qt.PenStyle.DashLine)
            pen.setDashPattern([2.0, 1.5])
            painter.setPen(pen)
            painter.drawRoundedRect(inner, radius, radius)


class Heatmap(QWidget):
    """The year grid of one practice. Feed it with :meth:`set_cells`."""

    day_focused = Signal(object)  # date
    day_activated = Signal(object)  # date

    def __init__(self, palette: Palette, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._cells_painter = CellPainter(palette)
        self._title = title
        self._today = _UNSET
        self._first = first_day(self._today)
        self._cells: Mapping[date, HeatCell] = {}
        self._focus = self._today
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)
        self.setAccessibleName(title)
        policy = QSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)

    # -- data --------------------------------------------------------------------------------

    @property
    def today(self) -> date:
        return self._today

    @property
    def first(self) -> date:
        return self._first

    @property
    def focused_day(self) -> date:
        return self._focus

    def set_cells(self, today: date, cells: Mapping[date, HeatCell]) -> None:
        """Show the year ending with ``today``; days missing from ``cells`` count as
        :attr:`CellKind.NONE`. The focused day is kept when still in range, else today."""
        self._today = today
        self._first = first_day(today)
        self._cells = cells
        if not self._first <= self._focus <= today:
            self._focus = today
        # Announced even when the day stayed: what it says about the day may have changed.
        self.setAccessibleDescription(self.cell(self._focus).text)
        self.update()
        self.day_focused.emit(self._focus)

    def cell(self, day: date) -> HeatCell:
        found = self._cells.get(day)
        if found is not None:
            return found
        return HeatCell(CellKind.NONE, f"{day:%a} {day.day} {day:%b} · before the first day")

    def set_focused_day(self, day: date) -> None:
        day = min(max(day, self._first), self._today)
        if day == self._focus:
            return
        self._focus = day
        self.setAccessibleDescription(self.cell(day).text)
        self.update()
        self.day_focused.emit(day)

    # -- geometry ----------------------------------------------------------------------------

    def _gutter(self) -> int:
        return QFontMetrics(self._label_font()).horizontalAdvance("Wed") + 8

    def _top(self) -> int:
        return QFontMetrics(self._label_font()).height() + 4

    def _label_font(self) -> QFont:
        font = self.font()
        font.setPointSizeF(max(7.0, font.pointSizeF() * 0.85))
        return font

    def pitch(self, width: int | None = None) -> int:
        width = self.width() if width is None else width
        return max(MIN_PITCH, min(MAX_PITCH, (width - self._gutter()) // WEEKS))

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._top() + DAYS * self.pitch(width)

    def sizeHint(self) -> QSize:
        return QSize(self._gutter() + WEEKS * MAX_PITCH, self._top() + DAYS * MAX_PITCH)

    def minimumSizeHint(self) -> QSize:
        return QSize(self._gutter() + WEEKS * MIN_PITCH, self._top() + DAYS * MIN_PITCH)

    def cell_rect(self, day: date) -> QRectF:
        """Where ``day`` is drawn (logical coordinates), gaps excluded."""
        pitch = self.pitch()
        offset = (day - self._first).days
        col, row = divmod(offset, DAYS)
        gap = max(2, round(pitch * 0.18))
        return QRectF(self._gutter() + col * pitch, self._top() + row * pitch,
                      pitch - gap, pitch - gap)

    def day_at(self, pos: QPoint | QPointF) -> date | None:
        pitch = self.pitch()
        x, y = pos.x() - self._gutter(), pos.y() - self._top()
        if x < 0 or y < 0:
            return None
        col, row = int(x // pitch), int(y // pitch)
        if col >= WEEKS or row >= DAYS:
            return None
        day = self._first + timedelta(days=col * DAYS + row)
        return day if day <= self._today else None

    # -- painting ----------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        self._paint_labels(painter)
        cells = self._cells_painter
        day, last = self._first, self._today
        while day <= last:
            cell = self.cell(day)
            cells.draw(painter, self.cell_rect(day), cell.kind, cell.level)
            day += timedelta(days=1)
        if self.hasFocus():
            ring = self.cell_rect(self._focus).adjusted(-2.0, -2.0, 2.0, 2.0)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.setPen(QPen(cells.text, 2.0))
            painter.drawRoundedRect(ring, 3.0, 3.0)
        painter.end()

    def _paint_labels(self, painter: QPainter) -> None:
        painter.setFont(self._label_font())
        painter.setPen(self._cells_painter.muted)
        pitch, top = self.pitch(), self._top()
        for row, name in WEEKDAY_LABELS.items():
            rect = QRect(0, top + row * pitch, self._gutter() - 6, pitch - 2)
            painter.drawText(rect, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                             name)
        metrics = QFontMetrics(self._label_font())
        last_right = -1
        for col in range(WEEKS):
            monday = self._first + timedelta(weeks=col)
            sunday = monday + timedelta(days=6)
            # A month is labelled above the week holding its 1st (the first column too).
            if col and monday.day != 1 and sunday.month == monday.month:
                continue
            month = sunday if sunday.day <= 7 else monday
            name = MONTHS[month.month - 1]
            x = self._gutter() + col * pitch
            if x <= last_right + 4 or x + metrics.horizontalAdvance(name) > self.width():
                continue
            painter.drawText(QPoint(x, metrics.ascent()), name)
            last_right = x + metrics.horizontalAdvance(name)

    # -- input -------------------------------------------------------------------------------

    _MOVES: ClassVar[dict[Qt.Key, int]] = {
        Qt.Key.Key_Left: -7, Qt.Key.Key_Right: 7, Qt.Key.Key_Up: -1, Qt.Key.Key_Down: 1,
        Qt.Key.Key_PageUp: -28, Qt.Key.Key_PageDown: 28,
    }

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = Qt.Key(event.key())
        if key in self._MOVES:
            self.set_focused_day(self._focus + timedelta(days=self._MOVES[key]))
        elif key == Qt.Key.Key_Home:
            self.set_focused_day(self._first)
        elif key == Qt.Key.Key_End:
            self.set_focused_day(self._today)
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.day_activated.emit(self._focus)
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        day = self.day_at(event.position())
        if day is None or event.button() != Qt.MouseButton.LeftButton:
            super().mousePressEvent(event)
            return
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        self.set_focused_day(day)
        self.day_activated.emit(day)
        event.accept()

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            day = self.day_at(event.pos())
            if day is None:
                QToolTip.hideText()
                event.ignore()
            else:
                area = self.cell_rect(day).toAlignedRect()
                QToolTip.showText(event.globalPos(), self.cell(day).text, self, area)
            return True
        return super().event(event)

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        self.setAccessibleDescription(self.cell(self._focus).text)
        self.update()

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        self.update()


class HeatmapLegend(QWidget):
    """The shapes of the grid, with words: "fewer ▪▪▪▪ more · missed · forgiven miss · ..."."""

    SWATCH = 11

    def __init__(self, palette: Palette, neutral_words: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._cells = CellPainter(palette)
        self._items: list[tuple[list[tuple[CellKind, int]], str]] = [
            ([(CellKind.DONE, n) for n in range(1, 5)], "done, fewer → more"),
            ([(CellKind.MISSED, 0)], "missed"),
            ([(CellKind.FORGIVEN, 0)], "forgiven miss"),
            ([(CellKind.NEUTRAL, 0)], neutral_words),
            ([(CellKind.PENDING, 0)], "today, open"),
        ]
        words = "; ".join(text for _, text in self._items)
        self.setAccessibleName(f"Legend: {words}")
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)

    def _font(self) -> QFont:
        font = self.font()
        font.setPointSizeF(max(7.0, font.pointSizeF() * 0.85))
        return font

    def sizeHint(self) -> QSize:
        metrics = QFontMetrics(self._font())
        width = 0
        for swatches, text in self._items:
            width += len(swatches) * (self.SWATCH + 3) + 4 + metrics.horizontalAdvance(text) + 16
        return QSize(width, max(metrics.height(), self.SWATCH) + 2)

    def minimumSizeHint(self) -> QSize:
        return self.sizeHint()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setFont(self._font())
        metrics = QFontMetrics(self._font())
        mid = self.height() / 2
        x = 0.0
        for swatches, text in self._items:
            for kind, level in swatches:
                rect = QRectF(x, mid - self.SWATCH / 2, self.SWATCH, self.SWATCH)
                self._cells.draw(painter, rect, kind, level)
                x += self.SWATCH + 3
            x += 4
            painter.setPen(self._cells.muted)
            painter.drawText(QPointF(x, mid + metrics.ascent() / 2 - 1), text)
            x += metrics.horizontalAdvance(text) + 16
        painter.end()
