"""The tray icon and its menu, or, where there is no system tray, a small window instead.

Qt decides once per process whether a tray exists, and some desktops (GNOME without the
AppIndicator extension) have none. Then a small window with the same actions explains why,
and a slow timer keeps asking, so the icon appears as soon as a tray host does.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QCursor, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QMenu, QSystemTrayIcon, QVBoxLayout, QWidget

from microapp.core.summary import TodaySummary, tooltip_text
from microapp.ui.theme import Palette, app_icon
from microapp.ui.today_panel import TodayPanel

log = logging.getLogger(__name__)

NO_TRAY_NOTICE = (
    "Your desktop shows no system tray, so microapp lives in this small window instead. "
    "On GNOME, the \"AppIndicator and KStatusNotifierItem Support\" extension adds one; "
    "the icon will appear there by itself. Closing this window keeps microapp running "
    "in the background; start microapp again to bring it back."
)


class NoTrayWindow(QWidget):
    """The stand-in for the tray: the Today panel in an ordinary window."""

    def __init__(self, palette: Palette) -> None:
        super().__init__()
        self.setWindowTitle("microapp")
        self.setWindowIcon(app_icon())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.panel = TodayPanel(palette, show_quit=True, parent=self)
        self.panel.set_notice(NO_TRAY_NOTICE)
        layout.addWidget(self.panel)

    def closeEvent(self, event: QCloseEvent) -> None:
        event.ignore()
        self.hide()  # never quits the app by accident; Quit is one button away


class TrayController(QObject):
    """Owns the tray icon (or its stand-in window) and the Today popup."""

    pause_requested = Signal()
    quit_requested = Signal()

    RECHECK_MS = 30_000  # how often to look for a tray that appeared later
    POPUP_WIDTH = 360

    def __init__(self, palette: Palette,
                 tray_available: Callable[[], bool] = QSystemTrayIcon.isSystemTrayAvailable,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._palette = palette
        self._tray_available = tray_available
        self._summary: TodaySummary | None = None
        self.icon: QSystemTrayIcon | None = None
        self.window: NoTrayWindow | None = None
        self.popup: TodayPanel | None = None
        self._recheck = QTimer(self, interval=self.RECHECK_MS)
        self._recheck.timeout.connect(self._look_for_tray)

        self.menu = QMenu()
        self.pause_action = QAction("&Pause now", self.menu)
        self.pause_action.setShortcut(QKeySequence("Ctrl+P"))
        self.pause_action.triggered.connect(self.pause_requested)
        self.today_action = QAction("&Today…", self.menu)
        self.today_action.triggered.connect(self.show_today)
        self.quit_action = QAction("&Quit microapp", self.menu)
        self.quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        self.quit_action.triggered.connect(self.quit_requested)
        self.menu.addAction(self.pause_action)
        self.menu.addAction(self.today_action)
        self.menu.addSeparator()
        self.menu.addAction(self.quit_action)

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

    def _make_icon(self) -> None:
        self.icon = QSystemTrayIcon(app_icon(), self)
        self.icon.setContextMenu(self.menu)
        self.icon.activated.connect(self._on_activated)
        self.icon.messageClicked.connect(self.show_today)
        if self._summary is not None:
            self.icon.setToolTip(tooltip_text(self._summary))
        else:
            self.icon.setToolTip("microapp")
        self.icon.show()

    def _make_window(self) -> None:
        self.window = NoTrayWindow(self._palette)
        self.window.panel.pause_requested.connect(self.pause_requested)
        self.window.panel.quit_requested.connect(self.quit_requested)
        if self._summary is not None:
            self.window.panel.refresh(self._summary)

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
            self.icon.setToolTip(tooltip_text(summary))
        if self.window is not None:
            self.window.panel.refresh(summary)
        if self.popup is not None:
            self.popup.refresh(summary)

    def notify(self, title: str, message: str, timeout_ms: int = 8000) -> None:
        """A short message from the tray, or in the stand-in window when there is no tray."""
        if self.icon is not None and QSystemTrayIcon.supportsMessages():
            self.icon.showMessage(title, message, app_icon(), timeout_ms)
        elif self.window is not None:
            self.window.panel.set_notice(message)
            self.window.show()
        else:
            log.warning("%s: %s", title, message)

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
