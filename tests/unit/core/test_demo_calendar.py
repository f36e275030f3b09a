"""The demo calendar: a meeting about 75 s ahead, then one every few minutes, read back through
the same parser real calendars go through."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from microapp.core.demo_calendar import PRODID, demo_calendar
from microapp.core.ics import parse_calendar
from microapp.core.meetings import Meeting

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 3, 10, 9, 0, 12, 345_678, tzinfo=BERLIN)


def meetings(text: str, now: datetime = NOW) -> list[Meeting]:
    parsed = parse_calendar([text.encode()], source="demo", local_zone=BERLIN)
    assert parsed.warnings == ()
    return parsed.meetings_between(now - timedelta(hours=1), now + timedelta(days=1),
                                   calendar_id="demo")


def test_the_first_meeting_is_about_75_seconds_ahead_then_one_every_4_minutes() -> None:
    found = meetings(demo_calendar(NOW))
    assert len(found) == 30
    first = found[0].start - NOW
    assert timedelta(seconds=75) <= first < timedelta(seconds=76)
    gaps = {b.start - a.start for a, b in pairwise(found)}
    assert gaps == {timedelta(minutes=4)}
    assert all(m.end - m.start == timedelta(minutes=25) for m in found)
    assert all(m.start > NOW for m in found)


def test_it_is_a_proper_calendar_in_utc() -> None:
    calendar = Calendar.from_ical(demo_calendar(NOW, count=5))
    assert str(calendar["PRODID"]) == PRODID
    assert str(calendar["VERSION"]) == "2.0"
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 5
    assert len({str(e["UID"]) for e in events}) == 5
    for event in events:
        assert "DTSTAMP" in event and event["SUMMARY"]
        for key in ("DTSTART", "DTEND"):
            assert event[key].dt.utcoffset() == timedelta(0)
            assert event[key].to_ical().endswith(b"Z")


def test_some_meetings_have_a_call_link_that_microapp_recognises() -> None:
    found = meetings(demo_calendar(NOW, count=7))
    services = [m.service for m in found]
    assert services[0] == "Jitsi Meet"  # the first pause shows Join
    assert "Zoom" in services
    assert None in services  # and some are in a room
    for m in found:
        if m.service == "Jitsi Meet":
            assert m.join_url.startswith("https://meet.jit.si/microapp-demo-")
        elif m.service == "Zoom":
            assert m.join_url.startswith("https://example.zoom.us/j/")
        else:
            assert m.join_url is None and m.location


def test_each_demo_gets_its_own_rooms() -> None:
    """meet.jit.si rooms are public: two demos started apart must not share one."""
    one = {m.join_url for m in meetings(demo_calendar(NOW)) if m.join_url}
    later = NOW + timedelta(seconds=1)
    other = {m.join_url for m in meetings(demo_calendar(later), later) if m.join_url}
    assert one and other and not one & other


def test_options_and_zones() -> None:
    now = datetime(2026, 3, 29, 0, 59, 30, tzinfo=UTC)  # just before Berlin's clocks go forward
    found = meetings(demo_calendar(now, first_in=timedelta(seconds=20),
                                   every=timedelta(minutes=30), count=4), now)
    assert [m.start - now for m in found] == [timedelta(seconds=20 + 1800 * n) for n in range(4)]
    assert demo_calendar(now, count=0).count("BEGIN:VEVENT") == 0


@pytest.mark.parametrize("kwargs", [
    {"first_in": timedelta(0)}, {"every": timedelta(seconds=-1)}, {"count": -1},
])
def test_bad_arguments_are_refused(kwargs: dict) -> None:
    with pytest.raises(ValueError):
        demo_calendar(NOW, **kwargs)


def test_a_naive_instant_is_refused() -> None:
    with pytest.raises(ValueError):
        demo_calendar(datetime(2026, 3, 10, 9, 0))
