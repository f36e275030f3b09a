"""The Today panel: the next meeting (with Join), today's pauses and both streaks, with Pause
now at hand - and, while tonight's gratitude invitation waits, a line that says so with Write….

The same widget serves as the tray's left-click popup and, where there is no system tray,
as the body of the small stand-in window (which also offers Snooze and Quit, since it has no
tray menu).
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from microapp.core.summary import (
    TodaySummary,
    meeting_line,
    pause_line,
    streak_line,
    today_heading,
)
from microapp.ui.theme import Palette, style_sheet
from microapp.ui.tray_icons import IconState, state_pixmap

MAX_LISTED_PAUSES = 8
STATE_ICON_PX = 22
NEAR_TEXT = "A doorway pause is coming up"
INVITE_TEXT = "Tonight's sentence is waiting"

# The invitation's row: a soft band like the notice, its button like Join (panel.qss has the
# rest of the panel's style; these two rules only add to it).
_INVITE_QSS = """
#TodayPanel QFrame#PanelInvite {{ background: {accent_soft}; border-radius: 8px; }}
#TodayPanel QFrame#PanelInvite QLabel {{ color: {text}; }}
#TodayPanel QPushButton#WriteButton {{
    background: {button}; color: {text}; border: 1px solid {accent}; font-weight: 600;
    padding: 5px 16px;
}}
#TodayPanel QPushButton#WriteButton:hover, #TodayPanel QPushButton#WriteButton:focus {{
    border: 2px solid {accent}; padding: 4px 15px;
}}
"""


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
    join_requested = Signal(str)  # the next meeting's call link
    gratitude_requested = Signal()  # Write… on the evening invitation

    def __init__(self, palette: Palette, *, show_quit: bool = False,
                 snooze_menu: QMenu | None = None, more_menu: QMenu | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("TodayPanel")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        self.setStyleSheet(style_sheet("panel", palette, 10.5) + _INVITE_QSS.format(
            accent_soft=palette.accent_soft, text=palette.text, button=palette.button,
            accent=palette.accent))
        self.setMinimumWidth(340)
        self.setMaximumWidth(460)
        self._join_url: str | None = None
        self._state = IconState.IDLE
        self._invite = False

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 14)
        layout.setSpacing(8)
        self.notice = _label("", "PanelNotice")
        self.notice.setContentsMargins(10, 8, 10, 8)  # not QSS padding: wrapped height stays right
        self.notice.hide()
        layout.addWidget(self.notice)

        header = QHBoxLayout()
        header.setSpacing(8)
        self.state_icon = QLabel()
        self.state_icon.setFixedSize(QSize(STATE_ICON_PX, STATE_ICON_PX))
        header.addWidget(self.state_icon, 0, Qt.AlignmentFlag.AlignVCenter)
        self.heading = _label("Today", "PanelHeading")
        header.addWidget(self.heading, 1)
        layout.addLayout(header)
        self.state_line = _label("", "PanelState")
        self.state_line.hide()
        layout.addWidget(self.state_line)

        self.invite_row = QFrame(objectName="PanelInvite")
        invite = QHBoxLayout(self.invite_row)
        invite.setContentsMargins(10, 6, 6, 6)
        invite.setSpacing(10)
        self.invite_line = _label(INVITE_TEXT)
        invite.addWidget(self.invite_line, 1)
        self.write_button = QPushButton("&Write…", objectName="WriteButton")
        self.write_button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.write_button.setToolTip("Open the evening reflection")
        self.write_button.clicked.connect(self.gratitude_requested)
        invite.addWidget(self.write_button, 0, Qt.AlignmentFlag.AlignVCenter)
        self.invite_row.hide()
        layout.addWidget(self.invite_row)
        self.summary_line = _label("", "PanelMuted")
        layout.addWidget(self.summary_line)

        next_row = QHBoxLayout()
        next_row.setSpacing(10)
        self.next_meeting = _label("", "PanelNext")
        next_row.addWidget(self.next_meeting, 1)
        self.join_button = QPushButton("&Join", objectName="JoinButton")
        self.join_button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.join_button.setToolTip("Open the call link")
        self.join_button.clicked.connect(self._join)
        self.join_button.hide()
        next_row.addWidget(self.join_button, 0, Qt.AlignmentFlag.AlignVCenter)
        layout.addLayout(next_row)

        self.pause_list = _label("")
        layout.addWidget(self.pause_list)
        self.pause_streak = _label("")
        self.gratitude_streak = _label("")
        layout.addWidget(self.pause_streak)
        layout.addWidget(self.gratitude_streak)
        self.problems = _label("", "PanelProblem")
        layout.addWidget(self.problems)

        buttons = QHBoxLayout()
        self.snooze_button: QPushButton | None = None
        if snooze_menu is not None:
            self.snooze_button = QPushButton("&Snooze")
            self.snooze_button.setMenu(snooze_menu)
            buttons.addWidget(self.snooze_button)
        self.more_button: QPushButton | None = None
        if more_menu is not None:  # without a tray: everything its menu offers, one button away
            self.more_button = QPushButton("&More")
            self.more_button.setMenu(more_menu)
            buttons.addWidget(self.more_button)
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
        self.set_state(IconState.IDLE)

    @property
    def join_url(self) -> str | None:
        """The call link the Join button opens (None while it is hidden)."""
        return self._join_url

    @property
    def state(self) -> IconState:
        return self._state

    def set_notice(self, text: str | None) -> None:
        self.notice.setText(text or "")
        self.notice.setVisible(bool(text))

    @property
    def invitation(self) -> bool:
        """Whether the evening invitation's line is shown."""
        return self._invite

    def set_invitation(self, pending: bool) -> None:
        """Show (or hide) "Tonight's sentence is waiting" with Write…, and the icon's dot."""
        self._invite = bool(pending)
        self.invite_row.setVisible(self._invite)
        self._draw_state_icon()

    def set_state(self, state: IconState, detail: str | None = None) -> None:
        """Show the tray's state here too: its icon by the heading and, unless idle, one line
        (``detail``, e.g. "Pauses snoozed until 14:30", or a default for a near pause)."""
        self._state = IconState(state)
        self._draw_state_icon()
        text = "" if self._state is IconState.IDLE else (
            detail or (NEAR_TEXT if self._state is IconState.NEAR else "Pauses are snoozed"))
        self.state_line.setText(text)
        self.state_line.setVisible(bool(text))

    def _draw_state_icon(self) -> None:
        self.state_icon.setPixmap(state_pixmap(self._state, STATE_ICON_PX,
                                               self.devicePixelRatioF(), self._invite))

    def showEvent(self, event: QShowEvent) -> None:
        self._draw_state_icon()  # now on its screen: sharp at that screen's scale
        super().showEvent(event)
        if not self.isAncestorOf(self.focusWidget()):
            # Start on Pause now, never on Join: a stray Space must not open a call.
            self.pause_button.setFocus(Qt.FocusReason.OtherFocusReason)

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
        meeting = summary.next_meeting
        next_text = meeting_line(meeting, today=summary.day) if meeting else ""
        self.next_meeting.setText(next_text)
        self.next_meeting.setVisible(bool(next_text))
        self._join_url = meeting.join_url if meeting and meeting.join_url else None
        self.join_button.setVisible(self._join_url is not None)
        if meeting is not None and self._join_url:
            # Accessible text is plain text, so the untrusted title is safe here.
            self.join_button.setAccessibleName(f"Join {meeting.title}")
        problems = "\n".join(f"⚠ {line}" for line in summary.calendar_problems)
        self.problems.setText(problems)
        self.problems.setVisible(bool(problems))

    def _join(self) -> None:
        if self._join_url:
            self.join_requested.emit(self._join_url)
