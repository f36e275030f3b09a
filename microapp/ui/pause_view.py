"""One screen's window of the doorway pause: it renders what the session tells it and forwards
what the user does. It holds no timers and decides no outcome (see ``ui/pause_session.py``).

Keyboard: the window appears without taking focus and holds back every key until the user
reaches for it on purpose — real pointer motion over it or a click (the session module explains
why). Until then a stray key press (on a platform that gave focus anyway) chooses nothing and a
quiet line says the keys are held back, so typing is never swallowed silently.
"""

from __future__ import annotations

import re

from PySide6.QtCore import QEvent, QObject, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QCloseEvent,
    QFont,
    QFontMetricsF,
    QGuiApplication,
    QKeyEvent,
    QPainter,
    QPaintEvent,
    QResizeEvent,
    QScreen,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QAbstractButton,
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from microapp.core.pause_content import PauseContent
from microapp.core.records import Intention
from microapp.ui.breath import DEFAULT_SIDE, BreathGuide
from microapp.ui.intention_button import IntentionButton
from microapp.ui.theme import Palette, qcolor, style_sheet

INTENTION_KEYS = {Qt.Key.Key_1: Intention.NOTICE, Qt.Key.Key_2: Intention.LISTEN,
                  Qt.Key.Key_3: Intention.ENCOURAGE}
JOIN_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
PAUSE_NOW_LINE = "One slow breath between what was and what comes next."
HELD_KEYS_LINE = "Keys are ignored until you move the pointer here"
MIN_SHRINK = 0.6  # the circle on a small screen, relative to 1280x800...
MIN_GUIDE = 96  # ...and the least it gives way to keep the card on the screen
_PX = re.compile(r"@px:(\d+)@")  # overlay.qss lengths in logical pixels at scale 1


def fit_lines(text: str, font: QFont, width: float, max_lines: int) -> str:
    """``text`` cut (with "…") to what wraps into ``max_lines`` lines of ``width``: a calendar
    title can be any length, and the card must not grow off a small screen."""
    metrics = QFontMetricsF(font)
    limit = metrics.lineSpacing() * max_lines + 1
    box = QRectF(0, 0, width, 1e6)
    flags = int(Qt.TextFlag.TextWordWrap | Qt.AlignmentFlag.AlignHCenter)

    def fits(candidate: str) -> bool:
        bounds = metrics.boundingRect(box, flags, candidate)
        return bounds.height() <= limit and bounds.width() <= width + 1

    if fits(text):
        return text
    low, high = 0, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if fits(text[:middle].rstrip() + "…"):
            low = middle
        else:
            high = middle - 1
    cut = text[:low].rstrip()
    space = cut.rfind(" ")
    if space > 0 and len(cut) - space <= 16:  # end on a whole word when one is near
        cut = cut[:space].rstrip(" ,;:·-")
    return cut + "…"


class PauseView(QWidget):
    """The pause on one screen: frameless, on top, translucent, shown without taking focus."""

    intention_chosen = Signal(str)  # Intention value
    skip_requested = Signal()  # Esc or the close button
    join_requested = Signal()  # Enter or the Join button
    closed = Signal()  # the window closed, for whatever reason (the session decides what it means)
    activated_unasked = Signal()  # the platform gave this window focus before the user reached it

    MOTION_THRESHOLD_PX = 6  # how far the pointer must travel to count as reaching for the pause

    def __init__(self, palette: Palette, content: PauseContent, *, when_text: str = "",
                 join_label: str | None = None, reduce_motion: bool = False,
                 screen: QScreen | None = None) -> None:
        super().__init__(None, Qt.WindowType.Window | Qt.WindowType.FramelessWindowHint
                         | Qt.WindowType.WindowStaysOnTopHint)
        self.setObjectName("PauseOverlay")
        self.setWindowTitle("microapp — doorway pause")
        self.setAttribute(Qt.WidgetAttribute.WA_TranslucentBackground)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)
        self._palette = palette
        self._content = content
        self._heading_text = content.heading
        self._screen: QScreen | None = None
        self._scale = 0.0
        self._ready = False
        self._anchor: QPointF | None = None
        self._watching: QObject | None = None
        self._build(when_text, join_label, reduce_motion)
        self._apply_scale(1.0)
        if screen is not None:
            self.place(screen)

    # -- building ------------------------------------------------------------------------

    def _build(self, when_text: str, join_label: str | None, reduce_motion: bool) -> None:
        self.card = QWidget(self, objectName="PauseCard")
        column = QVBoxLayout(self.card)
        column.setContentsMargins(0, 0, 0, 0)
        self._column = column

        self.heading = self._label(self._heading_text, "PauseTitle", wrap=True)
        self.heading.setToolTip(self._heading_text)
        self.heading.setAccessibleName(self._heading_text)
        self.when = self._label(when_text or PAUSE_NOW_LINE, "PauseSubtitle", wrap=True)
        column.addWidget(self.heading, 0, Qt.AlignmentFlag.AlignHCenter)
        column.addWidget(self.when)

        self.guide = BreathGuide(self._palette, self.card)
        column.addWidget(self.guide, 0, Qt.AlignmentFlag.AlignHCenter)
        self.cue = self._label("Breathe out, slowly" if reduce_motion else "Breathe in…",
                               "BreathCue")
        column.addWidget(self.cue)

        self._row = QHBoxLayout()
        self.buttons = QButtonGroup(self)
        self.buttons.setExclusive(True)
        self.intention_buttons: dict[Intention, IntentionButton] = {}
        for number, intention in enumerate(Intention, start=1):
            button = IntentionButton(number, intention)
            button.clicked.connect(lambda _=False, i=intention: self.intention_chosen.emit(i))
            self.buttons.addButton(button, number)
            self.intention_buttons[intention] = button
            self._row.addWidget(button)
        column.addLayout(self._row)

        self.join_button: QPushButton | None = None
        if join_label is not None:
            self.join_button = QPushButton(join_label, self.card, objectName="JoinButton")
            self.join_button.setAccessibleName(f"{join_label} (Enter)")
            self.join_button.setToolTip("Open the call link (Enter). The pause keeps going.")
            self.join_button.clicked.connect(self.join_requested)
            column.addWidget(self.join_button, 0, Qt.AlignmentFlag.AlignHCenter)

        self.countdown = self._label("", "Countdown")
        column.addWidget(self.countdown)
        keys = "1 · 2 · 3 choose an intention"
        keys += "      Enter joins" if join_label is not None else ""
        self.key_hint = self._label(keys + "      Esc leaves", "KeyHint")
        self.key_notice = self._label(HELD_KEYS_LINE, "KeyNotice")
        self.key_notice.hide()
        column.addWidget(self.key_hint)
        column.addWidget(self.key_notice)

        # The card sits in a row of its own: a vertical layout would ask its height for the
        # window's width, not the card's, and squeeze it on a wide screen.
        middle = QHBoxLayout()
        middle.addStretch(1)
        middle.addWidget(self.card)
        middle.addStretch(1)
        self._outer = QVBoxLayout(self)
        # The window is the screen's size, whatever the content asks for: _fit_card makes the
        # content fit instead of letting the window grow past the screen's edge.
        self._outer.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
        self._outer.addStretch(1)
        self._outer.addLayout(middle)
        self._outer.addStretch(1)

        self.close_button = QPushButton("✕", self, objectName="ClosePause")
        self.close_button.setToolTip("Leave the pause (Esc)")
        self.close_button.setAccessibleName("Leave the pause")
        self.close_button.clicked.connect(self.skip_requested)
        for button in self.findChildren(QAbstractButton):
            button.pressed.connect(self.make_keyboard_ready)  # a click is a deliberate act
        self._set_buttons_focusable(False)

    def _label(self, text: str, name: str, *, wrap: bool = False) -> QLabel:
        label = QLabel(text, self.card, objectName=name)
        label.setTextFormat(Qt.TextFormat.PlainText)  # calendar titles are untrusted text
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        label.setWordWrap(wrap)
        return label

    def _set_buttons_focusable(self, focusable: bool) -> None:
        """Buttons take no focus until the user reaches the pause: a window activated by the
        platform would otherwise focus the first button, and Space would press it."""
        policy = Qt.FocusPolicy.TabFocus if focusable else Qt.FocusPolicy.NoFocus
        for button in self.findChildren(QAbstractButton):
            button.setFocusPolicy(policy)

    # -- size: calm on 800x600, not lost on 3840x2160 ---------------------------------------

    def _apply_scale(self, scale: float) -> None:
        """Style for a window ``scale`` times a 1280x800 one (logical pixels). Large screens
        grow everything; type never shrinks below the user's own font size."""
        if abs(scale - self._scale) < 0.01:
            return
        self._scale = scale
        grow = self._grow()
        base_pt = QGuiApplication.font().pointSizeF()
        sheet = style_sheet("overlay", self._palette, (base_pt if base_pt > 0 else 11.0) * grow)
        self.setStyleSheet(_PX.sub(lambda m: str(round(int(m.group(1)) * grow)), sheet))
        margin = round(24 * grow)
        self._outer.setContentsMargins(margin, margin, margin, margin)
        self._column.setSpacing(round(16 * min(self._scale, grow)))
        self._row.setSpacing(round(14 * grow))
        for button in self.intention_buttons.values():
            button.set_scale(grow)

    def _grow(self) -> float:
        return max(1.0, min(self._scale, 2.0))

    def _fit_card(self) -> None:
        """The card as wide as three intentions (or the window, when narrower) and no taller
        than the window: on a small screen the circle gives way first, then the heading's
        second line. The heading also keeps clear of the close button."""
        grow = self._grow()
        margin = round(24 * grow)
        row_width = round(3 * IntentionButton.WIDEST * grow) + 2 * self._row.spacing()
        card_width = max(1, min(row_width, self.width() - 2 * margin))
        self.card.setFixedWidth(card_width)
        self.close_button.adjustSize()
        close_x = self.width() - self.close_button.width() - margin
        self.close_button.move(close_x, margin)
        heading_width = max(1, min(card_width, 2 * close_x - self.width() - margin))
        self.heading.setFixedWidth(heading_width)
        self.heading.ensurePolished()
        room = self.height() - 2 * margin
        side = round(DEFAULT_SIDE * max(MIN_SHRINK, min(self._scale, 2.0)))
        for lines in (2, 1):
            self.heading.setText(fit_lines(self._heading_text, self.heading.font(),
                                           heading_width, lines))
            self.guide.set_side(side)
            excess = self.card.heightForWidth(card_width) - room
            if excess > 0:
                self.guide.set_side(max(MIN_GUIDE, side - excess))
                excess = self.card.heightForWidth(card_width) - room
            if excess <= 0:
                break

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        size = event.size()
        self._apply_scale(min(size.width() / 1280, size.height() / 800))
        self._fit_card()

    # -- placing -------------------------------------------------------------------------

    @property
    def target_screen(self) -> QScreen | None:
        """The screen this view was made for (kept even while Qt moves a dying screen's windows
        elsewhere, so the session can tell which view belonged to it)."""
        return self._screen

    def place(self, screen: QScreen) -> None:
        """Cover ``screen``, and keep covering it when its size changes."""
        if self._screen is not None and self._screen is not screen:
            self._screen.geometryChanged.disconnect(self.setGeometry)
        if self._screen is not screen:
            screen.geometryChanged.connect(self.setGeometry)
        self._screen = screen
        self.setScreen(screen)
        self.setGeometry(screen.geometry())

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QBrush(qcolor(self._palette.wash)))
        painter.end()

    # -- what the session shows -------------------------------------------------------------

    def show_intention(self, intention: Intention | None) -> None:
        for choice, button in self.intention_buttons.items():
            button.setChecked(choice is intention)

    def set_when_text(self, text: str) -> None:
        self.when.setText(text or PAUSE_NOW_LINE)

    def set_cue(self, text: str) -> None:
        self.cue.setText(text)

    def set_countdown(self, remaining: float, seconds: int) -> None:
        self.guide.set_remaining(remaining)
        text = str(seconds) if seconds else ""
        if text != self.countdown.text():  # called each frame: the number repaints as it changes
            self.countdown.setText(text)

    def set_join_state(self, text: str, *, enabled: bool = True) -> None:
        if self.join_button is not None:
            self.join_button.setText(text)
            self.join_button.setEnabled(enabled)

    # -- reaching for the pause ------------------------------------------------------------

    @property
    def keyboard_ready(self) -> bool:
        """Whether the user has reached this window on purpose, so keys act on it."""
        return self._ready

    def make_keyboard_ready(self) -> None:
        """The user reached for the pause: take focus so 1/2/3, Enter and Esc work here."""
        if self._ready:
            return
        self._ready = True
        self.key_notice.hide()
        self.key_hint.show()
        self._set_buttons_focusable(True)
        self.raise_()
        self.activateWindow()
        self.setFocus(Qt.FocusReason.MouseFocusReason)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        window = self.windowHandle()
        if window is not None and window is not self._watching:
            # Every mouse event of this window passes its QWindow, whichever child is under the
            # pointer and whether or not that child tracks the mouse.
            window.installEventFilter(self)
            self._watching = window

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._watching:
            kind = event.type()
            if kind == QEvent.Type.MouseMove:
                self._pointer_at(event.globalPosition())
            elif kind in (QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonDblClick):
                self.make_keyboard_ready()
            elif not self._ready and kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease,
                                              QEvent.Type.ShortcutOverride):
                if kind == QEvent.Type.KeyPress:
                    self._hold_key()
                return True  # never reaches a button: nothing is pressed by accident
        return False

    def _pointer_at(self, position: QPointF) -> None:
        """Readiness needs real motion: the first position seen is only where the pointer
        happened to rest when the window appeared under it (X11 reports that with an enter
        event and sometimes a move); travelling a few pixels from there is the user's hand."""
        if self._ready:
            return
        if self._anchor is None:
            self._anchor = QPointF(position)
            return
        travelled = position - self._anchor
        if abs(travelled.x()) + abs(travelled.y()) >= self.MOTION_THRESHOLD_PX:
            self.make_keyboard_ready()

    def _hold_key(self) -> None:
        self.key_hint.hide()
        self.key_notice.show()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if (event.type() == QEvent.Type.ActivationChange and self.isActiveWindow()
                and not self._ready):
            self.activated_unasked.emit()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if not self._ready:
            self._hold_key()
            event.accept()
            return
        key = Qt.Key(event.key())
        if key in INTENTION_KEYS:
            self.intention_chosen.emit(INTENTION_KEYS[key].value)
        elif key in JOIN_KEYS:
            self.join_requested.emit()
        elif key == Qt.Key.Key_Escape:
            self.skip_requested.emit()
        else:
            super().keyPressEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        super().closeEvent(event)
        if event.isAccepted():
            self.closed.emit()
