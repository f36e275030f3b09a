"""A big, realistic calendar for benchmarks: what a busy person's work calendar looks like after
a few years of use.

``generate_calendar()`` writes single meetings spread over a year before and after ``around``
(default: now), recurring series (weekly one-to-ones, daily stand-ups on weekdays, fortnightly
reviews) that each have a couple of moved or renamed occurrences and a couple of EXDATEs, a few
all-day and free events, several time zones (VTIMEZONE-defined, a Windows name without a
VTIMEZONE, UTC) and call links in the places real services put them. The output is the same for
the same arguments, lines are folded at 75 octets and end in CRLF, as RFC 5545 asks.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

__all__ = ["generate_calendar"]

# (TZID written in the file, the zone it means, whether a VTIMEZONE is included)
_ZONES: tuple[tuple[str, str, bool], ...] = (
    ("Europe/Berlin", "Europe/Berlin", True),
    ("America/New_York", "America/New_York", True),
    ("Asia/Tokyo", "Asia/Tokyo", True),
    ("Pacific Standard Time", "America/Los_Angeles", False),  # Outlook: no VTIMEZONE
)

_VTIMEZONES = {
    "Europe/Berlin": """BEGIN:VTIMEZONE
TZID:Europe/Berlin
X-LIC-LOCATION:Europe/Berlin
BEGIN:DAYLIGHT
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
TZNAME:CEST
DTSTART:19700329T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
TZNAME:CET
DTSTART:19701025T030000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
END:STANDARD
END:VTIMEZONE""",
    "America/New_York": """BEGIN:VTIMEZONE
TZID:America/New_York
BEGIN:DAYLIGHT
TZOFFSETFROM:-0500
TZOFFSETTO:-0400
TZNAME:EDT
DTSTART:19700308T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:-0400
TZOFFSETTO:-0500
TZNAME:EST
DTSTART:19701101T020000
RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU
END:STANDARD
END:VTIMEZONE""",
    "Asia/Tokyo": """BEGIN:VTIMEZONE
TZID:Asia/Tokyo
BEGIN:STANDARD
TZOFFSETFROM:+0900
TZOFFSETTO:+0900
TZNAME:JST
DTSTART:19700101T000000
END:STANDARD
END:VTIMEZONE""",
}

_TOPICS = (
    "Design review", "Sprint planning", "1:1", "Customer call", "Interview", "Roadmap sync",
    "Budget check-in", "Retro", "Onboarding", "Architecture chat", "Vendor demo",
    "Hiring panel", "Quarterly review", "Coffee chat", "Incident review", "Pairing",
)
_PEOPLE = (
    "ana", "bo", "chen", "dara", "eli", "femi", "gita", "hugo", "ines", "jon", "kai", "lena",
    "mo", "nora", "omar", "pia", "quinn", "rosa", "sam", "tariq", "uma", "vik", "wen", "yara",
)
_ROOMS = ("Room Atlas", "Room Birch", "Room Cedar", "Berlin office, 3rd floor", "Cafeteria")


def _fold(line: str) -> str:
    """Fold one content line at 75 octets without splitting a UTF-8 character."""
    raw = line.encode("utf-8")
    if len(raw) <= 75:
        return line
    parts: list[str] = []
    current = ""
    size = 0
    limit = 75
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            parts.append(current)
            current, size, limit = "", 0, 74  # continuation lines start with a space
        current += char
        size += width
    parts.append(current)
    return "\r\n ".join(parts)


def _text(value: str) -> str:
    return (value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\n", "\\n"))


def _stamp(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _local(value: datetime) -> str:
    return value.strftime("%Y%m%dT%H%M%S")


class _Writer:
    def __init__(self, rng: random.Random, around: datetime) -> None:
        self.rng = rng
        self.around = around
        self.lines: list[str] = []
        self.uid = 0

    def add(self, name: str, value: str) -> None:
        self.lines.append(_fold(f"{name}:{value}"))

    def next_uid(self) -> str:
        self.uid += 1
        return f"{self.uid:06d}-{self.rng.getrandbits(48):012x}@bench.microapp.invalid"

    def when(self, key: str, tzid: str, value: datetime) -> None:
        if tzid == "UTC":
            self.add(key, _stamp(value))
        else:
            self.add(f"{key};TZID={tzid}", _local(value))

    def call_link(self) -> None:
        """Put a call link where the service that made it would (or none at all)."""
        rng = self.rng
        kind = rng.random()
        if kind < 0.25:
            meet = f"https://meet.google.com/{rng.choice('abcdefgh')}xy-pqrs-tuv"
            self.add("X-GOOGLE-CONFERENCE", meet)
            self.add("DESCRIPTION", _text(
                "Agenda in the doc.\n\n-::~:~::~:~:~:~:~:~:~:~:~:~:~:~:~::~:~::-\n"
                f"Join with Google Meet: {meet}\n"
                "-::~:~::~:~:~:~:~:~:~:~:~:~:~:~:~::~:~::-"))
        elif kind < 0.45:
            zoom = (f"https://example.zoom.us/j/{rng.randrange(10**9, 10**10)}"
                    f"?pwd=abc{rng.randrange(999)}")
            self.add("LOCATION", _text(zoom))
            self.add("DESCRIPTION", _text(f"Zoom meeting\n{zoom}\nMeeting ID: 123 456 789"))
        elif kind < 0.65:
            teams = ("https://teams.microsoft.com/l/meetup-join/19%3ameeting_"
                     f"{rng.getrandbits(64):016x}%40thread.v2/0")
            self.add("X-MICROSOFT-SKYPETEAMSMEETINGURL", teams)
            self.add("DESCRIPTION", _text(
                "________________\nMicrosoft Teams meeting\nJoin on your computer or mobile "
                f"app\n<{teams}>\n________________"))
        elif kind < 0.85:
            self.add("LOCATION", _text(rng.choice(_ROOMS)))
            self.add("DESCRIPTION", _text("In person. Bring the printed plan."))

    def attendees(self) -> None:
        rng = self.rng
        self.add("ORGANIZER;CN=" + rng.choice(_PEOPLE).title(),
                 f"mailto:{rng.choice(_PEOPLE)}@example.com")
        for person in rng.sample(_PEOPLE, rng.randrange(1, 6)):
            status = rng.choice(("ACCEPTED", "ACCEPTED", "TENTATIVE", "NEEDS-ACTION"))
            self.add(f"ATTENDEE;CN={person.title()};PARTSTAT={status};ROLE=REQ-PARTICIPANT",
                     f"mailto:{person}@example.com")
        partstat = rng.choice(("ACCEPTED",) * 8 + ("DECLINED", "TENTATIVE"))
        self.add(f"ATTENDEE;CN=Me;PARTSTAT={partstat}", "mailto:me@example.com")

    def event_head(self, uid: str, summary: str) -> None:
        self.lines.append("BEGIN:VEVENT")
        self.add("UID", uid)
        self.add("DTSTAMP", _stamp(self.around - timedelta(days=400)))
        self.add("SUMMARY", _text(summary))

    def single(self) -> None:
        rng = self.rng
        tzid, zone_name, _ = rng.choice((*_ZONES, ("UTC", "UTC", False)))
        zone = ZoneInfo(zone_name)
        day = self.around.date() + timedelta(days=rng.randrange(-365, 366))
        if rng.random() < 0.04:  # all-day: holidays, trips, someone's birthday
            self.event_head(self.next_uid(), rng.choice(("Offsite", "Public holiday",
                                                         "Conference trip", "Birthday")))
            self.add("DTSTART;VALUE=DATE", day.strftime("%Y%m%d"))
            length = rng.choice((1, 1, 1, 3))
            self.add("DTEND;VALUE=DATE", (day + timedelta(days=length)).strftime("%Y%m%d"))
            self.add("TRANSP", "TRANSPARENT")
            self.lines.append("END:VEVENT")
            return
        start = datetime(day.year, day.month, day.day, rng.randrange(7, 19),
                         rng.choice((0, 15, 30, 45)), tzinfo=zone)
        end = start + timedelta(minutes=rng.choice((15, 25, 30, 30, 45, 50, 60, 90, 120)))
        self.event_head(self.next_uid(),
                        f"{rng.choice(_TOPICS)} with {rng.choice(_PEOPLE).title()}")
        self.when("DTSTART", tzid, start.astimezone(UTC) if tzid == "UTC" else start)
        self.when("DTEND", tzid, end.astimezone(UTC) if tzid == "UTC" else end)
        if rng.random() < 0.05:
            self.add("STATUS", "CANCELLED")
        elif rng.random() < 0.1:
            self.add("STATUS", "TENTATIVE")
        else:
            self.add("STATUS", "CONFIRMED")
        if rng.random() < 0.05:
            self.add("TRANSP", "TRANSPARENT")
        self.add("SEQUENCE", str(rng.randrange(3)))
        self.call_link()
        self.attendees()
        if rng.random() < 0.5:
            self.lines += ["BEGIN:VALARM", "ACTION:DISPLAY", "DESCRIPTION:Reminder",
                           "TRIGGER:-PT10M", "END:VALARM"]
        self.lines.append("END:VEVENT")

    def series(self) -> None:
        rng = self.rng
        tzid, zone_name, _ = rng.choice(_ZONES[:3] + _ZONES[:1] + _ZONES[3:])
        zone = ZoneInfo(zone_name)
        first_day = self.around.date() - timedelta(days=rng.randrange(7, 400))
        start = datetime(first_day.year, first_day.month, first_day.day, rng.randrange(8, 18),
                         rng.choice((0, 30)), tzinfo=zone)
        minutes = rng.choice((15, 30, 30, 45, 60))
        uid = self.next_uid()
        kind = rng.random()
        if kind < 0.3:
            title = "Daily stand-up"
            rule = "FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR"
            step = timedelta(days=1)
            while start.weekday() >= 5:
                start += step
        elif kind < 0.8:
            title = f"1:1 {rng.choice(_PEOPLE).title()}"
            rule = f"FREQ=WEEKLY;BYDAY={('MO', 'TU', 'WE', 'TH', 'FR')[start.weekday() % 5]}"
            start += timedelta(days=(start.weekday() % 5) - start.weekday())
            step = timedelta(days=7)
        else:
            title = f"{rng.choice(_TOPICS)} (fortnightly)"
            rule = "FREQ=WEEKLY;INTERVAL=2"
            step = timedelta(days=14)
        ending = rng.random()
        if ending < 0.15:
            rule += f";COUNT={rng.randrange(10, 120)}"
        elif ending < 0.3:
            until = self.around + timedelta(days=rng.randrange(-60, 300))
            rule += ";UNTIL=" + _stamp(until)
        self.event_head(uid, title)
        self.when("DTSTART", tzid, start)
        self.when("DTEND", tzid, start + timedelta(minutes=minutes))
        self.add("RRULE", rule)
        # a couple of EXDATEs and overrides, on real occurrences of the first weeks
        occurrences = []
        when = start
        while len(occurrences) < 12:
            if step != timedelta(days=1) or when.weekday() < 5:
                occurrences.append(when)
            when += step
        picks = sorted(rng.sample(range(1, 12), 4))
        for n in picks[:2]:
            self.when("EXDATE", tzid, occurrences[n])
        self.add("SEQUENCE", "1")
        self.call_link()
        self.attendees()
        self.lines.append("END:VEVENT")
        for n in picks[2:]:
            original = occurrences[n]
            moved = original + timedelta(hours=rng.choice((-2, -1, 1, 2)))
            self.event_head(uid, f"{title} (moved)")
            self.when("RECURRENCE-ID", tzid, original)
            self.when("DTSTART", tzid, moved)
            self.when("DTEND", tzid, moved + timedelta(minutes=minutes))
            self.add("SEQUENCE", "2")
            self.call_link()
            self.lines.append("END:VEVENT")


def generate_calendar(events: int = 7000, series: int = 500, seed: int = 1, *,
                      around: datetime | None = None) -> bytes:
    """An iCalendar document with ``events`` VEVENTs in all: ``series`` recurring series (each
    master has two overrides, so a series is three VEVENTs) and single events for the rest.

    ``around`` (default: the current time) is the middle of the year-before/year-after spread,
    so the benchmark's "next 24 hours" has meetings in it.
    """
    if around is None:
        around = datetime.now(UTC)  # a benchmark input, not app logic
    elif around.tzinfo is None:
        raise ValueError("around must be timezone-aware")
    rng = random.Random(seed)
    writer = _Writer(rng, around.replace(microsecond=0))
    lines = writer.lines
    lines += ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//microapp//benchmark calendar//EN",
              "CALSCALE:GREGORIAN", "METHOD:PUBLISH"]
    writer.add("X-WR-CALNAME", "Work (benchmark)")
    writer.add("REFRESH-INTERVAL;VALUE=DURATION", "PT1H")
    for tzid, _, with_vtimezone in _ZONES:
        if with_vtimezone:
            lines += _VTIMEZONES[tzid].splitlines()
    series = max(0, min(series, events // 3))
    for _ in range(series):
        writer.series()
    for _ in range(events - 3 * series):
        writer.single()
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


if __name__ == "__main__":
    import sys

    data = generate_calendar()
    sys.stdout.buffer.write(data)
    print(f"{len(data) / 1e6:.1f} MB, generated for {date.today()}", file=sys.stderr)  # noqa: DTZ011
