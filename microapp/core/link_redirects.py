"""Redirectors in front of call links: Outlook/Office 365 SafeLinks and Google's ``/url?q=``.

Both hide the real meeting URL in a query parameter, sometimes one inside the other. This
unwraps them, and only ever to a URL that could be opened (never ``javascript:`` or ``data:``).
"""

from __future__ import annotations

import re
from urllib.parse import unquote

#: The schemes a call link may use (shared with the URL scanner in links.py).
SCHEMES = r"(?:https?://|zoom(?:mtg|us)://|msteams:/|jitsi-meet://)"

# SafeLinks (also the Teams and US-government variants) carry the target in "url"; Google's
# redirector in "q". One expression for both, so an ordinary URL costs a single failed match.
_REDIRECTOR = re.compile(
    r"https?://(?:"
    r"(?P<safelinks>(?:[a-z0-9-]+\.)*(?:safelinks\.protection\.(?:outlook\.com|office365\.us)"
    r"|statics\.teams\.cdn\.office\.net)(?::\d+)?/[^?#]*)"
    r"|(?P<google>(?:www\.)?google\.(?:com|[a-z]{2,3}(?:\.[a-z]{2})?)(?::\d+)?/url)"
    r")\?",
    re.IGNORECASE,
)
# What a redirector may lead to: a URL we could open, never javascript: or data:.
_REAL_URL = re.compile(rf"{SCHEMES}\S+\Z", re.IGNORECASE)
_MAX_UNWRAP = 8  # a SafeLinks around a Google redirector is real; eight layers is not


def _query_value(url: str, start: int, names: tuple[str, ...]) -> str | None:
    """The percent-decoded value of the first of ``names`` in the query starting at ``start``.

    Decoded with ``unquote``, not ``unquote_plus``: Google leaves the target unencoded at times,
    and a "+" in it is a real plus.
    """
    params: dict[str, str] = {}
    for part in url[start:].split("&"):
        key, _, value = part.partition("=")
        params.setdefault(key.lower(), value)
    for name in names:
        if name in params:
            return unquote(params[name]).strip()
    return None


def unwrap_safelinks(url: str) -> str:
    """The real URL behind an Outlook/Office 365 SafeLinks or Google ``/url?q=`` redirector
    (layers of them unwrapped in turn); any other URL unchanged."""
    try:
        for _ in range(_MAX_UNWRAP):
            match = _REDIRECTOR.match(url)
            if match is None:
                break
            names = ("url",) if match.group("safelinks") is not None else ("q", "url")
            target = _query_value(url, match.end(), names)
            if not target or not _REAL_URL.match(target):
                break
            url = target
    except (ValueError, TypeError):  # defensive: never let a strange URL escape as an error
        pass
    return url
