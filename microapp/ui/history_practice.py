"""One practice's part of the History window: its streak numbers and its year heatmap.

The numbers are current streak, longest streak and strength (with one sentence saying what
strength means); a line below marks a milestone gently or, after a run ended, speaks of what
stays. Nothing here scolds.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from microapp.core.milestones import Practice
from microapp.core.streaks import DayState, StreakSummary
from microapp.core.summary import days_phrase
from microapp.store.history_view import DayEntries
from microapp.ui.heatmap import CellKind, HeatCell, Heatmap, HeatmapLegend, first_day
from microapp.ui.history_text import (
    STRENGTH_SENTENCES,
    day_tooltip,
    percent,
    streak_note,
)
from microapp.ui.labels import plain_label
from microapp.ui.theme import Palette

_KINDS = {DayState.DONE: CellKind.DONE, DayState.NEUTRAL: CellKind.NEUTRAL,
          DayState.MISSED: CellKind.MISSED, DayState.PENDING: CellKind.PENDING}
TITLES: dict[Practice, str] = {"pause": "Doorway pauses", "gratitude": "Gratitude"}
NEUTRAL_WORDS: dict[Practice, str] = {"pause": "no pauses", "gratitude": "rest day"}




def level_for(entries: DayEntries | None, practice: Practice) -> int:
    """1-4: how full a done day's cell is (more completed pauses / sentences, fuller)."""
    if entries is None:
        return 1
    if practice == "gratitude":
        return 3 if len(entries.gratitude) <= 1 else 4
    done = entries.completed
    return 1 if done <= 1 else 2 if done == 2 else 3 if done <= 4 else 4


def heat_cells(streak: StreakSummary, details: Mapping[date, DayEntries], today: date,
               practice: Practice) -> dict[date, HeatCell]:
    """A :class:`HeatCell` for every day of the grid ending with ``today``."""
    cells: dict[date, HeatCell] = {}
    day = first_day(today)
    while day <= today:
        state = streak.states.get(day)
        forgiven = day in streak.forgiven
        entries = details.get(day)
        text = day_tooltip(day, state, forgiven, entries, practice)
        if state is None:
            cells[day] = HeatCell(CellKind.NONE, text)
        elif state is DayState.DONE:
            cells[day] = HeatCell(CellKind.DONE, text, level_for(entries, practice))
        else:
            kind = CellKind.FORGIVEN if forgiven else _KINDS[state]
            cells[day] = HeatCell(kind, text)
        day += timedelta(days=1)
    return cells


class _Stat(QWidget):
    """A big number over a small caption."""

    def __init__(self, caption: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.value = plain_label("", "StatValue")
        self.caption = plain_label(caption, "StatCaption")
        layout.addWidget(self.value)
        layout.addWidget(self.caption)

    def set_value(self, text: str, spoken: str) -> None:
        self.value.setText(text)
        self.setAccessibleName(f"{self.caption.text()}: {spoken}")


class PracticeSection(QWidget):
    """Numbers, milestone line, strength sentence, heatmap, legend and the focused day."""

    day_activated = Signal(object)  # date

    def __init__(self, palette: Palette, practice: Practice, *, side: QWidget | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.practice = practice
        self.setObjectName("PracticeSection")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 10)
        layout.setSpacing(6)

        top = QHBoxLayout()
        top.setSpacing(24)
        numbers = QVBoxLayout()
        numbers.setSpacing(6)
        stats = QGridLayout()
        stats.setHorizontalSpacing(28)
        self.current = _Stat("current streak")
        self.longest = _Stat("longest streak")
        self.strength = _Stat("strength")
        for col, stat in enumerate((self.current, self.longest, self.strength)):
            stats.addWidget(stat, 0, col)
        stats.setColumnStretch(3, 1)
        numbers.addLayout(stats)
        self.note = plain_label("", "StreakNote", wrap=True)
        numbers.addWidget(self.note)
        self.explain = plain_label(STRENGTH_SENTENCES[practice], "Explain", wrap=True)
        numbers.addWidget(self.explain)
        numbers.addStretch(1)
        top.addLayout(numbers, 3)
        if side is not None:
            top.addWidget(side, 2, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(top)

        grid_title = QLabel("Past &year")  # our own words: the mnemonic needs a non-plain label
        grid_title.setObjectName("SectionTitle")
        self.heatmap = Heatmap(palette, f"{TITLES[practice]}, past year")
        grid_title.setBuddy(self.heatmap)
        layout.addSpacing(4)
        # The grid stops growing at its largest cells; its title row and legend stop with it,
        # so the focused day's words stay right above the grid's right edge.
        year = QWidget()
        year.setMaximumWidth(self.heatmap.sizeHint().width())
        year_layout = QVBoxLayout(year)
        year_layout.setContentsMargins(0, 0, 0, 0)
        year_layout.setSpacing(6)
        title_row = QHBoxLayout()
        title_row.setSpacing(12)
        title_row.addWidget(grid_title)
        title_row.addStretch(1)
        self.focus_line = plain_label("", "FocusLine")
        self.focus_line.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        title_row.addWidget(self.focus_line)
        year_layout.addLayout(title_row)
        year_layout.addWidget(self.heatmap)
        self.legend = HeatmapLegend(palette, NEUTRAL_WORDS[practice])
        year_layout.addWidget(self.legend)
        layout.addWidget(year)
        layout.addStretch(1)

        self.heatmap.day_focused.connect(self._show_focus)
        self.heatmap.day_activated.connect(self.day_activated)
        self.streak: StreakSummary | None = None

    def show_streak(self, today: date, streak: StreakSummary,
                    details: Mapping[date, DayEntries]) -> None:
        self.streak = streak
        self.current.set_value(days_phrase(streak.current), days_phrase(streak.current))
        self.longest.set_value(days_phrase(streak.longest), days_phrase(streak.longest))
        self.strength.set_value(percent(streak.strength), percent(streak.strength))
        self.note.setText(streak_note(streak, self.practice))
        self.note.setVisible(bool(self.note.text()))
        self.heatmap.set_cells(today, heat_cells(streak, details, today, self.practice))
        self._show_focus(self.heatmap.focused_day)

    def _show_focus(self, day: date) -> None:
        text = self.heatmap.cell(day).text
        self.focus_line.setText(text)
        self.focus_line.setAccessibleName(f"Focused day: {text}")
