"""Calendars published at a web address (ICS feeds): ``https://``, ``http://`` and ``webcal://``.

Standard library only (:mod:`urllib.request`, honouring the usual proxy variables). Each fetch
is one conditional GET when we hold a copy the caller already has (``If-None-Match`` /
``If-Modified-Since``); redirects are followed here, at most :attr:`HttpFetcher.MAX_REDIRECTS`,
never from https down to http. The last good body is kept on disk (one private file per
address, named by a hash of it) so a restart while offline still has the calendar.

Calendar addresses are secrets (a private token in the path or query is the only thing standing
between the calendar and the world), so no message or log line here ever holds one: they name
the source by :func:`display_url` (``https://calendar.google.com/…``) and go through
:func:`~microapp.core.redact.redact` too.
"""

from __future__ import annotations

import base64
import contextlib
import email.utils
import hashlib
import http.client
import json
import logging
import os
import socket
import ssl
import tempfile
import time
import urllib.error
import urllib.request
import zlib
from dataclasses import dataclass
from datetime import timedelta
from email.message import Message
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit, urlunsplit

from microapp import APP_NAME, __version__
from microapp.core.redact import MASK, redact
from microapp.core.sources import (
    CalendarData,
    ErrorKind,
    FetchResult,
    SourceConfig,
    SourceError,
)

log = logging.getLogger(__name__)

MAX_BYTES = 20 * 1024 * 1024  # the largest calendar read, from the web or from disk
USER_AGENT = f"{APP_NAME}/{__version__} (+calendar reader)"
_CHUNK = 64 * 1024
_REDIRECTS = (301, 302, 303, 307, 308)
_MAX_RETRY_AFTER = timedelta(days=1)
_CACHE_MAGIC = b"MICROAPP-ICS-CACHE 1 "
_CACHE_SUFFIX = ".ics-cache"

__all__ = [
    "MAX_BYTES",
    "USER_AGENT",
    "HttpFetcher",
    "RetryLaterError",
    "display_url",
    "normalise_url",
    "size_text",
]


def size_text(size: int) -> str:
    """``size`` bytes for a message: "20 MB", "64 KB"."""
    mb = 1024 * 1024
    if size >= mb:
        return f"{size // mb} MB" if size % mb == 0 else f"{size / mb:.1f} MB"
    return f"{size // 1024} KB" if size >= 1024 else f"{size} bytes"


class RetryLaterError(SourceError):
    """The server is busy (HTTP 429 or 503); ``retry_after`` is its hint, when it gave one."""

    def __init__(self, message: str, retry_after: timedelta | None) -> None:
        super().__init__(message, ErrorKind.SERVER)
        self.retry_after = retry_after


def display_url(url: str) -> str:
    """``url`` fit for a message: scheme and server only, e.g. ``https://calendar.google.com/…``.

    No user name, password, path, query or fragment survives (any of them may be the secret).
    """
    text = url.strip()
    try:
        parts = urlsplit(text)
        host = parts.hostname
        port = parts.port
    except ValueError:
        return "the calendar link"
    if not parts.scheme or not host:
        # Not a URL ("example.com/feed.ics"): the part before the first / ? # and after any @.
        head = text
        for sep in "/?#":
            head = head.split(sep, 1)[0]
        head = head.rsplit("@", 1)[-1][:60]
        if not head:
            return "the calendar link"
        return redact(head + (MASK if len(head) < len(text) else ""))
    if ":" in host:  # IPv6
        host = f"[{host}]"
    shown = f"{parts.scheme.lower()}://{host}" + (f":{port}" if port is not None else "")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        shown += "/" + MASK
    return redact(shown)


def normalise_url(text: str) -> str:
    """The address to GET for a calendar link: ``webcal://`` and ``webcals://`` become
    ``https://``; ``http(s)://`` stay; a fragment is dropped. Anything else raises
    :class:`SourceError` (CONFIG)."""
    stripped = text.strip()
    shown = display_url(stripped)
    try:
        parts = urlsplit(stripped)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        raise SourceError(f"The calendar link {shown} is not a valid web address",
                          ErrorKind.CONFIG) from None
    scheme = parts.scheme.lower()
    if scheme in ("webcal", "webcals"):
        scheme = "https"
    elif scheme not in ("http", "https"):
        raise SourceError(
            f"The calendar link {shown} is not a web address: it should start with "
            "https://, http:// or webcal://", ErrorKind.CONFIG)
    if not host:
        raise SourceError(f"The calendar link {shown} has no server name", ErrorKind.CONFIG)
    return urlunsplit((scheme, parts.netloc, parts.path or "/", parts.query, ""))


@dataclass(frozen=True)
class _CacheMeta:
    version: str
    sha256: str
    etag: str | None
    last_modified: str | None


@dataclass(frozen=True)
class _Response:
    status: int
    headers: Message
    body: bytes | None  # None for 304


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """Hands every redirect back to us (as an HTTPError) instead of following it."""

    def redirect_request(self, req: Any, fp: Any, code: Any, msg: Any, headers: Any,
                         newurl: Any) -> None:
        return None


def _split_credentials(url: str) -> tuple[str, str | None]:
    """``url`` without ``user:password@``, and the matching Basic ``Authorization`` value."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url, None
    netloc = parts.netloc.rsplit("@", 1)[1]
    user = unquote(parts.username or "")
    password = unquote(parts.password or "")
    token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, "")), f"Basic {token}"


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    return parts.scheme.lower(), (parts.hostname or "").lower(), parts.port


def _looks_like_html(head: bytes) -> bool:
    lowered = head.lower()
    return lowered.startswith(b"<") or b"<html" in lowered or b"<!doctype" in lowered


def _calendar_start(body: bytes) -> bytes:
    head = body[:4096]
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    return head.lstrip()


def _retry_after(headers: Message) -> timedelta | None:
    """The server's Retry-After, as a delay: seconds, or an HTTP date measured against the
    response's own Date header (we never read the local clock here)."""
    value = (headers.get("Retry-After") or "").strip()
    if not value:
        return None
    delay: timedelta | None
    if value.isdigit():
        delay = timedelta(seconds=int(value))
    else:
        try:
            then = email.utils.parsedate_to_datetime(value)
            now = email.utils.parsedate_to_datetime(headers.get("Date") or "")
        except (TypeError, ValueError, IndexError):
            return None
        if then.tzinfo is None or now.tzinfo is None:
            return None
        delay = then - now
    return max(timedelta(0), min(delay, _MAX_RETRY_AFTER))


def _describe_delay(delay: timedelta) -> str:
    seconds = int(delay.total_seconds())
    if seconds < 120:
        return f"{seconds} seconds"
    if seconds < 2 * 3600:
        return f"{round(seconds / 60)} minutes"
    return f"{round(seconds / 3600)} hours"


class HttpFetcher:
    """An ICS feed (:attr:`SourceKind.URL`); ``config.location`` is its http(s)/webcal URL.

    ``cache_dir`` holds the last good copy of each feed (created on first use, mode 0700).
    """

    TIMEOUT_S = 20.0  # connecting, and each wait for more bytes
    MAX_REDIRECTS = 5
    DEADLINE_S = 120.0  # the whole fetch: a server trickling bytes cannot hold the worker

    def __init__(self, config: SourceConfig, cache_dir: Path) -> None:
        self.config = config
        self.cache_dir = Path(cache_dir)
        self._config_error: SourceError | None = None
        try:
            self.url = normalise_url(config.location)
        except SourceError as exc:
            self.url = config.location.strip()
            self._config_error = exc
        self.display = display_url(self.url)
        key = hashlib.sha256(self.url.encode("utf-8", "surrogateescape")).hexdigest()[:40]
        self.cache_path = self.cache_dir / f"{key}{_CACHE_SUFFIX}"

    # -- the Fetcher protocol ---------------------------------------------------------------

    def fetch(self, previous_version: str | None) -> FetchResult:
        if self._config_error is not None:
            raise self._config_error
        loaded = self._load()
        meta = loaded[0] if loaded is not None else None
        headers = {
            "User-Agent": USER_AGENT,
            "Accept": "text/calendar, text/plain;q=0.5, */*;q=0.1",
            "Accept-Encoding": "gzip",
        }
        conditional = (meta is not None and previous_version is not None
                       and previous_version == meta.version)
        if conditional and meta is not None:
            if meta.etag:
                headers["If-None-Match"] = meta.etag
            if meta.last_modified:
                headers["If-Modified-Since"] = meta.last_modified
        response = self._get(headers)
        retry_after = _retry_after(response.headers)
        if response.body is None:  # 304
            if not conditional or meta is None:
                raise self._error("answered “not modified” to a request that was not "
                                  "conditional", ErrorKind.SERVER)
            log.debug("%s: not modified", self.display)
            return FetchResult(data=None, version=meta.version, retry_after=retry_after)
        body = response.body
        self._check_calendar(body)
        digest = hashlib.sha256(body).hexdigest()
        version = "sha256:" + digest
        etag = response.headers.get("ETag")
        last_modified = response.headers.get("Last-Modified")
        if meta != _CacheMeta(version, digest, etag, last_modified):
            self._store(body, _CacheMeta(version, digest, etag, last_modified))
        if version == previous_version:
            log.debug("%s: same calendar as before (%d bytes)", self.display, len(body))
            return FetchResult(data=None, version=version, retry_after=retry_after)
        log.debug("%s: new calendar (%d bytes)", self.display, len(body))
        return FetchResult(data=CalendarData(documents=(body,), version=version),
                           version=version, retry_after=retry_after)

    def cached(self) -> CalendarData | None:
        loaded = self._load()
        if loaded is None:
            return None
        meta, body = loaded
        return CalendarData(documents=(body,), version=meta.version, from_cache=True)

    # -- the cache ---------------------------------------------------------------------------

    @staticmethod
    def _parse_meta(line: bytes) -> _CacheMeta | None:
        if not line.startswith(_CACHE_MAGIC) or not line.endswith(b"\n"):
            return None
        try:
            raw = json.loads(line[len(_CACHE_MAGIC):])
            meta = _CacheMeta(version=str(raw["version"]), sha256=str(raw["sha256"]),
                              etag=raw.get("etag"), last_modified=raw.get("last_modified"))
        except (ValueError, KeyError, TypeError):
            return None
        if not all(isinstance(v, str | None) for v in (meta.etag, meta.last_modified)):
            return None
        return meta

    def _load(self) -> tuple[_CacheMeta, bytes] | None:
        """The saved copy and its validators, when present and intact."""
        try:
            with open(self.cache_path, "rb") as handle:
                meta = self._parse_meta(handle.readline(64 * 1024))
                body = handle.read(MAX_BYTES + 1) if meta is not None else b""
        except FileNotFoundError:
            return None
        except OSError as exc:
            log.warning("%s: the saved copy could not be read (%s)", self.display,
                        exc.strerror or exc.__class__.__name__)
            return None
        if meta is None or hashlib.sha256(body).hexdigest() != meta.sha256:
            log.warning("%s: the saved copy is damaged and is ignored", self.display)
            return None
        return meta, body

    def _store(self, body: bytes, meta: _CacheMeta) -> None:
        """Body and validators in one file, replaced atomically, readable by the user alone."""
        header = _CACHE_MAGIC + json.dumps(
            {"version": meta.version, "sha256": meta.sha256, "etag": meta.etag,
             "last_modified": meta.last_modified}, ensure_ascii=True).encode("ascii") + b"\n"
        tmp: str | None = None
        try:
            self.cache_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd, tmp = tempfile.mkstemp(dir=self.cache_dir, prefix=".", suffix=".part")
            with os.fdopen(fd, "wb") as handle:  # mkstemp: mode 0600
                handle.write(header)
                handle.write(body)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.cache_path)
            tmp = None
            with contextlib.suppress(OSError):
                os.chmod(self.cache_path, 0o600)
        except OSError as exc:
            log.warning("%s: could not keep a copy for offline use (%s)", self.display,
                        exc.strerror or exc.__class__.__name__)
        finally:
            if tmp is not None:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)

    # -- HTTP --------------------------------------------------------------------------------

    def _error(self, text: str, kind: ErrorKind) -> SourceError:
        return SourceError(redact(f"Calendar link {self.display} {text}"), kind)

    def _get(self, headers: dict[str, str]) -> _Response:
        """GET :attr:`url`, following redirects; a 2xx (with its body, read) or a 304."""
        deadline = time.monotonic() + self.DEADLINE_S
        context = ssl.create_default_context()
        opener = urllib.request.build_opener(_NoRedirects(),
                                             urllib.request.HTTPSHandler(context=context))
        url = self.url
        start_origin = _origin(url)
        start_authorization = _split_credentials(url)[1]
        for _hop in range(self.MAX_REDIRECTS + 1):
            target, authorization = _split_credentials(url)
            if authorization is None and _origin(target) == start_origin:
                # The user's credentials go to the server they were given for, nowhere else.
                authorization = start_authorization
            request = urllib.request.Request(target, headers=headers, method="GET")
            if authorization:
                request.add_unredirected_header("Authorization", authorization)
            timeout = max(0.001, min(self.TIMEOUT_S, deadline - time.monotonic()))
            try:
                response = opener.open(request, timeout=timeout)
            except urllib.error.HTTPError as exc:
                response = exc
            except (OSError, http.client.HTTPException, ValueError) as exc:
                raise self._transport_error(exc) from None
            with contextlib.closing(response):
                status = response.status or 0
                if status in _REDIRECTS:
                    url = self._redirect_target(url, response.headers, status)
                    continue
                if status == 304:
                    return _Response(status, response.headers, None)
                if 200 <= status < 300:
                    body = self._read_body(response, response.headers, deadline)
                    return _Response(status, response.headers, body)
                raise self._status_error(status, response.headers)
        raise self._error(f"redirected too many times (more than {self.MAX_REDIRECTS})",
                          ErrorKind.SERVER)

    def _redirect_target(self, current: str, headers: Message, status: int) -> str:
        location = (headers.get("Location") or "").strip()
        if not location:
            raise self._error(f"redirected (HTTP {status}) without saying where to",
                              ErrorKind.SERVER)
        new = urljoin(_split_credentials(current)[0], location)
        scheme = urlsplit(new).scheme.lower()
        if scheme in ("webcal", "webcals"):
            new = normalise_url(new)
            scheme = "https"
        if scheme not in ("http", "https"):
            raise self._error("redirected to an address that is not a web address",
                              ErrorKind.SERVER)
        if _origin(current)[0] == "https" and scheme == "http":
            raise self._error("redirected from a secure https:// address to an insecure "
                              "http:// one; microapp does not follow that", ErrorKind.SERVER)
        log.debug("%s: redirected (HTTP %d) to %s", self.display, status, display_url(new))
        return new

    def _read_body(self, response: Any, headers: Message, deadline: float) -> bytes:
        too_large = self._error(f"is larger than {size_text(MAX_BYTES)}; microapp reads "
                                "calendars up to that size", ErrorKind.TOO_LARGE)
        length = (headers.get("Content-Length") or "").strip()
        if length.isdigit() and int(length) > MAX_BYTES:
            raise too_large
        encoding = (headers.get("Content-Encoding") or "").strip().lower()
        decoder: Any = None
        if encoding in ("gzip", "x-gzip"):
            decoder = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding not in ("", "identity"):
            raise self._error(f"sent the calendar in an encoding microapp cannot read "
                              f"({encoding[:20]})", ErrorKind.SERVER)
        parts: list[bytes] = []
        wire = size = 0
        try:
            while True:
                chunk = response.read1(_CHUNK)  # what has arrived: deadlines stay checked
                if not chunk:
                    break
                wire += len(chunk)
                if wire > MAX_BYTES:
                    raise too_large
                if decoder is not None:
                    chunk = decoder.decompress(chunk, MAX_BYTES + 1 - size)
                    if decoder.unconsumed_tail:
                        raise too_large
                size += len(chunk)
                if size > MAX_BYTES:
                    raise too_large
                parts.append(chunk)
                if time.monotonic() > deadline:
                    raise self._error(f"took longer than {self.DEADLINE_S:g} seconds to send "
                                      "the calendar", ErrorKind.TIMEOUT)
            if decoder is not None:
                rest = decoder.flush()
                size += len(rest)
                if size > MAX_BYTES:
                    raise too_large
                parts.append(rest)
                if not decoder.eof:
                    raise self._error("sent a compressed calendar that was cut short",
                                      ErrorKind.NETWORK)
        except zlib.error:
            raise self._error("sent a damaged compressed calendar", ErrorKind.SERVER) from None
        except (OSError, http.client.HTTPException) as exc:
            raise self._transport_error(exc) from None
        return b"".join(parts)

    def _check_calendar(self, body: bytes) -> None:
        start = _calendar_start(body)
        if start[:15].upper() == b"BEGIN:VCALENDAR":
            return
        if not start:
            raise self._error("returned an empty answer, not a calendar",
                              ErrorKind.NOT_CALENDAR)
        if _looks_like_html(start[:1024]):
            raise self._error("returned a web page, not a calendar: the link may point to a "
                              "sign-in or preview page instead of the calendar feed",
                              ErrorKind.NOT_CALENDAR)
        raise self._error("returned something that is not a calendar", ErrorKind.NOT_CALENDAR)

    def _status_error(self, status: int, headers: Message) -> SourceError:
        if status in (401, 403, 407):
            return self._error(f"refused access (HTTP {status}): check the link is still valid",
                               ErrorKind.AUTH)
        if status in (404, 410):
            return self._error(f"has no calendar at that address (HTTP {status}): check the "
                               "link is still valid", ErrorKind.NOT_FOUND)
        if status in (429, 503):
            delay = _retry_after(headers)
            busy = "asked microapp to slow down" if status == 429 else "is busy"
            hint = f"; it asked to wait {_describe_delay(delay)}" if delay else ""
            return RetryLaterError(redact(f"Calendar link {self.display} {busy} "
                                          f"(HTTP {status}){hint}"), delay)
        if 500 <= status < 600:
            return self._error(f"had a server error (HTTP {status})", ErrorKind.SERVER)
        return self._error(f"answered with HTTP {status} instead of a calendar",
                           ErrorKind.SERVER)

    def _transport_error(self, exc: BaseException) -> SourceError:
        """A failure below HTTP (DNS, TCP, TLS, timeouts) as one sentence."""
        reason: object = exc
        if isinstance(exc, urllib.error.URLError) and not isinstance(exc, urllib.error.HTTPError):
            reason = exc.reason
        host = urlsplit(self.url).hostname or "the server"
        if isinstance(reason, ssl.SSLCertVerificationError):
            detail = reason.verify_message or ""
            return self._error("could not be read: the server's certificate could not be "
                               "verified" + (f" ({detail})" if detail else ""), ErrorKind.TLS)
        if isinstance(reason, ssl.SSLError):
            return self._error(f"could not be read: the secure connection failed "
                               f"({reason.reason or 'TLS error'})", ErrorKind.TLS)
        if isinstance(reason, TimeoutError):
            return self._error(f"did not answer within {self.TIMEOUT_S:g} seconds",
                               ErrorKind.TIMEOUT)
        if isinstance(reason, socket.gaierror):
            return SourceError(redact(f"Calendar link {self.display}: the server {host} could "
                                      "not be found; check the address and your internet "
                                      "connection"), ErrorKind.NETWORK)
        if isinstance(reason, ConnectionRefusedError):
            return self._error("could not be reached: the server refused the connection",
                               ErrorKind.NETWORK)
        if isinstance(reason, http.client.RemoteDisconnected | ConnectionResetError):
            return self._error("could not be read: the server closed the connection",
                               ErrorKind.NETWORK)
        if isinstance(reason, http.client.IncompleteRead):
            return self._error("could not be read: the connection was cut before the "
                               "calendar was complete", ErrorKind.NETWORK)
        if isinstance(reason, OSError):
            detail = reason.strerror or reason.__class__.__name__
            return self._error(f"could not be reached ({detail})", ErrorKind.NETWORK)
        if isinstance(reason, http.client.HTTPException):
            return self._error("sent an answer microapp could not understand",
                               ErrorKind.SERVER)
        if isinstance(reason, ValueError):
            return self._error("is not a valid web address", ErrorKind.CONFIG)
        return self._error("could not be read", ErrorKind.NETWORK)
