"""Calendar web addresses for :mod:`microapp.core.sources.http`: how one is shown in a message
(:func:`display_url`, never a secret), which address is actually fetched (:func:`normalise_url`),
and the small URL pieces the fetcher needs (credentials in the address, the origin)."""

from __future__ import annotations

import base64
from urllib.parse import unquote, urlsplit, urlunsplit

from microapp.core.redact import MASK, redact
from microapp.core.sources import ErrorKind, SourceError

__all__ = ["display_url", "normalise_url", "origin", "split_credentials"]


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


def split_credentials(url: str) -> tuple[str, str | None]:
    """``url`` without ``user:password@``, and the matching Basic ``Authorization`` value."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url, None
    netloc = parts.netloc.rsplit("@", 1)[1]
    user = unquote(parts.username or "")
    password = unquote(parts.password or "")
    token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, "")), f"Basic {token}"


def origin(url: str) -> tuple[str, str, int | None]:
    """Scheme, host and port of ``url``: where credentials may be sent."""
    parts = urlsplit(url)
    return parts.scheme.lower(), (parts.hostname or "").lower(), parts.port
