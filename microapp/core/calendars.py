"""The calendar engine: every configured source, fetched and parsed only when it changed.

It is plain, blocking Python: the app runs it in a worker thread, the CLI runs it directly.
A broken source keeps its last good copy (and says why it is stale) while the others work.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from microapp.core.filters import MeetingFilter
from microapp.core.ics import ParsedCalendar, parse_calendar
from microapp.core.links import LinkPattern
from microapp.core.meetings import Meeting
from microapp.core.paths import Profile
from microapp.core.quiet_gc import quiet_gc
from microapp.core.redact import redact
from microapp.core.settings import Settings
from microapp.core.source_status import SourceStatus, refresh_interval
from microapp.core.sources import (
    CalendarData,
    Fetcher,
    SourceConfig,
    SourceError,
    SourceKind,
)

log = logging.getLogger(__name__)

FetcherFactory = Callable[[SourceConfig], Fetcher]

__all__ = ["CalendarEngine", "RefreshOutcome", "SourceStatus", "default_fetcher_factory",
           "refresh_interval", "upcoming_summary"]


def default_fetcher_factory(cache_dir: Path, secrets_dir: Path) -> FetcherFactory:
    """Build the right fetcher for each kind of source (imports stay lazy: the CLI's
    `status` should not pay for the CalDAV client)."""

    def make(config: SourceConfig) -> Fetcher:
        if config.kind is SourceKind.FILE:
            from microapp.core.sources.local import FileFetcher

            return FileFetcher(config)
        if config.kind is SourceKind.FOLDER:
            from microapp.core.sources.local import FolderFetcher

            return FolderFetcher(config)
        if config.kind is SourceKind.URL:
            from microapp.core.sources.http import HttpFetcher

            return HttpFetcher(config, cache_dir / "http")
        from microapp.core.sources.caldav import CalDavFetcher
        from microapp.core.sources.secrets import SecretStore

        return CalDavFetcher(config, SecretStore(secrets_dir), cache_dir / "caldav" / config.id)

    return make


@dataclass
class _Source:
    config: SourceConfig
    fetcher: Fetcher
    version: str | None = None
    parsed: ParsedCalendar | None = None
    error: SourceError | None = None
    stale: bool = False
    last_success: datetime | None = None
    parses: int = 0  # how often this source was parsed (tests and benchmarks check reuse)


@dataclass(frozen=True)
class RefreshOutcome:
    source_id: str
    changed: bool  # new meetings may be there
    status: SourceStatus
    min_interval: timedelta | None = None  # the calendar's own REFRESH-INTERVAL / TTL


@dataclass
class CalendarEngine:
    local_zone: ZoneInfo
    make_fetcher: FetcherFactory
    _sources: dict[str, _Source] = field(default_factory=dict)

    @classmethod
    def for_profile(cls, profile: Profile, settings: Settings,
                    local_zone: ZoneInfo) -> CalendarEngine:
        engine = cls(local_zone, default_fetcher_factory(profile.calendar_cache_dir,
                                                         profile.config_dir))
        engine.configure(settings.calendars)
        return engine

    # -- configuration -------------------------------------------------------------------

    def configure(self, configs: Sequence[SourceConfig]) -> None:
        """Follow the settings: new sources are added, removed ones forgotten, changed ones
        rebuilt; unchanged ones keep their parsed calendar."""
        wanted = {c.id: c for c in configs}
        for source_id in list(self._sources):
            if source_id not in wanted:
                del self._sources[source_id]
        for source_id, config in wanted.items():
            current = self._sources.get(source_id)
            if current is not None and current.config == config:
                continue
            if current is not None and replace(current.config, enabled=config.enabled,
                                               name=config.name) == config:
                current.config = config  # only the name or on/off changed: keep the data
                continue
            self._sources[source_id] = _Source(config, self.make_fetcher(config))

    @property
    def source_ids(self) -> list[str]:
        return list(self._sources)

    def config(self, source_id: str) -> SourceConfig:
        return self._sources[source_id].config

    # -- reading -------------------------------------------------------------------------

    def load_cached(self) -> None:
        """At start-up, before any network: parse the last good copies kept on disk."""
        for source in self._sources.values():
            if source.parsed is not None or not source.config.enabled:
                continue
            try:
                data = source.fetcher.cached()
            except Exception:  # a damaged cache is no reason to stop
                log.exception("could not read the cached copy of %s", source.config.id)
                continue
            if data is not None:
                self._parse(source, data, stale=True)

    def refresh(self, source_id: str, now: datetime) -> RefreshOutcome:
        """Fetch one source; parse only when its content changed. Never raises for the
        source's own problems: they are kept in its status."""
        source = self._sources[source_id]
        changed = False
        try:
            result = source.fetcher.fetch(source.version if source.parsed is not None else None)
            if result.data is not None:
                changed = self._parse(source, result.data, stale=result.data.from_cache)
            source.version = result.version
            source.error = None
            source.stale = False
            source.last_success = now
        except SourceError as exc:
            source.error = SourceError(redact(str(exc)), exc.kind)
            source.stale = source.parsed is not None
            log.warning("calendar %s: %s", source_id, source.error)
        except Exception as exc:  # a bug in a fetcher must not take the others down
            log.exception("calendar %s failed unexpectedly", source_id)
            source.error = SourceError(redact(f"could not be read ({type(exc).__name__})"))
            source.stale = source.parsed is not None
        min_interval = source.parsed.min_refresh if source.parsed is not None else None
        return RefreshOutcome(source_id, changed, self._status(source), min_interval)

    def refresh_all(self, now: datetime, only: Collection[str] | None = None
                    ) -> list[RefreshOutcome]:
        return [self.refresh(sid, now) for sid, s in self._sources.items()
                if s.config.enabled and (only is None or sid in only)]

    def _parse(self, source: _Source, data: CalendarData, *, stale: bool) -> bool:
        with quiet_gc():
            parsed = parse_calendar(data.documents, source=source.config.label,
                                    local_zone=self.local_zone)  # SourceError: in the status
        source.parsed = parsed
        source.parses += 1
        source.stale = stale
        for warning in parsed.warnings:
            log.info("calendar %s: %s", source.config.id, warning)
        return True

    def meetings_between(self, start: datetime, end: datetime, settings: Settings,
                         only: Collection[str] | None = None) -> list[Meeting]:
        """Every occurrence in [start, end) from enabled sources, unfiltered, sorted."""
        patterns = [LinkPattern(name, pattern) for name, pattern in settings.link_patterns]
        out: list[Meeting] = []
        for source_id, source in self._sources.items():
            if source.parsed is None or (only is not None and source_id not in only):
                continue
            if only is None and not source.config.enabled:
                continue
            with quiet_gc():
                out.extend(source.parsed.meetings_between(
                    start, end, calendar_id=source_id, my_emails=settings.my_emails,
                    link_patterns=patterns))
        out.sort(key=lambda m: (m.start, m.title, m.calendar))
        return out

    def upcoming(self, start: datetime, end: datetime, settings: Settings,
                 only: Collection[str] | None = None) -> list[Meeting]:
        """The meetings that get a pause: :meth:`meetings_between` with the filters applied."""
        keep = MeetingFilter.from_settings(settings)
        return keep.apply(self.meetings_between(start, end, settings, only))

    # -- status --------------------------------------------------------------------------

    def statuses(self) -> list[SourceStatus]:
        return [self._status(s) for s in self._sources.values()]

    def parse_count(self, source_id: str) -> int:
        return self._sources[source_id].parses

    def _status(self, source: _Source) -> SourceStatus:
        parsed = source.parsed
        return SourceStatus(
            id=source.config.id, label=source.config.label, kind=source.config.kind,
            enabled=source.config.enabled, ok=source.error is None,
            error=str(source.error) if source.error else None,
            error_kind=source.error.kind if source.error else None,
            stale=source.stale, events=parsed.event_count if parsed else 0,
            warnings=parsed.warnings if parsed else (), last_success=source.last_success,
        )


def upcoming_summary(meetings: Iterable[Meeting], now: datetime) -> Meeting | None:
    """The next meeting that has not started yet (or started within the last minute)."""
    for meeting in meetings:
        if meeting.start >= now - timedelta(minutes=1):
            return meeting
    return None
