"""The share of each intention over the last 30 days: a few horizontal bars.

Never colour-only: every bar has its name on the left and its count and percentage on the
right, and the whole chart is also one accessible sentence.
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QFontMetrics, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from microapp.ui.heatmap import blend
from microapp.ui.theme import Palette, qcolor

ORDER = ("notice", "listen", "encourage", "none")
LABELS = {"notice": "notice", "listen": "listen", "encourage": "encourage",
          "none": "no intention"}


def share_words(shares: Mapping[str, int]) -> str:
    """"notice 5 (25%), listen 12 (60%), ..." - the chart as one sentence."""
    total = sum(shares.values())
    if not total:
        return "No completed pauses in the last 30 days."
    parts = [f"{LABELS.get(k, k)} {shares.get(k, 0)} ({round(100 * shares.get(k, 0) / total)}%)"
             for k in _keys(shares)]
    return ", ".join(parts)


def _keys(shares: Mapping[str, int]) -> list[str]:
    return [k for k in ORDER if k in shares] + [k for k in shares if k not in ORDER]


class IntentionChart(QWidget):
    """Horizontal bars for :func:`microapp.store.history_view.intention_shares`."""

    ROW = 22
    BAR = 10

    def __init__(self, palette: Palette, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._bar = qcolor(palette.accent)
        self._track = blend(qcolor(palette.panel), qcolor(palette.border), 0.6)
        self._text = qcolor(palette.text)
        self._muted = qcolor(palette.muted)
        self._shares: dict[str, int] = dict.fromkeys(ORDER, 0)
        self.setAccessibleName("Intentions of completed pauses, last 30 days")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.set_shares(self._shares)

    @property
    def shares(self) -> dict[str, int]:
        return dict(self._shares)

    def set_shares(self, shares: Mapping[str, int]) -> None:
        self._shares = {k: int(shares.get(k, 0)) for k in _keys(shares)}
        self.setAccessibleDescription(share_words(self._shares))
        self.setToolTip(share_words(self._shares))
        self.updateGeometry()
        self.update()

    def _label_width(self) -> int:
        metrics = QFontMetrics(self.font())
        return max(metrics.horizontalAdvance(LABELS.get(k, k)) for k in self._shares) + 10

    def _number_width(self) -> int:
        return QFontMetrics(self.font()).horizontalAdvance("000 · 100%") + 8

    def sizeHint(self) -> QSize:
        return QSize(self._label_width() + 160 + self._number_width(),
                     self.ROW * len(self._shares))

    def minimumSizeHint(self) -> QSize:
        return QSize(self._label_width() + 60 + self._number_width(),
                     self.ROW * len(self._shares))

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        total = sum(self._shares.values())
        label_w, number_w = self._label_width(), self._number_width()
        track_w = max(20, self.width() - label_w - number_w)
        align_v = Qt.AlignmentFlag.AlignVCenter
        for row, (key, n) in enumerate(self._shares.items()):
            top = row * self.ROW
            painter.setPen(self._text)
            painter.drawText(QRectF(0, top, label_w - 10, self.ROW),
                             Qt.AlignmentFlag.AlignLeft | align_v, LABELS.get(key, key))
            bar_top = top + (self.ROW - self.BAR) / 2
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(self._track)
            painter.drawRoundedRect(QRectF(label_w, bar_top, track_w, self.BAR), 4, 4)
            if n:
                painter.setBrush(self._bar)
                width = max(self.BAR, track_w * n / total)
                painter.drawRoundedRect(QRectF(label_w, bar_top, width, self.BAR), 4, 4)
            share = f"{n} · {round(100 * n / total)}%" if total else "0"
            painter.setPen(self._muted)
            painter.drawText(QRectF(label_w + track_w + 8, top, number_w - 8, self.ROW),
                             Qt.AlignmentFlag.AlignLeft | align_v, share)
        painter.end()
