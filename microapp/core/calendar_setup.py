"""Adding a calendar source, shared by ``microapp calendars add`` and the Settings window.

What a new source is (:func:`guess_kind`), what it is called (:func:`suggest_id`), how it is
shown without its secret parts (:func:`shown_location`), and :func:`check_source`: read one
:class:`SourceConfig` once — fetch, parse, look 14 days ahead — and say in plain words whether
it works. The check never raises for the source's own problems (a wrong address, a server
error, a bad password): they come back as one redacted sentence in :attr:`SourceCheck.error`.

Everything here is plain, blocking Python (network, parsing): the Settings window runs it in a
worker thread, the CLI runs it directly.
"""

from __future__ import annotations

import logging
import re
import shutil
import tempfile
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from microapp.core.filters import MeetingFilter
from microapp.core.meetings import Meeting
from microapp.core.redact import redact
from microapp.core.settings import Settings
from microapp.core.sources import (
    ErrorKind,
    Fetcher,
    SourceConfig,
    SourceError,
    SourceKind,
    valid_source_id,
)

log = logging.getLogger(__name__)

LOOKAHEAD = timedelta(days=14)
_WEB = re.compile(r"^(https?|webcals?)://", re.IGNORECASE)


class SetupError(ValueError):
    """What the user typed cannot become a calendar source; ``str()`` says why, in one line."""


# -- what a source is and what it is called ---------------------------------------------------

def looks_like_url(text: str) -> bool:
    return bool(_WEB.match(text.strip()))


def guess_kind(source: str, caldav: bool = False) -> SourceKind:
    """CalDAV when asked for; a web address is a subscription URL; else an existing file or
    folder. Raises :class:`SetupError` for anything else."""
    if caldav:
        return SourceKind.CALDAV
    if looks_like_url(source):
        return SourceKind.URL
    path = Path(source).expanduser()
    if path.is_dir():
        return SourceKind.FOLDER
    if path.is_file():
        return SourceKind.FILE
    raise SetupError(f"{source!r} is neither an existing file or folder nor an "
                     "http(s)/webcal URL")


def _slug(text: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-.").lower()
    return (slug or "calendar")[:40]


def suggest_id(source: str, kind: SourceKind, taken: Collection[str]) -> str:
    """A short, free id: the server's name for URLs, the file or folder name for paths."""
    if kind in (SourceKind.URL, SourceKind.CALDAV):
        base = _slug((urlsplit(source.strip()).hostname or "calendar").removeprefix("www."))
    else:
        base = _slug(Path(source).expanduser().stem or Path(source).name)
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def check_new_id(source_id: str, taken: Collection[str]) -> None:
    """Raises :class:`SetupError` when ``source_id`` is not a valid id or is in use."""
    if not valid_source_id(source_id):
        raise SetupError(f"{source_id!r}: use letters, digits, '.', '_' or '-'")
    if source_id in taken:
        raise SetupError(f"a calendar with id {source_id!r} exists already")


def normal_location(source: str, kind: SourceKind) -> str:
    """What is kept as ``location``: an absolute path, or the URL (webcal → https)."""
    source = source.strip()
    if kind is SourceKind.CALDAV:
        return source
    if kind is SourceKind.URL:
        from microapp.core.sources.http_urls import normalise_url

        try:
            return normalise_url(source)
        except SourceError as exc:
            raise SetupError(str(exc)) from None
    return str(Path(source).expanduser().absolute())


def new_config(source: str, *, taken: Collection[str], kind: SourceKind | None = None,
               name: str = "", source_id: str | None = None, username: str | None = None,
               calendars: Sequence[str] = ()) -> SourceConfig:
    """The :class:`SourceConfig` for a source the user named; raises :class:`SetupError`.

    ``kind`` None guesses it (CalDAV when a user name is given)."""
    if not source.strip():
        raise SetupError("Choose a file or folder, or paste a calendar link.")
    if kind is None:
        kind = guess_kind(source, caldav=bool(username))
    if kind is SourceKind.CALDAV and not (username or "").strip():
        raise SetupError("a CalDAV calendar needs a user name")
    if source_id is not None:
        check_new_id(source_id, taken)
    new_id = source_id or suggest_id(source, kind, taken)
    caldav = kind is SourceKind.CALDAV
    return SourceConfig(
        id=new_id, kind=kind, location=normal_location(source, kind), name=name.strip(),
        username=(username or "").strip() if caldav else None,
        calendars=tuple(calendars) if caldav else ())


def display_location(config: SourceConfig) -> str:
    """Where a source is: the path, or just scheme and host of a URL (its path and query
    often are the secret)."""
    if config.kind in (SourceKind.URL, SourceKind.CALDAV):
        parts = urlsplit(config.location)
        return f"{parts.scheme}://{parts.hostname or ''}/…" if parts.path.strip("/") else \
            f"{parts.scheme}://{parts.hostname or ''}/"
    return config.location


def shown_location(config: SourceConfig) -> str:
    """:func:`display_location`, redacted: safe for any screen or log (what `list` prints)."""
    return redact(display_location(config))


# -- reading a source once --------------------------------------------------------------------

@dataclass(frozen=True)
class DiscoveredCalendar:
    """One calendar of a CalDAV account that can hold events."""

    name: str
    url: str


@dataclass(frozen=True)
class SourceCheck:
    """What reading a source once found."""

    config: SourceConfig
    ok: bool
    error: str | None = None  # one redacted sentence, when not ok
    error_kind: ErrorKind | None = None
    events: int = 0  # events in the calendar (all, unfiltered)
    upcoming: int = 0  # meetings that get a pause in the next `lookahead`
    next_meeting: Meeting | None = None
    calendars: tuple[DiscoveredCalendar, ...] = ()  # CalDAV: what the account holds
    warnings: tuple[str, ...] = ()
    keyring: str | None = None  # CalDAV: where a password would go ("none": no keyring)
    lookahead: timedelta = LOOKAHEAD

    @property
    def upcoming_text(self) -> str:
        """ "3 upcoming meetings in the next 14 days" """
        noun = "meeting" if self.upcoming == 1 else "meetings"
        return f"{self.upcoming} upcoming {noun} in the next {self.lookahead.days} days"

    def next_text(self, zone: ZoneInfo) -> str | None:
        """ "Tue 10 Mar 10:00 Standup · Zoom", or None without a next meeting."""
        first = self.next_meeting
        if first is None:
            return None
        service = f" · {first.service}" if first.service else ""
        return f"{first.start.astimezone(zone):%a %d %b %H:%M} {first.title}{service}"

    def choice_names(self) -> list[str]:
        """How each discovered calendar is named in ``SourceConfig.calendars``: its name, or
        its URL where two share a name."""
        names = [c.name for c in self.calendars]
        return [c.name if names.count(c.name) == 1 else c.url for c in self.calendars]


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."


class _GivenPassword:
    """The secrets a check uses when the user has just typed the password: nothing is stored
    or looked up."""

    def __init__(self, password: str) -> None:
        self._password = password

    def get(self, source_id: str) -> str | None:
        return self._password

    def has_keyring(self) -> bool:  # only asked when there is no password
        return True

    def backend_name(self) -> str:
        return "none"


def check_source(config: SourceConfig, password: str | None = None, *, secrets_dir: Path,
                 now: datetime, zone: ZoneInfo, settings: Settings | None = None,
                 cache_dir: Path | None = None, lookahead: timedelta = LOOKAHEAD) -> SourceCheck:
    """Fetch and parse ``config`` once; never raises for the source's own problems.

    ``password`` is a CalDAV password the user just typed (None: look it up as the app does,
    in the environment, the keyring or the opt-in file under ``secrets_dir``). ``cache_dir``
    is where the fetchers keep what they read (the profile's calendar cache, so the app starts
    from it); None reads into a throw-away folder and keeps nothing. ``settings`` decide which
    meetings count as upcoming (its meeting rules; the source counts even if turned off).
    """
    # The calendar stack loads only when a calendar is really read (never when the Settings
    # window merely opens in the tray process).
    from microapp.core.calendars import CalendarEngine, default_fetcher_factory

    config = replace(config, enabled=True)
    settings = settings or Settings()
    keyring_name = None
    if config.kind is SourceKind.CALDAV:
        from microapp.core.sources.secrets import SecretStore

        keyring_name = SecretStore(secrets_dir).backend_name()
    with tempfile.TemporaryDirectory(prefix="microapp-check-") as scratch:
        where = Path(cache_dir) if cache_dir is not None else Path(scratch)
        made: list[Fetcher] = []
        default = default_fetcher_factory(where, secrets_dir)

        def make(wanted: SourceConfig) -> Fetcher:
            if wanted.kind is SourceKind.CALDAV and password:
                from microapp.core.sources.caldav import CalDavFetcher

                fetcher: Fetcher = CalDavFetcher(
                    wanted, _GivenPassword(password),  # type: ignore[arg-type]  # duck-typed
                    where / "caldav" / wanted.id)
            else:
                fetcher = default(wanted)
            made.append(fetcher)
            return fetcher

        try:
            engine = CalendarEngine(zone, make)
            engine.configure([config])
            status = engine.refresh(config.id, now).status
        except Exception as exc:  # building a fetcher for a bad config, say
            log.info("checking %s failed: %s", config.id, type(exc).__name__)
            error = exc if isinstance(exc, SourceError) else SourceError(
                f"could not be read ({type(exc).__name__})", ErrorKind.CONFIG)
            return SourceCheck(config, ok=False, error=_sentence(redact(str(error))),
                               error_kind=error.kind, keyring=keyring_name, lookahead=lookahead)
        if not status.ok:
            return SourceCheck(config, ok=False, error=_sentence(status.error or "could not be "
                                                                 "read"),
                               error_kind=status.error_kind, keyring=keyring_name,
                               lookahead=lookahead)
        keep = MeetingFilter.from_settings(settings, disabled=())
        upcoming = keep.apply(engine.meetings_between(now, now + lookahead, settings))
        found: tuple[DiscoveredCalendar, ...] = ()
        if config.kind is SourceKind.CALDAV and made:
            found = _discover(made[0])
        return SourceCheck(
            config, ok=True, events=status.events, upcoming=len(upcoming),
            next_meeting=upcoming[0] if upcoming else None, calendars=found,
            warnings=status.warnings, keyring=keyring_name, lookahead=lookahead)


def _discover(fetcher: Fetcher) -> tuple[DiscoveredCalendar, ...]:
    """The calendars a CalDAV account holds (best effort: a failure here only means the user
    is not offered a choice)."""
    discover = getattr(fetcher, "discover", None)
    if discover is None:
        return ()
    try:
        return tuple(DiscoveredCalendar(name, url) for name, url in discover())
    except SourceError:
        return ()


# -- passwords and leftovers ------------------------------------------------------------------

def store_password(source_id: str, password: str, secrets_dir: Path, *,
                   allow_file: bool = False) -> str:
    """Keep a CalDAV password (keyring, or the opt-in private file); returns where it went.
    Raises :class:`SourceError` (NO_KEYRING, with what to do instead) when it cannot."""
    from microapp.core.sources.secrets import SecretStore

    return SecretStore(secrets_dir).set(source_id, password, allow_file=allow_file)


def no_keyring_message(source_id: str, secrets_dir: Path) -> str:
    from microapp.core.sources.secrets import SecretStore

    return SecretStore(secrets_dir).no_keyring_message(source_id)


def forget_source(config: SourceConfig, secrets_dir: Path, cache_dir: Path) -> None:
    """After a source is removed: its stored password and its CalDAV state go too."""
    if config.kind is not SourceKind.CALDAV:
        return
    from microapp.core.sources.secrets import SecretStore

    SecretStore(secrets_dir).delete(config.id)
    shutil.rmtree(Path(cache_dir) / "caldav" / config.id, ignore_errors=True)
