"""Calendars in the running app: read in a short-lived child process, the UI gets snapshots.

Fetching and parsing never run in the tray process: each read is one run of
:mod:`microapp.calendar_child` (this same program, started with a hidden argument) that takes
its request on standard input and leaves its answer on standard output. The calendar
libraries and their memory leave with it, and the UI thread never waits for a parse. A read
that crashes, hangs past :attr:`CalendarWorker.TIMEOUT_MS` or answers nonsense keeps the
meetings already known and shows "could not read calendars: …" like any source's error.

Local files and folders are watched; URL and CalDAV sources are asked again on one
single-shot timer set to the next source due (never a polling loop), no more often than each
calendar itself allows.
"""

from __future__ import annotations

import logging
import os
import pickle
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from PySide6.QtCore import QFileSystemWatcher, QObject, QTimer, Signal

from microapp.calendar_child import (
    LOOK_AHEAD,
    LOOK_BEHIND,
    ChildAnswer,
    ChildRequest,
    SourceMemory,
)
from microapp.core.clock import Clock, zone_name
from microapp.core.meetings import Meeting
from microapp.core.paths import Profile
from microapp.core.settings import Settings
from microapp.core.source_status import SourceStatus, refresh_interval
from microapp.core.sources import SourceKind
from microapp.ui.calendar_reader import CalendarWorker

log = logging.getLogger(__name__)

__all__ = ["LOOK_AHEAD", "LOOK_BEHIND", "CalendarService", "CalendarSnapshot", "CalendarWorker"]

READER_FAILED = "could not read calendars"


@dataclass(frozen=True)
class CalendarSnapshot:
    """What the UI knows: the filtered meetings of a window, and each source's status."""

    meetings: tuple[Meeting, ...] = ()
    statuses: tuple[SourceStatus, ...] = ()
    window_end: datetime | None = None
    intervals: dict[str, timedelta | None] = field(default_factory=dict)
    reader_error: str | None = None  # the last read failed as a whole: why (meetings kept)

    @property
    def problems(self) -> list[SourceStatus]:
        return [s for s in self.statuses if s.enabled and not s.ok]

    def problem_lines(self) -> list[str]:
        """One line per broken source; a failed read is one line, not one per source."""
        if self.reader_error is None:
            return [s.summary for s in self.problems]
        kept = any(s.stale for s in self.problems)
        return [self.reader_error + (" Showing the last good copy." if kept else "")]

    def next_meeting(self, now: datetime) -> Meeting | None:
        for meeting in self.meetings:
            if meeting.start >= now:
                return meeting
        return None


@dataclass(frozen=True)
class _Ask:
    only: frozenset[str] | None  # None: every enabled source

    def merged(self, other: _Ask | None) -> _Ask:
        if other is None:
            return self
        if self.only is None or other.only is None:
            return _Ask(None)
        return _Ask(self.only | other.only)


class CalendarService(QObject):
    """The UI side: asks for reads, keeps the latest snapshot, schedules the next refresh."""

    updated = Signal(object)  # CalendarSnapshot

    WATCH_DEBOUNCE_MS = 700  # editors save in bursts: read once they are done
    REQUERY_BEFORE_END = timedelta(hours=24)  # re-expand while a day of the window is left
    RETRY_AFTER_FAILURE = timedelta(minutes=10)  # a failed read is tried again this much later

    def __init__(self, profile: Profile, clock: Clock, settings: Settings,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._profile = profile
        self._clock = clock
        self._settings = settings
        self.snapshot = CalendarSnapshot()
        self._last_asked: dict[str, datetime] = {}
        self._memory: dict[str, SourceMemory] = {}
        self._pending: _Ask | None = None
        self._failed_at: datetime | None = None
        self._logged_failure: str | None = None
        self._stopped = False
        self._worker = CalendarWorker(self)
        self._worker.done.connect(self._on_done)
        self._worker.failed.connect(self._on_failed)
        self._timer = QTimer(self, singleShot=True)
        self._timer.timeout.connect(self._on_timer)
        self._watcher = QFileSystemWatcher(self)
        self._watcher.fileChanged.connect(self._on_path_changed)
        self._watcher.directoryChanged.connect(self._on_path_changed)
        self._watch_paths: dict[str, tuple[str, ...]] = {}
        self._debounce = QTimer(self, singleShot=True, interval=self.WATCH_DEBOUNCE_MS)
        self._debounce.timeout.connect(self._refresh_local)
        self._pending_local: set[str] = set()
        self.refreshes = 0  # answers received (tests wait on it)

    # -- lifecycle -----------------------------------------------------------------------

    def start(self) -> None:
        self._stopped = False
        self._request(None)

    def stop(self) -> None:
        """Stop (idempotent): a read under way is ended, nothing is asked again."""
        self._stopped = True
        self._timer.stop()
        self._debounce.stop()
        self._pending = None
        self._worker.stop()

    def apply_settings(self, settings: Settings) -> None:
        self._settings = settings
        self._request(None)

    def refresh_now(self) -> None:
        self._request(None)

    @property
    def reading(self) -> bool:
        """Whether a read is under way."""
        return self._worker.busy

    # -- asking --------------------------------------------------------------------------

    def _request(self, only: set[str] | None) -> None:
        if self._stopped:
            return
        now = self._clock.now()
        for source in self._settings.calendars:
            if only is None or source.id in only:
                self._last_asked[source.id] = now
        self._pending = _Ask(frozenset(only) if only is not None else None).merged(
            self._pending)
        if not self._worker.busy:
            self._run_pending()

    def _run_pending(self) -> None:
        ask, self._pending = self._pending, None
        if ask is None or self._stopped:
            return
        if not any(c.enabled for c in self._settings.calendars):
            # Nothing to read: no process is started for it. The answer still comes through
            # the event loop, as a read's would.
            QTimer.singleShot(0, self._answer_without_calendars)
            return
        now = self._clock.now()
        self._worker.run(ChildRequest(
            profile=self._profile, settings=_absolute_paths(self._settings),
            zone=self._zone(now), now=now, only=ask.only, memory=dict(self._memory)))

    def _zone(self, now: datetime):
        """The clock's zone, as the child can receive it (a zone read from a file has no
        name to travel by: it goes as the IANA zone named for its offset)."""
        zone = self._clock.zone()
        try:
            pickle.dumps(zone)
        except Exception:
            return ZoneInfo(zone_name(zone, now))
        return zone

    def _answer_without_calendars(self) -> None:
        if self._stopped:
            return
        self._failed_at = self._logged_failure = None
        self._memory = {}
        self._watch({})
        statuses = tuple(SourceStatus(id=c.id, label=c.label, kind=c.kind, enabled=False, ok=True)
                         for c in self._settings.calendars)
        now = self._clock.now()
        self._finish(CalendarSnapshot((), statuses, now + LOOK_AHEAD, {}))

    def _on_done(self, answer: ChildAnswer) -> None:
        if self._logged_failure is not None:
            log.info("calendars can be read again")
        self._failed_at = self._logged_failure = None
        self._memory = dict(answer.memory)
        self._watch(answer.watch)
        self._finish(CalendarSnapshot(answer.meetings, answer.statuses, answer.window_end,
                                      dict(answer.intervals)))

    def _on_failed(self, reason: str) -> None:
        message = f"{READER_FAILED}: {reason}"
        if message != self._logged_failure:  # once, not at every retry
            log.warning("%s", message)
            self._logged_failure = message
        self._failed_at = self._clock.now()
        old = {s.id: s for s in self.snapshot.statuses}
        statuses = []
        for config in self._settings.calendars:
            before = old.get(config.id)
            statuses.append(SourceStatus(
                id=config.id, label=config.label, kind=config.kind, enabled=config.enabled,
                ok=False, error=message, stale=before is not None and before.events > 0,
                events=before.events if before else 0,
                warnings=before.warnings if before else (),
                last_success=before.last_success if before else None))
        self._finish(replace(self.snapshot, statuses=tuple(statuses), reader_error=message))

    def _finish(self, snapshot: CalendarSnapshot) -> None:
        self.snapshot = snapshot
        self.refreshes += 1
        self._schedule()
        self.updated.emit(snapshot)
        if self._pending is not None and not self._worker.busy:
            self._run_pending()

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
        if self._failed_at is not None:
            candidates.append(self._failed_at + self.RETRY_AFTER_FAILURE)
        elif self.snapshot.window_end is not None:
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
        if self._failed_at is not None and not due:
            self._request(None)  # try everything again after a failed read
            return
        # Nothing remote due: the window needs re-expanding; a local re-read does that cheaply.
        self._request(due or {c.id for c in self._settings.calendars
                              if c.kind in (SourceKind.FILE, SourceKind.FOLDER)})

    # -- watching local files ------------------------------------------------------------

    def _watch(self, wanted: dict[str, tuple[str, ...]]) -> None:
        """Watch what the last read said each local source is made of (an editor may have
        replaced a file since: the new one is watched)."""
        self._watch_paths = dict(wanted)
        paths = {p for ps in wanted.values() for p in ps}
        current = set(self._watcher.files() + self._watcher.directories())
        gone = sorted(current - paths)
        if gone:
            self._watcher.removePaths(gone)
        new = sorted(p for p in paths - current if os.path.exists(p))
        if new:
            self._watcher.addPaths(new)

    def _on_path_changed(self, path: str) -> None:
        for source_id, paths in self._watch_paths.items():
            if path in paths:
                self._pending_local.add(source_id)
        self._debounce.start()

    def _refresh_local(self) -> None:
        pending, self._pending_local = self._pending_local, set()
        if pending:
            self._request(pending)


def _absolute_paths(settings: Settings) -> Settings:
    """Local calendars written as relative paths (by hand) mean what they meant here: the
    reader runs in another working folder."""
    configs = tuple(
        replace(c, location=os.path.abspath(os.path.expanduser(c.location)))
        if c.kind in (SourceKind.FILE, SourceKind.FOLDER) and not os.path.isabs(
            os.path.expanduser(c.location)) else c
        for c in settings.calendars)
    return settings if configs == settings.calendars else replace(settings, calendars=configs)
