"""Keep secrets out of logs and error messages.

Calendar URLs often carry a private token (in the path, the query or as user:password);
anything that may reach a log line or an error shown to the user goes through :func:`redact`.
"""

from __future__ import annotations

import re

_URL = re.compile(r"\b((?:https?|webcals?|caldavs?)://)([^\s/?#'\"<>]+)([^\s'\"<>]*)",
                  re.IGNORECASE)
_SECRET_WORDS = re.compile(
    r"((?:password|passwd|pwd|token|secret|api[_-]?key|access[_-]?key|auth)"
    r"['\"]?\s*[=:]\s*['\"]?)"
    r"([^\s&,;'\"]+)",
    re.IGNORECASE,
)
# An HTTP Authorization header keeps its secret after a scheme word ("Bearer abc…").
# Both patterns also match the quoted keys of a dict's repr: {'password': 'hunter2'}.
_AUTH_HEADER = re.compile(
    r"(\bauthorization['\"]?\s*[=:]\s*['\"]?(?:(?:bearer|basic|digest|token)\s+)?)"
    r"([^\s,;'\"]+)",
    re.IGNORECASE,
)
MASK = "…"


def _redact_url(match: re.Match[str]) -> str:
    scheme, authority, rest = match.group(1), match.group(2), match.group(3)
    if "@" in authority:
        authority = MASK + "@" + authority.rsplit("@", 1)[1]
    # Sentence punctuation after the URL ("…/feed.ics?t=1: 404") is not part of the secret.
    trail = rest[len(rest.rstrip(".,:;!)]")):]
    rest = rest[: len(rest) - len(trail)]
    path, _, query = rest.partition("?")
    path, _, fragment = path.partition("#")
    segments = path.split("/")
    # Long opaque path segments (private calendar addresses) are tokens in all but name.
    segments = [MASK if len(seg) >= 20 and re.fullmatch(r"[A-Za-z0-9_\-.%=+]+", seg)
                else seg for seg in segments]
    redacted = scheme + authority + "/".join(segments)
    if fragment:
        redacted += "#" + MASK
    if query:
        redacted += "?" + MASK
    return redacted + trail


def redact(text: str) -> str:
    """``text`` with URL credentials, query strings, token-like path parts and key=value secrets
    replaced by an ellipsis."""
    text = _URL.sub(_redact_url, text)
    text = _AUTH_HEADER.sub(lambda m: m.group(1) + MASK, text)
    return _SECRET_WORDS.sub(lambda m: m.group(1) + MASK, text)
