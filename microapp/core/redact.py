"""Keep secrets out of logs and error messages.

Calendar URLs often carry a private token (in the path, the query or as user:password);
anything that may reach a log line or an error shown to the user goes through :func:`redact`.
"""

from __future__ import annotations

import re

_URL = re.compile(r"\b((?:https?|webcals?|caldavs?)://)([^\s/?#'\"<>]+)([^\s'\"<>]*)", re.IGNORECASE)
_SECRET_WORDS = re.compile(
    r"((?:password|passwd|pwd|token|secret|api[_-]?key|access[_-]?key|auth)\s*[=:]\s*)"
    r"([^\s&,;'\"]+)",
    re.IGNORECASE,
)
MASK = "…"


def _redact_url(match: re.Match[str]) -> str:
    scheme, authority, rest = match.group(1), match.group(2), match.group(3)
    if "@" in authority:
        authority = MASK + "@" + authority.rsplit("@", 1)[1]
    path, _, query = rest.partition("?")
    path, _, _fragment = path.partition("#")
    segments = path.split("/")
    # Long opaque path segments (private calendar addresses) are tokens in all but name.
    segments = [MASK if len(seg) >= 20 and re.fullmatch(r"[A-Za-z0-9_\-.%=+]+", seg)
                else seg for seg in segments]
    redacted = scheme + authority + "/".join(segments)
    if query:
        redacted += "?" + MASK
    return redacted


def redact(text: str) -> str:
    """``text`` with URL credentials, query strings, token-like path parts and key=value secrets
    replaced by an ellipsis."""
    text = _URL.sub(_redact_url, text)
    return _SECRET_WORDS.sub(lambda m: m.group(1) + MASK, text)
