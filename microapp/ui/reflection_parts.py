"""Parts of the evening reflection window: the one sentence with its gentle hints, and the
day itself (today's pauses and the one-line micro-round); and the small helpers the other
reflection modules share (plain-text labels, dates, the mail opener, the "discard?" question).
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QColor, QDesktopServices, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import (
    QCheckBox,
    QGridLayout,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QSizePolicy,
    QStyle,
    QStyleOptionButton,
    QVBoxLayout,
    QWidget,
)

from microapp.core.gratitude import INVITE_LINE, Hint, sentence_hints
from microapp.core.records import MicroRound, PauseRecord
from microapp.core.summary import pause_line
from microapp.ui.labels import plain_label

SENTENCE_EXAMPLE = ("For example: “Ana, you stay after practice to show Leo the backhand, "
                    "and he comes home grinning.”")
HINTS_RESTING = "Gentle hints appear as you write. They never stop you saving."
OK_MARK, TODO_MARK = "✓", "•"
MAX_LISTED_PAUSES = 8
NO_PAUSES = "No pauses today — that is fine too."
MICRO_FIELDS = (
    ("useful", "&Useful", "What felt useful?"),
    ("confusing", "Con&fusing", "…confusing?"),
    ("energizing", "Ener&gizing", "…energizing?"),
)




def day_text(day: date, *, year: bool = False) -> str:
    """"Mon 9 Mar" (with the year: "Mon 9 Mar 2026"), the same on every platform."""
    text = f"{day:%a} {day.day} {day:%b}"
    return f"{text} {day.year}" if year else text


def repolish(widget: QWidget, name: str) -> None:
    """Switch a widget's object name and let the style sheet see it."""
    if widget.objectName() != name:
        widget.setObjectName(name)
        widget.style().unpolish(widget)
        widget.style().polish(widget)


def open_mail_url(url: str) -> bool:
    """The default opener. StrictMode: the URL is already percent-encoded exactly as RFC 6068
    wants, and Qt must take it as it is rather than encode it a second time."""
    return QDesktopServices.openUrl(QUrl(url, QUrl.ParsingMode.StrictMode))


def reason_of(exc: BaseException) -> str:
    """One short line saying why something failed ("database is locked")."""
    text = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return text.strip().splitlines()[0].rstrip(".") if text.strip() else type(exc).__name__


def message_text(sentence: str, invite: bool) -> str:
    """What Copy puts on the clipboard: the sentence as written (plus the invitation line)."""
    sentence = sentence.strip()
    return f"{sentence}\n\n{INVITE_LINE}" if invite else sentence


def ask_to_discard(parent: QWidget) -> bool:
    """Ask whether an unsaved sentence may go: True for Discard, False for Keep writing
    (also Esc, and the default)."""
    box = QMessageBox(QMessageBox.Icon.Question, "Your sentence is not saved",
                      "Your sentence is not saved yet. Keep writing, or let it go?",
                      QMessageBox.StandardButton.NoButton, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    keep = box.addButton("&Keep writing", QMessageBox.ButtonRole.RejectRole)
    discard = box.addButton("&Discard", QMessageBox.ButtonRole.DestructiveRole)
    box.setDefaultButton(keep)
    box.setEscapeButton(keep)
    box.exec()
    return box.clickedButton() is discard


class SoftCheckBox(QCheckBox):
    """A check box drawn by the style sheet (a rounded box, filled with the accent when
    checked) with its check mark painted here: a styled indicator has no mark of its own,
    and an image would not follow the palette."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.mark_color = QColor("#FFFFFF")

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self.isChecked():
            return
        option = QStyleOptionButton()
        self.initStyleOption(option)
        box = QRectF(self.style().subElementRect(
            QStyle.SubElement.SE_CheckBoxIndicator, option, self))
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        pen = QPen(self.mark_color, max(1.6, box.width() / 8))
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        painter.setPen(pen)
        w, h = box.width(), box.height()
        painter.drawPolyline([QPointF(box.left() + w * 0.25, box.top() + h * 0.52),
                              QPointF(box.left() + w * 0.43, box.top() + h * 0.70),
                              QPointF(box.left() + w * 0.76, box.top() + h * 0.32)])
        painter.end()


class SentenceEdit(QPlainTextEdit):
    """A few lines for the sentence: Tab moves on (the sentence never needs a tab)."""

    LINES = 4

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("SentenceEdit")
        self.setTabChangesFocus(True)
        self.setAccessibleName("Your sentence of gratitude")
        self.setPlaceholderText(SENTENCE_EXAMPLE)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)
        self.document().setDocumentMargin(6)

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        line = self.fontMetrics().lineSpacing()
        margins = self.contentsMargins()
        extra = margins.top() + margins.bottom() + 2 * int(self.document().documentMargin())
        hint.setHeight(self.LINES * line + extra + 4)
        return hint

    def minimumSizeHint(self) -> QSize:
        hint = self.sizeHint()
        hint.setWidth(super().minimumSizeHint().width())
        return hint


class SentenceSection(QWidget):
    """The sentence and its live hints, computed a moment after typing stops."""

    HINT_DELAY_MS = 300  # tests shorten it

    hints_updated = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._recipient = ""
        self._hints: list[Hint] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        label = plain_label("&One sentence, said to them", "FieldLabel", wrap=False)
        layout.addWidget(label)
        self.edit = SentenceEdit()
        label.setBuddy(self.edit)
        layout.addWidget(self.edit)

        hints = QWidget(objectName="Hints")
        grid = QGridLayout(hints)
        grid.setContentsMargins(2, 2, 2, 0)
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(2)
        self.resting = plain_label(HINTS_RESTING, "HintResting", wrap=True)
        grid.addWidget(self.resting, 0, 0, 1, 2)
        # One row per hint: the mark in its own column, so a wrapped message hangs under
        # its first line rather than under the mark.
        self.hint_marks = [plain_label("", "HintTodo", wrap=False) for _ in range(3)]
        self.hint_labels = [plain_label("", "HintTodo", wrap=True) for _ in range(3)]
        for row, (mark, message) in enumerate(zip(self.hint_marks, self.hint_labels,
                                                  strict=True), start=1):
            grid.addWidget(mark, row, 0, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(message, row, 1)
        grid.setColumnStretch(1, 1)
        layout.addWidget(hints)

        self._timer = QTimer(self, singleShot=True)
        self._timer.timeout.connect(self.update_hints)
        self.edit.textChanged.connect(self._schedule)
        self._render()

    @property
    def text(self) -> str:
        return self.edit.toPlainText()

    @property
    def hints(self) -> list[Hint]:
        return list(self._hints)

    def set_recipient(self, name: str) -> None:
        self._recipient = name.strip()
        self._schedule()

    def clear(self) -> None:
        self.edit.clear()
        self._timer.stop()
        self.update_hints()

    def _schedule(self) -> None:
        self._timer.start(self.HINT_DELAY_MS)

    def update_hints(self) -> None:
        """Work the hints out now (the timer calls this once typing pauses)."""
        self._timer.stop()
        self._hints = sentence_hints(self.edit.toPlainText(), recipient=self._recipient)
        self._render()
        self.hints_updated.emit()

    def _render(self) -> None:
        self.resting.setVisible(not self._hints)
        for i, (mark, message) in enumerate(zip(self.hint_marks, self.hint_labels,
                                                strict=True)):
            hint = self._hints[i] if i < len(self._hints) else None
            mark.setVisible(hint is not None)
            message.setVisible(hint is not None)
            if hint is None:
                continue
            mark.setText(OK_MARK if hint.ok else TODO_MARK)
            message.setText(hint.message)
            message.setAccessibleName(("Done: " if hint.ok else "Hint: ") + hint.message)
            for label in (mark, message):
                repolish(label, "HintOk" if hint.ok else "HintTodo")


class DaySection(QWidget):
    """Today's pauses with their intentions, and the one-line micro-round for the day."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._loaded: tuple[str, str, str] = ("", "", "")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        self.heading = plain_label("Today", "SectionHeading", wrap=False)
        layout.addWidget(self.heading)
        self.pauses = plain_label("", "PauseList", wrap=True)
        self.pauses.setAccessibleName("Today's pauses")
        layout.addWidget(self.pauses)

        grid = QGridLayout()
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(2)
        self.fields: dict[str, QLineEdit] = {}
        for column, (key, caption, placeholder) in enumerate(MICRO_FIELDS):
            label = plain_label(caption, "SmallLabel", wrap=False)
            edit = QLineEdit(objectName="MicroEdit")
            edit.setPlaceholderText(placeholder)
            edit.setAccessibleName(f"What felt {key} today")
            edit.setMaxLength(300)
            label.setBuddy(edit)
            grid.addWidget(label, 0, column)
            grid.addWidget(edit, 1, column)
            grid.setColumnStretch(column, 1)
            self.fields[key] = edit
        intro = plain_label("One line on the day", "SubHeading", wrap=False)
        layout.addSpacing(4)
        layout.addWidget(intro)
        layout.addLayout(grid)

    def show_day(self, day: date, pauses: list[PauseRecord]) -> None:
        self.heading.setText(f"Today · {day_text(day)}")
        shown = pauses[-MAX_LISTED_PAUSES:]
        lines = [pause_line(p) for p in shown]
        if len(pauses) > len(shown):
            lines.insert(0, f"… and {len(pauses) - len(shown)} earlier")
        self.pauses.setText("\n".join(lines) or NO_PAUSES)
        repolish(self.pauses, "PauseList" if lines else "MutedLine")

    def load_micro_round(self, saved: MicroRound | None) -> None:
        values = (saved.useful, saved.confusing, saved.energizing) if saved else ("", "", "")
        for (key, _, _), value in zip(MICRO_FIELDS, values, strict=True):
            self.fields[key].setText(value)
        self._loaded = self.values()

    def values(self) -> tuple[str, str, str]:
        """(useful, confusing, energizing) as typed, trimmed."""
        return tuple(self.fields[key].text().strip() for key, _, _ in MICRO_FIELDS)  # type: ignore[return-value]

    def changed(self) -> bool:
        return self.values() != self._loaded

    def mark_saved(self) -> None:
        self._loaded = self.values()
