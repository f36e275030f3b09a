"""The list of days, newest first, with their pauses and gratitude sentences; and its search.

The model knows every day that has something on it (cheap: one ``GROUP BY`` query) but loads
the entries themselves a page at a time, through Qt's ``canFetchMore``/``fetchMore``: the view
asks for the next page when it is scrolled near the end, so ten years of history open as fast
as one. A search swaps the rows for the matching sentences, grouped by day.

Each row is painted by :class:`DayDelegate` with ``drawText`` on plain strings, so titles,
names and sentences can never be read as markup.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import groupby

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
)
from PySide6.QtGui import QFont, QFontMetrics, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QListView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from microapp.core.records import GratitudeRecord, Outcome
from microapp.store.history_view import DayEntries, HistoryData
from microapp.ui.history_text import day_counts, day_text, gratitude_heading, long_day, pause_line
from microapp.ui.theme import Palette, qcolor

DAY_ROLE = Qt.ItemDataRole.UserRole + 1
PAGE_DAYS = 120
"""How many more days with entries one ``fetchMore`` loads (one query per table)."""

Loader = Callable[[date, date], HistoryData]
"""Loads the entries of the practice days ``since`` .. ``until``."""

_AnyIndex = QModelIndex | QPersistentModelIndex
_WRAP = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap)


class DaysModel(QAbstractListModel):
    """Rows are :class:`DayEntries`, newest day first."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._all: list[date] = []  # every day with entries, newest first
        self._rows: list[DayEntries] = []
        self._loader: Loader | None = None
        self._today: date | None = None
        self._searching = False

    @property
    def searching(self) -> bool:
        return self._searching

    def set_history(self, today: date, days: Sequence[date], first_page: HistoryData,
                    loader: Loader) -> None:
        """Show ``days`` (newest first); ``first_page`` holds the entries of the newest ones
        (at least those up to its ``since``), ``loader`` fetches older ones on demand."""
        self.beginResetModel()
        self._today, self._all, self._loader = today, list(days), loader
        self._searching = False
        self._rows = [first_page.days[d] for d in self._all if d in first_page.days]
        # Rows must stay a prefix of ``_all``: stop at the first day the page does not hold.
        for n, day in enumerate(self._all[: len(self._rows)]):
            if self._rows[n].day != day:
                self._rows = self._rows[:n]
                break
        self.endResetModel()

    def show_results(self, hits: Sequence[GratitudeRecord]) -> None:
        """Only the days of ``hits`` (newest first), each with its matching sentences."""
        self.beginResetModel()
        self._searching = True
        ordered = sorted(hits, key=lambda g: (g.day, g.at), reverse=True)
        self._rows = [DayEntries(day, (), tuple(sorted(group, key=lambda g: g.at)))
                      for day, group in groupby(ordered, key=lambda g: g.day)]
        self.endResetModel()

    def rowCount(self, parent: _AnyIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's API
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: _AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        entries = self._rows[index.row()]
        if role == DAY_ROLE:
            return entries
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return day_text(entries, self._today)
        return None

    def entries(self, row: int) -> DayEntries:
        return self._rows[row]

    def today(self) -> date | None:
        return self._today

    def canFetchMore(self, parent: _AnyIndex = QModelIndex()) -> bool:  # noqa: B008
        return (not parent.isValid() and not self._searching and self._loader is not None
                and len(self._rows) < len(self._all))

    def fetchMore(self, parent: _AnyIndex = QModelIndex()) -> None:  # noqa: B008
        if not self.canFetchMore(parent):
            return
        assert self._loader is not None
        start = len(self._rows)
        wanted = self._all[start: start + PAGE_DAYS]
        page = self._loader(wanted[-1], wanted[0])
        new = [page.days[d] for d in wanted if d in page.days]
        if len(new) < len(wanted):  # the history changed under us; refresh() will catch up
            self._all = self._all[:start] + [e.day for e in new]
        if not new:
            return
        self.beginInsertRows(QModelIndex(), start, start + len(new) - 1)
        self._rows += new
        self.endInsertRows()

    def row_of(self, day: date) -> int | None:
        """The row showing ``day``, or None (no entries that day, or not in the results)."""
        lo, hi = 0, len(self._rows)
        while lo < hi:  # rows are newest first
            mid = (lo + hi) // 2
            if self._rows[mid].day > day:
                lo = mid + 1
            else:
                hi = mid
        return lo if lo < len(self._rows) and self._rows[lo].day == day else None

    def nearest_row(self, day: date) -> int | None:
        """The row of ``day`` or of the closest earlier day shown (loading pages as needed)."""
        while (not self._rows or self._rows[-1].day > day) and self.canFetchMore():
            self.fetchMore()
        for n, entries in enumerate(self._rows):
            if entries.day <= day:
                return n
        return None


@dataclass(frozen=True)
class _Line:
    text: str
    font: QFont
    muted: bool
    indent: int
    height: int


class DayDelegate(QStyledItemDelegate):
    """Paints one day: its heading and counts, then its pauses and sentences."""

    PAD_X, PAD_Y, GAP, INDENT = 14, 10, 3, 12

    def __init__(self, palette: Palette, view: QListView) -> None:
        super().__init__(view)
        self._view = view
        self._text = qcolor(palette.text)
        self._muted = qcolor(palette.muted)
        self._accent = qcolor(palette.accent)
        self._selected = qcolor(palette.accent_soft)
        self._rule = qcolor(palette.border)
        self._cache: dict[int, tuple[DayEntries, int, list[_Line]]] = {}

    def _fonts(self, option: QStyleOptionViewItem) -> tuple[QFont, QFont, QFont]:
        body = QFont(option.font)
        bold = QFont(body)
        bold.setWeight(QFont.Weight.DemiBold)
        italic = QFont(body)
        italic.setItalic(True)
        return body, bold, italic

    def _width(self, option: QStyleOptionViewItem) -> int:
        width = self._view.viewport().width()
        return max(200, width) - 2 * self.PAD_X

    def _lines(self, entries: DayEntries, option: QStyleOptionViewItem, width: int,
               ) -> list[_Line]:
        """The laid-out lines of a day, cached per row object and width (the model hands out
        the same :class:`DayEntries` until it resets, which clears the cache)."""
        key = id(entries)
        cached = self._cache.get(key)
        if cached is not None and cached[0] is entries and cached[1] == width:
            return cached[2]
        body, bold, italic = self._fonts(option)
        lines: list[_Line] = []
        metrics = {id(f): QFontMetrics(f) for f in (body, bold, italic)}

        def add(text: str, font: QFont, muted: bool = False, indent: int = 0) -> None:
            fm = metrics[id(font)]
            room = width - indent
            if "\n" not in text and fm.horizontalAdvance(text) <= room:
                height = fm.height()  # one line: no need to lay out the wrapping
            else:
                height = fm.boundingRect(QRect(0, 0, room, 100_000), _WRAP, text).height()
            lines.append(_Line(text, font, muted, indent, height))

        for pause in entries.pauses:
            add(pause_line(pause), body, muted=pause.outcome is not Outcome.COMPLETED)
        for note in entries.gratitude:
            add(gratitude_heading(note), bold if not entries.pauses else body, muted=True)
            add(f"“{note.text}”", italic, indent=self.INDENT)
        self._cache[key] = (entries, width, lines)
        return lines

    def forget(self) -> None:
        """Drop every cached layout (the rows were replaced)."""
        self._cache.clear()

    def sizeHint(self, option: QStyleOptionViewItem, index: _AnyIndex) -> QSize:
        entries = index.data(DAY_ROLE)
        if entries is None:
            return super().sizeHint(option, index)
        _, bold, _ = self._fonts(option)
        width = self._width(option)
        height = 2 * self.PAD_Y + QFontMetrics(bold).height() + self.GAP
        height += sum(line.height + self.GAP for line in self._lines(entries, option, width))
        return QSize(width + 2 * self.PAD_X, height)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _AnyIndex) -> None:
        entries: DayEntries | None = index.data(DAY_ROLE)
        if entries is None:
            super().paint(painter, option, index)
            return
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = option.rect
        state = option.state
        if state & QStyle.StateFlag.State_Selected:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(self._selected)
            painter.drawRoundedRect(rect.adjusted(2, 2, -2, -2), 8, 8)
        if state & QStyle.StateFlag.State_HasFocus and state & QStyle.StateFlag.State_Selected:
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.setPen(self._accent)
            painter.drawRoundedRect(rect.adjusted(2, 2, -3, -3), 8, 8)
        painter.setPen(self._rule)
        painter.drawLine(rect.left() + self.PAD_X, rect.bottom(), rect.right() - self.PAD_X,
                         rect.bottom())

        body, bold, _ = self._fonts(option)
        width = rect.width() - 2 * self.PAD_X
        x, y = rect.left() + self.PAD_X, rect.top() + self.PAD_Y
        heading_h = QFontMetrics(bold).height()
        model = index.model()
        today = model.today() if isinstance(model, DaysModel) else None
        painter.setFont(bold)
        painter.setPen(self._text)
        painter.drawText(QRect(x, y, width, heading_h),
                         int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                         long_day(entries.day, today))
        painter.setFont(body)
        painter.setPen(self._muted)
        painter.drawText(QRect(x, y, width, heading_h),
                         int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                         day_counts(entries))
        y += heading_h + self.GAP
        for line in self._lines(entries, option, width):
            painter.setFont(line.font)
            painter.setPen(self._muted if line.muted else self._text)
            painter.drawText(QRect(x + line.indent, y, width - line.indent, line.height),
                             _WRAP, line.text)
            y += line.height + self.GAP
        painter.restore()


class DaysView(QListView):
    """A list of :class:`DaysModel` rows, sized to its viewport (rows re-wrap on resize)."""

    def __init__(self, palette: Palette, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("DaysList")
        model = DaysModel(self)
        delegate = DayDelegate(palette, self)
        model.modelAboutToBeReset.connect(delegate.forget)
        self.setModel(model)
        self.setItemDelegate(delegate)
        self.setUniformItemSizes(False)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.verticalScrollBar().setSingleStep(24)

    def days_model(self) -> DaysModel:
        model = self.model()
        assert isinstance(model, DaysModel)
        return model

    def select_day(self, day: date) -> date | None:
        """Select and show ``day``'s row, or the closest earlier day's; which day, or None."""
        model = self.days_model()
        row = model.nearest_row(day)
        if row is None:
            return None
        index = model.index(row, 0)
        self.setCurrentIndex(index)
        self.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtTop)
        return model.entries(row).day

