"""CalDAV calendars (Nextcloud, Radicale, Fastmail, iCloud, …) through the caldav library.

How a fetch works:

1. **Which calendars.** The first time, the configured location is asked what it is: a calendar
   (then that calendar alone is watched) or a server/principal URL (then the principal's
   calendar home set is found). Its address is kept, and every later fetch lists it with one
   ``PROPFIND`` (depth 1) asking for each calendar's name, supported components, ``DAV:sync-token``
   and ``CS:getctag``. With ``config.calendars`` empty, every calendar that can hold events
   (VEVENT) is used; otherwise the chosen ones, matched by URL or display name — a chosen one
   that is gone is a NOT_FOUND error naming it.
2. **What changed.** A calendar whose sync token (else ctag) equals the kept one is unchanged:
   no further request. Otherwise a ``sync-collection`` REPORT (RFC 6578) with the kept token
   answers which objects changed or went away since; the first time (or when the server
   expired the token) the same REPORT without a token lists every object with its ETag. Only
   new or changed objects are downloaded, all in one ``calendar-multiget`` REPORT. Servers
   without sync-collection are listed by ETag (``PROPFIND``) and compared the same way.
3. **What is kept.** Every object's ICS text, ETag and the per-calendar tokens are kept in one
   JSON file in ``state_dir`` (mode 0600, never a password) so a restart resumes
   incrementally and :meth:`CalDavFetcher.cached` can serve the last good copy while the
   server is unreachable.

``version`` is a hash of the per-calendar sync tokens (else ctags, else ETags): equal versions
mean equal content, so ``fetch(previous_version)`` answers ``data=None`` when nothing changed.

The pieces live beside this module: :mod:`~microapp.core.sources.caldav_state` (what is kept,
and its file), :mod:`~microapp.core.sources.caldav_protocol` (the PROPFIND and REPORT requests
and how their answers are read) and :mod:`~microapp.core.sources.caldav_errors` (every failure
as one sentence).
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urljoin, urlsplit

from caldav.collection import Calendar
from caldav.davclient import DAVClient
from caldav.elements import dav
from caldav.lib import error
from caldav.lib.url import URL

from microapp.core.redact import redact
from microapp.core.sources import (
    CalendarData,
    ErrorKind,
    FetchResult,
    SourceConfig,
    SourceError,
    SourceKind,
)
from microapp.core.sources.caldav_errors import translate
from microapp.core.sources.caldav_protocol import (
    Member,
    NoSyncCollection,
    Wanted,
    get_each,
    multiget,
    path_key,
    propfind,
    sync_report,
)
from microapp.core.sources.caldav_state import (
    STATE_FORMAT,
    CalendarState,
    SourceState,
    StoredObject,
    load_state,
    save_state,
)
from microapp.core.sources.secrets import SecretStore, env_var

log = logging.getLogger(__name__)
_T = TypeVar("_T")

__all__ = ["STATE_FORMAT", "CalDavFetcher"]


# -- the fetcher --------------------------------------------------------------------------------

class CalDavFetcher:
    """A :class:`~microapp.core.sources.Fetcher` for one CalDAV account (kind ``caldav``).

    ``config.location`` is the server, principal or calendar URL; ``config.username`` the
    login (its password comes from ``secrets``); ``config.calendars`` the chosen calendars'
    names or URLs, ``()`` for all that hold events.
    """

    TIMEOUT_S = 20.0

    def __init__(self, config: SourceConfig, secrets: SecretStore, state_dir: Path) -> None:
        if config.kind is not SourceKind.CALDAV:
            raise ValueError(f"CalDavFetcher cannot read a {config.kind} source")
        self.config = config
        self.secrets = secrets
        self.state_dir = Path(state_dir)
        self._lock = threading.Lock()

    # -- the Fetcher API ------------------------------------------------------------------------

    def fetch(self, previous_version: str | None) -> FetchResult:
        with self._lock:
            old = self._load_state()
            with self._client() as client:
                new = self._guarded(lambda: self._refresh(client, old))
            if new != old:
                self._save_state(new)
            version = new.version()
            if previous_version == version:
                return FetchResult(data=None, version=version)
            return FetchResult(data=CalendarData(documents=new.documents(), version=version),
                               version=version)

    def cached(self) -> CalendarData | None:
        with self._lock:
            state = self._load_state()
        if state is None:
            return None
        return CalendarData(documents=state.documents(), version=state.version(),
                            from_cache=True)

    def discover(self) -> list[tuple[str, str]]:
        """(display name, URL) of every calendar at the location that can hold events."""
        with self._lock:
            old = self._load_state()
            with self._client() as client:
                def listing() -> list[Member]:
                    where, depth = self._where(client, old)
                    return [m for m in self._calendars_at(client, where, depth) if m.holds_events]
                return [(m.label, m.url) for m in self._guarded(listing)]

    # -- connecting ----------------------------------------------------------------------------

    @property
    def _base_url(self) -> str:
        location = self.config.location.strip()
        if "://" not in location:
            location = "https://" + location
        if urlsplit(location).path in ("", None):
            location += "/"
        return location

    @property
    def _server(self) -> str:
        """The server as named in messages: host and port, nothing secret."""
        parts = urlsplit(self._base_url)
        return parts.netloc.rsplit("@", 1)[-1] or redact(self._base_url)

    def _password(self) -> str | None:
        if not self.config.username:
            return None  # anonymous access (a public or pre-authenticated calendar)
        password = self.secrets.get(self.config.id)
        if password:
            return password
        who = f"{self.config.username!r} on the CalDAV calendar {self.config.label!r}"
        if self.secrets.has_keyring():
            raise SourceError(
                f"No password is stored for {who} (looked in the environment and the keyring, "
                f"{self.secrets.backend_name()}): add the calendar again to enter it, or set "
                f"{env_var(self.config.id)}.", ErrorKind.AUTH)
        raise SourceError(
            f"No password is stored for {who}, and there is no system keyring: install or "
            "unlock a Secret Service keyring (e.g. GNOME Keyring or KWallet) and add the "
            "calendar again, add it again with --password-file (a private, unencrypted file), "
            f"or set {env_var(self.config.id)}.", ErrorKind.NO_KEYRING)

    @contextlib.contextmanager
    def _client(self) -> Iterator[DAVClient]:
        password = self._password()
        client = self._guarded(lambda: DAVClient(
            url=self._base_url, username=self.config.username, password=password,
            timeout=self.TIMEOUT_S, enable_rfc6764=False))
        try:
            yield client
        finally:
            client.close()

    def _guarded(self, work: Callable[[], _T]) -> _T:
        """Run ``work()``; any failure becomes one clear, redacted :class:`SourceError`."""
        try:
            return work()
        except SourceError:
            raise
        except Exception as exc:
            problem = self._translate(exc)
            log.info("CalDAV %s: %s (%s)", self.config.id, problem,
                     redact(f"{type(exc).__name__}: {exc}")[:300])
            raise problem from None

    def _translate(self, exc: Exception) -> SourceError:
        return translate(exc, self.config, self._server, self._base_url, self.TIMEOUT_S)

    # -- which calendars -------------------------------------------------------------------------

    def _config_key(self) -> dict[str, Any]:
        return {"location": self.config.location, "username": self.config.username,
                "calendars": list(self.config.calendars)}

    def _where(self, client: DAVClient, old: SourceState | None) -> tuple[str, int]:
        """The URL to list and how deep: the kept one, else found by asking the server."""
        if old is not None:
            return old.where, old.depth
        here = propfind(client, self._base_url, 0)
        if here and here[0].is_calendar:
            return here[0].url, 0
        principal = client.principal()
        home = principal.calendar_home_set
        return str(home.url), 1

    def _calendars_at(self, client: DAVClient, where: str, depth: int) -> list[Member]:
        return [m for m in propfind(client, where, depth) if m.is_calendar]

    def _listing(self, client: DAVClient, old: SourceState | None) -> tuple[str, int, list[Member]]:
        where, depth = self._where(client, old)
        try:
            return where, depth, self._calendars_at(client, where, depth)
        except error.NotFoundError:
            if old is None:
                raise
        # The kept home set moved (server migration, account rename): find it again.
        where, depth = self._where(client, None)
        return where, depth, self._calendars_at(client, where, depth)

    def _chosen(self, client: DAVClient, calendars: list[Member]) -> list[Member]:
        if not self.config.calendars:
            return [m for m in calendars if m.holds_events]
        chosen: list[Member] = []
        for wanted in self.config.calendars:
            match = self._match(client, wanted, calendars)
            if match is None:
                raise SourceError(
                    f"The calendar {wanted!r} no longer exists on the CalDAV server "
                    f"{self._server} ({self.config.label!r}); choose the calendars again.",
                    ErrorKind.NOT_FOUND)
            if match.url not in {m.url for m in chosen}:
                chosen.append(match)
        return chosen

    def _match(self, client: DAVClient, wanted: str, calendars: list[Member]) -> Member | None:
        is_url = "://" in wanted or wanted.startswith("/")
        if is_url:
            path = path_key(urljoin(self._base_url, wanted)).rstrip("/")
            for member in calendars:
                if path_key(member.url).rstrip("/") == path:
                    return member
            # A calendar outside the home set (shared from another account): ask it directly.
            try:
                found = propfind(client, urljoin(self._base_url, wanted), 0)
            except (error.NotFoundError, error.AuthorizationError):
                return None
            return found[0] if found and found[0].is_calendar else None
        for member in calendars:
            if member.name == wanted:
                return member
        folded = wanted.casefold()
        for member in calendars:
            if member.label.casefold() == folded:
                return member
        return None

    # -- syncing --------------------------------------------------------------------------------

    def _refresh(self, client: DAVClient, old: SourceState | None) -> SourceState:
        where, depth, calendars = self._listing(client, old)
        kept = {c.url: c for c in old.calendars} if old else {}
        synced = tuple(self._sync(client, member, kept.get(member.url))
                       for member in self._chosen(client, calendars))
        return SourceState(config=self._config_key(), where=where, depth=depth, calendars=synced)

    def _sync(self, client: DAVClient, member: Member, old: CalendarState | None
              ) -> CalendarState:
        if old is not None and (
                (member.sync_token and member.sync_token == old.sync_token)
                or (not member.sync_token and member.ctag and member.ctag == old.ctag)):
            return replace(old, name=member.label)  # unchanged: not one more request
        calendar = Calendar(client=client, url=member.url)
        try:
            return self._sync_collection(calendar, member, old)
        except NoSyncCollection:
            log.info("CalDAV %s: %s has no sync-collection; comparing ETags", self.config.id,
                     redact(member.url))
        except error.NotFoundError:
            raise SourceError(
                f"The calendar {member.label!r} no longer exists on the CalDAV server "
                f"{self._server} ({self.config.label!r}).", ErrorKind.NOT_FOUND) from None
        return self._etag_sync(client, calendar, member, old)

    def _sync_collection(self, calendar: Calendar, member: Member,
                         old: CalendarState | None) -> CalendarState:
        token = old.sync_token if old else None
        try:
            result = sync_report(calendar, token)
        except error.DAVError as exc:
            if token and dav.ValidSyncToken.tag in getattr(exc, "preconditions", []):
                log.info("CalDAV %s: the server expired the sync token of %s; listing it again",
                         self.config.id, redact(member.url))
                token = None
                result = sync_report(calendar, None)
            else:
                raise
        previous = old.objects if old else {}
        objects = dict(previous) if token else {}
        gone = {path_key(url) for url in result.deleted_urls}
        wanted: Wanted = {}
        own = path_key(member.url).rstrip("/")
        for obj in result:
            key = path_key(obj.url)
            if key.rstrip("/") == own or key.endswith("/"):
                continue  # the collection itself, or a sub-collection
            if key in gone:
                objects.pop(key, None)
                continue
            etag = obj.props.get(dav.GetEtag.tag)
            known = previous.get(key)
            if known is not None and etag and known.etag == etag:
                objects[key] = known  # unchanged (e.g. listed again after an expired token)
                continue
            wanted[key] = (obj.url, etag)
        objects.update(self._download(calendar, wanted, objects))
        return CalendarState(url=member.url, name=member.label,
                             sync_token=str(result.sync_token) if result.sync_token else None,
                             ctag=member.ctag, objects=objects)

    def _etag_sync(self, client: DAVClient, calendar: Calendar, member: Member,
                   old: CalendarState | None) -> CalendarState:
        previous = old.objects if old else {}
        own = path_key(member.url).rstrip("/")
        listed = {path_key(m.url): m for m in propfind(client, member.url, 1)
                  if not m.is_collection and path_key(m.url).rstrip("/") != own}
        objects: dict[str, StoredObject] = {}
        wanted: Wanted = {}
        for key, m in listed.items():
            known = previous.get(key)
            if known is not None and m.etag and known.etag == m.etag:
                objects[key] = known
            else:
                wanted[key] = (URL.objectify(m.url), m.etag)
        objects.update(self._download(calendar, wanted, objects))
        return CalendarState(url=member.url, name=member.label, sync_token=None,
                             ctag=member.ctag, objects=objects)

    def _download(self, calendar: Calendar, wanted: Wanted,
                  objects: dict[str, StoredObject]) -> dict[str, StoredObject]:
        """The ``wanted`` objects' ICS text, in one calendar-multiget REPORT (one GET each if
        the server cannot). Objects deleted in the meantime are dropped from ``objects``."""
        if not wanted:
            return {}
        try:
            found = multiget(calendar, wanted)
        except error.DAVError as exc:
            if isinstance(exc, error.AuthorizationError | error.RateLimitError):
                raise
            log.info("CalDAV %s: calendar-multiget failed (%s); loading objects one by one",
                     self.config.id, type(exc).__name__)
            found = get_each(calendar, wanted)
        for key in wanted.keys() - found.keys():
            objects.pop(key, None)
        log.debug("CalDAV %s: downloaded %d of %d object(s)", self.config.id, len(found),
                  len(wanted))
        return found

    # -- the kept state -------------------------------------------------------------------------

    @property
    def state_path(self) -> Path:
        return self.state_dir / f"caldav-{self.config.id}.json"

    def _load_state(self) -> SourceState | None:
        return load_state(self.state_path, self._config_key(), self.config.id)

    def _save_state(self, state: SourceState) -> None:
        save_state(self.state_dir, self.state_path, state, self.config.id)
