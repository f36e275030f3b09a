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
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import unquote, urljoin, urlsplit

from caldav.collection import Calendar
from caldav.davclient import DAVClient
from caldav.elements import dav
from caldav.lib import error
from caldav.lib.http_sync import requests as http
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
from microapp.core.sources.secrets import SecretStore, env_var

log = logging.getLogger(__name__)
_T = TypeVar("_T")

STATE_FORMAT = 1
_DAV = "DAV:"
_CALDAV = "urn:ietf:params:xml:ns:caldav"
_CS = "http://calendarserver.org/ns/"
_LIST_BODY = (
    '<?xml version="1.0" encoding="utf-8"?>'
    f'<D:propfind xmlns:D="{_DAV}" xmlns:C="{_CALDAV}" xmlns:CS="{_CS}"><D:prop>'
    "<D:resourcetype/><D:displayname/><C:supported-calendar-component-set/>"
    "<D:sync-token/><CS:getctag/><D:getetag/>"
    "</D:prop></D:propfind>"
)


def _tag(namespace: str, name: str) -> str:
    return f"{{{namespace}}}{name}"


def _key(url: str | URL) -> str:
    """An object's identity: its unquoted path on the server (sorts like the href)."""
    return unquote(urlsplit(str(url)).path)


# -- what the server told us ---------------------------------------------------------------------

@dataclass(frozen=True)
class _Member:
    """One ``<D:response>`` of a PROPFIND: a calendar, another collection or an object."""

    url: str
    name: str
    is_collection: bool
    is_calendar: bool
    components: tuple[str, ...] | None  # None: the server did not say (RFC 4791: any)
    sync_token: str | None
    ctag: str | None
    etag: str | None

    @property
    def holds_events(self) -> bool:
        return self.components is None or "VEVENT" in self.components

    @property
    def label(self) -> str:
        return self.name or _key(self.url).rstrip("/").rsplit("/", 1)[-1] or self.url


# -- what we keep -------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Object:
    etag: str | None
    ics: str


@dataclass(frozen=True)
class _CalendarState:
    url: str
    name: str
    sync_token: str | None = None
    ctag: str | None = None
    objects: dict[str, _Object] = field(default_factory=dict)

    def marker(self) -> str:
        """What says "this content": the sync token, else the ctag, else all ETags."""
        if self.sync_token:
            return "token:" + self.sync_token
        if self.ctag:
            return "ctag:" + self.ctag
        etags = sorted((k, o.etag or hashlib.sha256(o.ics.encode()).hexdigest())
                       for k, o in self.objects.items())
        return "etags:" + hashlib.sha256(json.dumps(etags).encode()).hexdigest()


@dataclass(frozen=True)
class _State:
    config: dict[str, Any]
    where: str  # the URL listed each time (calendar home set, or the calendar itself)
    depth: int  # 1 for a home set, 0 for a single calendar
    calendars: tuple[_CalendarState, ...] = ()

    def version(self) -> str:
        markers = [self.config, *sorted((c.url, c.marker()) for c in self.calendars)]
        return hashlib.sha256(json.dumps(markers).encode()).hexdigest()[:32]

    def documents(self) -> tuple[bytes, ...]:
        objects = {key: obj for cal in self.calendars for key, obj in cal.objects.items()}
        return tuple(objects[key].ics.encode("utf-8") for key in sorted(objects)
                     if "BEGIN:VEVENT" in objects[key].ics)

    def to_json(self) -> dict[str, Any]:
        return {"format": STATE_FORMAT, "config": self.config, "where": self.where,
                "depth": self.depth, "calendars": [asdict(c) for c in self.calendars]}

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> _State:
        calendars = tuple(
            _CalendarState(url=c["url"], name=c["name"], sync_token=c["sync_token"],
                           ctag=c["ctag"],
                           objects={k: _Object(etag=o["etag"], ics=o["ics"])
                                    for k, o in c["objects"].items()})
            for c in raw["calendars"])
        return cls(config=raw["config"], where=raw["where"], depth=int(raw["depth"]),
                   calendars=calendars)


class _NoSyncCollection(Exception):
    """The server cannot do a sync-collection REPORT here: compare ETags instead."""


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
                def listing() -> list[_Member]:
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
        server = f"The CalDAV server {self._server}"
        label = self.config.label
        status = getattr(exc, "status", None)
        if isinstance(exc, error.AuthorizationError) and status == 403:
            return SourceError(
                f"{server} refused access for {self.config.username or 'anonymous'!r} "
                f"({label!r}): the account may not read that address.", ErrorKind.AUTH)
        if isinstance(exc, error.AuthorizationError):
            return SourceError(f"{server} rejected the user name or password for {label!r}.",
                               ErrorKind.AUTH)
        if isinstance(exc, error.NotFoundError) or status in (404, 410):
            return SourceError(
                f"{server} has no calendar at {redact(self._base_url)} ({label!r}); "
                "check the address.", ErrorKind.NOT_FOUND)
        if isinstance(exc, error.RateLimitError):
            return SourceError(f"{server} is busy (too many requests); it will be asked again "
                               "later.", ErrorKind.SERVER)
        if isinstance(exc, error.DAVError):
            code = f" (HTTP {status})" if status else ""
            return SourceError(f"{server} answered with an error{code} for {label!r}.",
                               ErrorKind.SERVER)
        chain = _causes(exc)
        if isinstance(exc, http.exceptions.SSLError) or any(
                isinstance(e, ssl.SSLError | ssl.CertificateError) for e in chain):
            return SourceError(f"No secure connection to {self._server} could be made (TLS or "
                               "certificate problem).", ErrorKind.TLS)
        if isinstance(exc, http.exceptions.Timeout) or any(
                isinstance(e, TimeoutError) for e in chain):
            return SourceError(f"{server} did not answer within {self.TIMEOUT_S:g} seconds.",
                               ErrorKind.TIMEOUT)
        if isinstance(exc, http.exceptions.InvalidURL | http.exceptions.MissingSchema
                      | http.exceptions.InvalidSchema):
            return SourceError(f"{redact(self.config.location)!r} is not a usable CalDAV "
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

    # -- which calendars -------------------------------------------------------------------------

    def _config_key(self) -> dict[str, Any]:
        return {"location": self.config.location, "username": self.config.username,
                "calendars": list(self.config.calendars)}

    def _where(self, client: DAVClient, old: _State | None) -> tuple[str, int]:
        """The URL to list and how deep: the kept one, else found by asking the server."""
        if old is not None:
            return old.where, old.depth
        here = self._propfind(client, self._base_url, 0)
        if here and here[0].is_calendar:
            return here[0].url, 0
        principal = client.principal()
        home = principal.calendar_home_set
        return str(home.url), 1

    def _calendars_at(self, client: DAVClient, where: str, depth: int) -> list[_Member]:
        return [m for m in self._propfind(client, where, depth) if m.is_calendar]

    def _listing(self, client: DAVClient, old: _State | None) -> tuple[str, int, list[_Member]]:
        where, depth = self._where(client, old)
        try:
            return where, depth, self._calendars_at(client, where, depth)
        except error.NotFoundError:
            if old is None:
                raise
        # The kept home set moved (server migration, account rename): find it again.
        where, depth = self._where(client, None)
        return where, depth, self._calendars_at(client, where, depth)

    def _chosen(self, client: DAVClient, calendars: list[_Member]) -> list[_Member]:
        if not self.config.calendars:
            return [m for m in calendars if m.holds_events]
        chosen: list[_Member] = []
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

    def _match(self, client: DAVClient, wanted: str, calendars: list[_Member]) -> _Member | None:
        is_url = "://" in wanted or wanted.startswith("/")
        if is_url:
            path = _key(urljoin(self._base_url, wanted)).rstrip("/")
            for member in calendars:
                if _key(member.url).rstrip("/") == path:
                    return member
            # A calendar outside the home set (shared from another account): ask it directly.
            try:
                found = self._propfind(client, urljoin(self._base_url, wanted), 0)
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

    def _propfind(self, client: DAVClient, url: str, depth: int) -> list[_Member]:
        """The members at ``url`` (itself first), parsed from one PROPFIND."""
        response = client.propfind(url, _LIST_BODY, depth)
        if response.status in (404, 410):
            raise error.NotFoundError(url, "Not Found", status=response.status)
        if response.status >= 400:
            raise error.PropfindError(url, response.reason, status=response.status)
        tree = response.tree
        if tree is None:
            raise error.ResponseError(url, "PROPFIND answered without a body",
                                      status=response.status)
        members: list[_Member] = []
        for item in tree.iter(_tag(_DAV, "response")):
            href = item.findtext(_tag(_DAV, "href"))
            if not href:
                continue
            props: dict[str, Any] = {}
            for propstat in item.iter(_tag(_DAV, "propstat")):
                if " 200" not in (propstat.findtext(_tag(_DAV, "status")) or " 200"):
                    continue
                for prop in propstat.iter(_tag(_DAV, "prop")):
                    for child in prop:
                        props[child.tag] = child
            members.append(_member(urljoin(url, href.strip()), props))
        own = _key(url).rstrip("/")
        members.sort(key=lambda m: _key(m.url).rstrip("/") != own)  # the collection itself first
        return members

    # -- syncing --------------------------------------------------------------------------------

    def _refresh(self, client: DAVClient, old: _State | None) -> _State:
        where, depth, calendars = self._listing(client, old)
        kept = {c.url: c for c in old.calendars} if old else {}
        synced = tuple(self._sync(client, member, kept.get(member.url))
                       for member in self._chosen(client, calendars))
        return _State(config=self._config_key(), where=where, depth=depth, calendars=synced)

    def _sync(self, client: DAVClient, member: _Member, old: _CalendarState | None
              ) -> _CalendarState:
        if old is not None and (
                (member.sync_token and member.sync_token == old.sync_token)
                or (not member.sync_token and member.ctag and member.ctag == old.ctag)):
            return replace(old, name=member.label)  # unchanged: not one more request
        calendar = Calendar(client=client, url=member.url)
        try:
            return self._sync_collection(calendar, member, old)
        except _NoSyncCollection:
            log.info("CalDAV %s: %s has no sync-collection; comparing ETags", self.config.id,
                     redact(member.url))
        except error.NotFoundError:
            raise SourceError(
                f"The calendar {member.label!r} no longer exists on the CalDAV server "
                f"{self._server} ({self.config.label!r}).", ErrorKind.NOT_FOUND) from None
        return self._etag_sync(client, calendar, member, old)

    def _sync_report(self, calendar: Calendar, token: str | None) -> Any:
        try:
            return calendar.get_objects_by_sync_token(token, load_objects=False,
                                                      disable_fallback=True)
        except error.DAVError as exc:
            preconditions = getattr(exc, "preconditions", [])
            if token and dav.ValidSyncToken.tag in preconditions:
                raise  # an expired token: the caller starts over
            if dav.SupportedReport.tag in preconditions:
                raise _NoSyncCollection from None
            if isinstance(exc, error.AuthorizationError | error.NotFoundError
                          | error.RateLimitError):
                raise
            if exc.status is not None and exc.status >= 500 and exc.status != 501:
                raise
            raise _NoSyncCollection from None

    def _sync_collection(self, calendar: Calendar, member: _Member,
                         old: _CalendarState | None) -> _CalendarState:
        token = old.sync_token if old else None
        try:
            result = self._sync_report(calendar, token)
        except error.DAVError as exc:
            if token and dav.ValidSyncToken.tag in getattr(exc, "preconditions", []):
                log.info("CalDAV %s: the server expired the sync token of %s; listing it again",
                         self.config.id, redact(member.url))
                token = None
                result = self._sync_report(calendar, None)
            else:
                raise
        previous = old.objects if old else {}
        objects = dict(previous) if token else {}
        gone = {_key(url) for url in result.deleted_urls}
        wanted: dict[str, tuple[URL, str | None]] = {}
        own = _key(member.url).rstrip("/")
        for obj in result:
            key = _key(obj.url)
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
        return _CalendarState(url=member.url, name=member.label,
                              sync_token=str(result.sync_token) if result.sync_token else None,
                              ctag=member.ctag, objects=objects)

    def _etag_sync(self, client: DAVClient, calendar: Calendar, member: _Member,
                   old: _CalendarState | None) -> _CalendarState:
        previous = old.objects if old else {}
        own = _key(member.url).rstrip("/")
        listed = {_key(m.url): m for m in self._propfind(client, member.url, 1)
                  if not m.is_collection and _key(m.url).rstrip("/") != own}
        objects: dict[str, _Object] = {}
        wanted: dict[str, tuple[URL, str | None]] = {}
        for key, m in listed.items():
            known = previous.get(key)
            if known is not None and m.etag and known.etag == m.etag:
                objects[key] = known
            else:
                wanted[key] = (URL.objectify(m.url), m.etag)
        objects.update(self._download(calendar, wanted, objects))
        return _CalendarState(url=member.url, name=member.label, sync_token=None,
                              ctag=member.ctag, objects=objects)

    def _download(self, calendar: Calendar, wanted: dict[str, tuple[URL, str | None]],
                  objects: dict[str, _Object]) -> dict[str, _Object]:
        """The ``wanted`` objects' ICS text, in one calendar-multiget REPORT (one GET each if
        the server cannot). Objects deleted in the meantime are dropped from ``objects``."""
        if not wanted:
            return {}
        try:
            found = self._multiget(calendar, wanted)
        except error.DAVError as exc:
            if isinstance(exc, error.AuthorizationError | error.RateLimitError):
                raise
            log.info("CalDAV %s: calendar-multiget failed (%s); loading objects one by one",
                     self.config.id, type(exc).__name__)
            found = self._get_each(calendar, wanted)
        for key in wanted.keys() - found.keys():
            objects.pop(key, None)
        log.debug("CalDAV %s: downloaded %d of %d object(s)", self.config.id, len(found),
                  len(wanted))
        return found

    @staticmethod
    def _multiget(calendar: Calendar, wanted: dict[str, tuple[URL, str | None]]
                  ) -> dict[str, _Object]:
        found: dict[str, _Object] = {}
        for obj in calendar.multiget([url for url, _ in wanted.values()]):
            key = _key(obj.url)
            if key in wanted and obj.data:
                etag = wanted[key][1] or obj.props.get(dav.GetEtag.tag)
                found[key] = _Object(etag=etag, ics=str(obj.data))
        return found

    @staticmethod
    def _get_each(calendar: Calendar, wanted: dict[str, tuple[URL, str | None]]
                  ) -> dict[str, _Object]:
        found: dict[str, _Object] = {}
        for key, (url, etag) in wanted.items():
            response = calendar.client.request(str(url), "GET")
            if response.status in (404, 410):
                continue  # deleted in the meantime
            if response.status >= 400:
                raise error.DAVError(str(url), response.reason, status=response.status)
            if response.raw:
                found[key] = _Object(etag=etag or response.headers.get("ETag"), ics=response.raw)
        return found

    # -- the kept state -------------------------------------------------------------------------

    @property
    def state_path(self) -> Path:
        return self.state_dir / f"caldav-{self.config.id}.json"

    def _load_state(self) -> _State | None:
        try:
            raw = json.loads(self.state_path.read_text(encoding="utf-8"))
            if raw.get("format") != STATE_FORMAT:
                return None
            state = _State.from_json(raw)
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            log.warning("CalDAV %s: the kept copy %s is unreadable (%s); starting afresh",
                        self.config.id, self.state_path, type(exc).__name__)
            return None
        if state.config != self._config_key():
            return None  # the source was edited: what we kept belongs to another setup
        return state

    def _save_state(self, state: _State) -> None:
        try:
            self.state_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
            temp = self.state_path.with_name(f".{self.state_path.name}.{os.getpid()}.tmp")
            temp.unlink(missing_ok=True)
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(state.to_json(), handle)
            os.replace(temp, self.state_path)
        except OSError as exc:
            # The fetch itself worked; only the offline copy is not refreshed.
            log.warning("CalDAV %s: the offline copy could not be written to %s: %s",
                        self.config.id, self.state_path, exc.strerror or exc)


def _member(url: str, props: dict[str, Any]) -> _Member:
    def text(namespace: str, name: str) -> str | None:
        element = props.get(_tag(namespace, name))
        value = (element.text or "").strip() if element is not None else ""
        return value or None

    kinds = props.get(_tag(_DAV, "resourcetype"))
    types = {child.tag for child in kinds} if kinds is not None else set()
    comps_element = props.get(_tag(_CALDAV, "supported-calendar-component-set"))
    components = None
    if comps_element is not None:
        components = tuple(str(c.get("name", "")).upper()
                           for c in comps_element.iter(_tag(_CALDAV, "comp")))
    return _Member(
        url=url,
        name=text(_DAV, "displayname") or "",
        is_collection=_tag(_DAV, "collection") in types,
        is_calendar=_tag(_CALDAV, "calendar") in types,
        components=components,
        sync_token=text(_DAV, "sync-token"),
        ctag=text(_CS, "getctag"),
        etag=text(_DAV, "getetag"),
    )


def _causes(exc: BaseException) -> list[BaseException]:
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
            chain.extend(_causes(reason))
    return chain
