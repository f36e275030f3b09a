"""What :mod:`microapp.core.sources.caldav` keeps between fetches, and the file it is kept in.

Per source, one JSON file (mode 0600 in a 0700 folder, never a password): where the calendars
are listed, and per calendar its sync token, ctag and every object's ICS text and ETag. That is
what lets a restart resume incrementally and serves the last good copy while offline.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

# The fetcher's logger: these lines keep the name they have always been logged under.
log = logging.getLogger("microapp.core.sources.caldav")

STATE_FORMAT = 1

__all__ = ["STATE_FORMAT", "CalendarState", "SourceState", "StoredObject", "load_state",
           "save_state"]


@dataclass(frozen=True)
class StoredObject:
    etag: str | None
    ics: str


@dataclass(frozen=True)
class CalendarState:
    url: str
    name: str
    sync_token: str | None = None
    ctag: str | None = None
    objects: dict[str, StoredObject] = field(default_factory=dict)

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
class SourceState:
    config: dict[str, Any]
    where: str  # the URL listed each time (calendar home set, or the calendar itself)
    depth: int  # 1 for a home set, 0 for a single calendar
    calendars: tuple[CalendarState, ...] = ()

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
    def from_json(cls, raw: dict[str, Any]) -> SourceState:
        calendars = tuple(
            CalendarState(url=c["url"], name=c["name"], sync_token=c["sync_token"],
                          ctag=c["ctag"],
                          objects={k: StoredObject(etag=o["etag"], ics=o["ics"])
                                   for k, o in c["objects"].items()})
            for c in raw["calendars"])
        return cls(config=raw["config"], where=raw["where"], depth=int(raw["depth"]),
                   calendars=calendars)


def load_state(path: Path, config_key: dict[str, Any], source_id: str) -> SourceState | None:
    """The state kept at ``path``, or None when there is none, it is unreadable or of another
    format, or it was kept for another setup than ``config_key`` (the source was edited)."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        if raw.get("format") != STATE_FORMAT:
            return None
        state = SourceState.from_json(raw)
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        log.warning("CalDAV %s: the kept copy %s is unreadable (%s); starting afresh",
                    source_id, path, type(exc).__name__)
        return None
    if state.config != config_key:
        return None  # the source was edited: what we kept belongs to another setup
    return state


def save_state(state_dir: Path, path: Path, state: SourceState, source_id: str) -> None:
    """``state`` written to ``path`` (in ``state_dir``) atomically, readable by the user alone.
    A failure is logged, not raised."""
    try:
        state_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        temp.unlink(missing_ok=True)
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(state.to_json(), handle)
        os.replace(temp, path)
    except OSError as exc:
        # The fetch itself worked; only the offline copy is not refreshed.
        log.warning("CalDAV %s: the offline copy could not be written to %s: %s",
                    source_id, path, exc.strerror or exc)
