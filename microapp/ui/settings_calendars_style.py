"""The Calendars page's own styles (and two small look-and-size helpers), on top of the
Settings window's (resources/styles/settings.qss): the source cards, warning and success
lines, the rule lists, the busy bar, and backgrounds for the page's dialogs (child windows get
no window background of their own).

Rules on an ancestor's sheet compete by specificity, so each rule here starts with the page's
id (#SettingsPage) to win over the window's general ones (#SettingsWindow QLabel).
"""

from __future__ import annotations

from dataclasses import asdict

from PySide6.QtWidgets import QLabel, QWidget

from microapp.ui.theme import Palette

_SHEET = """
#SettingsPage QFrame#SourceRow {
    background: @button@; border: 1px solid @border@; border-radius: 10px;
}
#SettingsPage QFrame#SourceRow QLabel { background: transparent; }
#SettingsPage QCheckBox#SourceSwitch { font-weight: 600; }
#SettingsPage QLabel#SourceWhere, #SettingsPage QLabel#BusyText { color: @muted@; }
#SettingsPage QLabel[tone="problem"] { color: @warning@; }
#SettingsPage QLabel[tone="ok"] { color: @accent@; }
#SettingsPage QLabel#FieldError { color: @warning@; font-weight: 600; }
#SettingsPage QLabel#Hint { color: @muted@; }
#SettingsPage QLabel#FieldHeading { font-weight: 600; }
#SettingsPage QLineEdit[invalid="true"] { border: 2px solid @warning@; padding: 3px 7px; }
#SettingsPage QListWidget#RuleList {
    background: @button@; color: @text@; border: 1px solid @border@; border-radius: 8px;
    padding: 2px; outline: none;
}
#SettingsPage QListWidget#RuleList:focus { border: 2px solid @accent@; padding: 1px; }
#SettingsPage QListWidget#RuleList::item { padding: 2px 4px; }
#SettingsPage QListWidget#RuleList::item:selected { background: @accent_soft@; color: @text@; }
#SettingsPage QProgressBar {
    background: @button@; border: 1px solid @border@; border-radius: 4px; max-height: 8px;
}
#SettingsPage QProgressBar::chunk { background: @accent@; border-radius: 3px; }
QDialog#AddCalendarDialog, QMessageBox { background: @panel@; color: @text@; }
QDialog#AddCalendarDialog QLabel, QMessageBox QLabel { color: @text@; background: transparent; }
QDialog#AddCalendarDialog QLabel#Hint, QDialog#AddCalendarDialog QLabel#BusyText {
    color: @muted@;
}
QDialog#AddCalendarDialog QLabel[tone="problem"] { color: @warning@; }
QDialog#AddCalendarDialog QLabel[tone="ok"] { color: @accent@; }
QDialog#AddCalendarDialog QLabel#PageTitle { font-weight: 600; }
QDialog#AddCalendarDialog QPushButton#PrimaryButton {
    background: @accent@; color: @on_accent@; border-color: @accent@;
}
QDialog#AddCalendarDialog QPushButton#PrimaryButton:disabled {
    background: @accent_soft@; color: @muted@;
}
"""


def calendars_sheet(palette: Palette) -> str:
    sheet = _SHEET
    for key, value in asdict(palette).items():
        if isinstance(value, str):
            sheet = sheet.replace(f"@{key}@", value)
    return sheet


def set_tone(label: QLabel, tone: str) -> None:
    """"ok", "problem" or "" (plain): the style sheet colours each (warning for problems)."""
    if label.property("tone") != tone:
        label.setProperty("tone", tone)
        label.style().unpolish(label)
        label.style().polish(label)


def fit_height(window: QWidget) -> None:
    """Make a window tall enough for every line at its current width. Wrapped lines (results,
    notes) grow with their text, which a window's own minimum size does not follow: without
    this the other rows would be squeezed (seen at 100 % and 200 %)."""
    layout = window.layout()
    if layout is None:
        return
    layout.activate()
    width = max(window.width(), layout.minimumSize().width())
    need = layout.totalHeightForWidth(width) if layout.hasHeightForWidth() \
        else layout.totalMinimumSize().height()
    if need != window.minimumHeight():
        window.setMinimumHeight(need)
    if window.height() < need:
        window.resize(width, need)
