"""Logical lines to components, for the iCalendar reader (:mod:`microapp.core.ics`).

A document is split into its VCALENDARs, each with its properties, VTIMEZONE blocks and events
(whose lines are sorted into those that place an event in time and those that describe a
meeting); a block of lines is parsed into an icalendar component by a tolerant parser.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from icalendar import Calendar, ComponentFactory
from icalendar.cal.component import Component
from icalendar.parser import Contentline
from icalendar.parser.ical.component import ComponentIcalParser

# Properties that place an event in time: parsed when the calendar is read.
_SCHEDULE = frozenset({
    "UID", "DTSTART", "DTEND", "DURATION", "RRULE", "RDATE", "EXDATE", "RECURRENCE-ID",
    "SEQUENCE", "DTSTAMP", "LAST-MODIFIED", "SUMMARY",
})
# Properties that describe a meeting: kept as text, parsed when an occurrence is asked for.
# SUMMARY is in both (it is also needed to make up a missing UID).
_CONFERENCE_PROPS = ("CONFERENCE", "X-GOOGLE-CONFERENCE", "X-MICROSOFT-SKYPETEAMSMEETINGURL",
                     "URL", "LOCATION", "DESCRIPTION")
_DETAILS = frozenset({"SUMMARY", "STATUS", "TRANSP", "X-MICROSOFT-CDO-BUSYSTATUS", "ATTENDEE",
                      *_CONFERENCE_PROPS})


class _NotCalendar(Exception):
    """Why one document could not be used; the text completes "<source> …"."""


@dataclass
class _RawEvent:
    schedule: list[str]
    details: list[str]


@dataclass
class _RawCalendar:
    properties: list[str] = field(default_factory=list)
    timezones: list[list[str]] = field(default_factory=list)
    events: list[_RawEvent] = field(default_factory=list)


_NAME = re.compile(r"[^;:]*")


def _line_name(line: str) -> str:
    match = _NAME.match(line)
    return match.group().strip().upper() if match else ""


def _begin_end(line: str) -> tuple[str, str] | None:
    """("BEGIN" | "END", component name) for a BEGIN/END line, else None."""
    head = line[:6].upper()
    if head.startswith("BEGIN:"):
        return "BEGIN", line[6:].strip().upper()
    if head[:4] == "END:":
        return "END", line[4:].strip().upper()
    return None


# Components that only ever stand directly in a VCALENDAR: one starting means the one before
# has ended, whether or not its END line is there.
_TOP_LEVEL = frozenset({"VEVENT", "VTODO", "VJOURNAL", "VFREEBUSY", "VTIMEZONE",
                        "VAVAILABILITY"})


class _Block:
    """The lines of one top-level component while it is read; tracks what is open inside."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.open = [name]  # names of the components open, outermost first
        self.lines = [f"BEGIN:{name}"]  # everything, for a VTIMEZONE
        self.own = []  # its own properties (not those of a VALARM in it), for a VEVENT

    def add(self, line: str, marker: tuple[str, str] | None) -> bool:
        """Take one line; True when the component is complete."""
        if marker is None:
            self.lines.append(line)
            if len(self.open) == 1:
                self.own.append(line)
        elif marker[0] == "BEGIN":
            self.open.append(marker[1])
            self.lines.append(line)
        elif marker[1] in self.open:  # also closes what was left open inside it
            while self.open.pop() != marker[1]:
                self.lines.append(f"END:{marker[1]}")
            self.lines.append(line)
        # else: an END for nothing open here, ignored
        return not self.open


def _split_document(lines: Iterable[str]) -> list[_RawCalendar]:
    """The VCALENDARs of one document, each with its properties, VTIMEZONE blocks and events.

    Tolerant where no meaning is lost: text before BEGIN:VCALENDAR or after END:VCALENDAR (web
    server noise) and stray END lines are ignored, a lost END line is assumed where the next
    event (or other top-level component) begins, other components (VTODO, VALARM...) are passed
    over. A VCALENDAR without its END is not accepted: a cut-off download is better refused,
    so that the last good copy stays in use.
    """
    calendars: list[_RawCalendar] = []
    current: _RawCalendar | None = None
    block: _Block | None = None
    saw_content = False
    for line in lines:
        saw_content = True
        marker = _begin_end(line)
        if current is None:
            if marker == ("BEGIN", "VCALENDAR"):
                current = _RawCalendar()
            continue
        if marker == ("END", "VCALENDAR"):
            if block is not None:
                _finish_block(current, block)
                block = None
            calendars.append(current)
            current = None
            continue
        if marker is not None and marker[0] == "BEGIN" and (
                block is None or marker[1] in _TOP_LEVEL):
            if block is not None:
                _finish_block(current, block)  # its END line was lost
            block = _Block(marker[1])
            continue
        if block is None:
            if marker is None:
                current.properties.append(line)
            continue  # a stray END line at calendar level: ignored
        if block.add(line, marker):
            _finish_block(current, block)
            block = None
    if current is not None:
        raise _NotCalendar("is incomplete: it ends before END:VCALENDAR (cut off?)")
    if not calendars:
        if not saw_content:
            raise _NotCalendar("is empty")
        raise _NotCalendar("is not a calendar: it has no BEGIN:VCALENDAR")
    return calendars


def _finish_block(calendar: _RawCalendar, block: _Block) -> None:
    if block.name == "VTIMEZONE":  # with END lines for whatever was left open
        calendar.timezones.append(block.lines + [f"END:{name}" for name in reversed(block.open)])
    elif block.name == "VEVENT":
        event = _RawEvent([], [])
        for line in block.own:
            name = _line_name(line)
            if name in _SCHEDULE:
                event.schedule.append(line)
            if name in _DETAILS:
                event.details.append(line)
        calendar.events.append(event)


def _why_not(data: bytes, reason: str) -> str:
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if reason.startswith("is not a calendar") and head.startswith((b"<!doctype html", b"<html",
                                                                   b"<head", b"<?xml", b"<")):
        return "is a web page, not a calendar (is the address right?)"
    if reason == "is empty" or not data.strip():
        return "is empty"
    return reason


# --- Raw lines to icalendar components ----------------------------------------------------------


class _TolerantParser(ComponentIcalParser):
    """icalendar's parser, made to keep going and to leave time zones to us.

    Every component keeps a line it cannot read as a broken property instead of failing (the
    stock parser does that only inside VEVENT, so one bad VALARM line lost a whole calendar).
    Date-times are read without their TZID (as floating) and placed in a zone afterwards by
    :class:`_Zones`; that also keeps icalendar's process-wide time zone cache out of it, which
    would otherwise remember the first VTIMEZONE ever seen for a TZID (e.g. Outlook's
    "Customized Time Zone") for every later calendar, and warn about guessed TZIDs.
    """

    datetime_names = ()

    def handle_begin_component(self, vals: str) -> None:
        super().handle_begin_component(vals)
        self._stack[-1].ignore_exceptions = True

    def handle_end_component(self, vals: str) -> None:
        if not self._stack:
            raise ValueError("END without BEGIN")
        component = self._stack.pop()
        if self._stack:
            self._stack[-1].add_component(component)
        else:
            self._components.append(component)


class _Unknown(Component):
    """Any component icalendar has no class for; the parser gives each instance its name."""

    name = ""


class _Factory(ComponentFactory):
    """icalendar's factory makes (and keeps, for good) a new class for every unknown component
    name it meets; calendar text is untrusted, so unknown names share one class instead."""

    def get_component_class(self, name: str) -> type[Component]:
        return self.get(name) or _Unknown


_FACTORY = _Factory()


def _parse_block(name: str, lines: list[str]) -> Component | None:
    """Parse the properties (and sub-components) ``lines`` as one ``name`` component."""
    content = [Contentline(f"BEGIN:{name}")]
    for line in lines:
        marker = _begin_end(line)
        if marker == ("BEGIN", name) and len(content) == 1:
            continue  # the block's own BEGIN line, when it is included
        content.append(Contentline(line))
    if _begin_end(content[-1]) != ("END", name):
        content.append(Contentline(f"END:{name}"))
    components = _TolerantParser(content, _FACTORY, Calendar.types_factory).parse()
    return components[0] if len(components) == 1 else None
