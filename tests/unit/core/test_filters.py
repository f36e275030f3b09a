"""Which meetings get a pause, and the reason given for each one skipped."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from microapp.core.filters import MeetingFilter, title_matches
from microapp.core.meetings import Meeting, MeetingStatus
from microapp.core.settings import Settings
from microapp.core.sources import SourceConfig, SourceKind

BERLIN = ZoneInfo("Europe/Berlin")
START = datetime(2026, 3, 10, 9, 0, tzinfo=BERLIN)


def meeting(title: str = "Planning", **kw) -> Meeting:
    return Meeting(title=title, start=START, end=START + timedelta(minutes=30),
                   calendar=kw.pop("calendar", "work"), uid=kw.pop("uid", "u1"), **kw)


@pytest.mark.parametrize(("title", "pattern", "expected"), [
    ("Focus time", "Focus time", True),
    ("focus TIME (blocked)", "Focus time", True),  # plain text: anywhere, any case
    ("Refocus timeline", "Focus time", False),
    ("Lunch with Sam", "Lunch*", True),  # glob: the whole title
    ("Team lunch", "Lunch*", False),
    ("OOO: Berlin", "ooo*", True),
    ("Anything", "", False),
])
def test_title_patterns(title: str, pattern: str, expected: bool) -> None:
    assert title_matches(title, pattern) is expected


@pytest.mark.parametrize(("kw", "settings", "reason"), [
    ({}, Settings(), None),
    ({"all_day": True}, Settings(), "all-day"),
    ({"all_day": True}, Settings(skip_all_day=False), None),
    ({"status": MeetingStatus.CANCELLED}, Settings(), "cancelled"),
    ({"status": MeetingStatus.CANCELLED}, Settings(skip_cancelled=False), None),
    ({"declined": True}, Settings(), "declined"),
    ({"declined": True}, Settings(skip_declined=False), None),
    ({"transparent": True}, Settings(), "shown as free"),
    ({"transparent": True}, Settings(skip_free=False), None),
    ({"status": MeetingStatus.TENTATIVE}, Settings(), None),  # tentative is shown by default
    ({"status": MeetingStatus.TENTATIVE}, Settings(skip_tentative=True), "tentative"),
    ({"title": "Focus time"}, Settings(), 'title matches "Focus time"'),
    ({"title": "Focus time"}, Settings(ignore_titles=()), None),
])
def test_filter_reasons(kw: dict, settings: Settings, reason: str | None) -> None:
    title = kw.pop("title", "Planning")
    m = meeting(title, **kw)
    f = MeetingFilter.from_settings(settings)
    assert f.reason(m) == reason
    assert f.keep(m) is (reason is None)


def test_calendars_turned_off_are_skipped_unless_asked_for() -> None:
    settings = Settings(calendars=(
        SourceConfig("work", SourceKind.FILE, "/w.ics"),
        SourceConfig("home", SourceKind.FILE, "/h.ics", enabled=False)))
    work, home = meeting(calendar="work"), meeting(calendar="home", uid="u2")
    assert MeetingFilter.from_settings(settings).apply([work, home]) == [work]
    assert MeetingFilter.from_settings(settings, disabled=()).apply([work, home]) == [work, home]


def test_apply_keeps_order() -> None:
    ms = [meeting(f"M{i}", uid=str(i)) for i in range(5)]
    assert MeetingFilter().apply(ms) == ms
