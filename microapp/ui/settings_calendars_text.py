"""The sentences of the Calendars page: what a source is, how it is doing, what a check found.

Plain functions (no widgets) so the wording is tested on its own. Every string that came from
a calendar or a server is shown by the page through plain-text labels.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from microapp.core.calendar_setup import SourceCheck, shown_location
from microapp.core.source_status import SourceStatus
from microapp.core.sources import SourceConfig, SourceKind

KIND_NAMES = {
    SourceKind.FILE: "File",
    SourceKind.FOLDER: "Folder",
    SourceKind.URL: "Subscription link",
    SourceKind.CALDAV: "CalDAV",
}
NO_STATUS = "Its status appears once microapp has read it."


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


def where(config: SourceConfig) -> str:
    """ "CalDAV · https://dav.example.com/… · alice" — never a secret part of a URL."""
    parts = [KIND_NAMES[config.kind], shown_location(config)]
    if config.kind is SourceKind.CALDAV and config.username:
        parts.append(config.username)
    if config.calendars:
        parts.append(", ".join(config.calendars))
    return " · ".join(parts)


def when(instant: datetime, now: datetime, zone: ZoneInfo) -> str:
    """ "at 10:42" today, else "on Tue 10 Mar at 10:42"."""
    local = instant.astimezone(zone)
    if local.date() == now.astimezone(zone).date():
        return f"at {local:%H:%M}"
    return f"on {local:%a %d %b} at {local:%H:%M}"


def status_line(config: SourceConfig, status: SourceStatus | None, now: datetime,
                zone: ZoneInfo) -> tuple[str, bool]:
    """(sentence, is_a_problem) for one source in the running app."""
    if not config.enabled:
        return "Turned off: no pauses come from this calendar.", False
    if status is None:
        return NO_STATUS, False
    read = f", read {when(status.last_success, now, zone)}" if status.last_success else ""
    if status.ok:
        kept = " (the copy kept on disk)" if status.stale else ""
        text = f"{plural(status.events, 'event')}{kept}{read}."
        return text, False
    error = (status.error or "It could not be read.").strip()
    for prefix in (f"{config.label}: ", f"{status.label}: "):  # the row names it already
        if error.startswith(prefix) and len(error) > len(prefix):
            error = error[len(prefix)].upper() + error[len(prefix) + 1:]
            break
    if not error.endswith((".", "!", "?")):
        error += "."
    if status.stale:
        error += " Showing the last good copy"
        error += f" (read {when(status.last_success, now, zone)})." if status.last_success \
            else "."
    return error, True


def check_line(check: SourceCheck, zone: ZoneInfo) -> str:
    """What one reading found, in a sentence or two."""
    if not check.ok:
        return check.error or "It could not be read."
    text = f"It works: {check.upcoming_text}."
    if (first := check.next_text(zone)) is not None:
        text += f" Next: {first}."
    return text
