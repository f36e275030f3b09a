"""Calendars are read in a short-lived child process, never in the tray process.

The tray app (:mod:`microapp.ui.calendar_service`) starts this same program with the hidden
first argument ``_calendars`` (``python -m microapp _calendars``, or the frozen executable with
``_calendars``), writes one pickled :class:`ChildRequest` to its standard input and reads one
pickled :class:`ChildAnswer` from its standard output. Log records go to standard error, one
JSON line each, and the tray writes them into its own log. The child then exits, and with it
every byte the calendar libraries (icalendar, recurring-ical-events, caldav, keyring, TLS)
ever took: the tray stays small and its UI thread never waits for a parse.

What a long-lived engine used to keep in memory travels with the request and the answer
(:class:`SourceMemory`: the last error, whether the copy shown is stale, the last success), and
what must survive a restart is already on disk: each ICS feed's last good body with its ETag
and Last-Modified (:mod:`~microapp.core.sources.http_cache`) and each CalDAV account's sync
tokens and objects (:mod:`~microapp.core.sources.caldav_state`). The child starts from those
copies and passes their version along, so an unchanged feed costs one conditional request
(answered "304 Not Modified") and an unchanged CalDAV calendar one PROPFIND, never a full
download.

This module is imported by the tray for the request and answer types only: everything heavy is
imported inside :func:`read_calendars`, which runs in the child.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import pickle
import signal
import sys
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from typing import TYPE_CHECKING, Any, BinaryIO
from zoneinfo import ZoneInfo

from microapp.core.meetings import Meeting, MeetingStatus
from microapp.core.paths import Profile
from microapp.core.settings import Settings
from microapp.core.source_status import SourceStatus
from microapp.core.sources import ErrorKind, SourceConfig, SourceKind

if TYPE_CHECKING:
    from microapp.core.calendars import CalendarEngine

log = logging.getLogger(__name__)

CHILD_COMMAND = "_calendars"  # the hidden first argument (cli.main dispatches it)
LOOK_BEHIND = timedelta(minutes=5)
LOOK_AHEAD = timedelta(hours=48)
LOCAL_KINDS = (SourceKind.FILE, SourceKind.FOLDER)
MAX_ANSWER_BYTES = 256 * 1024 * 1024  # far above any 48-hour window: more is garbage

__all__ = ["CHILD_COMMAND", "LOOK_AHEAD", "LOOK_BEHIND", "ChildAnswer", "ChildRequest",
           "SourceMemory", "child_command", "child_directory", "child_main", "load_answer",
           "read_calendars", "relay_log_lines"]


@dataclass(frozen=True)
class SourceMemory:
    """What the engine knew about one source after a run, handed back at the next run."""

    config: SourceConfig
    error: str | None = None
    error_kind: ErrorKind | None = None
    stale: bool = False
    last_success: datetime | None = None

    def fits(self, config: SourceConfig) -> bool:
        """Whether this memory belongs to ``config`` (a renamed or switched source keeps it;
        one pointed elsewhere starts afresh)."""
        return replace(self.config, name=config.name, enabled=config.enabled) == config


@dataclass(frozen=True)
class ChildRequest:
    profile: Profile
    settings: Settings
    zone: tzinfo
    now: datetime
    only: frozenset[str] | None = None  # remote sources to ask; None: every enabled one
    memory: dict[str, SourceMemory] = field(default_factory=dict)


@dataclass(frozen=True)
class ChildAnswer:
    meetings: tuple[Meeting, ...]
    statuses: tuple[SourceStatus, ...]
    window_end: datetime
    intervals: dict[str, timedelta | None]  # each source's own REFRESH-INTERVAL / TTL
    memory: dict[str, SourceMemory]
    watch: dict[str, tuple[str, ...]]  # local sources: the paths a file watcher should watch


def child_command(executable: str | None = None, frozen: bool | None = None) -> list[str]:
    """The command line that runs the child: this same program with the hidden argument."""
    executable = executable or sys.executable
    frozen = getattr(sys, "frozen", False) if frozen is None else frozen
    if frozen:
        return [executable, CHILD_COMMAND]
    return [executable, "-m", "microapp", CHILD_COMMAND]


def child_directory(frozen: bool | None = None) -> str | None:
    """Where the child runs: ``python -m`` looks for ``microapp`` in its working folder first,
    so it runs in the folder this very ``microapp`` was imported from (never one that happens
    to hold another copy). None when frozen: the executable holds the code."""
    frozen = getattr(sys, "frozen", False) if frozen is None else frozen
    if frozen:
        return None
    import microapp

    return os.path.dirname(os.path.dirname(os.path.abspath(microapp.__file__)))


# -- in the child ---------------------------------------------------------------------------


def read_calendars(request: ChildRequest) -> ChildAnswer:
    """One run of the engine: the last good copies, then the sources asked (local files and
    folders are always read: they have no copy of their own), then the meetings of the window."""
    from microapp.core.calendars import CalendarEngine
    from microapp.core.sources.local import watch_paths

    settings, now = request.settings, request.now
    engine = CalendarEngine.for_profile(request.profile, settings, request.zone)
    _start_from_memory(engine, request.memory)
    local = {c.id for c in settings.calendars if c.kind in LOCAL_KINDS}
    engine.refresh_all(now, None if request.only is None else request.only | local)
    end = now + LOOK_AHEAD
    zones: dict[tzinfo, bool] = {}
    meetings = tuple(_portable(m, zones)
                     for m in engine.upcoming(now - LOOK_BEHIND, end, settings))
    return ChildAnswer(
        meetings=meetings,
        statuses=tuple(engine.statuses()),
        window_end=end,
        intervals=_intervals(engine),
        memory=_memory(engine),
        watch={c.id: tuple(str(p) for p in watch_paths(c))
               for c in settings.calendars if c.enabled and c.kind in LOCAL_KINDS},
    )


def _start_from_memory(engine: CalendarEngine, memory: dict[str, SourceMemory]) -> None:
    """Parse each source's last good copy and remember its version (so the fetch that follows
    is conditional), then put back what the previous run knew of its state.

    This reaches into the engine's per-source records: it is the engine's own long-lived
    memory, carried across processes.
    """
    from microapp.core.sources import SourceError

    for source_id, source in engine._sources.items():
        if not source.config.enabled:
            continue
        try:
            data = source.fetcher.cached()
        except Exception:  # a damaged copy is no reason to stop
            log.exception("could not read the cached copy of %s", source_id)
            data = None
        if data is not None:
            try:
                engine._parse(source, data, stale=True)
            except SourceError as exc:
                log.warning("calendar %s: the cached copy could not be read: %s", source_id, exc)
            else:
                source.version = data.version
        kept = memory.get(source_id)
        if kept is None or not kept.fits(source.config):
            continue
        source.error = SourceError(kept.error, kept.error_kind or ErrorKind.SERVER) \
            if kept.error else None
        source.stale = kept.stale and source.parsed is not None
        source.last_success = kept.last_success


def _memory(engine: CalendarEngine) -> dict[str, SourceMemory]:
    return {
        source_id: SourceMemory(
            config=source.config,
            error=str(source.error) if source.error else None,
            error_kind=source.error.kind if source.error else None,
            stale=source.stale,
            last_success=source.last_success)
        for source_id, source in engine._sources.items()
    }


def _intervals(engine: CalendarEngine) -> dict[str, timedelta | None]:
    return {source_id: source.parsed.min_refresh if source.parsed is not None else None
            for source_id, source in engine._sources.items()}


def _plain_zone(value: datetime, picklable: dict[tzinfo, bool]) -> datetime:
    """The same instant with a time zone the tray can unpickle without the calendar libraries:
    IANA zones and fixed offsets stay; any other (a calendar's own VTIMEZONE, a zone read from
    a file) becomes the fixed offset it has at that instant."""
    zone = value.tzinfo
    if zone is None or type(zone) is timezone:
        return value
    if type(zone) is ZoneInfo:
        if zone not in picklable:
            try:
                pickle.dumps(zone)
                picklable[zone] = True
            except Exception:  # ZoneInfo.from_file(...) zones cannot be pickled
                picklable[zone] = False
        if picklable[zone]:
            return value
    return value.replace(tzinfo=timezone(value.utcoffset() or timedelta(0)), fold=0)


def _portable(meeting: Meeting, picklable: dict[tzinfo, bool]) -> Meeting:
    start, end = _plain_zone(meeting.start, picklable), _plain_zone(meeting.end, picklable)
    if start is meeting.start and end is meeting.end:
        return meeting
    return replace(meeting, start=start, end=end)


class _JsonLines(logging.Handler):
    """Each record as one JSON line on standard error: [level, logger name, text]."""

    def __init__(self, stream: io.TextIOBase) -> None:
        super().__init__()
        self.stream = stream

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = record.getMessage()
            if record.exc_info:
                text += "\n" + logging.Formatter().formatException(record.exc_info)
            self.stream.write(json.dumps([record.levelno, record.name, text]) + "\n")
            self.stream.flush()
        except Exception:
            self.handleError(record)


def _own_stdout() -> BinaryIO:
    """The answer's channel: the real standard output, kept aside; anything a library prints
    goes to standard error (and so to the log) instead of into the answer."""
    answer = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return answer


def child_main(stdin: BinaryIO | None = None, stdout: BinaryIO | None = None) -> int:
    """The child's whole life: read the request, read the calendars, write the answer."""
    out = stdout if stdout is not None else _own_stdout()
    root = logging.getLogger()
    root.handlers[:] = [_JsonLines(sys.stderr)]
    root.setLevel(logging.INFO)
    # Ended by the app (it quits, or the run took too long): leave through ``finally`` blocks,
    # so no half-written temporary file is left in the cache folders.
    with contextlib.suppress(ValueError, OSError):
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    with contextlib.suppress(OSError, AttributeError):
        os.nice(5)  # background work: the desktop (and the tray) come first
    try:
        request = pickle.load(stdin if stdin is not None else sys.stdin.buffer)
        if not isinstance(request, ChildRequest):
            raise TypeError(f"expected a ChildRequest, got {type(request).__name__}")
        answer = read_calendars(request)
        pickle.dump(answer, out, protocol=pickle.HIGHEST_PROTOCOL)
        out.flush()
    except Exception:
        log.exception("the calendar reader failed")
        return 1
    return 0


# -- in the tray ----------------------------------------------------------------------------


def _zoneinfo_unpickle(key: str, from_cache: int) -> ZoneInfo:
    return ZoneInfo._unpickle(key, from_cache)  # type: ignore[attr-defined]


def _only_zoneinfo_unpickle(owner: object, name: str) -> Any:
    """``getattr`` as pickle uses it for ``ZoneInfo._unpickle``, and for nothing else."""
    if owner is ZoneInfo and name == "_unpickle":
        return _zoneinfo_unpickle
    raise pickle.UnpicklingError(f"not allowed in a calendar answer: getattr {name!r}")


_ALLOWED: dict[tuple[str, str], Any] = {
    (__name__, "ChildAnswer"): ChildAnswer,
    (__name__, "SourceMemory"): SourceMemory,
    ("microapp.core.meetings", "Meeting"): Meeting,
    ("microapp.core.meetings", "MeetingStatus"): MeetingStatus,
    ("microapp.core.source_status", "SourceStatus"): SourceStatus,
    ("microapp.core.sources", "SourceConfig"): SourceConfig,
    ("microapp.core.sources", "SourceKind"): SourceKind,
    ("microapp.core.sources", "ErrorKind"): ErrorKind,
    ("datetime", "datetime"): datetime,
    ("datetime", "date"): date,
    ("datetime", "time"): time,
    ("datetime", "timedelta"): timedelta,
    ("datetime", "timezone"): timezone,
    ("zoneinfo", "ZoneInfo"): ZoneInfo,
    ("builtins", "getattr"): _only_zoneinfo_unpickle,
    ("builtins", "frozenset"): frozenset,
    ("builtins", "set"): set,
}


class _AnswerUnpickler(pickle.Unpickler):
    """Only the few types an answer holds: nothing else is imported into the tray (no calendar
    library, whatever a buggy child wrote)."""

    def find_class(self, module: str, name: str) -> Any:
        try:
            return _ALLOWED[(module, name)]
        except KeyError:
            raise pickle.UnpicklingError(
                f"not allowed in a calendar answer: {module}.{name}") from None


def load_answer(data: bytes) -> ChildAnswer:
    """The child's answer; ``ValueError`` (with a short reason) when it is not one."""
    if not data:
        raise ValueError("it gave no answer")
    if len(data) > MAX_ANSWER_BYTES:
        raise ValueError("its answer was too large")
    try:
        answer = _AnswerUnpickler(io.BytesIO(data)).load()
    except Exception as exc:
        raise ValueError(f"its answer could not be read ({type(exc).__name__})") from None
    if not isinstance(answer, ChildAnswer):
        raise ValueError("its answer was not a calendar answer")
    return answer


def relay_log_lines(data: bytes, logger: logging.Logger) -> None:
    """The child's standard error into the app's log: JSON lines at their own level (under the
    child's logger names), anything else (a crash's traceback) as warnings."""
    for raw in data.decode("utf-8", "replace").splitlines():
        if not raw.strip():
            continue
        try:
            level, name, text = json.loads(raw)
            level = int(level)
            name, text = str(name), str(text)
        except (ValueError, TypeError):
            logger.warning("calendar reader: %s", raw[:2000])
            continue
        logging.getLogger(name).log(level, "%s", text)
