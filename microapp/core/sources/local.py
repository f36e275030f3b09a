"""Calendars on the local disk: one ``.ics`` file, or a folder of them.

A folder is read the way vdirsyncer and khal lay calendars out: ``.ics`` files directly in it
(a flat folder, or one calendar per file) and in its subfolders one level deep (one calendar per
subfolder, one event per file). Hidden files and folders (``.name``) and other files are ignored.

Versions come from ``stat`` alone (modification time in nanoseconds, size, inode), so asking an
unchanged source costs no read at all.
"""

from __future__ import annotations

import errno
import hashlib
import logging
import os
import stat
from pathlib import Path

from microapp.core.redact import redact
from microapp.core.sources import (
    CalendarData,
    ErrorKind,
    FetchResult,
    SourceConfig,
    SourceError,
    SourceKind,
)
from microapp.core.sources.http import MAX_BYTES, size_text

log = logging.getLogger(__name__)

ICS_SUFFIX = ".ics"
# A folder can change while we read it (vdirsyncer mid-sync): list and read it again this often.
_FOLDER_ATTEMPTS = 3

__all__ = ["MAX_BYTES", "FileFetcher", "FolderFetcher", "display_path", "watch_paths"]


def display_path(path: Path) -> str:
    """``path`` for a message: the home folder shown as ``~``."""
    try:
        home = Path.home()
    except RuntimeError:  # no home directory known
        return str(path)
    try:
        rest = path.relative_to(home)
    except ValueError:
        return str(path)
    return "~" if rest == Path() else str(Path("~") / rest)


def _source_path(config: SourceConfig) -> Path:
    return Path(config.location).expanduser()


def _version_of(st: os.stat_result) -> str:
    return f"{st.st_mtime_ns}:{st.st_size}:{st.st_ino}"


def _os_reason(exc: OSError) -> str:
    return exc.strerror or exc.__class__.__name__


def _error(message: str, kind: ErrorKind) -> SourceError:
    return SourceError(redact(message), kind)


def _unreadable(what: str, exc: OSError) -> SourceError:
    """``exc`` (raised while looking at or reading ``what``) as one sentence for the user."""
    if isinstance(exc, FileNotFoundError) or exc.errno in (errno.ENOENT, errno.ENOTDIR):
        return _error(f"{what} was not found", ErrorKind.NOT_FOUND)
    if isinstance(exc, PermissionError):
        return _error(f"{what} could not be read: {_os_reason(exc)}", ErrorKind.AUTH)
    return _error(f"{what} could not be read: {_os_reason(exc)}", ErrorKind.SERVER)


def _too_large(what: str) -> SourceError:
    return _error(f"{what} is larger than {size_text(MAX_BYTES)}; "
                  "microapp reads calendars up to that size", ErrorKind.TOO_LARGE)


def _read_capped(path: Path, what: str) -> bytes:
    """The whole file, or :class:`SourceError` (TOO_LARGE) past :data:`MAX_BYTES`."""
    with open(path, "rb") as handle:
        data = handle.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise _too_large(what)
    return data


class FileFetcher:
    """One ``.ics`` file (:attr:`SourceKind.FILE`); ``config.location`` is its path."""

    def __init__(self, config: SourceConfig) -> None:
        self.config = config
        self.path = _source_path(config)

    @property
    def _what(self) -> str:
        return f"Calendar file {display_path(self.path)}"

    def fetch(self, previous_version: str | None) -> FetchResult:
        what = self._what
        try:
            st = self.path.stat()
        except OSError as exc:
            raise _unreadable(what, exc) from None
        if stat.S_ISDIR(st.st_mode):
            raise _error(f"{what} is a folder, not a file: add it as a calendar folder instead",
                         ErrorKind.CONFIG)
        if not stat.S_ISREG(st.st_mode):
            raise _error(f"{what} is not a regular file", ErrorKind.CONFIG)
        version = _version_of(st)
        if version == previous_version:
            return FetchResult(data=None, version=version)
        if st.st_size > MAX_BYTES:
            raise _too_large(what)
        try:
            body = _read_capped(self.path, what)
        except OSError as exc:
            raise _unreadable(what, exc) from None
        log.debug("read %s (%d bytes)", display_path(self.path), len(body))
        return FetchResult(data=CalendarData(documents=(body,), version=version), version=version)

    def cached(self) -> CalendarData | None:
        return None  # the file itself is the copy on disk


class FolderFetcher:
    """A folder of ``.ics`` files (:attr:`SourceKind.FOLDER`), flat or one calendar per
    subfolder; documents come in the order of their paths relative to the folder."""

    def __init__(self, config: SourceConfig) -> None:
        self.config = config
        self.path = _source_path(config)

    @property
    def _what(self) -> str:
        return f"Calendar folder {display_path(self.path)}"

    def _scan(self) -> list[tuple[str, Path, os.stat_result]]:
        """Every calendar file: (relative name, path, stat), sorted by name."""
        what = self._what
        try:
            st = self.path.stat()
        except OSError as exc:
            raise _unreadable(what, exc) from None
        if not stat.S_ISDIR(st.st_mode):
            raise _error(f"{what} is a file, not a folder: add it as a calendar file instead",
                         ErrorKind.CONFIG)
        found: list[tuple[str, Path, os.stat_result]] = []
        subfolders: list[Path] = []
        try:
            found += _ics_files(self.path, "", subfolders)
        except OSError as exc:
            raise _unreadable(what, exc) from None
        for sub in subfolders:
            try:
                found += _ics_files(sub, sub.name + "/", None)
            except FileNotFoundError:
                continue  # removed since we listed the folder
            except OSError as exc:
                raise _unreadable(f"Calendar folder {display_path(sub)}", exc) from None
        if not found:
            raise _error(f"{what} has no .ics files (looked in it and in its subfolders)",
                         ErrorKind.NOT_FOUND)
        found.sort(key=lambda item: item[0])
        return found

    def fetch(self, previous_version: str | None) -> FetchResult:
        for attempt in range(_FOLDER_ATTEMPTS):
            entries = self._scan()
            digest = hashlib.sha256()
            for name, _path, st in entries:
                digest.update(f"{name}\0{st.st_mtime_ns}\0{st.st_size}\0{st.st_ino}\n".encode(
                    "utf-8", "surrogateescape"))
            version = "sha256:" + digest.hexdigest()
            if version == previous_version:
                return FetchResult(data=None, version=version)
            documents: list[bytes] = []
            try:
                for _name, path, st in entries:
                    what = f"Calendar file {display_path(path)}"
                    if st.st_size > MAX_BYTES:
                        raise _too_large(what)
                    documents.append(_read_capped(path, what))
            except FileNotFoundError:
                # Removed between listing and reading: someone is syncing; look again.
                log.debug("%s changed while being read (attempt %d)", self._what, attempt + 1)
                continue
            except OSError as exc:
                raise _unreadable(f"Calendar file {display_path(path)}", exc) from None
            log.debug("read %d calendar files from %s", len(documents), display_path(self.path))
            return FetchResult(data=CalendarData(documents=tuple(documents), version=version),
                               version=version)
        raise _error(f"{self._what} kept changing while it was being read; "
                     "it will be read again at the next refresh", ErrorKind.SERVER)

    def cached(self) -> CalendarData | None:
        return None  # the folder itself is the copy on disk


def _is_hidden(name: str) -> bool:
    return name.startswith(".")


def _ics_files(folder: Path, prefix: str,
               subfolders: list[Path] | None) -> list[tuple[str, Path, os.stat_result]]:
    """The visible ``.ics`` files directly in ``folder``; visible subfolders are appended to
    ``subfolders`` (when given). Symbolic links are followed."""
    files: list[tuple[str, Path, os.stat_result]] = []
    with os.scandir(folder) as entries:
        for entry in entries:
            if _is_hidden(entry.name):
                continue
            try:
                st = entry.stat()  # follows symbolic links
            except FileNotFoundError:
                continue  # a dangling link, or removed since the listing
            if stat.S_ISDIR(st.st_mode):
                if subfolders is not None:
                    subfolders.append(Path(entry.path))
            elif stat.S_ISREG(st.st_mode) and entry.name.lower().endswith(ICS_SUFFIX):
                files.append((prefix + entry.name, Path(entry.path), st))
    return files


def watch_paths(config: SourceConfig) -> list[Path]:
    """What a file watcher should watch to notice changes to this source, existing paths only.

    A file: the file and its folder (editors that save by replacing the file, and a file that
    appears later, show up as changes to the folder). A folder: the folder and its visible
    subfolders; a folder that does not exist yet: its parent. Other kinds: nothing.
    """
    path = _source_path(config)
    candidates: list[Path] = []
    if config.kind == SourceKind.FILE:
        candidates = [path, path.parent]
    elif config.kind == SourceKind.FOLDER:
        if path.is_dir():
            candidates = [path]
            try:
                with os.scandir(path) as entries:
                    candidates += sorted(Path(e.path) for e in entries
                                         if not _is_hidden(e.name) and e.is_dir())
            except OSError:
                pass
        else:
            candidates = [path.parent]
    return [p for p in candidates if p.exists()]
