"""microapp.core.ics: calendars as the big exporters write them, and the traps they set.

Every exporter fixture in tests/fixtures/calendars/ is checked meeting by meeting over the same
fixed window, two weeks around the European DST change of 29 March 2026: title, start and end as
ISO strings with their offset, status, flags and call service.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from microapp.core import ics
from microapp.core.ics import DEFAULT_EVENT_LENGTH, ParsedCalendar, parse_calendar
from microapp.core.links import LinkPattern
from microapp.core.meetings import Meeting, MeetingStatus
from microapp.core.sources import ErrorKind, SourceError

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "calendars"
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
TORONTO = ZoneInfo("America/Toronto")
TOKYO = ZoneInfo("Asia/Tokyo")
# Monday 23 March to Tuesday 7 April 2026, Berlin time: DST starts in Europe on 29 March,
# ends in Melbourne on 5 April, and the US is already on summer time.
WINDOW = (datetime(2026, 3, 23, tzinfo=BERLIN), datetime(2026, 4, 7, tzinfo=BERLIN))
ME = ("me@example.com",)
OUR_JITSI = LinkPattern("Jitsi (ours)", r"jitsi\.example\.org")


def read(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def parse(name: str, zone: ZoneInfo = BERLIN) -> ParsedCalendar:
    return parse_calendar([read(name)], source=name, local_zone=zone)


def meetings(parsed: ParsedCalendar, window: tuple[datetime, datetime] = WINDOW,
             emails: tuple[str, ...] = ME,
             patterns: tuple[LinkPattern, ...] = ()) -> list[Meeting]:
    return parsed.meetings_between(*window, calendar_id="cal", my_emails=emails,
                                   link_patterns=patterns)


def flags(meeting: Meeting) -> str:
    names = [("all-day", meeting.all_day), ("free", meeting.transparent),
             ("declined", meeting.declined)]
    return " ".join(name for name, on in names if on)


def row(meeting: Meeting) -> tuple[str, str, str, str, str, str | None]:
    return (meeting.title, meeting.start.isoformat(), meeting.end.isoformat(),
            meeting.status.value, flags(meeting), meeting.service)


def rows(parsed: ParsedCalendar, **kwargs: object) -> list[tuple]:
    return [row(m) for m in meetings(parsed, **kwargs)]  # type: ignore[arg-type]


def calendar(*events: str, head: str = "") -> bytes:
    """A small calendar around hand-written VEVENT bodies (CRLF, as exporters write)."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//microapp tests//EN"]
    lines += [line for line in head.splitlines() if line.strip()]
    for body in events:
        lines += ["BEGIN:VEVENT", *[line.strip() for line in body.strip().splitlines()],
                  "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode()


def parse_bytes(*documents: bytes, zone: ZoneInfo = BERLIN) -> ParsedCalendar:
    return parse_calendar(list(documents), source="test calendar", local_zone=zone)


def split_objects(data: bytes) -> list[bytes]:
    """One document per VCALENDAR, the way a CalDAV server hands out its objects."""
    marker = b"END:VCALENDAR\r\n"
    return [part + marker for part in data.split(marker) if part.strip()]


def finishes(job: Callable[[], object], seconds: float = 10) -> object:
    """Run ``job`` in a thread: a hang fails the test instead of stopping the suite."""
    result: list[object] = []
    worker = threading.Thread(target=lambda: result.append(job()), daemon=True)
    worker.start()
    worker.join(seconds)
    assert not worker.is_alive(), "hung"
    assert result, "raised"
    return result[0]


# --- The exporters --------------------------------------------------------------------------------


def test_google_export_x_wr_timezone_keeps_weekly_meeting_at_local_time() -> None:
    parsed = parse("google.ics")
    assert parsed.name == "Work (Google)"
    assert parsed.min_refresh is None
    assert parsed.warnings == ()
    assert parsed.event_count == 4
    assert rows(parsed) == [
        ("Platform team sync", "2026-03-24T09:00:00+01:00", "2026-03-24T09:30:00+01:00",
         "confirmed", "", "Google Meet"),
        ("Quarterly planning", "2026-03-25T14:00:00+01:00", "2026-03-25T16:00:00+01:00",
         "tentative", "", "Google Meet"),
        ("Team offsite", "2026-03-26T00:00:00+01:00", "2026-03-27T00:00:00+01:00",
         "confirmed", "all-day free", None),
        ("Vendor pitch: analytics", "2026-03-27T11:00:00+01:00", "2026-03-27T11:45:00+01:00",
         "confirmed", "declined", "Google Meet"),
        # DTSTART is 08:00Z in winter; X-WR-TIMEZONE makes it 09:00 Berlin after DST too
        # (read as plain UTC it would move to 10:00 here).
        ("Platform team sync", "2026-03-31T09:00:00+02:00", "2026-03-31T09:30:00+02:00",
         "confirmed", "", "Google Meet"),
    ]
    found = meetings(parsed)
    assert found[0].join_url == "https://meet.google.com/qpr-xkwd-tam"
    # The Meet link of "Quarterly planning" is only in the description, between Google's
    # "-::~:~::~" separators.
    assert found[1].join_url == "https://meet.google.com/vbn-tyui-opz"
    assert found[0].attendees == ("lena.hoffmann@example.com", "me@example.com")
    assert found[2].location == "Lake house, Potsdam"
    assert all(m.calendar == "cal" for m in found)
    assert found[0].uid == found[4].uid == "5kq2r8d0c1m7v3b9g4h6j2n1pe@google.com"


def test_outlook_export_windows_zones_teams_and_free_time() -> None:
    parsed = parse("outlook.ics")
    assert parsed.name == "Calendar"
    assert parsed.min_refresh == timedelta(hours=1)  # X-PUBLISHED-TTL PT1H > REFRESH 30 min
    assert parsed.warnings == ()
    assert rows(parsed) == [
        ("Migration status", "2026-03-23T10:00:00+01:00", "2026-03-23T10:30:00+01:00",
         "confirmed", "", "Microsoft Teams"),
        # TZID="Pacific Standard Time" has no VTIMEZONE: Windows name -> America/Los_Angeles.
        ("Budget review (US)", "2026-03-25T09:00:00-07:00", "2026-03-25T10:00:00-07:00",
         "confirmed", "", "Microsoft Teams"),
        ("Focus time", "2026-03-26T13:00:00+01:00", "2026-03-26T16:00:00+01:00",
         "confirmed", "free", None),
        ("Karfreitag", "2026-04-03T00:00:00+02:00", "2026-04-04T00:00:00+02:00",
         "confirmed", "all-day free", None),
        # 30 March is an EXDATE; 6 April is after the DST change, still 10:00 local.
        ("Migration status", "2026-04-06T10:00:00+02:00", "2026-04-06T10:30:00+02:00",
         "confirmed", "", "Microsoft Teams"),
    ]
    found = meetings(parsed)
    assert found[0].join_url is not None
    assert found[0].join_url.startswith("https://teams.microsoft.com/l/meetup-join/19%3ameeting_NzQ1")
    # SafeLinks-wrapped Teams link in the description, unwrapped.
    assert found[1].join_url is not None
    assert found[1].join_url.startswith("https://teams.microsoft.com/l/meetup-join/19%3ameeting_ZTk1")
    assert "safelinks" not in found[1].join_url
    assert found[0].location == "Microsoft Teams Meeting"
    # "W. Europe Standard Time" (with a VTIMEZONE) and "Pacific Standard Time" (without) are
    # the IANA zones, not fixed offsets.
    assert found[0].start.tzinfo == BERLIN
    assert found[1].start.tzinfo == ZoneInfo("America/Los_Angeles")


def test_icloud_export_overrides_exdate_rdate_and_url() -> None:
    parsed = parse("icloud.ics")
    assert parsed.name == "Home"
    assert rows(parsed) == [
        ("Choir rehearsal", "2026-03-26T19:30:00+01:00", "2026-03-26T21:15:00+01:00",
         "confirmed", "", "Whereby"),
        # RDATE on a Tuesday; the Saturday before (28 March) is an EXDATE.
        ("Piano lesson", "2026-03-31T17:00:00+02:00", "2026-03-31T17:45:00+02:00",
         "confirmed", "", None),
        # The override moves 19:30 to 18:00 and renames it.
        ("Choir: dress rehearsal", "2026-04-02T18:00:00+02:00", "2026-04-02T20:30:00+02:00",
         "confirmed", "", "Whereby"),
        ("Easter at the coast", "2026-04-03T00:00:00+02:00", "2026-04-07T00:00:00+02:00",
         "confirmed", "all-day free", None),
        ("Piano lesson", "2026-04-04T11:00:00+02:00", "2026-04-04T11:45:00+02:00",
         "confirmed", "", None),
    ]
    found = meetings(parsed)
    assert found[0].join_url == "https://whereby.com/choir-practice"  # the URL property
    assert found[0].location == "St. Mary's Hall\nMarienstraße 12, 10117 Berlin, Germany"
    assert found[2].location == "Philharmonie, Kammermusiksaal"


def test_fastmail_export_conference_property_duration_and_default_length() -> None:
    parsed = parse("fastmail.ics")
    assert parsed.name == "Personal"
    assert rows(parsed) == [
        # DATE + DURATION:P3D: three local days.
        ("PyCon AU sprint days", "2026-03-30T00:00:00+02:00", "2026-04-02T00:00:00+02:00",
         "confirmed", "all-day free", None),
        # DURATION:PT45M; the video CONFERENCE is found after a tel: one.
        ("Mentoring call with Sam", "2026-04-01T10:00:00+11:00", "2026-04-01T10:45:00+11:00",
         "confirmed", "", "Zoom"),
        ("Breakfast at Higher Ground", "2026-04-02T08:30:00+11:00",
         "2026-04-02T09:00:00+11:00", "confirmed", "", None),
        # No DTEND, no DURATION: the default length. Melbourne left DST that night.
        ("Call the bank about the loan", "2026-04-05T09:00:00+10:00",
         "2026-04-05T09:30:00+10:00", "confirmed", "", None),
    ]
    assert meetings(parsed)[1].join_url == (
        "https://us02web.zoom.us/j/81234567890?pwd=bWVudG9yaW5nLXNhbS0yMDI2")


NEXTCLOUD_ROWS = [
    ("Daily stand-up", "2026-03-23T09:15:00+01:00", "2026-03-23T09:30:00+01:00",
     "confirmed", "", "Jitsi (ours)"),
    ("Daily stand-up", "2026-03-24T09:15:00+01:00", "2026-03-24T09:30:00+01:00",
     "confirmed", "", "Jitsi (ours)"),
    ("Sprint retro", "2026-03-24T15:00:00+01:00", "2026-03-24T16:00:00+01:00",
     "confirmed", "", "Jitsi Meet"),
    # 25 March: the stand-up is a cancelled occurrence (RECURRENCE-ID + STATUS:CANCELLED): gone.
    ("Daily stand-up", "2026-03-26T09:15:00+01:00", "2026-03-26T09:30:00+01:00",
     "confirmed", "", "Jitsi (ours)"),
    # The same object twice: SEQUENCE 1 (moved to 14:00) beats SEQUENCE 0, in either order.
    ("Design review: search page (moved)", "2026-03-26T14:00:00+01:00",
     "2026-03-26T15:00:00+01:00", "confirmed", "", "Jitsi Meet"),
    ("Daily stand-up (late, after the all-hands)", "2026-03-27T10:30:00+01:00",
     "2026-03-27T10:45:00+01:00", "confirmed", "", "Jitsi (ours)"),
    # A whole event cancelled: kept, flagged (a filter drops it).
    ("Sprint demo", "2026-03-27T16:00:00+01:00", "2026-03-27T17:00:00+01:00",
     "cancelled", "", "Jitsi Meet"),
    *[("Daily stand-up", f"2026-{day}T09:15:00+02:00", f"2026-{day}T09:30:00+02:00",
       "confirmed", "", "Jitsi (ours)")
      for day in ("03-30", "03-31", "04-01", "04-02", "04-03", "04-06")],
]


def test_nextcloud_caldav_objects() -> None:
    objects = split_objects(read("nextcloud.ics"))
    assert len(objects) == 5
    parsed = parse_bytes(*objects)
    assert parsed.name is None
    assert parsed.event_count == 7
    assert parsed.warnings == ()
    assert rows(parsed, patterns=(OUR_JITSI,)) == NEXTCLOUD_ROWS
    # The same objects in another order, or all in one document: the same calendar.
    assert rows(parse_bytes(*reversed(objects)), patterns=(OUR_JITSI,)) == NEXTCLOUD_ROWS
    assert rows(parse("nextcloud.ics"), patterns=(OUR_JITSI,)) == NEXTCLOUD_ROWS


def test_nextcloud_self_hosted_jitsi_needs_the_users_pattern() -> None:
    standup = meetings(parse("nextcloud.ics"))[0]
    assert standup.title == "Daily stand-up"
    assert (standup.join_url, standup.service) == (None, None)
    assert standup.location == "https://jitsi.example.org/platform-standup"


def test_thunderbird_export_floating_all_day_and_declined() -> None:
    parsed = parse("thunderbird.ics", zone=TORONTO)
    assert rows(parsed, window=(datetime(2026, 3, 23, tzinfo=TORONTO),
                                datetime(2026, 4, 7, tzinfo=TORONTO))) == [
        # Floating times are local time (here: Toronto).
        ("Reading group", "2026-03-24T18:00:00-04:00", "2026-03-24T19:30:00-04:00",
         "confirmed", "", None),
        ("Marketing sync", "2026-03-25T16:00:00+00:00", "2026-03-25T16:30:00+00:00",
         "confirmed", "declined", "Whereby"),
        ("Dentist", "2026-03-26T08:30:00-04:00", "2026-03-26T09:00:00-04:00",
         "cancelled", "", None),
        # All-day: local midnight to local midnight; DTEND is exclusive.
        ("Mum's birthday", "2026-03-28T00:00:00-04:00", "2026-03-29T00:00:00-04:00",
         "confirmed", "all-day free", None),
        ("FOSS Backstage conference", "2026-03-30T00:00:00-04:00",
         "2026-04-01T00:00:00-04:00", "confirmed", "all-day free", None),
    ]


# --- Time zone traps --------------------------------------------------------------------------


def test_x_wr_timezone_with_a_windows_zone_name() -> None:
    parsed = parse("x_wr_timezone_windows.ics", zone=NEW_YORK)
    assert parsed.warnings == ()
    assert rows(parsed) == [
        ("Leadership weekly", "2026-03-24T09:00:00+01:00", "2026-03-24T10:00:00+01:00",
         "confirmed", "", None),
        ("Leadership weekly", "2026-03-31T09:00:00+02:00", "2026-03-31T10:00:00+02:00",
         "confirmed", "", None),
        # A floating time in an X-WR-TIMEZONE calendar is in that zone, not local time.
        ("Lunch and learn", "2026-04-01T12:00:00+02:00", "2026-04-01T13:00:00+02:00",
         "confirmed", "", None),
    ]


def test_windows_tzids_with_and_without_vtimezone() -> None:
    parsed = parse("windows_tzids.ics", zone=NEW_YORK)
    assert parsed.warnings == ()
    assert [(m.title, m.start.isoformat(), m.end.isoformat()) for m in meetings(parsed)] == [
        ("Release go/no-go", "2026-03-31T16:00:00+02:00", "2026-03-31T16:30:00+02:00"),
        ("Support handover", "2026-03-31T08:00:00-07:00", "2026-03-31T08:30:00-07:00"),
        ("Supplier call", "2026-04-01T09:00:00+09:00", "2026-04-01T09:30:00+09:00"),
        # Outlook's "Customized Time Zone" is no name anyone knows: its VTIMEZONE says +05:30.
        ("Offshore stand-up", "2026-04-01T10:30:00+05:30", "2026-04-01T11:00:00+05:30"),
    ]


def test_unknown_tzids_are_local_time_with_one_warning_each() -> None:
    parsed = parse("unknown_tzid.ics", zone=NEW_YORK)
    assert parsed.warnings == (
        'unknown time zone "Mars/Olympus_Mons": treated as local time',
        'unknown time zone "Foo/Bar": treated as local time',
    )
    assert [(m.title, m.start.isoformat()) for m in meetings(parsed)] == [
        ("Room Atlas booked", "2026-03-24T10:00:00-04:00"),
        ("Room Birch booked", "2026-03-25T10:00:00-04:00"),
        ("Room Cedar booked", "2026-03-26T10:00:00-04:00"),
        # A "globally unique" TZID names its zone at the end.
        ("Vienna office visit", "2026-03-27T10:00:00+01:00"),
        # A custom TZID whose VTIMEZONE has an X-LIC-LOCATION.
        ("Facilities walkthrough", "2026-03-30T08:00:00+02:00"),
    ]


@pytest.mark.parametrize("zone", [TORONTO, TOKYO, BERLIN], ids=str)
def test_floating_times_and_dates_follow_the_local_zone(zone: ZoneInfo) -> None:
    found = {m.title: m for m in meetings(parse("thunderbird.ics", zone=zone),
                                          window=(datetime(2026, 3, 20, tzinfo=UTC),
                                                  datetime(2026, 4, 10, tzinfo=UTC)))}
    reading = found["Reading group"]
    assert reading.start == datetime(2026, 3, 24, 18, 0, tzinfo=zone)
    assert reading.start.tzinfo == zone
    birthday = found["Mum's birthday"]
    assert birthday.all_day
    assert (birthday.start, birthday.end) == (datetime(2026, 3, 28, tzinfo=zone),
                                              datetime(2026, 3, 29, tzinfo=zone))
    # A zoned event stays where it is.
    assert found["Marketing sync"].start == datetime(2026, 3, 25, 16, 0, tzinfo=UTC)


def test_a_vtimezone_is_read_per_calendar_not_remembered_from_another() -> None:
    """icalendar caches the first VTIMEZONE it ever sees for a TZID process-wide; two Outlook
    calendars that both say "Customized Time Zone" may mean different zones."""
    def custom(offset: str) -> bytes:
        return calendar(
            f"""UID:custom-{offset}
            DTSTART;TZID=Customized Time Zone:20260325T100000
            DTEND;TZID=Customized Time Zone:20260325T110000
            SUMMARY:Call""",
            head=f"""BEGIN:VTIMEZONE
            TZID:Customized Time Zone
            BEGIN:STANDARD
            DTSTART:16010101T000000
            TZOFFSETFROM:{offset}
            TZOFFSETTO:{offset}
            END:STANDARD
            END:VTIMEZONE""".replace("            ", ""))

    first = meetings(parse_bytes(custom("+0530")))[0]
    second = meetings(parse_bytes(custom("+0300")))[0]
    assert first.start.isoformat() == "2026-03-25T10:00:00+05:30"
    assert second.start.isoformat() == "2026-03-25T10:00:00+03:00"


EXCHANGE_ZONE = """BEGIN:VTIMEZONE
TZID:(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna
BEGIN:STANDARD
DTSTART:16010101T030000
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=10
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:16010101T020000
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=3
END:DAYLIGHT
END:VTIMEZONE"""


def test_exchange_display_name_tzid_uses_its_vtimezone() -> None:
    """Exchange 2010 names zones by their display name, which no table maps: the VTIMEZONE
    (rules from 1601) decides, DST included, and quickly."""
    tzid = "(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna"
    events = [f"""UID:exchange-{n}@example.com
        DTSTART;TZID="{tzid}":202603{day:02d}T093000
        DTEND;TZID="{tzid}":202603{day:02d}T100000
        SUMMARY:Meeting {n:04d}""" for n, day in enumerate([27, 30] + [25] * 1500)]
    events.append(f"""UID:exchange-weekly@example.com
        DTSTART;TZID="{tzid}":20250106T080000
        DTEND;TZID="{tzid}":20250106T081500
        RRULE:FREQ=WEEKLY;BYDAY=MO
        SUMMARY:Weekly""")
    began = time.perf_counter()
    parsed = parse_bytes(calendar(*events, head=EXCHANGE_ZONE), zone=TOKYO)
    found = meetings(parsed, window=(datetime(2026, 3, 26, tzinfo=BERLIN),
                                     datetime(2026, 4, 1, tzinfo=BERLIN)))
    assert time.perf_counter() - began < 3
    assert parsed.warnings == ()
    assert [(m.title, m.start.isoformat()) for m in found] == [
        ("Meeting 0000", "2026-03-27T09:30:00+01:00"),
        ("Weekly", "2026-03-30T08:00:00+02:00"),
        ("Meeting 0001", "2026-03-30T09:30:00+02:00"),
    ]


@pytest.mark.parametrize("rule", ["FREQ=SECONDLY;BYSETPOS=2", "FREQ=YEARLY;INTERVAL=0",
                                  "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "FREQ=WEEKLY"])
def test_a_vtimezone_with_an_odd_rule_is_not_trusted(rule: str) -> None:
    """dateutil walks VTIMEZONE rules from their DTSTART on every offset lookup; a rule that
    steps by seconds, does not step at all or never lands would stall or hang every
    comparison of times in that zone."""
    data = calendar(
        """UID:odd-zone@example.com
        DTSTART;TZID=Odd Zone:20260325T100000
        SUMMARY:Odd zone""",
        head=f"""BEGIN:VTIMEZONE
        TZID:Odd Zone
        BEGIN:STANDARD
        DTSTART:16010101T000000
        RRULE:{rule}
        TZOFFSETFROM:+0100
        TZOFFSETTO:+0100
        END:STANDARD
        END:VTIMEZONE""".replace("        ", ""))

    def run() -> tuple[ParsedCalendar, list[Meeting]]:
        parsed = parse_bytes(data, zone=TOKYO)
        return parsed, meetings(parsed, window=(datetime(2026, 3, 20, tzinfo=UTC),
                                                datetime(2026, 3, 30, tzinfo=UTC)))

    began = time.perf_counter()
    parsed, found = finishes(run)  # type: ignore[misc]
    assert time.perf_counter() - began < 1
    assert parsed.warnings == ('unknown time zone "Odd Zone": treated as local time',)
    assert [m.start.isoformat() for m in found] == ["2026-03-25T10:00:00+09:00"]


def test_utc_times_without_x_wr_timezone_stay_utc() -> None:
    found = meetings(parse("invitation_request.ics", zone=TOKYO))
    assert [row(m) for m in found] == [
        ("Partnership kick-off", "2026-03-31T13:30:00+00:00", "2026-03-31T14:15:00+00:00",
         "confirmed", "", "Zoom"),
    ]


# --- Event traps --------------------------------------------------------------------------------


def test_missing_dtend() -> None:
    parsed = parse("missing_dtend.ics", zone=NEW_YORK)
    assert timedelta(minutes=30) == DEFAULT_EVENT_LENGTH
    assert rows(parsed) == [
        ("Quick call with Ana", "2026-03-24T11:00:00+01:00", "2026-03-24T11:30:00+01:00",
         "confirmed", "", None),
        ("Day off", "2026-03-25T00:00:00-04:00", "2026-03-26T00:00:00-04:00",
         "confirmed", "all-day", None),
        ("Accessibility workshop", "2026-03-26T09:30:00+01:00", "2026-03-26T12:00:00+01:00",
         "confirmed", "", None),
        # An unreadable DTEND is as good as none.
        ("Interview debrief", "2026-03-27T14:00:00+01:00", "2026-03-27T14:30:00+01:00",
         "confirmed", "", None),
        # DTEND equal to DTSTART is a moment, and kept as one.
        ("Send the weekly report", "2026-03-27T17:00:00+01:00", "2026-03-27T17:00:00+01:00",
         "confirmed", "", None),
    ]


def test_an_end_before_the_start_is_ignored() -> None:
    """recurring-ical-events would swap them; an edited DTSTART then makes a decades-long
    event that matches every query window."""
    parsed = parse_bytes(calendar(
        """UID:edited@example.com
        DTSTART;TZID=Europe/Berlin:20260325T100000
        DTEND;TZID=Europe/Berlin:20250325T110000
        SUMMARY:Moved a year on, end forgotten""",
        """UID:negative@example.com
        DTSTART;TZID=Europe/Berlin:20260325T120000
        DURATION:-PT1H
        SUMMARY:Negative duration"""))
    assert [(m.title, m.start.isoformat(), m.end.isoformat()) for m in meetings(parsed)] == [
        ("Moved a year on, end forgotten", "2026-03-25T10:00:00+01:00",
         "2026-03-25T10:30:00+01:00"),
        ("Negative duration", "2026-03-25T12:00:00+01:00", "2026-03-25T12:30:00+01:00"),
    ]


def test_a_repeating_event_longer_than_a_year_gets_the_default_length() -> None:
    """A start moved back by years, the end left: every occurrence would last years and
    overlap every window."""
    parsed = parse_bytes(calendar("""UID:moved-back@example.com
        DTSTART;TZID=Europe/Berlin:20160323T090000
        DTEND;TZID=Europe/Berlin:20260323T100000
        RRULE:FREQ=WEEKLY;BYDAY=MO
        SUMMARY:Weekly"""))
    found = meetings(parsed, window=(datetime(2026, 3, 23, tzinfo=BERLIN),
                                     datetime(2026, 3, 24, tzinfo=BERLIN)))
    assert [(m.start.isoformat(), m.end.isoformat()) for m in found] == [
        ("2026-03-23T09:00:00+01:00", "2026-03-23T09:30:00+01:00")]


def test_recurring_series_traps() -> None:
    parsed = parse("recurring_traps.ics")
    assert parsed.event_count == 8
    assert parsed.skipped == 1  # FREQ=SOMETIMES
    assert parsed.warnings == (
        "1 event could not be read and left out",
        "1 repeat rule can never occur: only the first date of its event is shown",
    )
    assert rows(parsed) == [
        # 23 March moved to the 24th at 09:00 by the override with the highest SEQUENCE (2);
        # the older proposal (SEQUENCE 1, 17:00) that comes after it in the file loses.
        ("1:1 Mara (career plan)", "2026-03-24T09:00:00+01:00", "2026-03-24T10:00:00+01:00",
         "confirmed", "", "Zoom"),
        # COUNT and UNTIL together (RFC 5545 forbids it): UNTIL is kept, without a warning.
        ("Office hours", "2026-03-24T16:00:00+01:00", "2026-03-24T17:00:00+01:00",
         "confirmed", "", None),
        ("1:1 Mara", "2026-03-25T10:00:00+01:00", "2026-03-25T10:30:00+01:00",
         "confirmed", "", "Zoom"),  # the RDATE
        ("Board meeting", "2026-03-26T10:00:00+01:00", "2026-03-26T12:00:00+01:00",
         "cancelled", "", None),
        # BYMONTH=2;BYMONTHDAY=30 never happens: only DTSTART remains.
        ("Leap-day planning", "2026-03-27T08:00:00+01:00", "2026-03-27T08:30:00+01:00",
         "confirmed", "", None),
        ("Office hours", "2026-03-31T16:00:00+02:00", "2026-03-31T17:00:00+02:00",
         "confirmed", "", None),
        # 30 March is cancelled; 6 April is a regular occurrence.
        ("1:1 Mara", "2026-04-06T15:00:00+02:00", "2026-04-06T15:30:00+02:00",
         "confirmed", "", "Zoom"),
    ]
    assert {m.uid for m in meetings(parsed) if m.title.startswith("1:1")} == {
        "one-on-one-mara@example.com"}


def test_invitation_request_then_cancel_message() -> None:
    request, cancel = read("invitation_request.ics"), read("invitation_cancel.ics")
    assert [m.status for m in meetings(parse_bytes(request))] == [MeetingStatus.CONFIRMED]
    for documents in ((request, cancel), (cancel, request)):
        found = meetings(parse_bytes(*documents))
        assert [(m.title, m.status) for m in found] == [
            ("Partnership kick-off", MeetingStatus.CANCELLED)]


def test_sequence_tie_goes_to_the_later_change() -> None:
    def version(stamp: str, hour: int) -> bytes:
        return calendar(f"""UID:resent@example.com
            SEQUENCE:0
            DTSTAMP:{stamp}
            DTSTART;TZID=Europe/Berlin:20260325T{hour:02d}0000
            DTEND;TZID=Europe/Berlin:20260325T{hour + 1:02d}0000
            SUMMARY:Re-sent at {hour}""")

    old, new = version("20260301T000000Z", 9), version("20260310T000000Z", 14)
    for documents in ((old, new), (new, old)):
        assert [m.title for m in meetings(parse_bytes(*documents))] == ["Re-sent at 14"]


def test_orphan_overrides_from_caldav() -> None:
    """Invited to one occurrence only, the server sends just the override (no master)."""
    data = calendar(
        """UID:series-i-am-not-in@example.com
        RECURRENCE-ID;TZID=Europe/Berlin:20260325T100000
        DTSTART;TZID=Europe/Berlin:20260325T110000
        DTEND;TZID=Europe/Berlin:20260325T113000
        SUMMARY:Guest slot""",
        """UID:other-series@example.com
        RECURRENCE-ID;TZID=Europe/Berlin:20260326T100000
        DTSTART;TZID=Europe/Berlin:20260326T100000
        DTEND;TZID=Europe/Berlin:20260326T103000
        STATUS:CANCELLED
        SUMMARY:Guest slot (cancelled)""")
    assert [m.title for m in meetings(parse_bytes(data))] == ["Guest slot"]


def test_event_without_uid_gets_a_stable_one() -> None:
    data = calendar(
        """DTSTART;TZID=Europe/Berlin:20260325T100000
        DTEND;TZID=Europe/Berlin:20260325T103000
        SUMMARY:No UID""",
        """DTSTART;TZID=Europe/Berlin:20260325T100000
        DTEND;TZID=Europe/Berlin:20260325T103000
        SUMMARY:No UID either""")
    first, second = meetings(parse_bytes(data)), meetings(parse_bytes(data))
    assert [m.uid for m in first] == [m.uid for m in second]
    assert first[0].uid != first[1].uid
    assert all(m.uid.startswith("microapp-") for m in first)
    assert [m.key for m in first] == [m.key for m in second]


def test_uid_is_cleaned_and_guards_still_apply() -> None:
    """An escaped newline at the end of a UID (a fold gone wrong) must not hide the series
    from the guard that keeps a secondly rule since the year 1 from running for hours."""
    parsed = parse_bytes(calendar("""UID:  padded@example.com\\n
        DTSTART;TZID=Europe/Berlin:00010302T100000
        RRULE:FREQ=SECONDLY;COUNT=2147483647
        SUMMARY:Ancient""", """UID:fine@example.com
        DTSTART;TZID=Europe/Berlin:20260325T100000
        SUMMARY:Fine"""))
    found = finishes(lambda: meetings(parsed))
    assert [(m.uid, m.title) for m in found] == [  # type: ignore[attr-defined]
        ("fine@example.com", "Fine")]


def test_event_without_dtstart_is_skipped_and_counted() -> None:
    parsed = parse_bytes(calendar(
        "UID:no-start@example.com\nSUMMARY:When?",
        """UID:fine@example.com
        DTSTART;TZID=Europe/Berlin:20260325T100000
        SUMMARY:Fine"""))
    assert parsed.skipped == 1
    assert parsed.warnings == ("1 event could not be read and left out",)
    assert [m.title for m in meetings(parsed)] == ["Fine"]


def test_title_status_and_free_busy_details() -> None:
    parsed = parse_bytes(calendar(
        """UID:a@example.com
        DTSTART;TZID=Europe/Berlin:20260325T100000
        SUMMARY:   Padded title\t
        STATUS:tentative""",
        """UID:b@example.com
        DTSTART;TZID=Europe/Berlin:20260325T110000
        STATUS:NEEDS-ACTION""",
        """UID:c@example.com
        DTSTART;TZID=Europe/Berlin:20260325T120000
        SUMMARY:Show as free
        X-MICROSOFT-CDO-BUSYSTATUS:FREE""",
        """UID:d@example.com
        DTSTART;TZID=Europe/Berlin:20260325T130000
        SUMMARY:Busy after all
        TRANSP:OPAQUE
        X-MICROSOFT-CDO-BUSYSTATUS:FREE"""))
    assert [(m.title, m.status, m.transparent) for m in meetings(parsed)] == [
        ("Padded title", MeetingStatus.TENTATIVE, False),
        ("(no title)", MeetingStatus.CONFIRMED, False),
        ("Show as free", MeetingStatus.CONFIRMED, True),  # Outlook's FREE without TRANSP
        ("Busy after all", MeetingStatus.CONFIRMED, False),
    ]


def test_declined_matches_any_of_my_addresses_case_insensitively() -> None:
    parsed = parse("thunderbird.ics")
    window = (datetime(2026, 3, 25, tzinfo=UTC), datetime(2026, 3, 26, tzinfo=UTC))
    sync = [m for m in meetings(parsed, window=window) if m.title == "Marketing sync"]
    assert sync[0].declined
    assert sync[0].attendees == ("priya.shah@example.org", "Me@Example.com",
                                 "tom.baker@example.org")
    for emails in ((), ("someone.else@example.com",)):
        assert not meetings(parsed, window=window, emails=emails)[0].declined
    assert meetings(parsed, window=window, emails=("x@y.z", " ME@EXAMPLE.COM "))[0].declined


def test_call_link_priority_follows_the_property_order() -> None:
    parsed = parse_bytes(calendar(
        """UID:links@example.com
        DTSTART;TZID=Europe/Berlin:20260325T100000
        SUMMARY:Links everywhere
        DESCRIPTION:Backup: https://meet.google.com/aaa-bbbb-ccc
        LOCATION:https://example.zoom.us/j/1234567890
        URL:https://example.com/agenda
        CONFERENCE;VALUE=URI;FEATURE=VIDEO:https://whereby.com/first-choice"""))
    meeting = meetings(parsed)[0]
    assert (meeting.service, meeting.join_url) == ("Whereby", "https://whereby.com/first-choice")


# --- Window and ordering ------------------------------------------------------------------------


def test_window_is_half_open_and_results_are_sorted_by_start_then_title() -> None:
    parsed = parse_bytes(calendar(
        """UID:before@example.com
        DTSTART;TZID=Europe/Berlin:20260325T090000
        DTEND;TZID=Europe/Berlin:20260325T100000
        SUMMARY:Ends as the window starts""",
        """UID:b@example.com
        DTSTART;TZID=Europe/Berlin:20260325T100000
        DTEND;TZID=Europe/Berlin:20260325T103000
        SUMMARY:Beta""",
        """UID:a@example.com
        DTSTART:20260325T090000Z
        DTEND:20260325T093000Z
        SUMMARY:Alpha""",
        """UID:moment@example.com
        DTSTART;TZID=Europe/Berlin:20260325T100000
        DTEND;TZID=Europe/Berlin:20260325T100000
        SUMMARY:A moment at the start""",
        """UID:after@example.com
        DTSTART;TZID=Europe/Berlin:20260325T110000
        DTEND;TZID=Europe/Berlin:20260325T113000
        SUMMARY:Starts as the window ends"""))
    window = (datetime(2026, 3, 25, 10, tzinfo=BERLIN), datetime(2026, 3, 25, 11, tzinfo=BERLIN))
    assert [m.title for m in meetings(parsed, window=window)] == [
        "A moment at the start", "Alpha", "Beta"]
    assert meetings(parsed, window=(window[1], window[0])) == []


def test_long_events_that_started_long_ago_are_found() -> None:
    parsed = parse_bytes(calendar(
        """UID:sabbatical@example.com
        DTSTART;VALUE=DATE:20260101
        DTEND;VALUE=DATE:20260701
        SUMMARY:Sabbatical""",
        """UID:retreat@example.com
        DTSTART;TZID=Europe/Berlin:20260320T090000
        DTEND;TZID=Europe/Berlin:20260327T170000
        SUMMARY:Writing retreat"""))
    window = (datetime(2026, 3, 25, 10, tzinfo=BERLIN), datetime(2026, 3, 25, 11, tzinfo=BERLIN))
    assert [m.title for m in meetings(parsed, window=window)] == ["Sabbatical", "Writing retreat"]


def test_meetings_between_needs_aware_times() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        parse("google.ics").meetings_between(datetime(2026, 3, 23), WINDOW[1],
                                             calendar_id="cal")


def test_parsed_once_and_reused() -> None:
    parsed = parse("nextcloud.ics")
    first = meetings(parsed)
    calls = []
    original = ics._parse_block

    def counting(*args: object, **kwargs: object) -> object:
        calls.append(args)
        return original(*args, **kwargs)  # type: ignore[arg-type]

    ics._parse_block = counting  # type: ignore[assignment]
    try:
        again = meetings(parsed)
    finally:
        ics._parse_block = original  # type: ignore[assignment]
    assert again == first
    assert calls == []  # the second query parsed nothing


def test_an_empty_parsed_calendar_has_no_meetings() -> None:
    empty = ParsedCalendar(name=None, min_refresh=None, warnings=(), event_count=0)
    assert empty.meetings_between(*WINDOW, calendar_id="cal") == []
    assert parse_calendar([], source="empty folder", local_zone=BERLIN).event_count == 0


# --- Calendar properties ---------------------------------------------------------------------


@pytest.mark.parametrize(("head", "expected"), [
    ("X-PUBLISHED-TTL:PT6H", timedelta(hours=6)),
    ("REFRESH-INTERVAL;VALUE=DURATION:P1D", timedelta(days=1)),
    ("REFRESH-INTERVAL;VALUE=DURATION:PT15M\nX-PUBLISHED-TTL:PT2H", timedelta(hours=2)),
    ("X-PUBLISHED-TTL:soon", None),
    ("X-PUBLISHED-TTL:PT0S", None),
    ("X-PUBLISHED-TTL:-PT1H", None),
    ("", None),
])
def test_min_refresh(head: str, expected: timedelta | None) -> None:
    assert parse_bytes(calendar(head=head)).min_refresh == expected


def test_name_falls_back_to_rfc7986_name() -> None:
    assert parse_bytes(calendar(head="NAME:Family")).name == "Family"
    assert parse_bytes(calendar(head="X-WR-CALNAME:Work\nNAME:Other")).name == "Work"


# --- Text traps ------------------------------------------------------------------------------

ENCODING_ROWS = [
    ("Café mit Jürgen – Planung für das Frühjahrsfest der Abteilung Öffentlichkeitsarbeit",
     "2026-03-24T10:00:00+01:00", "2026-03-24T11:00:00+01:00", "confirmed", "",
     "Google Meet"),
    ("Übergabe: Straße & Maßnahmen", "2026-03-26T15:00:00+01:00",
     "2026-03-26T15:30:00+01:00", "confirmed", "", None),
]


@pytest.mark.parametrize("name", ["encoding_bom_crlf.ics", "encoding_lf_tabs.ics",
                                  "encoding_cp1252.ics"])
def test_encodings_line_ends_and_folds(name: str) -> None:
    """A BOM with CRLF, LF with tab folds (both folded mid-character), and text lines in
    Windows-1252 among UTF-8 ones: all read the same."""
    parsed = parse(name)
    assert parsed.name == "Büro – Kalender"
    assert rows(parsed) == ENCODING_ROWS
    assert meetings(parsed)[0].location == "Zoë's Büro, 3. Stock"


@pytest.mark.parametrize("transform", [
    lambda b: b.replace(b"\r\n", b"\r"),  # classic Mac line ends
    lambda b: b.decode("utf-8-sig").encode("utf-16"),  # UTF-16 with its BOM
    lambda b: b"\r\n\r\n" + b.replace(b"\r\n", b"\n\n"),  # blank lines everywhere
    lambda b: b"Warning: session_start() failed in /var/www/feed.php\n" + b + b"<!-- 12ms -->",
], ids=["cr", "utf16", "blank-lines", "server-noise"])
def test_more_text_shapes(transform: Callable[[bytes], bytes]) -> None:
    parsed = parse_bytes(transform(read("encoding_bom_crlf.ics")))
    assert rows(parsed) == ENCODING_ROWS


def test_lost_and_stray_end_lines() -> None:
    data = "\r\n".join([
        "BEGIN:VCALENDAR", "VERSION:2.0",
        # A VTIMEZONE that lost its END:STANDARD and END:VTIMEZONE lines.
        "BEGIN:VTIMEZONE", "TZID:Plant time", "BEGIN:STANDARD", "DTSTART:19700101T000000",
        "TZOFFSETFROM:+0300", "TZOFFSETTO:+0300",
        # An event that lost its END:VEVENT; a VALARM in it that lost its END too.
        "BEGIN:VEVENT", "UID:one@example.com", "DTSTART;TZID=Plant time:20260325T100000",
        "SUMMARY:First", "BEGIN:VALARM", "TRIGGER:-PT5M",
        # A stray END line before the properties of the next event.
        "BEGIN:VEVENT", "UID:two@example.com", "END:VALARM",
        "DTSTART;TZID=Europe/Berlin:20260325T110000", "SUMMARY:Second", "END:VEVENT",
        "END:VEVENT",
        "END:VCALENDAR", ""]).encode()
    parsed = parse_bytes(data)
    assert parsed.warnings == ()
    assert [(m.title, m.start.isoformat()) for m in meetings(parsed)] == [
        ("First", "2026-03-25T10:00:00+03:00"), ("Second", "2026-03-25T11:00:00+01:00")]


# --- Not calendars ------------------------------------------------------------------------------


@pytest.mark.parametrize(("data", "message"), [
    (b"", "Team feed is empty."),
    (b"  \r\n\t\n", "Team feed is empty."),
    (b"<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body>Login</body></html>",
     "Team feed is a web page, not a calendar (is the address right?)."),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00",
     "Team feed is not a calendar: it has no BEGIN:VCALENDAR."),
    (b'{"events": []}', "Team feed is not a calendar: it has no BEGIN:VCALENDAR."),
    (b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ana\r\nEND:VCARD\r\n",
     "Team feed is not a calendar: it has no BEGIN:VCALENDAR."),
])
def test_not_a_calendar(data: bytes, message: str) -> None:
    with pytest.raises(SourceError) as caught:
        parse_calendar([data], source="Team feed", local_zone=BERLIN)
    assert caught.value.kind is ErrorKind.NOT_CALENDAR
    assert str(caught.value) == message


def test_cut_off_download_is_refused() -> None:
    data = read("google.ics")
    with pytest.raises(SourceError) as caught:
        parse_calendar([data[: len(data) // 2]], source="Google", local_zone=BERLIN)
    assert caught.value.kind is ErrorKind.NOT_CALENDAR
    assert str(caught.value) == (
        "Google is incomplete: it ends before END:VCALENDAR (cut off?).")


def test_bad_documents_of_a_folder_are_left_out_with_a_warning() -> None:
    parsed = parse_calendar([read("google.ics"), b"<html>oops</html>", b""],
                            source="Folder", local_zone=BERLIN)
    assert parsed.warnings == ("2 documents of 3 could not be read as a calendar and left out",)
    assert len(meetings(parsed)) == 5
    with pytest.raises(SourceError, match=r"^None of the 2 documents of Folder is a calendar "
                                          r"\(the first is empty\)\.$"):
        parse_calendar([b"", b"nothing"], source="Folder", local_zone=BERLIN)


# --- Guards ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("rule, start", [
    ("FREQ=SECONDLY", "20250101T000000"),
    ("FREQ=MINUTELY;COUNT=100000000", "20240101T000000"),
    ("FREQ=DAILY", "00010101T090000"),
    ("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", "20260101T090000"),
    ("FREQ=MINUTELY;BYMONTH=4;BYMONTHDAY=31", "20260101T090000"),
    ("FREQ=MONTHLY;BYDAY=MO;BYSETPOS=6", "20260101T090000"),
    ("FREQ=WEEKLY;INTERVAL=2;BYMONTH=2;BYMONTHDAY=30", "20260101T090000"),
    ("FREQ=DAILY;INTERVAL=7;BYDAY=TU", "20260105T090000"),
])
def test_endless_or_dense_rules_are_fast(rule: str, start: str,
                                         caplog: pytest.LogCaptureFixture) -> None:
    data = calendar(f"""UID:dense@example.com
        DTSTART;TZID=Europe/Berlin:{start}
        DURATION:PT1S
        RRULE:{rule}
        SUMMARY:Dense""")
    began = time.perf_counter()
    with caplog.at_level(logging.WARNING, logger="microapp.core.ics"):
        parsed = parse_bytes(data)
        for _ in range(3):
            found = meetings(parsed, window=(datetime(2026, 3, 23, tzinfo=BERLIN),
                                             datetime(2026, 3, 30, tzinfo=BERLIN)))
    assert time.perf_counter() - began < 1.5
    assert all(m.title == "Dense" for m in found)
    # A skipped series is logged once, not on every query.
    assert len([r for r in caplog.records if "repeats too often" in r.getMessage()]) <= 1


def test_one_series_adds_at_most_max_occurrences_to_a_query(
        caplog: pytest.LogCaptureFixture) -> None:
    parsed = parse_bytes(calendar("""UID:every-minute@example.com
        DTSTART;TZID=Europe/Berlin:20260323T000000
        DURATION:PT1M
        RRULE:FREQ=MINUTELY
        SUMMARY:Every minute"""))
    with caplog.at_level(logging.WARNING, logger="microapp.core.ics"):
        for _ in range(2):
            found = meetings(parsed, window=(datetime(2026, 3, 23, tzinfo=BERLIN),
                                             datetime(2026, 3, 26, tzinfo=BERLIN)))
            assert len(found) == ics.MAX_OCCURRENCES
            assert found[0].start == datetime(2026, 3, 23, tzinfo=BERLIN)
    assert [r.getMessage() for r in caplog.records] == [
        "calendar event 'every-minute@example.com' has more than 2000 occurrences in one "
        "query; the rest are left out"]


def test_a_series_that_failed_is_not_computed_again(caplog: pytest.LogCaptureFixture) -> None:
    """dateutil 2.9 keeps a cached rule's lock when its iteration raises, and the next
    iteration waits for that lock forever. Here: days of the year 10000."""
    parsed = parse_bytes(calendar("""UID:end-of-time@example.com
        DTSTART;TZID=Europe/Berlin:99991230T090000
        RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR,SA,SU
        SUMMARY:The last week""", """UID:fine@example.com
        DTSTART;TZID=Europe/Berlin:99991229T090000
        SUMMARY:Still fine"""))
    window = (datetime(9999, 12, 1, tzinfo=UTC), datetime(9999, 12, 31, 20, tzinfo=UTC))
    with caplog.at_level(logging.WARNING, logger="microapp.core.ics"):
        for _ in range(3):
            found = finishes(lambda: meetings(parsed, window=window))
            assert [m.title for m in found] == ["Still fine"]  # type: ignore[attr-defined]
    assert [r.getMessage() for r in caplog.records] == [
        "calendar event 'end-of-time@example.com' could not be computed; it is left out"]


def test_queries_from_several_threads() -> None:
    parsed = parse("icloud.ics")
    expected = meetings(parsed)
    results: list[list[Meeting]] = []
    threads = [threading.Thread(target=lambda: results.extend(
        meetings(parsed) for _ in range(5)), daemon=True) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert not any(thread.is_alive() for thread in threads)
    assert results == [expected] * 20


@pytest.mark.parametrize("interval", ["0", "-2"])
def test_an_interval_below_one_counts_as_one(interval: str) -> None:
    """INTERVAL=0 makes dateutil divide by zero, or never move on."""
    parsed = parse_bytes(calendar(f"""UID:zero@example.com
        DTSTART;TZID=Europe/Berlin:20260323T090000
        RRULE:FREQ=DAILY;INTERVAL={interval};COUNT=3
        SUMMARY:Three days"""))
    found = finishes(lambda: meetings(parsed))
    assert [m.start.day for m in found] == [23, 24, 25]  # type: ignore[attr-defined]


def test_an_unreadable_rule_skips_its_series() -> None:
    parsed = parse_bytes(calendar("""UID:unreadable@example.com
        DTSTART;TZID=Europe/Berlin:20260323T090000
        RRULE:FREQ=DAILY;INTERVAL=x
        SUMMARY:Unreadable"""))
    assert (parsed.skipped, meetings(parsed)) == (1, [])


def test_sub_daily_rules_with_filters() -> None:
    """Walked as the daily rule listing their times (same occurrences); with an INTERVAL, a
    BYSETPOS or dateutil's BYEASTER they are not supported."""
    parsed = parse_bytes(calendar(
        """UID:check-in@example.com
        DTSTART;TZID=Europe/Berlin:20260323T090000
        DURATION:PT10M
        RRULE:FREQ=HOURLY;BYDAY=MO,WE;BYHOUR=9,11
        SUMMARY:Check-in""",
        """UID:rare@example.com
        DTSTART;TZID=Europe/Berlin:20260301T090000
        DURATION:PT1S
        RRULE:FREQ=SECONDLY;BYHOUR=9;BYMINUTE=0;BYSECOND=0;BYYEARDAY=-282,84
        SUMMARY:Rare""",
        *[f"""UID:unsupported-{n}@example.com
        DTSTART;TZID=Europe/Berlin:20260323T090000
        RRULE:{rule}
        SUMMARY:Unsupported""" for n, rule in enumerate([
            "FREQ=MINUTELY;INTERVAL=15;BYHOUR=9", "FREQ=HOURLY;BYSETPOS=1;BYMINUTE=0,30",
            "FREQ=DAILY;BYEASTER=0"])]))
    window = (datetime(2026, 3, 23, tzinfo=BERLIN), datetime(2026, 3, 26, tzinfo=BERLIN))
    found = finishes(lambda: meetings(parsed, window=window))
    assert [(m.title, m.start.strftime("%a %H:%M:%S")) for m in found] == [  # type: ignore[attr-defined]
        ("Check-in", "Mon 09:00:00"), ("Check-in", "Mon 11:00:00"),
        ("Check-in", "Wed 09:00:00"),
        ("Rare", "Wed 09:00:00"),  # the 84th day of 2026 (and the 282nd from the end)
        ("Check-in", "Wed 11:00:00")]
    assert parsed.skipped == 3


def test_dense_rule_close_to_the_window_still_works() -> None:
    parsed = parse_bytes(calendar("""UID:pomodoro@example.com
        DTSTART;TZID=Europe/Berlin:20260325T090000
        DURATION:PT25M
        RRULE:FREQ=MINUTELY;INTERVAL=30;COUNT=4
        SUMMARY:Pomodoro"""))
    assert [m.start.strftime("%H:%M") for m in meetings(parsed)] == [
        "09:00", "09:30", "10:00", "10:30"]
