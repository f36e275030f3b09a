"""The on-disk copy of each ICS feed that :mod:`microapp.core.sources.http` keeps, so a restart
while offline still has the calendar.

One private file per feed address, named by a hash of it: a header line (magic and the
validators as JSON: version, SHA-256 of the body, ETag, Last-Modified) then the body as it was
served. Written atomically, mode 0600 in a 0700 folder; a file that is damaged, of another
format or fails its checksum is ignored.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

# The fetcher's logger: these lines keep the name they have always been logged under.
log = logging.getLogger("microapp.core.sources.http")

CACHE_MAGIC = b"MICROAPP-ICS-CACHE 1 "
CACHE_SUFFIX = ".ics-cache"

__all__ = ["CACHE_MAGIC", "CACHE_SUFFIX", "CacheMeta", "cache_path", "load", "parse_meta",
           "store"]


@dataclass(frozen=True)
class CacheMeta:
    version: str
    sha256: str
    etag: str | None
    last_modified: str | None


def cache_path(cache_dir: Path, url: str) -> Path:
    """Where the copy of the feed at ``url`` is kept (the address itself never shows)."""
    key = hashlib.sha256(url.encode("utf-8", "surrogateescape")).hexdigest()[:40]
    return cache_dir / f"{key}{CACHE_SUFFIX}"


def parse_meta(line: bytes) -> CacheMeta | None:
    """The validators in a cache file's header line, or None when it is not one."""
    if not line.startswith(CACHE_MAGIC) or not line.endswith(b"\n"):
        return None
    try:
        raw = json.loads(line[len(CACHE_MAGIC):])
        meta = CacheMeta(version=str(raw["version"]), sha256=str(raw["sha256"]),
                         etag=raw.get("etag"), last_modified=raw.get("last_modified"))
    except (ValueError, KeyError, TypeError):
        return None
    if not all(isinstance(v, str | None) for v in (meta.etag, meta.last_modified)):
        return None
    return meta


def load(path: Path, max_bytes: int, display: str) -> tuple[CacheMeta, bytes] | None:
    """The saved copy and its validators, when present and intact (at most ``max_bytes`` + 1
    bytes of body are read). ``display`` names the feed in log lines."""
    try:
        with open(path, "rb") as handle:
            meta = parse_meta(handle.readline(64 * 1024))
            body = handle.read(max_bytes + 1) if meta is not None else b""
    except FileNotFoundError:
        return None
    except OSError as exc:
        log.warning("%s: the saved copy could not be read (%s)", display,
                    exc.strerror or exc.__class__.__name__)
        return None
    if meta is None or hashlib.sha256(body).hexdigest() != meta.sha256:
        log.warning("%s: the saved copy is damaged and is ignored", display)
        return None
    return meta, body


def store(cache_dir: Path, path: Path, body: bytes, meta: CacheMeta, display: str) -> None:
    """Body and validators in one file, replaced atomically, readable by the user alone.

    A failure is logged, not raised: only the offline copy is missed."""
    header = CACHE_MAGIC + json.dumps(
        {"version": meta.version, "sha256": meta.sha256, "etag": meta.etag,
         "last_modified": meta.last_modified}, ensure_ascii=True).encode("ascii") + b"\n"
    tmp: str | None = None
    try:
        cache_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(dir=cache_dir, prefix=".", suffix=".part")
        with os.fdopen(fd, "wb") as handle:  # mkstemp: mode 0600
            handle.write(header)
            handle.write(body)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
        tmp = None
        with contextlib.suppress(OSError):
            os.chmod(path, 0o600)
    except OSError as exc:
        log.warning("%s: could not keep a copy for offline use (%s)", display,
                    exc.strerror or exc.__class__.__name__)
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
