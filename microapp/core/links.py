"""Find the call link of a meeting and name its service.

Calendar text is untrusted and messy: Outlook wraps every link in SafeLinks and writes HTML
(``<a href="…">``, ``&amp;``), Google routes links through ``www.google.com/url?q=…``, plain
text puts links in angle brackets or at the end of a sentence, and ICS escapes commas. This
module turns any of that into one clean URL to open, plus a human name for the service.

Speed matters because every event of every calendar passes through here on each refresh: all
regular expressions are compiled once, text is scanned in one linear pass that jumps between
the places a URL can be (":/" or ".tld/"), and a URL is only matched against the patterns of
the service its host belongs to.

Nothing here raises on bad input: a description that cannot be understood simply has no link.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from microapp.core.link_redirects import SCHEMES, unwrap_safelinks

__all__ = [
    "KNOWN_SERVICES",
    "CallLink",
    "LinkPattern",
    "find_call_link",
    "identify_service",
    "unwrap_safelinks",
]


@dataclass(frozen=True)
class CallLink:
    """The link to join a meeting and the name of the service it belongs to."""

    url: str
    service: str


@dataclass(frozen=True)
class LinkPattern:
    """A user-added call service, e.g. a self-hosted Jitsi: its name and a URL regex.

    The expression is searched (not anchored) in each URL found: http(s) links, app links such
    as zoommtg:, and scheme-less "host/path" links, which are given "https://". The search is
    case-insensitive because URL schemes and host names are. Use :meth:`checked` to build one
    from user input; a pattern built directly with an invalid expression is ignored, never
    raised on.
    """

    name: str
    pattern: str

    @classmethod
    def checked(cls, name: str, pattern: str) -> LinkPattern:
        """A pattern from user input, with surrounding whitespace removed (a URL never holds
        whitespace, so a stray space would only stop it matching).

        Raises ValueError, with a message fit to show the user, for an empty name, an empty
        pattern or an expression that does not compile.
        """
        name = (name or "").strip()
        pattern = (pattern or "").strip()
        if not name:
            raise ValueError(f"Link pattern {pattern!r} needs a name to show as its service.")
        if not pattern:
            raise ValueError(f"Link pattern {name!r} has an empty regular expression.")
        try:
            re.compile(pattern, re.IGNORECASE)
        except (re.error, OverflowError, RecursionError, ValueError) as err:
            raise ValueError(
                f"Link pattern {name!r}: {pattern!r} is not a valid regular expression ({err})."
            ) from None
        return cls(name, pattern)


# --- Finding URLs in text ----------------------------------------------------------------------

# Schemes a call link can have. Custom app schemes (zoommtg:, msteams:) are kept as found.
_SCHEMES = SCHEMES
# Characters that end a URL in text: whitespace, and what HTML and prose put around links.
_URL_CHARS = r"[^\s<>\"'`]"
_TEXT_URL = re.compile(
    rf"(?P<url>{_SCHEMES}{_URL_CHARS}+)"
    # A link typed without a scheme ("zoom.us/j/123"): a host name followed by a path. It must
    # not continue a word, an e-mail address, a host or a path, hence the look-behind.
    rf"|(?<![\w@./%#?=&+~\\-])(?P<bare>(?:[a-z0-9-]+\.)+[a-z]{{2,}}(?::\d+)?/{_URL_CHARS}*)",
    re.IGNORECASE,
)
# "https://zoom.us/j/1,https://meet.google.com/…": a list of links without spaces.
_GLUED = re.compile(rf"[,;](?={_SCHEMES})", re.IGNORECASE)
# ICS text escapes (RFC 5545 §3.3.11), in case a caller hands us raw property text.
_ICS_ESCAPE = re.compile(r"\\([\\,;nN])")
_ICS_SIMPLE = (("\\n", "\n"), ("\\N", "\n"), ("\\,", ","), ("\\;", ";"))
# HTML entities. The common ones are replaced with str.replace (an Outlook description has
# thousands of "&nbsp;"; a callback per entity would cost milliseconds), "&amp;" last so that
# "&amp;lt;" becomes "&lt;", not "<". The rest are decoded one by one, and only when closed by
# ";": HTML also allows "&not" or "&para" without one, which would mangle query strings such as
# "?a=1&notify=0".
_HTML_COMMON = (("&nbsp;", " "), ("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'),
                ("&#39;", "'"), ("&apos;", "'"), ("&#34;", '"'))
_ENTITY = re.compile(
    r"&(?!amp;)(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
# Punctuation that ends a sentence or wraps a link, never the last character of a call link.
_TRAILING = frozenset(".,;:!?*'\"|\\>")
_CLOSERS = {")": "(", "]": "[", "}": "{"}
_TRIMMABLE = _TRAILING | _CLOSERS.keys()
# Where a URL may be: at a scheme's ":/" or at a host name's ".tld/". Searching for these first
# (a fast scan) and only then looking at the text around them keeps long prose and HTML cheap.
_ANCHOR = re.compile(r"[:.](?:/(?:/[^\s<>\"'`/]|[A-Za-z])|[A-Za-z]{2,}(?::\d+)?/)")
_RUN = re.compile(rf"{_URL_CHARS}*")
_MAX_LEFT = 1024  # how far back from an anchor a URL may begin


def _ics_unescape(match: re.Match[str]) -> str:
    char = match.group(1)
    return "\n" if char in "nN" else char


@functools.lru_cache(maxsize=512)
def _entity(entity: str) -> str:
    return html.unescape(entity)


def _clean_text(text: str) -> str:
    """``text`` with ICS escapes and HTML entities decoded, so that links can be found in it."""
    if "\\" in text:
        if "\\\\" in text:
            text = _ICS_ESCAPE.sub(_ics_unescape, text)
        else:
            for escaped, char in _ICS_SIMPLE:
                text = text.replace(escaped, char)
    if "&" in text:
        for entity, char in _HTML_COMMON:
            text = text.replace(entity, char)
        text = _ENTITY.sub(lambda m: _entity(m.group(0)), text)
        text = text.replace("&amp;", "&")
    return text


def _trim(url: str) -> str:
    """``url`` without trailing punctuation and unbalanced closing brackets: in
    "(see https://x.example/a)." the link ends at "a"."""
    end = len(url)
    counts: dict[str, int] | None = None
    while end:
        char = url[end - 1]
        if char in _TRAILING:
            end -= 1
        elif char in _CLOSERS:
            if counts is None:  # counted once; only trailing characters are removed below
                head = url[:end]
                counts = {c: head.count(c) for c in "()[]{}"}
            if counts[char] <= counts[_CLOSERS[char]]:
                break  # balanced, as in a Wikipedia-style "…/Foo_(bar)"
            counts[char] -= 1
            end -= 1
        else:
            break
    return url[:end]


def _urls_in(text: str) -> Iterable[str]:
    """Every URL in ``text``, in order, trimmed and unwrapped."""
    end = 0
    while (anchor := _ANCHOR.search(text, end)) is not None:
        # The token around the anchor: the run of URL characters it sits in. Found backwards
        # by matching the reversed text, since regular expressions only match forwards.
        pos = anchor.start()
        low = max(end, pos - _MAX_LEFT)
        back = _RUN.match(text[low:pos][::-1])
        start = pos - (back.end() if back else 0)
        forward = _RUN.match(text, pos)
        end = max(forward.end() if forward else 0, pos + 1)
        for match in _TEXT_URL.finditer(text, start, end):
            found = match.group("url")
            if found is None:
                found = "https://" + match.group("bare")
            pieces = _GLUED.split(found) if ("," in found or ";" in found) else (found,)
            for piece in pieces:
                url = _trim(piece) if piece[-1] in _TRIMMABLE else piece
                # Both redirectors have "url" in them: SafeLinks "?url=", Google "/url?q=".
                if "?" in url and ("url" in url or "URL" in url):
                    url = unwrap_safelinks(url)
                if url:
                    yield url


# --- Known services ------------------------------------------------------------------------------

_SUB = r"(?:[a-z0-9-]+\.)*"  # any subdomains, e.g. "us02web." or "acme."
_PORT = r"(?::\d+)?"
_END = r"(?=[/?#]|\Z)"  # the path segment ends here
_SEG = r"[^/?#\s]+"  # one non-empty path segment


def _not(*words: str) -> str:
    """A look-ahead refusing a first path segment that is one of ``words`` (a site page, not
    a room)."""
    return rf"(?!(?:{'|'.join(words)})(?:[/?#]|\Z))"


_SITE_PAGES = (
    "about", "account", "api", "blog", "careers", "contact", "download", "features", "help",
    "jobs", "legal", "login", "logout", "pricing", "privacy", "settings", "signin", "sign-in",
    "signup", "sign-up", "static", "support", "terms",
)

_ZOOM_DOMAINS = ("zoom.us", "zoom.com", "zoomgov.com")
_ZOOM_HOSTS = r"(?:zoom\.us|zoom\.com|zoomgov\.com)"

# (service, host domains (last two labels, or the app scheme), expression matched at the start
# of the whole URL). Kept narrow on purpose: a service's home or pricing page is no meeting.
_SERVICE_PATTERNS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("Zoom", _ZOOM_DOMAINS,
     rf"https?://{_SUB}{_ZOOM_HOSTS}{_PORT}/"
     rf"(?:[jsw]/\d+{_END}|my/{_SEG}|wc/(?:join/)?\d+|join\?(?:[^#\s]*&)?confno=\d)"),
    ("Zoom", _ZOOM_DOMAINS, rf"zoom(?:mtg|us)://{_SUB}{_ZOOM_HOSTS}{_PORT}/(?:join|start)\b"),
    ("Google Meet", ("google.com",),
     rf"https?://meet\.google\.com{_PORT}/"
     rf"(?:(?:_meet/)?[a-z]{{3}}-[a-z]{{4}}-[a-z]{{3}}{_END}|lookup/{_SEG})"),
    ("Google Meet", ("g.co",), rf"https?://g\.co/meet/{_SEG}"),
    ("Microsoft Teams", ("microsoft.com", "microsoft.us", "live.com", "cloud.microsoft"),
     rf"https?://{_SUB}teams\.(?:microsoft\.com|microsoft\.us|live\.com|cloud\.microsoft)"
     rf"{_PORT}/(?:meet/\d+|[^\s]*?meetup-join/)"),
    ("Microsoft Teams", ("msteams:",), r"msteams:(?://[a-z0-9.-]+)?/(?:l/meetup-join/|meet/\d)"),
    ("Webex", ("webex.com", "webexgov.us"),
     # A site name is required: www.webex.com is the vendor's own web site.
     rf"https?://(?!(?:www|help|blog|developer)\.)[a-z0-9-]+\.{_SUB}webex(?:gov)?\.(?:com|us)"
     rf"{_PORT}/(?:(?:{_SEG}/)*(?:j|e|k2/j)\.php\?(?:[^#\s]*&)?MTID="
     rf"|meet/{_SEG}|join/{_SEG}|wbxmjs/joinservice/)"),
    ("Jitsi Meet", ("jit.si", "8x8.vc"),
     rf"https?://(?:meet\.jit\.si|8x8\.vc){_PORT}/{_not('static', 'libs')}{_SEG}"),
    ("Jitsi Meet", ("jitsi-meet:",), rf"jitsi-meet://{_SEG}/{_SEG}"),
    ("Whereby", ("whereby.com",),
     r"https?://(?:www\.|(?!(?:docs|blog|help|support|api|status|developers?|careers|learn|"
     rf"shop|embed)\.)[a-z0-9-]+\.)?whereby\.com{_PORT}/"
     + _not(*_SITE_PAGES, "information", "user", "register", "org", "organizations",
            "org-signup", "product", "products", "solutions", "customers", "security",
            "use-cases", "business", "education", "healthcare", "company", "press",
            "partners", "integrations", "resources", "assets", "home", "dashboard", "embed",
            "developers", "my-rooms", "rooms")
     + _SEG),
    ("GoToMeeting", ("gotomeeting.com",),
     rf"https?://(?:(?:global|app|www)\.)?gotomeeting\.com{_PORT}/join/\d+"),
    ("GoToMeeting", ("gotomeet.me",), rf"https?://(?:www\.)?gotomeet\.me{_PORT}/{_SEG}"),
    ("GoToMeeting", ("goto.com",),
     rf"https?://meet\.goto\.com{_PORT}/{_not(*_SITE_PAGES)}{_SEG}"),
    ("GoToMeeting", ("goto.com",), rf"https?://app\.goto\.com{_PORT}/meeting/\d+"),
    ("BlueJeans", ("bluejeans.com",), rf"https?://{_SUB}bluejeans\.com{_PORT}/\d+{_END}"),
    ("BlueJeans", ("bjn.vc",), rf"https?://bjn\.vc/{_SEG}"),
    ("Slack huddle", ("slack.com",), rf"https?://{_SUB}slack\.com{_PORT}/huddle/{_SEG}"),
    ("Discord", ("discord.gg",), rf"https?://discord\.gg/{_SEG}"),
    ("Discord", ("discord.com", "discordapp.com"),
     rf"https?://(?:(?:www|ptb|canary)\.)?discord(?:app)?\.com{_PORT}/"
     rf"(?:channels/(?:\d+|@me)/\d+|invite/{_SEG})"),
    ("Skype", ("skype.com",), rf"https?://join\.skype\.com{_PORT}/(?:invite/)?[a-z0-9_-]+"),
    ("Amazon Chime", ("chime.aws",),
     rf"https?://(?:app\.)?chime\.aws{_PORT}/(?:meetings/?(?:\?(?:[^#\s]*&)?pin=)?)?\d+{_END}"),
    ("RingCentral", ("ringcentral.com",),
     rf"https?://meetings(?:-[a-z0-9]+)?\.ringcentral\.com{_PORT}/j/\d+"),
    ("RingCentral", ("ringcentral.com",),
     rf"https?://{_SUB}(?:v|video)\.ringcentral\.com{_PORT}/(?:join|j)/\d+"),
    ("Around", ("around.co",), rf"https?://meet\.around\.co{_PORT}/{_SEG}"),
    ("Around", ("around.co",), rf"https?://(?:www\.)?around\.co{_PORT}/r/{_SEG}"),
    ("Gather", ("gather.town",),
     rf"https?://app\.(?:v2\.)?gather\.town{_PORT}/"
     rf"{_not(*_SITE_PAGES, 'get-started', 'profile')}{_SEG}"),
    ("Jam", ("jam.systems",),
     rf"https?://(?:www\.)?jam\.systems{_PORT}/"
     rf"{_not(*_SITE_PAGES, '_', 'new', 'me', 'imprint')}{_SEG}"),
)

KNOWN_SERVICES: tuple[str, ...] = tuple(dict.fromkeys(name for name, *_ in _SERVICE_PATTERNS))
"""The names of the services recognised without any user pattern, in a stable order."""


def _by_domain() -> dict[str, tuple[tuple[str, re.Pattern[str]], ...]]:
    table: dict[str, list[tuple[str, re.Pattern[str]]]] = {}
    for name, domains, expr in _SERVICE_PATTERNS:
        regex = re.compile(expr, re.IGNORECASE)
        for domain in domains:
            table.setdefault(domain, []).append((name, regex))
    return {domain: tuple(entries) for domain, entries in table.items()}


# Patterns by the last two labels of the host (or the app scheme): most URLs in a description
# are no call, and this way they cost one dictionary miss instead of thirty failed matches.
_BY_DOMAIN = _by_domain()
_HOST = re.compile(
    r"(?:https?|zoommtg|zoomus)://(?P<host>[^/?#:@\s\\]+)|(?P<scheme>msteams:|jitsi-meet:)",
    re.IGNORECASE,
)


@functools.lru_cache(maxsize=256)
def _user_regex(pattern: str) -> re.Pattern[str] | None:
    try:
        return re.compile(pattern, re.IGNORECASE)
    except (re.error, OverflowError, RecursionError, ValueError, TypeError):
        return None


def identify_service(url: str, extra: Sequence[LinkPattern] = ()) -> str | None:
    """The name of the call service ``url`` belongs to: the first user pattern that matches,
    else a known service; None for an ordinary web page.

    ``url`` should already be unwrapped (see :func:`unwrap_safelinks`); :func:`find_call_link`
    does that.
    """
    if not isinstance(url, str) or not url:
        return None
    for user in extra:
        regex = _user_regex(user.pattern) if isinstance(user.pattern, str) else None
        if regex is not None and user.name and regex.search(url):
            return user.name
    head = _HOST.match(url)
    if head is None:
        return None
    host = head.group("host")
    domain = ".".join(host.lower().rsplit(".", 2)[-2:]) if host else head.group("scheme").lower()
    for name, regex in _BY_DOMAIN.get(domain, ()):
        if regex.match(url):
            return name
    return None


def _texts(candidates: Iterable[object]) -> Iterable[str]:
    """Candidate texts as strings: None and empty skipped, bytes decoded, and a list (a
    property given more than once) taken in its own order."""
    for candidate in candidates:
        if isinstance(candidate, str):
            if candidate:
                yield candidate
        elif isinstance(candidate, bytes | bytearray):
            yield bytes(candidate).decode("utf-8", errors="replace")
        elif isinstance(candidate, list | tuple):
            yield from (item for item in candidate if isinstance(item, str) and item)


def find_call_link(
    candidates: Iterable[str | None], extra: Sequence[LinkPattern] = ()
) -> CallLink | None:
    """The first call link in ``candidates``: texts of an event's properties in priority order
    (CONFERENCE, X-GOOGLE-CONFERENCE, X-MICROSOFT-SKYPETEAMSMEETINGURL, URL, LOCATION,
    DESCRIPTION). Each text is searched fully before the next, so a Zoom link in LOCATION wins
    over a Meet link in DESCRIPTION. URLs that are no call (a calendar page, a document) are
    passed over. Returns None when there is no call link.
    """
    for text in _texts(candidates):
        for url in _urls_in(_clean_text(text)):
            service = identify_service(url, extra)
            if service is not None:
                return CallLink(url, service)
    return None
