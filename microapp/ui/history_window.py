"""The History window: both practices' streaks and year heatmaps, the days, search, the
intentions of the last 30 days and the weekly reflection.

Construction and use::

    window = HistoryWindow(palette, history, clock, rest_days=(5, 6), day_starts_at=time(4, 0))
    window.show()
    window.refresh()   # whenever the history changed (the app calls it)

``palette`` is :data:`~microapp.ui.theme.LIGHT` or :data:`~microapp.ui.theme.DARK`;
``history`` the open :class:`~microapp.store.history.History` (its ``db`` is read through
:mod:`microapp.store.history_view`, a fixed handful of queries per refresh whatever the size
of the history); ``clock`` decides "today" together with ``day_starts_at``; ``rest_days``
are the gratitude rest weekdays (Monday=0). Building the window runs the first
:meth:`HistoryWindow.refresh`, so it is complete once constructed.

:attr:`HistoryWindow.restore_requested` carries a backup path when the user confirmed a
restore: the app closes its store, calls :func:`microapp.store.backup.restore` and reopens
it (the window never does that itself). :attr:`HistoryWindow.history_changed` says an import
added rows (the window has refreshed itself; the tray and Today panel may want to as well).
Export, import and backup run on a worker thread (see :mod:`microapp.ui.history_actions`).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, time
from itertools import pairwise

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from microapp.core.clock import Clock, practice_day
from microapp.core.streaks import gratitude_streaks, pause_streaks
from microapp.store.history import History
from microapp.store.history_view import (
    HistoryData,
    intention_shares,
    load_history,
    practice_days,
    practice_week,
    save_weekly_note,
    search,
    weekly_note,
)
from microapp.ui.heatmap import first_day
from microapp.ui.history_actions import HistoryActions
from microapp.ui.history_days import DaysView
from microapp.ui.history_practice import PracticeSection
from microapp.ui.history_text import long_day, plural, short_day
from microapp.ui.history_week import WeeklyReflection, week_so_far
from microapp.ui.intention_chart import IntentionChart
from microapp.ui.labels import plain_label
from microapp.ui.theme import Palette, app_icon, style_sheet

TITLE = "microapp — history"
DEFAULT_SIZE = (900, 680)


class HistoryWindow(QWidget):
    """See the module docstring."""

    restore_requested = Signal(str)  # the backup file the user chose and confirmed
    history_changed = Signal()  # the window itself changed the history (an import)
    SEARCH_DELAY_MS = 250  # typing pauses this long before the search runs

    def __init__(self, palette: Palette, history: History, clock: Clock, *,
                 rest_days: Collection[int] = (), day_starts_at: time = time(4, 0),
                 parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.history = history
        self.clock = clock
        self.rest_days = tuple(rest_days)
        self.day_starts_at = day_starts_at
        self.today: date | None = None
        self._recent: HistoryData | None = None
        self._event_days: list[date] = []

        self.setObjectName("HistoryWindow")
        self.setWindowTitle(TITLE)
        self.setWindowIcon(app_icon())
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        self.setStyleSheet(style_sheet("history", palette, 10.5))
        self.resize(*DEFAULT_SIZE)
        self._build(palette)
        self.refresh()

    # -- building ----------------------------------------------------------------------------

    def _build(self, palette: Palette) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 12)
        layout.setSpacing(8)

        self.chart = IntentionChart(palette)
        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.setSpacing(4)
        side_layout.addWidget(plain_label("Intentions · last 30 days", "SectionTitle"))
        side_layout.addWidget(self.chart)
        self.pauses = PracticeSection(palette, "pause", side=side)
        self.gratitude = PracticeSection(palette, "gratitude")
        self.week = WeeklyReflection()
        self.tabs = QTabWidget()
        self.tabs.setObjectName("PracticeTabs")
        self.tabs.setDocumentMode(False)
        self.tabs.addTab(self.pauses, "&Pauses")
        self.tabs.addTab(self.gratitude, "&Gratitude")
        self.tabs.addTab(self.week, "This &week")
        layout.addWidget(self.tabs)

        header = QHBoxLayout()
        header.setSpacing(8)
        self.days = DaysView(palette)
        days_label = QLabel("&Days")
        days_label.setObjectName("SectionHeading")
        days_label.setBuddy(self.days)
        header.addWidget(days_label)
        self.status = plain_label("", "Muted")
        # A long search text must never widen the window: the line gives way instead.
        self.status.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        header.addWidget(self.status, 1)
        search_label = QLabel("&Search")
        self.search_field = QLineEdit()
        self.search_field.setPlaceholderText("sentences and names")
        self.search_field.setClearButtonEnabled(True)
        self.search_field.setAccessibleName("Search sentences and names")
        self.search_field.setMinimumWidth(200)
        search_label.setBuddy(self.search_field)
        header.addWidget(search_label)
        header.addWidget(self.search_field)
        layout.addLayout(header)
        layout.addWidget(self.days, 1)

        self.buttons = QHBoxLayout()
        self.buttons.setSpacing(8)
        self.actions = HistoryActions(self, self.history, self.clock, self.buttons)
        self.actions.restore_requested.connect(self.restore_requested)
        self.actions.history_changed.connect(self.refresh)
        self.actions.history_changed.connect(self.history_changed)
        self.close_button = QPushButton("&Close")
        self.close_button.clicked.connect(self.close)
        self.buttons.addWidget(self.close_button)
        layout.addLayout(self.buttons)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(self.SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.run_search)
        self.search_field.textChanged.connect(self._search_later)
        self.pauses.day_activated.connect(self.show_day)
        self.gratitude.day_activated.connect(self.show_day)
        self.week.save_requested.connect(self.save_week)
        self.days.activated.connect(self._row_activated)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self._escape)
        # Tab bar, the visible page, the search, the list, the buttons (hidden pages are skipped).
        order = [self.tabs, self.pauses.heatmap, self.gratitude.heatmap, self.week.easiest,
                 self.week.meaningful, self.week.save_button, self.search_field, self.days,
                 *self.actions.buttons, self.close_button]
        for before, after in pairwise(order):
            self.setTabOrder(before, after)

    # -- loading -----------------------------------------------------------------------------

    def refresh(self) -> None:
        """Read everything again (history, today, this week) and show it."""
        db = self.history.db
        now = self.clock.now()
        today = practice_day(now, self.day_starts_at)
        self.today = today
        counts = practice_days(db)
        pause = pause_streaks(counts.pause_outcomes(), today)
        thanks = gratitude_streaks(counts.gratitude_days(), today, self.rest_days)
        self._recent = load_history(db, since=first_day(today))
        self._event_days = counts.event_days()
        self.pauses.show_streak(today, pause, self._recent.days)
        self.gratitude.show_streak(today, thanks, self._recent.days)
        self.chart.set_shares(intention_shares(db, today))
        week = practice_week(today)
        self.week.show_week(week, weekly_note(db, week),
                            week_so_far(week, today, pause, thanks), self.clock.zone())
        selected = self.selected_day()
        if self.search_field.text().strip():
            self.run_search()
        else:
            self._show_all_days()
        if selected is not None and not self.days.days_model().searching:
            self.days.select_day(selected)

    def _show_all_days(self) -> None:
        assert self._recent is not None and self.today is not None
        db = self.history.db

        def older(since: date, until: date) -> HistoryData:
            return load_history(db, since=since, until=until)

        self.days.days_model().set_history(self.today, self._event_days, self._recent, older)

    # -- the days and search -----------------------------------------------------------------

    def selected_day(self) -> date | None:
        index = self.days.currentIndex()
        if not index.isValid():
            return None
        return self.days.days_model().entries(index.row()).day

    def show_day(self, day: date) -> None:
        """Select ``day`` in the list (a heatmap cell was activated); says so if it is empty."""
        if self.search_field.text():
            self.search_field.blockSignals(True)
            self.search_field.clear()
            self.search_field.blockSignals(False)
            self._search_timer.stop()
            self._show_all_days()
        shown = self.days.select_day(day)
        if shown == day:
            self.status.setText(f"· {long_day(day, self.today)}")
        elif shown is None:
            self.status.setText(f"· Nothing recorded on or before {short_day(day)}.")
        else:
            self.status.setText(f"· Nothing recorded on {short_day(day)}; "
                                f"showing {short_day(shown)}.")

    def _search_later(self) -> None:
        self._search_timer.start()

    def run_search(self) -> None:
        """Filter the days to the sentences and recipients matching the search text."""
        self._search_timer.stop()
        text = self.search_field.text().strip()
        if not text:
            self._show_all_days()
            self.status.setText("")
            return
        hits = search(self.history.db, text)
        self.days.days_model().show_results(hits)
        found = plural(len(hits), "sentence", "sentences") if hits else "Nothing"
        self.status.setText(f"· {found} matching “{text}”")

    def _row_activated(self, index: QModelIndex) -> None:
        day = self.days.days_model().entries(index.row()).day
        section = self.gratitude if self.tabs.currentWidget() is self.gratitude else self.pauses
        if section.heatmap.first <= day <= section.heatmap.today:
            section.heatmap.set_focused_day(day)

    def _escape(self) -> None:
        if self.search_field.hasFocus() and self.search_field.text():
            self.search_field.clear()
        else:
            self.close()

    # -- the week ----------------------------------------------------------------------------

    def save_week(self, easiest: str, meaningful: str) -> None:
        week = self.week.week
        if week is None:
            return
        note = save_weekly_note(self.history.db, week, easiest, meaningful, self.clock.now())
        self.week.saved(note, self.clock.zone())

    def closeEvent(self, event: QCloseEvent) -> None:
        self._search_timer.stop()
        super().closeEvent(event)
