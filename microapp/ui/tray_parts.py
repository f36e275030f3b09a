"""The tray's words and its stand-in window: menu texts (plain, with mnemonics) and the small
window that takes the tray's place on desktops without one."""

from __future__ import annotations

from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QMenu, QVBoxLayout, QWidget

from microapp.core.snooze import SnoozeChoice
from microapp.ui.theme import Palette, app_icon
from microapp.ui.today_panel import TodayPanel

NO_TRAY_NOTICE = (
    "Your desktop shows no system tray, so microapp lives in this small window instead. "
    "On GNOME, the \"AppIndicator and KStatusNotifierItem Support\" extension adds one; "
    "the icon will appear there by itself. Closing this window keeps microapp running "
    "in the background; start microapp again to bring it back."
)

SNOOZE_TITLE = "Snooze pauses"
SETTINGS_TEXT = "S&ettings…"  # "S" is the snooze submenu's
RESUME_TEXT = "&Resume pauses"
# The key of each snooze choice in the submenu ("R" is Resume's).
SNOOZE_KEYS: dict[SnoozeChoice, str] = {
    SnoozeChoice.HALF_HOUR: "3", SnoozeChoice.HOUR: "1", SnoozeChoice.REST_OF_DAY: "d",
}
MAX_MENU_TITLE = 40  # characters of a meeting title shown in the menu

EVENING_MENU_TITLE = "Tonight's &reminder"
# The evening invitation's snooze choices (core.evening.SNOOZE_CHOICES keys) and their items.
EVENING_SNOOZE_LABELS: dict[str, str] = {
    "15m": "Remind me in &15 minutes",
    "1h": "Remind me in 1 &hour",
}
NOT_TONIGHT_TEXT = "&Not tonight"
INVITE_TOOLTIP = "Tonight's sentence is waiting"


def menu_text(text: str) -> str:
    """Plain text for a menu item: a literal "&" is doubled so it never makes a mnemonic."""
    return text.replace("&", "&&")


def with_mnemonic(text: str, key: str) -> str:
    """``text`` made safe for a menu, with "&" before ``key``: preferably where a word starts
    ("Pauses &snoozed", not "Pau&ses"), else at its first place. Unchanged if ``key`` is absent.
    """
    safe = menu_text(text)
    spots = [i for i, ch in enumerate(safe) if ch.lower() == key.lower()]
    at_words = [i for i in spots if i == 0 or not safe[i - 1].isalnum()]
    if not spots:
        return safe
    at = (at_words or spots)[0]
    return f"{safe[:at]}&{safe[at:]}"


def join_text(title: str | None, service: str | None) -> str:
    """The menu item "Join “Design review” · Zoom", with its "&J" mnemonic and literal "&"s."""
    title = " ".join((title or "").split())  # a title's line breaks stay out of the menu
    if len(title) > MAX_MENU_TITLE:
        title = title[:MAX_MENU_TITLE - 1].rstrip() + "…"
    text = f"&Join “{menu_text(title)}”" if title else "&Join next meeting"
    if service:
        text += f" · {menu_text(service)}"
    return text


class NoTrayWindow(QWidget):
    """The stand-in for the tray: the Today panel in an ordinary window."""

    def __init__(self, palette: Palette, snooze_menu: QMenu | None = None,
                 more_menu: QMenu | None = None) -> None:
        super().__init__()
        self.setWindowTitle("microapp")
        self.setWindowIcon(app_icon())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.panel = TodayPanel(palette, show_quit=True, snooze_menu=snooze_menu,
                                more_menu=more_menu, parent=self)
        self.panel.set_notice(NO_TRAY_NOTICE)
        layout.addWidget(self.panel)

    def closeEvent(self, event: QCloseEvent) -> None:
        event.ignore()
        self.hide()  # never quits the app by accident; Quit is one button away
