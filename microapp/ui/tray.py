"""The tray icon and its menu, or, where there is no system tray, a small window instead.

Qt decides once per process whether a tray exists, and some desktops (GNOME without the
AppIndicator extension) have none. Then a small window with the same actions explains why,
and a slow timer keeps asking, so the icon appears as soon as a tray host does.

The tray only shows and asks: it emits requests (pause, join, snooze, write, history,
settings, quit) and is told what to show (today's summary, the meeting to join, the snooze, a
near pause, a waiting evening invitation). It keeps no clock, so whoever snoozes also
un-snoozes: call ``set_snooze(None, now)`` when the snooze ends, and ``set_invitation(False)``
when the invitation is answered, snoozed or declined.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QObject, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCursor, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from microapp.core.snooze import SNOOZE_LABELS, SnoozeChoice, is_snoozed, snooze_text
from microapp.core.summary import TodaySummary, tooltip_text
from microapp.ui.theme import Palette, app_icon
from microapp.ui.today_panel import TodayPanel
from microapp.ui.tray_icons import IconState, tray_icon
from microapp.ui.tray_parts import (
    EVENING_MENU_TITLE,
    EVENING_SNOOZE_LABELS,
    INVITE_TOOLTIP,
    NOT_TONIGHT_TEXT,
    RESUME_TEXT,
    SETTINGS_TEXT,
    SNOOZE_KEYS,
    SNOOZE_TITLE,
    NoTrayWindow,
    join_text,
    with_mnemonic,
)

log = logging.getLogger(__name__)

class TrayController(QObject):
    """Owns the tray icon (or its stand-in window) and the Today popup."""

    pause_requested = Signal()
    quit_requested = Signal()
    join_requested = Signal(str)  # a call URL
    snooze_requested = Signal(str)  # a SnoozeChoice value, or "" to resume pauses
    gratitude_requested = Signal()  # open the evening reflection window
    history_requested = Signal()  # open the history window
    settings_requested = Signal()  # open the settings window
    evening_snooze_requested = Signal(str)  # an EVENING_SNOOZE_LABELS key: "15m" or "1h"
    evening_dismissed = Signal()  # "Not tonight"

    RECHECK_MS = 30_000  # how often to look for a tray that appeared later
    POPUP_WIDTH = 360

    def __init__(self, palette: Palette,
                 tray_available: Callable[[], bool] = QSystemTrayIcon.isSystemTrayAvailable,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._palette = palette
        self._tray_available = tray_available
        self._summary: TodaySummary | None = None
        self._join_url: str | None = None
        self._state = IconState.IDLE  # what the app says; a snooze shows over it
        self._snooze_line: str | None = None  # "Pauses snoozed until 14:30" while snoozed
        self._invite = False  # tonight's invitation waits: a dot on the icon, a line in Today
        self._message_click: Callable[[], None] | None = None  # clicking the last message
        self.icon: QSystemTrayIcon | None = None
        self.window: NoTrayWindow | None = None
        self.popup: TodayPanel | None = None
        self._recheck = QTimer(self, interval=self.RECHECK_MS)
        self._recheck.timeout.connect(self._look_for_tray)

        self.menu = QMenu()
        self.pause_action = QAction("&Pause now", self.menu)
        self.pause_action.setShortcut(QKeySequence("Ctrl+P"))
        self.pause_action.triggered.connect(self.pause_requested)
        self.join_action = QAction(join_text(None, None), self.menu)
        self.join_action.setVisible(False)
        self.join_action.triggered.connect(self._join)
        self.today_action = QAction("&Today…", self.menu)
        self.today_action.triggered.connect(self.show_today)
        self.gratitude_action = QAction("Write &gratitude…", self.menu)
        self.gratitude_action.triggered.connect(self.gratitude_requested)
        self.evening_menu = self._make_evening_menu()
        self.history_action = QAction("&History…", self.menu)
        self.history_action.triggered.connect(self.history_requested)
        self.snooze_menu = QMenu(with_mnemonic(SNOOZE_TITLE, "s"), self.menu)
        self.snooze_actions: dict[SnoozeChoice, QAction] = {}
        for choice, label in SNOOZE_LABELS.items():
            action = QAction(with_mnemonic(label, SNOOZE_KEYS[choice]), self.snooze_menu)
            action.triggered.connect(lambda _=False, c=choice: self.snooze_requested.emit(c.value))
            self.snooze_menu.addAction(action)
            self.snooze_actions[choice] = action
        self.snooze_menu.addSeparator()
        self.resume_action = QAction(RESUME_TEXT, self.snooze_menu)
        self.resume_action.setEnabled(False)
        self.resume_action.triggered.connect(lambda: self.snooze_requested.emit(""))
        self.snooze_menu.addAction(self.resume_action)
        self.settings_action = QAction(SETTINGS_TEXT, self.menu)
        self.settings_action.triggered.connect(self.settings_requested)
        self.quit_action = QAction("&Quit microapp", self.menu)
        self.quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        self.quit_action.triggered.connect(self.quit_requested)
        self.menu.addAction(self.pause_action)
        self.menu.addAction(self.join_action)
        self.menu.addAction(self.today_action)
        self.menu.addSeparator()
        self.menu.addAction(self.gratitude_action)
        self.menu.addMenu(self.evening_menu)
        self.menu.addAction(self.history_action)
        self.menu.addSeparator()
        self.menu.addMenu(self.snooze_menu)
        self.menu.addAction(self.settings_action)
        self.menu.addSeparator()
        self.menu.addAction(self.quit_action)

    def _make_evening_menu(self) -> QMenu:
        """Later or not tonight, for the waiting invitation; shown only while it waits."""
        menu = QMenu(EVENING_MENU_TITLE, self.menu)
        self.evening_snooze_actions: dict[str, QAction] = {}
        for choice, label in EVENING_SNOOZE_LABELS.items():
            action = QAction(label, menu)
            action.triggered.connect(
                lambda _=False, c=choice: self.evening_snooze_requested.emit(c))
            menu.addAction(action)
            self.evening_snooze_actions[choice] = action
        menu.addSeparator()
        self.not_tonight_action = QAction(NOT_TONIGHT_TEXT, menu)
        self.not_tonight_action.triggered.connect(self.evening_dismissed)
        menu.addAction(self.not_tonight_action)
        menu.menuAction().setVisible(False)
        return menu

    # -- lifecycle -----------------------------------------------------------------------

    def start(self) -> None:
        if self._tray_available():
            self._make_icon()
        else:
            log.warning("no system tray found; showing the stand-in window")
            self._make_window()
            self.window.show()
            self._recheck.start()

    def stop(self) -> None:
        self._recheck.stop()
        if self.icon is not None:
            self.icon.hide()
        if self.window is not None:
            self.window.hide()
        if self.popup is not None:
            self.popup.hide()

    @property
    def has_tray(self) -> bool:
        return self.icon is not None

    def take_over_icon(self, icon: QSystemTrayIcon) -> None:
        """Start with ``icon``, a plain tray icon already showing (the launch shows one before
        the app is built): it gets this tray's face, menu and tooltip, so the tray host never
        sees the icon go and come back. Without a tray it gives way to the stand-in window."""
        if not self._tray_available():
            icon.hide()
            icon.deleteLater()
            self.start()
            return
        self._make_icon(icon)

    def _make_icon(self, icon: QSystemTrayIcon | None = None) -> None:
        face = tray_icon(self.icon_state, self._invite)
        if icon is None:
            self.icon = QSystemTrayIcon(face, self)
        else:
            icon.setParent(self)
            icon.setIcon(face)
            self.icon = icon
        self.icon.setContextMenu(self.menu)
        self.icon.activated.connect(self._on_activated)
        self.icon.messageClicked.connect(self._on_message_clicked)
        self.icon.setToolTip(self.tooltip())
        self.icon.show()

    def _make_window(self) -> None:
        self.window = NoTrayWindow(self._palette, self.snooze_menu, self.menu)
        self.window.panel.pause_requested.connect(self.pause_requested)
        self.window.panel.quit_requested.connect(self.quit_requested)
        self.window.panel.join_requested.connect(self.join_requested)
        self.window.panel.gratitude_requested.connect(self.gratitude_requested)
        if self._summary is not None:
            self.window.panel.refresh(self._summary)
        self._show_state()

    def _look_for_tray(self) -> None:
        if not self._tray_available():
            return
        log.info("a system tray appeared; moving into it")
        self._recheck.stop()
        self._make_icon()
        if self.window is not None:
            self.window.hide()
            self.icon.showMessage("microapp", "microapp now lives in your system tray.",
                                  app_icon(), 4000)

    # -- content -------------------------------------------------------------------------

    def refresh(self, summary: TodaySummary) -> None:
        self._summary = summary
        if self.icon is not None:
            self.icon.setToolTip(self.tooltip())
        if self.window is not None:
            self.window.panel.refresh(summary)
        if self.popup is not None:
            self.popup.refresh(summary)

    def tooltip(self) -> str:
        """Today in a few lines, and the snooze when there is one.

        The first line is always "microapp": Qt guesses rich text from a tooltip's first line
        only, so a calendar title further down is always shown as plain text.
        """
        text = tooltip_text(self._summary) if self._summary is not None else "microapp"
        if self._invite:
            text += f"\n{INVITE_TOOLTIP}"
        if self._snooze_line:
            text += f"\n{self._snooze_line}"
        return text

    def set_join_target(self, title: str | None, url: str | None,
                        service: str | None = None) -> None:
        """Offer "Join “Title” · Service" in the menu while ``url`` is set (None hides it)."""
        self._join_url = url or None
        self.join_action.setText(join_text(title, service))
        self.join_action.setVisible(self._join_url is not None)

    def _join(self) -> None:
        if self._join_url:
            self.join_requested.emit(self._join_url)

    def set_snooze(self, until: datetime | None, now: datetime) -> None:
        """Show a snooze that ends at ``until`` (None, or a past instant: not snoozed)."""
        if is_snoozed(until, now):
            assert until is not None
            self._snooze_line = snooze_text(until, now)
            self.snooze_menu.setTitle(with_mnemonic(self._snooze_line, "s"))
        else:
            self._snooze_line = None
            self.snooze_menu.setTitle(with_mnemonic(SNOOZE_TITLE, "s"))
        self.resume_action.setEnabled(self._snooze_line is not None)
        if self.icon is not None:
            self.icon.setToolTip(self.tooltip())
        self._show_state()

    @property
    def snoozed(self) -> bool:
        return self._snooze_line is not None

    def set_invitation(self, pending: bool) -> None:
        """Whether tonight's gratitude invitation waits for the user: a small warm dot on the
        icon (over whatever state it shows), "Tonight's sentence is waiting" with Write… in
        the Today view, and the later / not tonight items in the menu."""
        pending = bool(pending)
        if pending == self._invite:
            return
        self._invite = pending
        self.evening_menu.menuAction().setVisible(pending)
        if self.icon is not None:
            self.icon.setToolTip(self.tooltip())
        self._show_state()

    @property
    def invitation_pending(self) -> bool:
        return self._invite

    def set_icon_state(self, state: IconState) -> None:
        """IDLE, or NEAR while a pause is coming up. While pauses are snoozed the icon shows
        SNOOZED whatever is set here (a snoozed pause will not open)."""
        self._state = IconState(state)
        self._show_state()

    @property
    def icon_state(self) -> IconState:
        """What the icon shows now."""
        return IconState.SNOOZED if self.snoozed else self._state

    def _show_state(self) -> None:
        state = self.icon_state
        detail = self._snooze_line if state is IconState.SNOOZED else None
        icon = tray_icon(state, self._invite)
        if self.icon is not None:
            self.icon.setIcon(icon)
        panels = [self.popup] if self.popup is not None else []
        if self.window is not None:
            self.window.setWindowIcon(icon)
            panels.append(self.window.panel)
        for panel in panels:
            panel.set_invitation(self._invite)
            panel.set_state(state, detail)

    def notify(self, title: str, message: str, timeout_ms: int = 8000,
               on_click: Callable[[], None] | None = None) -> None:
        """A short message from the tray, or in the stand-in window when there is no tray.

        Clicking the tray's message calls ``on_click`` (e.g. open the evening window), or shows
        Today when there is none. Only the last message's callback is kept: a host shows one
        message at a time, and the click reports no message of its own.
        """
        self._message_click = on_click
        if self.icon is not None and QSystemTrayIcon.supportsMessages():
            self.icon.showMessage(title, message, app_icon(), timeout_ms)
        elif self.window is not None:
            self.window.panel.set_notice(message)
            self.window.show()
        else:
            log.warning("%s: %s", title, message)

    def _on_message_clicked(self) -> None:
        (self._message_click or self.show_today)()

    def set_palette(self, palette: Palette) -> None:
        """Light or dark changed: the Today popup is rebuilt in the new colours when it opens
        next (at once if it is showing)."""
        if palette == self._palette:
            return
        self._palette = palette
        if self.popup is not None:
            showing = self.popup.isVisible()
            self.popup.hide()
            self.popup.deleteLater()
            self.popup = None
            if showing:
                self.show_today()

    def show_today(self) -> None:
        """Bring up the Today view: the stand-in window, or a popup by the tray icon."""
        if self.window is not None and not self.has_tray:
            self.window.show()
            self.window.raise_()
            self.window.activateWindow()
            return
        if self.popup is None:
            self.popup = TodayPanel(self._palette)
            self.popup.setWindowFlags(Qt.WindowType.Popup)
            self.popup.setFixedWidth(self.POPUP_WIDTH)
            self.popup.setWindowIcon(app_icon())
            self.popup.pause_requested.connect(self.popup.hide)
            self.popup.pause_requested.connect(self.pause_requested)
            self.popup.join_requested.connect(self.popup.hide)
            self.popup.join_requested.connect(self.join_requested)
            self.popup.gratitude_requested.connect(self.popup.hide)
            self.popup.gratitude_requested.connect(self.gratitude_requested)
            self._show_state()
        if self._summary is not None:
            self.popup.refresh(self._summary)
        self.popup.adjustSize()
        self.popup.move(self._popup_position())
        self.popup.show()
        self.popup.raise_()
        self.popup.activateWindow()

    def _popup_position(self) -> QPoint:
        assert self.popup is not None
        anchor = QCursor.pos()
        if self.icon is not None and not self.icon.geometry().isEmpty():
            anchor = self.icon.geometry().center()
        screen = QGuiApplication.screenAt(anchor) or QGuiApplication.primaryScreen()
        area = screen.availableGeometry()
        size = self.popup.size()
        x = min(max(area.left(), anchor.x() - size.width() // 2), area.right() - size.width())
        y = anchor.y() + 16
        if y + size.height() > area.bottom():
            y = anchor.y() - size.height() - 16
        return QPoint(x, max(area.top(), y))

    def _on_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (QSystemTrayIcon.ActivationReason.Trigger,
                      QSystemTrayIcon.ActivationReason.DoubleClick):
            if self.popup is not None and self.popup.isVisible():
                self.popup.hide()
            else:
                self.show_today()
