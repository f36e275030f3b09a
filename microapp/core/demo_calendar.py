"""The calendar of ``microapp --demo``: a meeting a minute or so ahead, then one every few minutes.

With the default lead of 60 s, the first doorway pause opens about 15 s after the demo starts,
so whoever tries microapp sees the real thing within a minute. Some meetings carry a call link
(so Join shows), some are in a room (so it does not).

Jitsi rooms on meet.jit.si are public and named by their URL, so each demo calendar gets its
own room names (derived from the instant it was made): two people trying the demo at once
never land in each other's room.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from icalendar import Calendar, Event

PRODID = "-//microapp//demo calendar//EN"
CALENDAR_NAME = "microapp demo"
DURATION = timedelta(minutes=25)
FIRST_IN = timedelta(seconds=75)
EVERY = timedelta(minutes=4)
COUNT = 30

# (title, where): "jitsi" and "zoom" become call links, anything else is a room.
DEMO_MEETINGS: tuple[tuple[str, str], ...] = (
    ("Team stand-up", "jitsi"),
    ("1:1 with Sam", "zoom"),
    ("Design review", "Studio 2, second floor"),
    ("Coffee chat with Priya", "jitsi"),
    ("Customer check-in", "zoom"),
    ("Planning", "The big table by the window"),
    ("Call with Mum", "jitsi"),
)
ABOUT = ("A meeting from microapp's demo calendar: nothing real happens here. "
         "It exists so you can see a doorway pause a minute before it starts.")


def _whole_second_after(instant: datetime) -> datetime:
    """``instant`` in UTC, rounded up to a whole second (ICS times have no fractions), so a
    meeting never starts sooner than asked."""
    utc = instant.astimezone(UTC)
    if utc.microsecond:
        utc = utc.replace(microsecond=0) + timedelta(seconds=1)
    return utc


def demo_calendar(now: datetime, *, first_in: timedelta = FIRST_IN, every: timedelta = EVERY,
                  count: int = COUNT) -> str:
    """ICS text with ``count`` meetings, the first ``first_in`` after ``now``, then one
    ``every`` after the other (each lasts 25 minutes, so they may overlap; that is fine)."""
    if now.tzinfo is None:
        raise ValueError("demo_calendar needs a timezone-aware instant")
    if first_in <= timedelta(0) or every <= timedelta(0) or count < 0:
        raise ValueError("first_in and every must be positive and count not negative")
    stamp = now.astimezone(UTC).replace(microsecond=0)
    token = hashlib.sha256(now.astimezone(UTC).isoformat().encode()).hexdigest()[:10]
    first = _whole_second_after(now + first_in)

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", CALENDAR_NAME)
    for n in range(count):
        title, where = DEMO_MEETINGS[n % len(DEMO_MEETINGS)]
        start = first + n * every
        event = Event()
        event.add("uid", f"demo-{token}-{n + 1}@microapp.invalid")
        event.add("dtstamp", stamp)
        event.add("dtstart", start)
        event.add("dtend", start + DURATION)
        event.add("summary", title)
        event.add("description", ABOUT)
        if where == "jitsi":
            event.add("location", f"https://meet.jit.si/microapp-demo-{token}-{n + 1}")
        elif where == "zoom":
            event.add("url", f"https://example.zoom.us/j/{_zoom_number(token, n)}")
            event.add("location", "Zoom")
        else:
            event.add("location", where)
        calendar.add_component(event)
    return calendar.to_ical().decode("utf-8")


def _zoom_number(token: str, n: int) -> str:
    """A made-up, Zoom-shaped meeting number (ten or eleven digits)."""
    return str(int(token, 16) % 9_000_000_000 + 1_000_000_000 + n)
