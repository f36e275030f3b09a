"""Whatever the caldav library (or requests, urllib3, ssl, socket beneath it) raised, as one
clear, redacted :class:`~microapp.core.sources.SourceError` for
:mod:`microapp.core.sources.caldav`. No message holds a password or a secret part of an
address: the server is named by host and port alone."""

from __future__ import annotations

import socket
import ssl

from caldav.lib import error
from caldav.lib.http_sync import requests as http

from microapp.core.redact import redact
from microapp.core.sources import ErrorKind, SourceConfig, SourceError

__all__ = ["causes", "translate"]


def translate(exc: Exception, config: SourceConfig, server_name: str, base_url: str,
              timeout_s: float) -> SourceError:
    """``exc`` as one sentence about the source ``config`` (on ``server_name``, host and port;
    ``base_url`` is where it was looked for, ``timeout_s`` the limit that applied)."""
    server = f"The CalDAV server {server_name}"
    label = config.label
    status = getattr(exc, "status", None)
    if isinstance(exc, error.AuthorizationError) and status == 403:
        return SourceError(
            f"{server} refused access for {config.username or 'anonymous'!r} "
            f"({label!r}): the account may not read that address.", ErrorKind.AUTH)
    if isinstance(exc, error.AuthorizationError):
        return SourceError(f"{server} rejected the user name or password for {label!r}.",
                           ErrorKind.AUTH)
    if isinstance(exc, error.NotFoundError) or status in (404, 410):
        return SourceError(
            f"{server} has no calendar at {redact(base_url)} ({label!r}); "
            "check the address.", ErrorKind.NOT_FOUND)
    if isinstance(exc, error.RateLimitError):
        return SourceError(f"{server} is busy (too many requests); it will be asked again "
                           "later.", ErrorKind.SERVER)
    if isinstance(exc, error.DAVError):
        code = f" (HTTP {status})" if status else ""
        return SourceError(f"{server} answered with an error{code} for {label!r}.",
                           ErrorKind.SERVER)
    chain = causes(exc)
    if isinstance(exc, http.exceptions.SSLError) or any(
            isinstance(e, ssl.SSLError | ssl.CertificateError) for e in chain):
        return SourceError(f"No secure connection to {server_name} could be made (TLS or "
                           "certificate problem).", ErrorKind.TLS)
    if isinstance(exc, http.exceptions.Timeout) or any(
            isinstance(e, TimeoutError) for e in chain):
        return SourceError(f"{server} did not answer within {timeout_s:g} seconds.",
                           ErrorKind.TIMEOUT)
    if isinstance(exc, http.exceptions.InvalidURL | http.exceptions.MissingSchema
                  | http.exceptions.InvalidSchema):
        return SourceError(f"{redact(config.location)!r} is not a usable CalDAV "
                           f"address ({label!r}).", ErrorKind.CONFIG)
    if isinstance(exc, http.exceptions.ConnectionError):
        if any(isinstance(e, socket.gaierror) for e in chain):
            why = "its name could not be found (DNS)"
        elif any(isinstance(e, ConnectionRefusedError) for e in chain):
            why = "it refused the connection"
        else:
            why = "it is unreachable"
        return SourceError(f"{server} could not be reached: {why}.", ErrorKind.NETWORK)
    if isinstance(exc, http.exceptions.RequestException | OSError):
        return SourceError(f"{server} could not be read ({type(exc).__name__}).",
                           ErrorKind.NETWORK)
    return SourceError(f"{server} did not answer like a CalDAV server ({type(exc).__name__}).",
                       ErrorKind.NOT_CALENDAR)


def causes(exc: BaseException) -> list[BaseException]:
    """``exc`` and everything it was raised from or during (the library wraps deeply)."""
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain and len(chain) < 20:
        chain.append(current)
        current = current.__cause__ or current.__context__
    # urllib3 keeps the underlying error in .reason rather than as a cause
    for item in list(chain):
        reason = getattr(item, "reason", None)
        if isinstance(reason, BaseException) and reason not in chain:
            chain.extend(causes(reason))
    return chain
