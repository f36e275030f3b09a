"""The Today panel: today's pauses and both streaks, with Pause now at hand.

The same widget serves as the tray's left-click popup and, where there is no system tray,
as the body of the small stand-in window.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from microapp.core.summary import (
    TodaySummary,
    meeting_line,
    pause_line,
    streak_line,
    today_heading,
)
from microapp.ui.theme import Palette, style_sheet

MAX_LISTED_PAUSES = 8


def _label(text: str = "", name: str | None = None) -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)  # meeting titles are untrusted
    label.setWordWrap(True)
    if name:
        label.setObjectName(name)
    return label


class TodayPanel(QFrame):
    pause_requested = Signal()
    quit_requested = Signal()

    def __init__(self, palette: Palette, *, show_quit: bool = False,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("TodayPanel")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        self.setStyleSheet(style_sheet("panel", palette, 10.5))
        self.setMinimumWidth(340)
        self.setMaximumWidth(460)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 14)
        layout.setSpacing(8)
        self.notice = _label("", "PanelNotice")
        self.notice.setContentsMargins(10, 8, 10, 8)  # not QSS padding: wrapped height stays right
        self.notice.hide()
        layout.addWidget(self.notice)
        self.heading = _label("Today", "PanelHeading")
        layout.addWidget(self.heading)
        self.summary_line = _label("", "PanelMuted")
        layout.addWidget(self.summary_line)
        self.next_meeting = _label("", "PanelNext")
        layout.addWidget(self.next_meeting)
        self.pause_list = _label("")
        layout.addWidget(self.pause_list)
        self.pause_streak = _label("")
        self.gratitude_streak = _label("")
        layout.addWidget(self.pause_streak)
        layout.addWidget(self.gratitude_streak)
        self.problems = _label("", "PanelProblem")
        layout.addWidget(self.problems)

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        if show_quit:
            self.quit_button = QPushButton("&Quit")
            self.quit_button.clicked.connect(self.quit_requested)
            buttons.addWidget(self.quit_button)
        self.pause_button = QPushButton("&Pause now", objectName="PrimaryButton")
        self.pause_button.setDefault(True)
        self.pause_button.clicked.connect(self.pause_requested)
        buttons.addWidget(self.pause_button)
        layout.addLayout(buttons)

    def set_notice(self, text: str | None) -> None:
        self.notice.setText(text or "")
        self.notice.setVisible(bool(text))

    def refresh(self, summary: TodaySummary) -> None:
        self.heading.setText(f"Today · {summary.day.strftime('%a %d %b')}")
        self.summary_line.setText(today_heading(summary))
        shown = summary.pauses[-MAX_LISTED_PAUSES:]
        lines = [pause_line(p) for p in shown]
        hidden = len(summary.pauses) - len(shown)
        if hidden:
            lines.insert(0, f"… and {hidden} earlier")
        self.pause_list.setText("\n".join(lines))
        self.pause_list.setVisible(bool(lines))
        self.pause_streak.setText(streak_line("Pause streak", summary.pause_streak))
        self.gratitude_streak.setText(streak_line("Gratitude streak", summary.gratitude_streak))
        next_text = meeting_line(summary.next_meeting) if summary.next_meeting else ""
        self.next_meeting.setText(next_text)
        self.next_meeting.setVisible(bool(next_text))
        problems = "\n".join(f"⚠ {line}" for line in summary.calendar_problems)
        self.problems.setText(problems)
        self.problems.setVisible(bool(problems))
