"""Calendars in the running app: the engine lives in a worker thread, the UI gets snapshots.

Fetching and parsing never run on the UI thread. Local files and folders are watched; URL
and CalDAV sources are asked again on one single-shot timer set to the next source due
(never a polling loop), no more often than each calendar itself allows.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from PySide6.QtCore import QFileSystemWatcher, QObject, QThread, QTimer, Signal, Slot

from microapp.core.calendars import CalendarEngine, SourceStatus, refresh_interval
from microapp.core.clock import Clock
from microapp.core.meetings import Meeting
from microapp.core.paths import Profile
from microapp.core.settings import Settings
from microapp.core.sources import SourceKind

log = logging.getLogger(__name__)

LOOK_BEHIND = timedelta(minutes=5)
LOOK_AHEAD = timedelta(hours=48)


@dataclass(frozen=True)
class CalendarSnapshot:
    """What the UI knows: the filtered meetings of a window, and each source's status."""

    meetings: tuple[Meeting, ...] = ()
    statuses: tuple[SourceStatus, ...] = ()
    window_end: datetime | None = None
    intervals: dict[str, timedelta | None] = field(default_factory=dict)

    @property
    def problems(self) -> list[SourceStatus]:
        return [s for s in self.statuses if s.enabled and not s.ok]

    def next_meeting(self, now: datetime) -> Meeting | None:
        for meeting in self.meetings:
            if meeting.start >= now:
                return meeting
        return None


@dataclass(frozen=True)
class _Request:
    settings: Settings
    only: frozenset[str] | None  # None: every enabled source
    now: datetime
    reconfigure: bool = False


class CalendarWorker(QObject):
    """Owns the :class:`CalendarEngine`; every method runs in the worker thread."""

    done = Signal(object)  # CalendarSnapshot

    def __init__(self, profile: Profile, zone: ZoneInfo) -> None:
        super().__init__()
        self._profile = profile
        self._zone = zone
        self._engine: CalendarEngine | None = None
        self._intervals: dict[str, timedelta | None] = {}

    @Slot(object)
    def handle(self, request: _Request) -> None:
        try:
            if self._engine is None:
                self._engine = CalendarEngine.for_profile(self._profile, request.settings,
                                                          self._zone)
                self._engine.load_cached()
            elif request.reconfigure:
                self._engine.configure(request.settings.calendars)
                self._engine.load_cached()
            for outcome in self._engine.refresh_all(request.now, request.only):
                self._intervals[outcome.source_id] = outcome.min_interval
            end = request.now + LOOK_AHEAD
            meetings = self._engine.upcoming(request.now - LOOK_BEHIND, end, request.settings)
            self.done.emit(CalendarSnapshot(tuple(meetings), tuple(self._engine.statuses()),
                                            end, dict(self._intervals)))
        except Exception:  # never let the worker die silently
            log.exception("calendar refresh failed")


class CalendarService(QObject):
    """The UI side: asks the worker, keeps the latest snapshot, schedules the next refresh."""

    updated = Signal(object)  # CalendarSnapshot
    _ask = Signal(object)

    STOP_WAIT_MS = 30_000  # a slow server may hold a fetch up to its timeout
    WATCH_DEBOUNCE_MS = 700  # editors save in bursts: read once they are done
    REQUERY_BEFORE_END = timedelta(hours=24)  # re-expand while a day of the window is left

    def __init__(self, profile: Profile, clock: Clock, settings: Settings,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._clock = clock
        self._settings = settings
        self.snapshot = CalendarSnapshot()
        self._last_asked: dict[str, datetime] = {}
        self._thread = QThread(self)
        self._thread.setObjectName("microapp-calendars")
        self._worker = CalendarWorker(profile, clock.zone())
        self._worker.moveToThread(self._thread)
        self._ask.connect(self._worker.handle)
        self._worker.done.connect(self._on_done)
        self._thread.finished.connect(self._worker.deleteLater)
        self._timer = QTimer(self, singleShot=True)
        self._timer.timeout.connect(self._on_timer)
        self._watcher = QFileSystemWatcher(self)
        self._watcher.fileChanged.connect(self._on_path_changed)
        self._watcher.directoryChanged.connect(self._on_path_changed)
        self._debounce = QTimer(self, singleShot=True, interval=self.WATCH_DEBOUNCE_MS)
        self._debounce.timeout.connect(self._refresh_local)
        self._pending_local: set[str] = set()
        self.refreshes = 0  # answers received (tests wait on it)

    # -- lifecycle -----------------------------------------------------------------------

    def start(self) -> None:
        self._thread.start()
        self._watch()
        self._request(None, reconfigure=True)

    def stop(self) -> None:
        """Stop the worker (idempotent). A fetch under way is allowed to finish first."""
        self._timer.stop()
        self._debounce.stop()
        if self._thread.isRunning():
            self._thread.quit()
            if not self._thread.wait(self.STOP_WAIT_MS):
                log.warning("the calendar worker did not stop in time")

    def apply_settings(self, settings: Settings) -> None:
        self._settings = settings
        self._watch()
        self._request(None, reconfigure=True)

    def refresh_now(self) -> None:
        self._request(None)

    # -- asking --------------------------------------------------------------------------

    def _request(self, only: set[str] | None, reconfigure: bool = False) -> None:
        now = self._clock.now()
        for source in self._settings.calendars:
            if only is None or source.id in only:
                self._last_asked[source.id] = now
        self._ask.emit(_Request(self._settings, frozenset(only) if only is not None else None,
                                now, reconfigure))

    def _on_done(self, snapshot: CalendarSnapshot) -> None:
        self.snapshot = snapshot
        self.refreshes += 1
        self._schedule()
        self.updated.emit(snapshot)

    # -- when to ask again ---------------------------------------------------------------

    def due_times(self) -> dict[str, datetime]:
        """When each remote source should be asked again."""
        due = {}
        for source in self._settings.calendars:
            if not source.enabled or source.kind in (SourceKind.FILE, SourceKind.FOLDER):
                continue
            last = self._last_asked.get(source.id)
            if last is None:
                continue
            interval = refresh_interval(self._settings, self.snapshot.intervals.get(source.id))
            due[source.id] = last + interval
        return due

    def _schedule(self) -> None:
        now = self._clock.now()
        candidates = list(self.due_times().values())
        if self.snapshot.window_end is not None:
            candidates.append(self.snapshot.window_end - self.REQUERY_BEFORE_END)
        if not candidates:
            self._timer.stop()
            return
        wake = min(candidates)
        ms = int((wake.astimezone(UTC) - now.astimezone(UTC)).total_seconds() * 1000)
        self._timer.start(max(1000, min(ms, 24 * 3600 * 1000)))

    def _on_timer(self) -> None:
        now = self._clock.now()
        due = {sid for sid, when in self.due_times().items() if when <= now + timedelta(seconds=1)}
        # Nothing remote due: the window needs re-expanding; a local re-read does that cheaply.
        self._request(due or {c.id for c in self._settings.calendars
                              if c.kind in (SourceKind.FILE, SourceKind.FOLDER)})

    # -- watching local files ------------------------------------------------------------

    def _watch(self) -> None:
        from microapp.core.sources.local import watch_paths

        old = self._watcher.files() + self._watcher.directories()
        if old:
            self._watcher.removePaths(old)
        paths: list[str] = []
        for source in self._settings.calendars:
            if source.enabled and source.kind in (SourceKind.FILE, SourceKind.FOLDER):
                paths += [str(p) for p in watch_paths(source) if p.exists()]
        if paths:
            self._watcher.addPaths(sorted(set(paths)))

    def _on_path_changed(self, path: str) -> None:
        from microapp.core.sources.local import watch_paths

        for source in self._settings.calendars:
            if source.kind in (SourceKind.FILE, SourceKind.FOLDER) and any(
                    str(p) == path for p in watch_paths(source)):
                self._pending_local.add(source.id)
        self._debounce.start()

    def _refresh_local(self) -> None:
        pending, self._pending_local = self._pending_local, set()
        self._watch()  # an editor may have replaced the file: watch the new one
        if pending:
            self._request(pending)
