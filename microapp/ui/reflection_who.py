"""The "who" part of the evening reflection window: a name with completion from past
recipients, their relationship, a quiet suggestion of someone not thanked for a while, and their
past entries one click away.

Names come from the user's own history but are still treated as untrusted text: every label
is plain text and button captions escape "&" so a name can never become a mnemonic.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import QPointF, QStringListModel, Qt, Signal
from PySide6.QtGui import QKeyEvent, QMouseEvent, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QCompleter,
    QGridLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from microapp.core.gratitude import RELATIONSHIPS, parse_relationship, suggest_recipient
from microapp.core.records import GratitudeRecord, RecipientSummary
from microapp.ui.labels import plain_label
from microapp.ui.reflection_parts import day_text

NO_RELATIONSHIP = "—"
SUGGESTION_NAME_CHARS = 40  # a very long name must not stretch the window
PAST_ROWS = 5  # the past-entries list shows this many rows before it scrolls


def suggestion_text(summary: RecipientSummary) -> str:
    name = summary.name
    if len(name) > SUGGESTION_NAME_CHARS:
        name = name[:SUGGESTION_NAME_CHARS - 1].rstrip() + "…"
    about = f" ({summary.relationship})" if summary.relationship else ""
    return f"It has been a while since you thanked {name}{about}."


def past_entry_line(record: GratitudeRecord) -> str:
    return f"{day_text(record.day, year=True)} · {record.text}"


class SuggestionLink(QLabel):
    """A quiet, clickable line that wraps (a button cannot): click, Enter or Space to use it.
    Plain text, so a name is shown exactly as written."""

    clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("SuggestionLink")
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setWordWrap(True)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.setAttribute(Qt.WidgetAttribute.WA_Hover)
        self.setToolTip("Click to write to them — or just let it be")
        self.setAccessibleDescription("A suggestion: press Enter to write to them")

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.rect().contains(
                event.position().toPoint()):
            self.clicked.emit()
            event.accept()
            return
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.clicked.emit()
            event.accept()
            return
        super().keyPressEvent(event)


class RelationshipBox(QComboBox):
    """A combo box whose arrow is a small chevron painted in the text colour: the style
    sheet rounds the box, and a styled box would otherwise need an image for its arrow."""

    ARROW_SPACE = 24

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        pen = QPen(self.palette().color(QPalette.ColorRole.Text), 1.6)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        painter.setPen(pen)
        half = max(3.0, self.fontMetrics().height() / 5)
        centre = QPointF(self.width() - self.ARROW_SPACE / 2 - 2, self.height() / 2 + half / 4)
        painter.drawPolyline([centre + QPointF(-half, -half / 2), centre + QPointF(0, half / 2),
                              centre + QPointF(half, -half / 2)])
        painter.end()


class WhoSection(QWidget):
    """Name, relationship, suggestion and past entries. It reads history through the window,
    which hands it the recipients and a way to fetch one person's entries."""

    name_changed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._recipients: dict[str, RecipientSummary] = {}  # by casefolded name
        self._suggested: RecipientSummary | None = None
        self._relationship_chosen = False  # the user picked one: never overwrite it
        self._entries_for: Callable[[str], list[GratitudeRecord]] | None = None

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)

        grid = QGridLayout()
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(4)
        name_label = plain_label("&Who are you thankful for?", "FieldLabel", wrap=False)
        relation_label = plain_label("&Relationship", "FieldLabel", wrap=False)

        self.name_edit = QLineEdit(objectName="NameEdit")
        self.name_edit.setPlaceholderText("Their name")
        self.name_edit.setAccessibleName("Name of the person you are thanking")
        self.name_edit.setClearButtonEnabled(True)
        self.name_edit.setMaxLength(200)
        self._names = QStringListModel(self)
        self.completer = QCompleter(self._names, self)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.completer.setFilterMode(Qt.MatchFlag.MatchStartsWith)
        self.name_edit.setCompleter(self.completer)
        self.name_edit.textChanged.connect(self._on_name_changed)
        name_label.setBuddy(self.name_edit)

        self.relationship = RelationshipBox(objectName="RelationshipBox")
        self.relationship.setAccessibleName("Relationship")
        self.relationship.addItem(NO_RELATIONSHIP, "")
        for value in RELATIONSHIPS:
            self.relationship.addItem(str(value).capitalize(), str(value))
        self.relationship.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.relationship.activated.connect(self._on_relationship_picked)
        relation_label.setBuddy(self.relationship)

        self.past_button = QPushButton("&Past entries", objectName="QuietButton")
        self.past_button.setCheckable(True)
        self.past_button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.past_button.setToolTip("What you have written to this person before")
        self.past_button.toggled.connect(self._show_past)
        keep_place = self.past_button.sizePolicy()
        keep_place.setRetainSizeWhenHidden(True)  # the name field does not jump when it shows
        self.past_button.setSizePolicy(keep_place)
        self.past_button.hide()

        grid.addWidget(name_label, 0, 0)
        grid.addWidget(relation_label, 0, 1)
        grid.addWidget(self.name_edit, 1, 0)
        grid.addWidget(self.relationship, 1, 1)
        grid.addWidget(self.past_button, 1, 2)
        grid.setColumnStretch(0, 1)
        layout.addLayout(grid)

        self.suggestion = SuggestionLink()
        self.suggestion.clicked.connect(self.use_suggestion)
        self.suggestion.hide()
        layout.addWidget(self.suggestion)

        self.past_list = QListWidget(objectName="PastEntries")
        self.past_list.setAccessibleName("Past entries for this person")
        self.past_list.setWordWrap(True)
        self.past_list.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.past_list.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.past_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.past_list.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.past_list.hide()
        layout.addWidget(self.past_list)

    # -- data ----------------------------------------------------------------------------

    def set_entries_source(self, entries_for: Callable[[str], list[GratitudeRecord]]) -> None:
        """``entries_for(name) -> list[GratitudeRecord]``: how past entries are fetched."""
        self._entries_for = entries_for

    def set_recipients(self, recipients: list[RecipientSummary], today: date) -> None:
        self._recipients = {r.name.casefold(): r for r in recipients}
        self._names.setStringList([r.name for r in recipients])
        self._suggested = suggest_recipient(recipients, today)
        self._update_suggestion()
        self._update_past_button()

    def known(self, name: str) -> RecipientSummary | None:
        return self._recipients.get(name.strip().casefold())

    @property
    def name(self) -> str:
        return self.name_edit.text().strip()

    @property
    def relationship_value(self) -> str | None:
        return self.relationship.currentData() or None

    def clear(self) -> None:
        self._relationship_chosen = False
        self.name_edit.clear()
        self.relationship.setCurrentIndex(0)
        self.past_button.setChecked(False)

    # -- behaviour -----------------------------------------------------------------------

    def use_suggestion(self) -> None:
        """Write to the suggested person: their name (and relationship) in the fields."""
        if self._suggested is None:
            return
        self.name_edit.setText(self._suggested.name)
        self.name_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_relationship_picked(self, _index: int) -> None:
        self._relationship_chosen = True

    def _on_name_changed(self, text: str) -> None:
        person = self.known(text)
        if not self._relationship_chosen:
            value = _relationship_of(person) if person else ""
            index = self.relationship.findData(value)
            self.relationship.setCurrentIndex(max(index, 0))
        self._update_suggestion()
        self._update_past_button()
        self.name_changed.emit(text)

    def _update_suggestion(self) -> None:
        person = self._suggested
        show = person is not None and self.known(self.name_edit.text()) is not person
        if person is not None:
            self.suggestion.setText(suggestion_text(person))
            self.suggestion.setAccessibleName(suggestion_text(person))
        self.suggestion.setVisible(show)

    def _update_past_button(self) -> None:
        person = self.known(self.name_edit.text())
        count = person.count if person else 0
        self.past_button.setVisible(count > 0)
        noun = "entry" if count == 1 else "entries"
        self.past_button.setAccessibleDescription(f"{count} earlier {noun} for this person")
        if count == 0:
            self.past_button.setChecked(False)
        elif self.past_button.isChecked():
            self._fill_past()

    def _show_past(self, shown: bool) -> None:
        if shown:
            self._fill_past()
        self.past_list.setVisible(shown)

    def _fill_past(self) -> None:
        self.past_list.clear()
        person = self.known(self.name_edit.text())
        records = self._entries_for(person.name) if person and self._entries_for else []
        for record in records:
            # Item text is always plain; no tooltip, which Qt would read as rich text.
            self.past_list.addItem(QListWidgetItem(past_entry_line(record)))
        if not records:
            self.past_list.addItem(QListWidgetItem("Nothing yet."))
        rows = min(max(len(records), 1), PAST_ROWS)
        line = self.past_list.fontMetrics().lineSpacing()
        self.past_list.setFixedHeight(rows * (line + 8) + 2 * self.past_list.frameWidth() + 4)


def _relationship_of(person: RecipientSummary) -> str:
    """The combo value for a recipient's last relationship ("" when none or unknown)."""
    if not person.relationship:
        return ""
    try:
        parsed = parse_relationship(person.relationship)
    except ValueError:
        return ""
    return str(parsed) if parsed else ""


__all__ = ["NO_RELATIONSHIP", "WhoSection", "past_entry_line", "suggestion_text"]
