"""What went wrong fetching an ICS feed, as one redacted sentence: the HTTP status and
transport (DNS, TCP, TLS, timeout) failures of :mod:`microapp.core.sources.http` mapped to
:class:`SourceError`, the server's ``Retry-After`` hint and :class:`RetryLaterError`.

Every message names the feed by its :func:`~microapp.core.sources.http_urls.display_url` form
(``display`` below) and goes through :func:`~microapp.core.redact.redact` too."""

from __future__ import annotations

import email.utils
import http.client
import socket
import ssl
import urllib.error
from datetime import timedelta
from email.message import Message
from urllib.parse import urlsplit

from microapp.core.redact import redact
from microapp.core.sources import ErrorKind, SourceError

_MAX_RETRY_AFTER = timedelta(days=1)

__all__ = [
    "RetryLaterError",
    "link_error",
    "retry_after",
    "size_text",
    "status_error",
    "transport_error",
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


def link_error(display: str, text: str, kind: ErrorKind) -> SourceError:
    """"Calendar link <display> <text>", redacted."""
    return SourceError(redact(f"Calendar link {display} {text}"), kind)


def retry_after(headers: Message) -> timedelta | None:
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


def status_error(display: str, status: int, headers: Message) -> SourceError:
    """An HTTP status that is neither 2xx, 304 nor a redirect, as one sentence."""
    if status in (401, 403, 407):
        return link_error(display, f"refused access (HTTP {status}): check the link is still "
                          "valid", ErrorKind.AUTH)
    if status in (404, 410):
        return link_error(display, f"has no calendar at that address (HTTP {status}): check "
                          "the link is still valid", ErrorKind.NOT_FOUND)
    if status in (429, 503):
        delay = retry_after(headers)
        busy = "asked microapp to slow down" if status == 429 else "is busy"
        hint = f"; it asked to wait {_describe_delay(delay)}" if delay else ""
        return RetryLaterError(redact(f"Calendar link {display} {busy} "
                                      f"(HTTP {status}){hint}"), delay)
    if 500 <= status < 600:
        return link_error(display, f"had a server error (HTTP {status})", ErrorKind.SERVER)
    return link_error(display, f"answered with HTTP {status} instead of a calendar",
                      ErrorKind.SERVER)


def transport_error(exc: BaseException, url: str, display: str,
                    timeout_s: float) -> SourceError:
    """A failure below HTTP (DNS, TCP, TLS, timeouts) as one sentence."""
    reason: object = exc
    if isinstance(exc, urllib.error.URLError) and not isinstance(exc, urllib.error.HTTPError):
        reason = exc.reason
    host = urlsplit(url).hostname or "the server"
    if isinstance(reason, ssl.SSLCertVerificationError):
        detail = reason.verify_message or ""
        return link_error(display, "could not be read: the server's certificate could not be "
                          "verified" + (f" ({detail})" if detail else ""), ErrorKind.TLS)
    if isinstance(reason, ssl.SSLError):
        return link_error(display, f"could not be read: the secure connection failed "
                          f"({reason.reason or 'TLS error'})", ErrorKind.TLS)
    if isinstance(reason, TimeoutError):
        return link_error(display, f"did not answer within {timeout_s:g} seconds",
                          ErrorKind.TIMEOUT)
    if isinstance(reason, socket.gaierror):
        return SourceError(redact(f"Calendar link {display}: the server {host} could "
                                  "not be found; check the address and your internet "
                                  "connection"), ErrorKind.NETWORK)
    if isinstance(reason, ConnectionRefusedError):
        return link_error(display, "could not be reached: the server refused the connection",
                          ErrorKind.NETWORK)
    if isinstance(reason, http.client.RemoteDisconnected | ConnectionResetError):
        return link_error(display, "could not be read: the server closed the connection",
                          ErrorKind.NETWORK)
    if isinstance(reason, http.client.IncompleteRead):
        return link_error(display, "could not be read: the connection was cut before the "
                          "calendar was complete", ErrorKind.NETWORK)
    if isinstance(reason, OSError):
        detail = reason.strerror or reason.__class__.__name__
        return link_error(display, f"could not be reached ({detail})", ErrorKind.NETWORK)
    if isinstance(reason, http.client.HTTPException):
        return link_error(display, "sent an answer microapp could not understand",
                          ErrorKind.SERVER)
    if isinstance(reason, ValueError):
        return link_error(display, "is not a valid web address", ErrorKind.CONFIG)
    return link_error(display, "could not be read", ErrorKind.NETWORK)
