"""The weekly view: two questions about the current practice week, answered in one line each.

What the user typed is kept (schema 5, ``weekly_note``) and shown again when the window opens.
A refresh while the user is typing never overwrites their unsaved words.
"""

from __future__ import annotations

from datetime import date, timedelta, tzinfo

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from microapp.core.streaks import DayState, StreakSummary
from microapp.store.history_view import WeekNote
from microapp.ui.history_text import plural, short_day
from microapp.ui.labels import plain_label

MAX_ANSWER = 300


def week_title(week: date) -> str:
    """"This week · Mon 9 – Sun 15 Mar"."""
    return f"This week · {short_day(week)} – {short_day(week + timedelta(days=6))}"


def week_so_far(week: date, today: date, pauses: StreakSummary,
                gratitude: StreakSummary) -> str:
    """"So far: pauses on 3 days, a sentence on 2 evenings." - counts, never a verdict."""
    days = [week + timedelta(days=n) for n in range((today - week).days + 1)]
    paused = sum(1 for d in days if pauses.states.get(d) is DayState.DONE)
    thanked = sum(1 for d in days if gratitude.states.get(d) is DayState.DONE)
    return (f"So far: pauses on {plural(paused, 'day', 'days')}, "
            f"a sentence on {plural(thanked, 'evening', 'evenings')}.")


def saved_words(note: WeekNote | None, zone: tzinfo) -> str:
    """"Saved Tue 10 Mar, 20:31." (nothing when there is no saved answer)."""
    if note is None or note.updated is None:
        return ""
    local = note.updated.astimezone(zone)
    return f"Saved {short_day(local.date())}, {local:%H:%M}."


class WeeklyReflection(QWidget):
    """Asks which moments felt easiest and most meaningful this week."""

    save_requested = Signal(str, str)  # easiest, meaningful

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("WeeklyReflection")
        self.week: date | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 10)
        layout.setSpacing(8)
        self.title = plain_label("", "SectionHeading")
        layout.addWidget(self.title)
        self.so_far = plain_label("", "Muted", wrap=True)
        layout.addWidget(self.so_far)
        intro = plain_label(
            "Looking back over this week's pauses and sentences (listed below), two small "
            "questions. A few words are plenty.", "Explain", wrap=True)
        layout.addWidget(intro)

        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setVerticalSpacing(4)
        self.easiest = QLineEdit()
        self.easiest.setMaxLength(MAX_ANSWER)
        self.easiest.setPlaceholderText("e.g. the pause before Monday's stand-up")
        self.easiest.setAccessibleName("Which moment felt easiest this week?")
        self.meaningful = QLineEdit()
        self.meaningful.setMaxLength(MAX_ANSWER)
        self.meaningful.setPlaceholderText("e.g. thanking Sam for the patient code review")
        self.meaningful.setAccessibleName("Which moment felt most meaningful this week?")
        form.addRow(self._question("Which moment felt &easiest?", self.easiest), self.easiest)
        form.addRow(self._question("Which felt most &meaningful?", self.meaningful),
                    self.meaningful)
        answers = QWidget()
        answers.setLayout(form)
        answers.setMaximumWidth(640)  # a calm line length, even in a wide window
        form.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(answers)

        row = QHBoxLayout()
        self.save_button = QPushButton("Sa&ve this week")
        self.save_button.setObjectName("PrimaryButton")
        self.save_button.clicked.connect(self._save)
        row.addWidget(self.save_button)
        self.status = plain_label("", "Muted")
        row.addWidget(self.status, 1)
        layout.addLayout(row)
        layout.addStretch(1)
        for field in (self.easiest, self.meaningful):
            field.returnPressed.connect(self._save)
            field.textEdited.connect(self._edited)

    @staticmethod
    def _question(text: str, buddy: QWidget) -> QLabel:
        label = QLabel(text)  # our own words, with a mnemonic
        label.setBuddy(buddy)
        return label

    def show_week(self, week: date, note: WeekNote | None, so_far: str, zone: tzinfo) -> None:
        """Show ``week``'s saved answers - unless the user is editing this same week.
        ``zone``: the one "Saved at" times are shown in (the clock's)."""
        same_week = week == self.week
        self.week = week
        self.title.setText(week_title(week))
        self.so_far.setText(so_far)
        editing = same_week and (self.easiest.isModified() or self.meaningful.isModified())
        if editing:
            return
        for field, text in ((self.easiest, note.easiest if note else ""),
                            (self.meaningful, note.meaningful if note else "")):
            field.setText(text)
            field.setModified(False)
        self.status.setText(saved_words(note, zone))

    def saved(self, note: WeekNote, zone: tzinfo) -> None:
        """The answers were kept: they are no longer unsaved edits."""
        for field in (self.easiest, self.meaningful):
            field.setModified(False)
        self.status.setText(saved_words(note, zone) or "Cleared.")

    def _edited(self) -> None:
        self.status.setText("Not saved yet.")

    def _save(self) -> None:
        self.save_requested.emit(self.easiest.text(), self.meaningful.text())

