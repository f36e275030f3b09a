"""The layout of the evening reflection window: the scrolling body (who, the sentence, the
actions, the day) and the quiet "not now?" bar under it. Widgets only; what they do is wired
up in ``reflection_window.py``.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from microapp.core.gratitude import INVITE_LINE
from microapp.ui.labels import plain_label
from microapp.ui.reflection_parts import DaySection, SentenceSection, SoftCheckBox
from microapp.ui.reflection_who import WhoSection

TITLE = "Tonight's sentence"
INTRO = "One person, one small thing they do — in a sentence you could say to them."
MARGIN = 28  # left and right, shared by the body and the bar so they line up


class ReflectionBody(QWidget):
    """Everything above the "not now?" bar, top to bottom in reading order."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ReflectionBody")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(MARGIN, 22, MARGIN, 18)
        layout.setSpacing(12)
        header = QVBoxLayout()
        header.setSpacing(2)
        header.addWidget(plain_label(TITLE, "Title", wrap=False))
        header.addWidget(plain_label(INTRO, "Intro", wrap=True))
        layout.addLayout(header)

        self.yesterday = SoftCheckBox()
        self.yesterday.setObjectName("YesterdayToggle")
        self.yesterday.setAccessibleName("This sentence is for yesterday")
        self.yesterday.hide()
        layout.addWidget(self.yesterday)
        self.who = WhoSection()
        layout.addWidget(self.who)
        self.sentence = SentenceSection()
        self.who.name_changed.connect(self.sentence.set_recipient)
        layout.addWidget(self.sentence)
        self.invite = SoftCheckBox("Add a line &inviting them to try it too")
        self.invite.setObjectName("Invite")
        self.invite.setToolTip(INVITE_LINE)
        layout.addWidget(self.invite)

        self.status = plain_label("", "StatusOk", wrap=True)
        self.status.setContentsMargins(10, 7, 10, 7)  # not QSS padding: wrapped height stays right
        self.status.setAccessibleName("Status")
        self.status.hide()
        layout.addWidget(self.status)

        actions = QHBoxLayout()
        actions.setSpacing(10)
        self.save_button = QPushButton("&Save", objectName="PrimaryButton")
        self.save_button.setDefault(True)
        self.save_button.setToolTip("Save it (Ctrl+Enter)")
        self.copy_button = QPushButton("&Copy", objectName="ActionButton")
        self.copy_button.setToolTip("Copy it, to send it your own way (saves it too)")
        self.email_button = QPushButton("&Email", objectName="ActionButton")
        self.email_button.setToolTip("Open it in your mail app (saves it too)")
        for button in (self.save_button, self.copy_button, self.email_button):
            actions.addWidget(button)
        actions.addStretch(1)
        layout.addLayout(actions)

        rule = QFrame(objectName="Rule")
        rule.setFrameShape(QFrame.Shape.HLine)
        rule.setFixedHeight(1)
        layout.addSpacing(6)
        layout.addWidget(rule)
        layout.addSpacing(2)
        self.day = DaySection()
        layout.addWidget(self.day)
        layout.addStretch(1)


class LaterBar(QWidget):
    """"Not now?": remind me in 15 minutes, in an hour, or not tonight."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ReflectionFooter")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        row = QHBoxLayout(self)
        row.setContentsMargins(MARGIN, 10, MARGIN, 12)
        row.setSpacing(8)
        row.addWidget(plain_label("Not now?", "Muted", wrap=False))
        self.later_15 = QPushButton("Remind me in &15 min", objectName="QuietButton")
        self.later_60 = QPushButton("In 1 &hour", objectName="QuietButton")
        self.not_tonight = QPushButton("&Not tonight", objectName="QuietButton")
        for button in (self.later_15, self.later_60, self.not_tonight):
            row.addWidget(button)
        row.addStretch(1)
