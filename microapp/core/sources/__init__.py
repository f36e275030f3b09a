"""Where calendars come from: local files and folders, ICS URLs and CalDAV servers.

Every kind of source is a :class:`Fetcher`: asked with the version it last saw, it answers
with new calendar data or "unchanged", or raises :class:`SourceError` with a message fit to
show the user (no secrets in it). Fetchers do blocking I/O: call them from a worker thread.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum
from typing import Protocol

SOURCE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
SOURCE_ID_RULE = "a short name of letters, digits, '.', '_' or '-'"


def valid_source_id(text: str) -> bool:
    """Source ids name files (caches, secrets): the one rule for what they may be."""
    return bool(SOURCE_ID.match(text))


class SourceKind(StrEnum):
    FILE = "file"
    FOLDER = "folder"
    URL = "url"
    CALDAV = "caldav"


@dataclass(frozen=True)
class SourceConfig:
    """One calendar source as the user configured it (kept in settings.toml, never a password)."""

    id: str
    kind: SourceKind
    location: str  # a path, an http(s)/webcal URL or a CalDAV server URL
    name: str = ""
    enabled: bool = True
    username: str | None = None  # CalDAV only
    calendars: tuple[str, ...] = ()  # CalDAV only: names or URLs of the chosen calendars; () = all

    @property
    def label(self) -> str:
        return self.name or self.id


class ErrorKind(StrEnum):
    NOT_FOUND = "not_found"
    AUTH = "auth"
    TLS = "tls"
    NETWORK = "network"  # unreachable host, DNS, refused
    TIMEOUT = "timeout"
    TOO_LARGE = "too_large"
    NOT_CALENDAR = "not_calendar"  # HTML, garbage, unparseable
    SERVER = "server"  # 5xx, redirect loops, other protocol trouble
    NO_KEYRING = "no_keyring"
    CONFIG = "config"


class SourceError(Exception):
    """A source could not be read. ``str(error)`` is one clear, redacted sentence for the user."""

    def __init__(self, message: str, kind: ErrorKind = ErrorKind.SERVER) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True)
class CalendarData:
    """The raw calendar text a source holds: one or more iCalendar documents (a file; each file
    of a folder; each object on a CalDAV server)."""

    documents: tuple[bytes, ...]
    version: str  # opaque; equal versions mean equal content (mtime+size, ETag, sync token...)
    from_cache: bool = False  # the last good copy, used while the source is unreachable


@dataclass(frozen=True)
class FetchResult:
    data: CalendarData | None  # None: unchanged since the version the caller passed
    version: str
    retry_after: timedelta | None = field(default=None)  # a server's hint, if any


class Fetcher(Protocol):
    config: SourceConfig

    def fetch(self, previous_version: str | None) -> FetchResult:
        """New data, or ``data=None`` when unchanged since ``previous_version``.

        Raises :class:`SourceError` when the source cannot be read.
        """
        ...

    def cached(self) -> CalendarData | None:
        """The last good copy kept on disk (ICS URLs), for a start while offline; else None."""
        ...
