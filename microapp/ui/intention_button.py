"""The intention choices of the doorway pause: one large, checkable button each."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from microapp.core.records import INTENTION_HINTS, Intention


class IntentionButton(QPushButton):
    """A large, checkable choice: the key and name on one line, what it means below, wrapped."""

    NARROWEST = 170  # three fit side by side on an 800-pixel-wide screen
    WIDEST = 276

    def __init__(self, number: int, intention: Intention, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Intention")
        self.setCheckable(True)
        self.setAccessibleName(f"{intention.value.capitalize()} (key {number})")
        self.setAccessibleDescription(INTENTION_HINTS[intention])
        self.setToolTip(INTENTION_HINTS[intention])
        layout = QVBoxLayout(self)
        layout.setSpacing(4)
        name = QLabel(f"{number}  ·  {intention.value.capitalize()}", objectName="IntentionName")
        hint = QLabel(INTENTION_HINTS[intention], objectName="IntentionHint")
        for label in (name, hint):
            label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
            label.setTextFormat(Qt.TextFormat.PlainText)
            layout.addWidget(label)
        layout.addStretch(1)  # names line up across the row whatever each hint's length
        hint.setWordWrap(True)
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        policy.setHeightForWidth(True)  # as tall as the hint needs at the width it gets
        self.setSizePolicy(policy)
        self.set_scale(1.0)

    def set_scale(self, scale: float) -> None:
        self._narrowest = round(self.NARROWEST * scale)
        self._widest = round(self.WIDEST * scale)
        self.layout().setContentsMargins(round(18 * scale), round(14 * scale),
                                         round(18 * scale), round(14 * scale))
        self.setMinimumWidth(self._narrowest)
        self.setMaximumWidth(self._widest)
        self.updateGeometry()

    def sizeHint(self) -> QSize:
        return QSize(self._widest, self._height_at(self._narrowest))

    def minimumSizeHint(self) -> QSize:
        return QSize(self._narrowest, self._height_at(self._narrowest))

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._height_at(width)

    def _height_at(self, width: int) -> int:
        """Tall enough for the hint wrapped at ``width`` (the tallest it can get)."""
        layout = self.layout()
        if layout.hasHeightForWidth():
            return layout.heightForWidth(width)
        return layout.sizeHint().height()
