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

The pieces live beside this module: :mod:`~microapp.core.sources.http_urls` (addresses: how
they are shown and normalised), :mod:`~microapp.core.sources.http_errors` (every failure as one
sentence) and :mod:`~microapp.core.sources.http_cache` (the copy kept on disk). The names
callers use (:func:`display_url`, :func:`normalise_url`, :func:`size_text`,
:class:`RetryLaterError`) are re-exported here.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import logging
import ssl
import time
import urllib.error
import urllib.request
import zlib
from dataclasses import dataclass
from email.message import Message
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from microapp import APP_NAME, __version__
from microapp.core.sources import (
    CalendarData,
    ErrorKind,
    FetchResult,
    SourceConfig,
    SourceError,
)
from microapp.core.sources import http_cache as cache
from microapp.core.sources.http_errors import (
    RetryLaterError,
    link_error,
    retry_after,
    size_text,
    status_error,
    transport_error,
)
from microapp.core.sources.http_urls import display_url, normalise_url, origin, split_credentials

log = logging.getLogger(__name__)

MAX_BYTES = 20 * 1024 * 1024  # the largest calendar read, from the web or from disk
USER_AGENT = f"{APP_NAME}/{__version__} (+calendar reader)"
_CHUNK = 64 * 1024
_REDIRECTS = (301, 302, 303, 307, 308)

__all__ = [
    "MAX_BYTES",
    "USER_AGENT",
    "HttpFetcher",
    "RetryLaterError",
    "display_url",
    "normalise_url",
    "size_text",
]


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


def _looks_like_html(head: bytes) -> bool:
    lowered = head.lower()
    return lowered.startswith(b"<") or b"<html" in lowered or b"<!doctype" in lowered


def _calendar_start(body: bytes) -> bytes:
    head = body[:4096]
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    return head.lstrip()


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
        self.cache_path = cache.cache_path(self.cache_dir, self.url)

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
        hint = retry_after(response.headers)
        if response.body is None:  # 304
            if not conditional or meta is None:
                raise self._error("answered “not modified” to a request that was not "
                                  "conditional", ErrorKind.SERVER)
            log.debug("%s: not modified", self.display)
            return FetchResult(data=None, version=meta.version, retry_after=hint)
        body = response.body
        self._check_calendar(body)
        digest = hashlib.sha256(body).hexdigest()
        version = "sha256:" + digest
        etag = response.headers.get("ETag")
        last_modified = response.headers.get("Last-Modified")
        if meta != cache.CacheMeta(version, digest, etag, last_modified):
            self._store(body, cache.CacheMeta(version, digest, etag, last_modified))
        if version == previous_version:
            log.debug("%s: same calendar as before (%d bytes)", self.display, len(body))
            return FetchResult(data=None, version=version, retry_after=hint)
        log.debug("%s: new calendar (%d bytes)", self.display, len(body))
        return FetchResult(data=CalendarData(documents=(body,), version=version),
                           version=version, retry_after=hint)

    def cached(self) -> CalendarData | None:
        loaded = self._load()
        if loaded is None:
            return None
        meta, body = loaded
        return CalendarData(documents=(body,), version=meta.version, from_cache=True)

    # -- the cache (see http_cache) ----------------------------------------------------------

    def _load(self) -> tuple[cache.CacheMeta, bytes] | None:
        """The saved copy and its validators, when present and intact."""
        return cache.load(self.cache_path, MAX_BYTES, self.display)

    def _store(self, body: bytes, meta: cache.CacheMeta) -> None:
        """Body and validators in one file, replaced atomically, readable by the user alone."""
        cache.store(self.cache_dir, self.cache_path, body, meta, self.display)

    # -- HTTP --------------------------------------------------------------------------------

    def _error(self, text: str, kind: ErrorKind) -> SourceError:
        return link_error(self.display, text, kind)

    def _get(self, headers: dict[str, str]) -> _Response:
        """GET :attr:`url`, following redirects; a 2xx (with its body, read) or a 304."""
        deadline = time.monotonic() + self.DEADLINE_S
        context = ssl.create_default_context()
        opener = urllib.request.build_opener(_NoRedirects(),
                                             urllib.request.HTTPSHandler(context=context))
        url = self.url
        start_origin = origin(url)
        start_authorization = split_credentials(url)[1]
        for _hop in range(self.MAX_REDIRECTS + 1):
            target, authorization = split_credentials(url)
            if authorization is None and origin(target) == start_origin:
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
                raise status_error(self.display, status, response.headers)
        raise self._error(f"redirected too many times (more than {self.MAX_REDIRECTS})",
                          ErrorKind.SERVER)

    def _redirect_target(self, current: str, headers: Message, status: int) -> str:
        location = (headers.get("Location") or "").strip()
        if not location:
            raise self._error(f"redirected (HTTP {status}) without saying where to",
                              ErrorKind.SERVER)
        new = urljoin(split_credentials(current)[0], location)
        scheme = urlsplit(new).scheme.lower()
        if scheme in ("webcal", "webcals"):
            new = normalise_url(new)
            scheme = "https"
        if scheme not in ("http", "https"):
            raise self._error("redirected to an address that is not a web address",
                              ErrorKind.SERVER)
        if origin(current)[0] == "https" and scheme == "http":
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

    def _transport_error(self, exc: BaseException) -> SourceError:
        """A failure below HTTP (DNS, TCP, TLS, timeouts) as one sentence."""
        return transport_error(exc, self.url, self.display, self.TIMEOUT_S)
