"""The CalDAV requests :mod:`microapp.core.sources.caldav` makes and how their answers are read:
the listing ``PROPFIND`` (:func:`propfind`, one :class:`Member` per ``<D:response>``), the
``sync-collection`` REPORT (:func:`sync_report`, RFC 6578) and downloading objects in one
``calendar-multiget`` REPORT (:func:`multiget`) or one ``GET`` each (:func:`get_each`).

Failures are the caldav library's own exceptions (:mod:`caldav.lib.error`); turning them into a
:class:`~microapp.core.sources.SourceError` is :mod:`~microapp.core.sources.caldav_errors`' job.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

from caldav.collection import Calendar
from caldav.davclient import DAVClient
from caldav.elements import dav
from caldav.lib import error
from caldav.lib.url import URL

from microapp.core.sources.caldav_state import StoredObject

DAV = "DAV:"
CALDAV = "urn:ietf:params:xml:ns:caldav"
CS = "http://calendarserver.org/ns/"
LIST_BODY = (
    '<?xml version="1.0" encoding="utf-8"?>'
    f'<D:propfind xmlns:D="{DAV}" xmlns:C="{CALDAV}" xmlns:CS="{CS}"><D:prop>'
    "<D:resourcetype/><D:displayname/><C:supported-calendar-component-set/>"
    "<D:sync-token/><CS:getctag/><D:getetag/>"
    "</D:prop></D:propfind>"
)

__all__ = [
    "LIST_BODY",
    "Member",
    "NoSyncCollection",
    "Wanted",
    "get_each",
    "multiget",
    "path_key",
    "propfind",
    "sync_report",
]

Wanted = dict[str, tuple[URL, str | None]]
"""Objects to download: their key (:func:`path_key`) → (URL, ETag if the listing gave one)."""


def tag(namespace: str, name: str) -> str:
    return f"{{{namespace}}}{name}"


def path_key(url: str | URL) -> str:
    """An object's identity: its unquoted path on the server (sorts like the href)."""
    return unquote(urlsplit(str(url)).path)


# -- what the server told us ---------------------------------------------------------------------

@dataclass(frozen=True)
class Member:
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
        return self.name or path_key(self.url).rstrip("/").rsplit("/", 1)[-1] or self.url


class NoSyncCollection(Exception):
    """The server cannot do a sync-collection REPORT here: compare ETags instead."""


# -- PROPFIND -----------------------------------------------------------------------------------

def propfind(client: DAVClient, url: str, depth: int) -> list[Member]:
    """The members at ``url`` (itself first), parsed from one PROPFIND."""
    response = client.propfind(url, LIST_BODY, depth)
    if response.status in (404, 410):
        raise error.NotFoundError(url, "Not Found", status=response.status)
    if response.status >= 400:
        raise error.PropfindError(url, response.reason, status=response.status)
    tree = response.tree
    if tree is None:
        raise error.ResponseError(url, "PROPFIND answered without a body",
                                  status=response.status)
    members: list[Member] = []
    for item in tree.iter(tag(DAV, "response")):
        href = item.findtext(tag(DAV, "href"))
        if not href:
            continue
        props: dict[str, Any] = {}
        for propstat in item.iter(tag(DAV, "propstat")):
            if " 200" not in (propstat.findtext(tag(DAV, "status")) or " 200"):
                continue
            for prop in propstat.iter(tag(DAV, "prop")):
                for child in prop:
                    props[child.tag] = child
        members.append(_member(urljoin(url, href.strip()), props))
    own = path_key(url).rstrip("/")
    members.sort(key=lambda m: path_key(m.url).rstrip("/") != own)  # the collection itself first
    return members


def _member(url: str, props: dict[str, Any]) -> Member:
    def text(namespace: str, name: str) -> str | None:
        element = props.get(tag(namespace, name))
        value = (element.text or "").strip() if element is not None else ""
        return value or None

    kinds = props.get(tag(DAV, "resourcetype"))
    types = {child.tag for child in kinds} if kinds is not None else set()
    comps_element = props.get(tag(CALDAV, "supported-calendar-component-set"))
    components = None
    if comps_element is not None:
        components = tuple(str(c.get("name", "")).upper()
                           for c in comps_element.iter(tag(CALDAV, "comp")))
    return Member(
        url=url,
        name=text(DAV, "displayname") or "",
        is_collection=tag(DAV, "collection") in types,
        is_calendar=tag(CALDAV, "calendar") in types,
        components=components,
        sync_token=text(DAV, "sync-token"),
        ctag=text(CS, "getctag"),
        etag=text(DAV, "getetag"),
    )


# -- REPORTs and downloads ----------------------------------------------------------------------

def sync_report(calendar: Calendar, token: str | None) -> Any:
    """One sync-collection REPORT (with ``token``: what changed since). Raises
    :class:`NoSyncCollection` when the server cannot answer it here; an expired token, an
    authorization, not-found or rate-limit error or a server failure is raised as it came."""
    try:
        return calendar.get_objects_by_sync_token(token, load_objects=False,
                                                  disable_fallback=True)
    except error.DAVError as exc:
        preconditions = getattr(exc, "preconditions", [])
        if token and dav.ValidSyncToken.tag in preconditions:
            raise  # an expired token: the caller starts over
        if dav.SupportedReport.tag in preconditions:
            raise NoSyncCollection from None
        if isinstance(exc, error.AuthorizationError | error.NotFoundError
                      | error.RateLimitError):
            raise
        if exc.status is not None and exc.status >= 500 and exc.status != 501:
            raise
        raise NoSyncCollection from None


def multiget(calendar: Calendar, wanted: Wanted) -> dict[str, StoredObject]:
    """The ``wanted`` objects' ICS text, in one calendar-multiget REPORT."""
    found: dict[str, StoredObject] = {}
    for obj in calendar.multiget([url for url, _ in wanted.values()]):
        key = path_key(obj.url)
        if key in wanted and obj.data:
            etag = wanted[key][1] or obj.props.get(dav.GetEtag.tag)
            found[key] = StoredObject(etag=etag, ics=str(obj.data))
    return found


def get_each(calendar: Calendar, wanted: Wanted) -> dict[str, StoredObject]:
    """The ``wanted`` objects' ICS text, one GET each; those deleted meanwhile are left out."""
    found: dict[str, StoredObject] = {}
    for key, (url, etag) in wanted.items():
        response = calendar.client.request(str(url), "GET")
        if response.status in (404, 410):
            continue  # deleted in the meantime
        if response.status >= 400:
            raise error.DAVError(str(url), response.reason, status=response.status)
        if response.raw:
            found[key] = StoredObject(etag=etag or response.headers.get("ETag"),
                                      ics=response.raw)
    return found
