"""The composition root: builds every part once and wires them together.

Start-up shows the tray icon before anything else (:mod:`microapp.launch`), and this module is
imported on the way there; so its parts are imported when :class:`MicroApp` is built, not here.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QSystemTrayIcon

from microapp import __version__
from microapp.core.paths import Profile

if TYPE_CHECKING:
    from microapp.core.clock import Clock
    from microapp.core.settings import LoadedSettings, Settings
    from microapp.platform.busy import BusyCheck
    from microapp.platform.instance import InstanceServer
    from microapp.platform.notify import Notifier
    from microapp.platform.system_events import SystemEvents
    from microapp.store.db import OpenedStore
    from microapp.ui.theme import Palette
    from microapp.ui.tray import TrayController

log = logging.getLogger(__name__)


def release_memory() -> None:
    """Give back what a finished job left behind (see :func:`microapp.core.quiet_gc.
    release_memory`)."""
    from microapp.core.quiet_gc import release_memory as release

    release()


def palette_for(theme: str) -> Palette:
    """The palette for the theme setting (see :func:`microapp.ui.theme.palette_for`)."""
    from microapp.ui.theme import palette_for as pick

    return pick(theme)


class MicroApp(QObject):
    """The running tray app (built by :class:`microapp.launch.Launch` once the icon shows)."""

    DAY_CHECK_MAX_MS = 60 * 60 * 1000  # re-check "today" at least hourly (sleep, zone change)
    STARTUP_MESSAGE_DELAY_MS = 1500  # let the tray embed the icon before it speaks
    CUE_MEMORY = timedelta(days=30)  # how long handled cues are remembered in the store

    def __init__(self, *, profile: Profile, clock: Clock, loaded: LoadedSettings,
                 opened: OpenedStore, tray_controller: TrayController | None = None,
                 startup_problems: list[str] | None = None,
                 system_events: SystemEvents | None = None,
                 busy_check: BusyCheck | None = None, notifier: Notifier | None = None,
                 opener=None, server: InstanceServer | None = None,
                 since: datetime | None = None,
                 shown_icon: QSystemTrayIcon | None = None,
                 start_at_login: bool = False) -> None:
        """``server`` may already listen (``run_app`` claims the profile first);
        ``shown_icon`` is the plain tray icon ``run_app`` showed before the app was built, to
        be replaced by the tray's own; ``since`` is when the app was launched (meetings that
        started before it are never counted as missed). ``start_at_login`` offers the "Start
        at login" switch in Settings (never for a throw-away demo profile or a test)."""
        from microapp.platform.busy import BusyCheck, dnd_detectors, fullscreen_detectors
        from microapp.platform.instance import InstanceServer
        from microapp.platform.notify import Notifier
        from microapp.platform.system_events import SystemEvents
        from microapp.store.history import History
        from microapp.ui.calendar_service import CalendarService
        from microapp.ui.history_controller import HistoryController
        from microapp.ui.pause_controller import PauseController
        from microapp.ui.reflection_controller import ReflectionController
        from microapp.ui.scheduler import PauseScheduler
        from microapp.ui.settings_watch import SettingsWatch
        from microapp.ui.tray import TrayController

        super().__init__()
        self.profile = profile
        self.clock = clock
        self.settings = loaded.settings
        self.opened = opened
        self.history = History(opened.db, self.settings.day_starts_at)
        self.palette = palette_for(self.settings.theme)
        self.tray = tray_controller or TrayController(self.palette, parent=self)
        self.tray.pause_requested.connect(self.show_pause)
        self.tray.quit_requested.connect(self.quit)
        self.server = server or InstanceServer(profile.instance_key(), self)
        self.server.command_received.connect(self.handle_command)
        self.calendars = CalendarService(profile, clock, self.settings, self)
        self.calendars.updated.connect(self._on_calendars)
        self.system = system_events or SystemEvents(
            getattr(clock, "reload_zone", clock.zone), parent=self)
        now = clock.now()
        handled: set[str] = set()
        try:
            self.history.prune_cues(now - self.CUE_MEMORY)
            handled = self.history.handled_cue_keys(now - self.CUE_MEMORY)
        except Exception:
            log.exception("could not read which pauses were already handled")
        # since = the launch: meetings from before it are never counted as missed, so the days
        # and hours the app did not run stay neutral (and one that starts while the app is
        # being built still gets its pause).
        self.scheduler = PauseScheduler(clock, lead=timedelta(seconds=self.settings.lead_seconds),
                                        since=min(since or now, now), done_keys=handled,
                                        parent=self)
        self.scheduler.clock_jumped.connect(self._on_clock_jumped)
        self.pauses = PauseController(
            clock=clock, settings=self.settings, palette=self.palette, history=self.history,
            tray=self.tray, scheduler=self.scheduler,
            busy=busy_check or BusyCheck(dnd_detectors(), fullscreen_detectors(), parent=self),
            notifier=notifier or Notifier(self.tray.notify), opener=opener, parent=self)
        self.pauses.history_changed.connect(self.refresh)
        self.reflection = ReflectionController(
            clock=clock, settings=self.settings, palette=self.palette, history=self.history,
            tray=self.tray, notifier=notifier, opener=opener, parent=self)
        self.reflection.history_changed.connect(self.refresh)
        self.history_view = HistoryController(
            clock=clock, settings=self.settings, palette=self.palette, history=self.history,
            database_path=profile.database_path, persistent=opened.persistent, tray=self.tray,
            parent=self)
        self.history_view.history_changed.connect(self.refresh)
        self.history_view.store_replaced.connect(self._on_store_replaced)
        self.settings_watch = SettingsWatch(profile.settings_path, parent=self)
        self.settings_watch.changed.connect(self.apply_settings)
        self.settings_watch.problems.connect(
            lambda problems: self.tray.notify("microapp settings", problems[0]))
        self._problems = list(startup_problems or [])
        self._problems += [str(p) for p in loaded.problems]
        if opened.problem:
            self._problems.append(opened.problem)
        self._day_timer = QTimer(self, singleShot=True)
        self._day_timer.timeout.connect(self._on_day_timer)
        self._next_meeting_timer = QTimer(self, singleShot=True)
        self._next_meeting_timer.timeout.connect(self.refresh)
        self._follows_scheme = False
        self._shown_icon = shown_icon
        self._start_at_login = start_at_login
        self.settings_view = None  # SettingsController, made when Settings… is first asked for
        self.tray.settings_requested.connect(self.open_settings)

    def start(self) -> bool:
        """Listen for later launches and show the tray. False if another instance owns it."""
        if not self.server.listening and not self.server.listen():
            return False
        self._start_tray()
        self.system.start()
        self.system.resumed.connect(self.scheduler.on_resumed)
        self.system.resumed.connect(self.reflection.on_resumed)
        self.system.zone_changed.connect(self._on_zone_changed)
        self.scheduler.set_sleep_signal_available(self.system.sleep_signal_available)
        self.reflection.start(self.system.sleep_signal_available)
        self.calendars.start()
        self.settings_watch.start()
        hints = QGuiApplication.styleHints()
        if hasattr(hints, "colorSchemeChanged"):  # Qt 6.5+: follow the system's light/dark
            hints.colorSchemeChanged.connect(self._on_color_scheme)
            self._follows_scheme = True
        self.refresh()
        self.pauses.update_tray()
        self.history_view.daily_backup()
        self._arm_day_timer()
        if self._problems:
            for problem in self._problems:
                log.warning("%s", problem)
            QTimer.singleShot(self.STARTUP_MESSAGE_DELAY_MS, self._show_problems)
        log.info("microapp %s started (profile data in %s)", __version__, self.profile.data_dir)
        return True

    def _start_tray(self) -> None:
        """Show the tray's icon (or stand-in window); the plain icon shown at launch gives way
        to it (taken over where the tray can, else hidden once the new one shows)."""
        icon, self._shown_icon = self._shown_icon, None
        take_over = getattr(self.tray, "take_over_icon", None)
        if icon is not None and take_over is not None:
            take_over(icon)
            return
        self.tray.start()
        if icon is not None:
            icon.hide()
            icon.deleteLater()

    def _show_problems(self) -> None:
        """Each start-up problem is shown once, in one message."""
        text = self._problems[0]
        if len(self._problems) > 1:
            more = len(self._problems) - 1
            text += f"\n(and {more} more: see the log at {self.profile.log_path})"
        self.tray.notify("microapp", text)

    # -- commands ------------------------------------------------------------------------

    def handle_command(self, command: str) -> None:
        log.info("command from another launch: %s", command)
        if command == "pause":
            self.show_pause()
        elif command == "show":
            self.tray.show_today()
        elif command == "gratitude":
            self.reflection.open_window()
        elif command == "refresh":  # another launch changed the history (CLI, import)
            self.reflection.replan("history")
            self.refresh()

    def show_pause(self) -> None:
        """Pause now: a doorway pause without a meeting."""
        self.pauses.show_pause_now()

    # -- changes from outside ------------------------------------------------------------

    def open_settings(self, section: str | None = None) -> None:
        """The Settings window (its code, and the start-at-login backend, load on first use)."""
        if self.settings_view is None:
            from microapp.ui.settings_controller import SettingsController

            autostart = None
            if self._start_at_login:
                from microapp.platform.autostart import autostart_for_this_system, launch_command

                autostart = autostart_for_this_system(launch_command(self.profile.custom_root))
            self.settings_view = SettingsController(
                clock=self.clock, settings=self.settings, palette=self.palette,
                settings_path=self.profile.settings_path, data_dir=self.profile.data_dir,
                apply=self.apply_settings, calendars=self.calendars, autostart=autostart,
                profile=self.profile, parent=self)
        self.settings_view.open_window(section)

    def apply_settings(self, settings: Settings) -> None:
        """The settings file changed: re-plan with the new values (nothing restarts)."""
        if settings == self.settings:
            return  # the file watcher's echo of what the Settings window already applied
        log.info("settings changed; applying them")
        day_moved = settings.day_starts_at != self.settings.day_starts_at
        self.settings = settings
        self.history.day_starts_at = settings.day_starts_at
        self._apply_palette(palette_for(settings.theme))
        self.calendars.apply_settings(settings)
        if day_moved:
            self._arm_day_timer()
        self.refresh()

    def _on_color_scheme(self, *_args: object) -> None:
        if self.settings.theme == "system":
            self._apply_palette(palette_for("system"))

    def _apply_palette(self, palette: Palette) -> None:
        """Light or dark: pauses, windows and the Today popup take it from their next showing
        (a window that is open keeps its colours until it is closed)."""
        self.palette = palette
        self.tray.set_palette(palette)
        self.pauses.apply_settings(self.settings, palette)
        self.reflection.apply_settings(self.settings, palette)
        self.history_view.apply_settings(self.settings, palette)
        if self.settings_view is not None:
            self.settings_view.apply_settings(self.settings, palette)

    def _on_store_replaced(self, opened: OpenedStore) -> None:
        """A backup was restored: the history file was swapped and reopened."""
        self.opened = opened
        self.scheduler.mark_done(self.history.handled_cue_keys(
            self.clock.now() - self.CUE_MEMORY))
        self.reflection.replan("restore")

    def _on_clock_jumped(self) -> None:
        """Woke from sleep or the clock was set: "today" and the zone may have moved."""
        self.system.check_zone()
        self.refresh()
        self._arm_day_timer()

    def _on_zone_changed(self, name: str) -> None:
        log.info("the time zone is now %s", name)
        self.scheduler.replan("zone")
        self.reflection.replan("zone")
        self.calendars.refresh_now()
        self.refresh()
        self._arm_day_timer()

    # -- today ---------------------------------------------------------------------------

    def _on_calendars(self, snapshot) -> None:
        self.pauses.set_meetings(snapshot.meetings)
        self.refresh()

    def refresh(self) -> None:
        from microapp.store.report import today_summary

        self.history_view.refresh()
        snapshot = self.calendars.snapshot
        now = self.clock.now()
        upcoming = snapshot.next_meeting(now)
        try:
            self.tray.refresh(today_summary(
                self.history, self.clock, upcoming,
                snapshot.problem_lines(), self.settings.rest_days))
        except Exception:
            log.exception("could not read today's history")
        # When the next meeting starts, "next" moves on: look again then (no polling).
        if upcoming is None:
            self._next_meeting_timer.stop()
        else:
            wait = upcoming.start.astimezone(UTC) - now.astimezone(UTC)
            ms = int(wait / timedelta(milliseconds=1)) + 1
            self._next_meeting_timer.start(max(1, min(ms, self.DAY_CHECK_MAX_MS)))

    def _arm_day_timer(self) -> None:
        from microapp.core.clock import next_day_start

        now = self.clock.now()
        boundary = next_day_start(now, self.settings.day_starts_at)
        ms = int((boundary.astimezone(UTC) - now.astimezone(UTC)).total_seconds() * 1000)
        self._day_timer.start(max(1000, min(ms, self.DAY_CHECK_MAX_MS)))

    def _on_day_timer(self) -> None:
        from microapp.core.quiet_gc import release as release_frozen_garbage

        self.system.check_zone()
        self.scheduler.replan("day")
        self.reflection.replan("day")
        self.history_view.daily_backup()
        self.refresh()
        if not self.pauses.showing:  # a quiet moment: let the collector tidy up once a day
            release_frozen_garbage()
            release_memory()
        self._arm_day_timer()

    def shutdown(self) -> None:
        """Stop everything this app started (idempotent): pause, tray, worker, socket, db."""
        if self._follows_scheme:
            self._follows_scheme = False
            QGuiApplication.styleHints().colorSchemeChanged.disconnect(self._on_color_scheme)
        self.pauses.shutdown()
        self.reflection.shutdown()
        self.history_view.shutdown()
        if self.settings_view is not None:
            self.settings_view.shutdown()
        self.scheduler.stop()
        self.settings_watch.stop()
        self.system.stop()
        self._day_timer.stop()
        self._next_meeting_timer.stop()
        self.tray.stop()
        self.calendars.stop()
        self.server.close()
        self.history.close()

    def quit(self) -> None:
        log.info("quitting")
        self.shutdown()
        QApplication.quit()


def run_app(profile: Profile, *, demo: bool = False, clock: Clock | None = None) -> int:
    """Run the tray app (or wake the running one). Returns the exit status.

    See :func:`microapp.launch.run_app`: the icon first, then this app.
    """
    from microapp.launch import run_app as launch

    return launch(profile, demo=demo, clock=clock)
