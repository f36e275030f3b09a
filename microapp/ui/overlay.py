"""The doorway pause: a calm veil over the screen for a few breaths, and one intention.

It never traps anyone: Esc, the close button or closing the window leaves at once (recorded
as ``skipped``); letting it run its course records ``completed``. Timing lives on the class
(``DURATION_MS``, ``FADE_MS``) so tests can shorten it instead of waiting.
"""

from __future__ import annotations

from PySide6.QtCore import (
    QEasingCurve,
    QElapsedTimer,
    QPropertyAnimation,
    QRectF,
    QSize,
    Qt,
    QTimer,
    QVariantAnimation,
    Signal,
)
from PySide6.QtGui import (
    QBrush,
    QCloseEvent,
    QCursor,
    QGuiApplication,
    QKeyEvent,
    QPainter,
    QPaintEvent,
    QPen,
)
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from microapp.core.records import INTENTION_HINTS, Intention, Outcome
from microapp.ui.theme import Palette, qcolor, style_sheet

INTENTION_KEYS = {Qt.Key.Key_1: Intention.NOTICE, Qt.Key.Key_2: Intention.LISTEN,
                  Qt.Key.Key_3: Intention.ENCOURAGE}


class BreathGuide(QWidget):
    """A circle that grows on the in-breath and settles on the out-breath, ringed by a thin arc
    that quietly counts the pause down."""

    def __init__(self, palette: Palette, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._palette = palette
        self.phase = 0.35  # 0..1, how full the breath is
        self.remaining = 1.0  # 0..1, share of the pause still to come
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)

    def sizeHint(self) -> QSize:
        return QSize(220, 220)

    def set_phase(self, phase: float) -> None:
        self.phase = phase
        self.update()

    def set_remaining(self, remaining: float) -> None:
        self.remaining = max(0.0, min(1.0, remaining))
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        side = min(self.width(), self.height())
        centre = self.rect().center().toPointF()
        ring = side / 2 - 6
        track = qcolor(self._palette.border)
        painter.setPen(QPen(track, 2))
        painter.setBrush(QBrush())
        painter.drawEllipse(centre, ring, ring)
        arc = QPen(qcolor(self._palette.accent), 3)
        arc.setCapStyle(Qt.PenCapStyle.RoundCap)
        painter.setPen(arc)
        box = QRectF(centre.x() - ring, centre.y() - ring, 2 * ring, 2 * ring)
        painter.drawArc(box, 90 * 16, int(self.remaining * 360 * 16))
        breath = qcolor(self._palette.breath)
        breath.setAlphaF(0.55)
        painter.setPen(QPen(Qt.PenStyle.NoPen))
        # An explicit QBrush: PySide6 6.12 mis-counts references to None when a QColor is
        # converted implicitly here, and after a few thousand frames the interpreter aborts.
        painter.setBrush(QBrush(breath))
        radius = (0.28 + 0.6 * self.phase) * ring
        painter.drawEllipse(centre, radius, radius)
        painter.end()


class IntentionButton(QPushButton):
    """A large, checkable choice: the key and name on one line, what it means below, wrapped."""

    def __init__(self, number: int, intention: Intention, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Intention")
        self.setCheckable(True)
        self.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.setAccessibleName(f"{intention.value.capitalize()} (key {number})")
        self.setAccessibleDescription(INTENTION_HINTS[intention])
        self.setToolTip(INTENTION_HINTS[intention])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 14, 18, 14)
        layout.setSpacing(4)
        name = QLabel(f"{number}  ·  {intention.value.capitalize()}", objectName="IntentionName")
        hint = QLabel(INTENTION_HINTS[intention], objectName="IntentionHint")
        for label in (name, hint):
            label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
            label.setTextFormat(Qt.TextFormat.PlainText)
            layout.addWidget(label)
        hint.setWordWrap(True)
        self.setMinimumWidth(self.NARROWEST)
        self.setMaximumWidth(self.WIDEST)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)

    NARROWEST = 170  # three fit side by side on an 800-pixel-wide screen
    WIDEST = 260

    def sizeHint(self) -> QSize:
        return QSize(self.WIDEST, self._height_at(self.NARROWEST))

    def minimumSizeHint(self) -> QSize:
        return QSize(self.NARROWEST, self._height_at(self.NARROWEST))

    def _height_at(self, width: int) -> int:
        """Tall enough for the hint wrapped at ``width`` (the tallest it can get)."""
        layout = self.layout()
        if layout.hasHeightForWidth():
            return layout.heightForWidth(width)
        return layout.sizeHint().height()


class PauseOverlay(QWidget):
    """One doorway pause on one screen. Emits :attr:`finished` exactly once."""

    # outcome value and intention value ("" for none). Plain str arguments: PySide6 mis-counts
    # references to None passed through `object` signal arguments and aborts at exit.
    finished = Signal(str, str)

    DURATION_MS = 5000
    FADE_MS = 450
    IN_BREATH_SHARE = 0.4  # the in-breath is shorter than the long, settling out-breath

    def __init__(self, palette: Palette, *, meeting: str | None = None,
                 reduce_motion: bool = False) -> None:
        super().__init__(None, Qt.WindowType.Window | Qt.WindowType.FramelessWindowHint
                         | Qt.WindowType.WindowStaysOnTopHint)
        self.setObjectName("PauseOverlay")
        self.setWindowTitle("microapp — doorway pause")
        self.setAttribute(Qt.WidgetAttribute.WA_TranslucentBackground)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._palette = palette
        self._reduce_motion = reduce_motion
        self._done = False
        self.intention: Intention | None = None
        self.setStyleSheet(style_sheet("overlay", palette, self.font().pointSizeF() or 11.0))
        self._build(meeting)

        self._clock = QElapsedTimer()
        self._end_timer = QTimer(self, singleShot=True, interval=self.DURATION_MS)
        self._end_timer.timeout.connect(self._complete)
        self._tick = QTimer(self, interval=100 if not reduce_motion else 1000)
        self._tick.timeout.connect(self._update_countdown)
        self._breath = QVariantAnimation(self, duration=self.DURATION_MS)
        self._breath.setKeyValueAt(0.0, 0.0)
        self._breath.setKeyValueAt(self.IN_BREATH_SHARE, 1.0)
        self._breath.setKeyValueAt(1.0, 0.1)
        self._breath.setEasingCurve(QEasingCurve.Type.InOutSine)
        self._breath.valueChanged.connect(self._on_breath)
        self._fade: QPropertyAnimation | None = None

    # -- building ------------------------------------------------------------------------

    def _build(self, meeting: str | None) -> None:
        card = QWidget(self, objectName="PauseCard")
        column = QVBoxLayout(card)
        column.setSpacing(18)
        column.setAlignment(Qt.AlignmentFlag.AlignCenter)

        title = QLabel("A doorway pause", objectName="PauseTitle")
        subtitle_text = (f"Before {meeting}" if meeting
                         else "One slow breath between what was and what comes next.")
        subtitle = QLabel(subtitle_text, objectName="PauseSubtitle")
        for label in (title, subtitle):
            label.setTextFormat(Qt.TextFormat.PlainText)  # meeting titles are untrusted text
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            label.setWordWrap(True)
        column.addWidget(title)
        column.addWidget(subtitle)

        self.guide = BreathGuide(self._palette, card)
        column.addWidget(self.guide, 0, Qt.AlignmentFlag.AlignHCenter)
        self.cue = QLabel("Breathe in…", objectName="BreathCue")
        self.cue.setAlignment(Qt.AlignmentFlag.AlignCenter)
        if self._reduce_motion:
            self.cue.setText("Breathe out, slowly")
        column.addWidget(self.cue)

        row = QHBoxLayout()
        row.setSpacing(14)
        self.buttons = QButtonGroup(self)
        self.buttons.setExclusive(True)
        self.intention_buttons: dict[Intention, QPushButton] = {}
        for number, intention in enumerate(Intention, start=1):
            button = IntentionButton(number, intention)
            button.clicked.connect(lambda _=False, i=intention: self.choose(i))
            self.buttons.addButton(button, number)
            self.intention_buttons[intention] = button
            row.addWidget(button)
        column.addSpacing(8)
        column.addLayout(row)

        self.countdown = QLabel("", objectName="Countdown")
        self.countdown.setAlignment(Qt.AlignmentFlag.AlignCenter)
        column.addWidget(self.countdown)
        hint = QLabel("1 · 2 · 3 choose an intention      Esc leaves", objectName="KeyHint")
        hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        column.addWidget(hint)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(24, 24, 24, 24)
        outer.addStretch(1)
        outer.addWidget(card, 0, Qt.AlignmentFlag.AlignCenter)
        outer.addStretch(1)

        self.close_button = QPushButton("✕", self, objectName="ClosePause")
        self.close_button.setToolTip("Leave the pause (Esc)")
        self.close_button.setAccessibleName("Leave the pause")
        self.close_button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.close_button.clicked.connect(self.skip)

    # -- showing -------------------------------------------------------------------------

    def start(self) -> None:
        """Show on the screen that has the mouse pointer and begin the pause."""
        screen = QGuiApplication.screenAt(QCursor.pos()) or QGuiApplication.primaryScreen()
        if screen is not None:
            self.setScreen(screen)
            self.setGeometry(screen.geometry())
        self.show()
        self.raise_()
        self.activateWindow()
        self.setFocus(Qt.FocusReason.ActiveWindowFocusReason)
        self._clock.start()
        self._end_timer.start(self.DURATION_MS)
        self._tick.start()
        if not self._reduce_motion:
            self._breath.setDuration(self.DURATION_MS)
            self._breath.start()
        self._update_countdown()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        margin = 24
        self.close_button.move(self.width() - self.close_button.width() - margin, margin)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QBrush(qcolor(self._palette.wash)))
        painter.end()

    # -- what the user does --------------------------------------------------------------

    def choose(self, intention: Intention) -> None:
        self.intention = intention
        self.intention_buttons[intention].setChecked(True)

    def skip(self) -> None:
        """Leave at once."""
        self._finish(Outcome.SKIPPED)
        self.close()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = Qt.Key(event.key())
        if key in INTENTION_KEYS:
            self.choose(INTENTION_KEYS[key])
        elif key == Qt.Key.Key_Escape:
            self.skip()
        else:
            super().keyPressEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        self._finish(Outcome.SKIPPED)  # closed by the window manager: leaving early
        super().closeEvent(event)

    # -- time ----------------------------------------------------------------------------

    def _on_breath(self, value: float) -> None:
        self.guide.set_phase(float(value))
        inhaling = self._breath.currentTime() < self.IN_BREATH_SHARE * self._breath.duration()
        self.cue.setText("Breathe in…" if inhaling else "…and breathe out")

    def _update_countdown(self) -> None:
        elapsed = self._clock.elapsed() if self._clock.isValid() else 0
        left_ms = max(0, self.DURATION_MS - elapsed)
        self.guide.set_remaining(left_ms / self.DURATION_MS if self.DURATION_MS else 0)
        seconds = (left_ms + 999) // 1000
        self.countdown.setText(f"{seconds}" if seconds else "")

    def _complete(self) -> None:
        self._finish(Outcome.COMPLETED)
        self._fade = QPropertyAnimation(self, b"windowOpacity", self)
        self._fade.setDuration(self.FADE_MS)
        self._fade.setStartValue(1.0)
        self._fade.setEndValue(0.0)
        self._fade.finished.connect(self.close)
        self._fade.start()

    def _finish(self, outcome: Outcome) -> None:
        if self._done:
            return
        self._done = True
        self._end_timer.stop()
        self._tick.stop()
        self._breath.stop()
        self.finished.emit(outcome.value, self.intention.value if self.intention else "")

    @property
    def done(self) -> bool:
        return self._done
