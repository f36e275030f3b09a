"""What a doorway pause says: headings, the history label and the start time, for one meeting,
several in the same minute, or none ("Pause now")."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from microapp.core.meetings import Meeting
from microapp.core.pause_content import PauseContent
from microapp.core.planner import Cue

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
TEN = datetime(2026, 3, 10, 10, 0, tzinfo=BERLIN)


def meeting(title: str, start: datetime = TEN, *, url: str | None = None,
            service: str | None = None, uid: str | None = None) -> Meeting:
    return Meeting(title=title, start=start, end=start + timedelta(minutes=30), calendar="work",
                   uid=uid or title, join_url=url, service=service)


def test_a_cue_for_one_meeting() -> None:
    m = meeting("Weekly sync", url="https://zoom.us/j/1", service="Zoom")
    content = PauseContent.from_cue(Cue(TEN - timedelta(minutes=1), (m,)))
    assert content == PauseContent(titles=("Weekly sync",), start=TEN, service="Zoom",
                                   join_url="https://zoom.us/j/1", keys=(m.key,))
    assert content.heading == "Before Weekly sync"
    assert content.meeting_label == "Weekly sync"


def test_meetings_in_the_same_minute_share_the_pause_and_the_first_link() -> None:
    first = meeting("Weekly sync")
    second = meeting("Design review", TEN + timedelta(seconds=30),
                     url="https://meet.google.com/abc-defg-hij", service="Google Meet")
    third = meeting("Hiring", TEN + timedelta(seconds=40), url="https://zoom.us/j/2",
                    service="Zoom")
    content = PauseContent.from_cue(Cue(TEN - timedelta(minutes=1), (first, second, third)))
    assert content.titles == ("Weekly sync", "Design review", "Hiring")
    assert content.start == TEN
    assert (content.service, content.join_url) == ("Google Meet",
                                                   "https://meet.google.com/abc-defg-hij")
    assert content.keys == (first.key, second.key, third.key)
    assert content.heading == "Before Weekly sync, Design review and Hiring"
    assert content.meeting_label == "Weekly sync · Design review · Hiring"
    two = PauseContent(titles=("Weekly sync", "Design review"), start=TEN)
    assert two.heading == "Before Weekly sync and Design review"


def test_a_cue_without_any_call_link() -> None:
    content = PauseContent.from_cue(Cue(TEN - timedelta(minutes=1), (meeting("1:1"),)))
    assert content.join_url is None and content.service is None


def test_pause_now_has_no_meeting() -> None:
    content = PauseContent()
    assert content.heading == "A doorway pause"
    assert content.meeting_label is None
    assert content.when_text(TEN) == ""


def test_titles_are_kept_to_one_line_and_never_empty() -> None:
    content = PauseContent(titles=("Board\n  meeting\t", "  "), start=TEN)
    assert content.heading == "Before Board meeting and your meeting"
    assert content.meeting_label == "Board meeting · Untitled meeting"


def test_markup_in_titles_is_left_as_it_is() -> None:
    # Showing it as plain text is the UI's job; nothing here interprets or strips it.
    assert PauseContent(titles=("<b>x</b>",)).heading == "Before <b>x</b>"


@pytest.mark.parametrize(("now", "expected"), [
    (TEN - timedelta(minutes=1), "Starts at 10:00 · Zoom"),
    (TEN - timedelta(minutes=10), "Starts at 10:00 · Zoom"),
    (TEN - timedelta(seconds=30), "Starts at 10:00 · Zoom"),
    (TEN - timedelta(seconds=29), "Starting now · Zoom"),
    (TEN, "Starting now · Zoom"),
    (TEN + timedelta(seconds=59), "Starting now · Zoom"),
    (TEN + timedelta(seconds=60), "Started 1 min ago · Zoom"),
    (TEN + timedelta(minutes=2, seconds=10), "Started 2 min ago · Zoom"),
])
def test_when_text_around_the_start(now: datetime, expected: str) -> None:
    content = PauseContent(titles=("Weekly sync",), start=TEN, service="Zoom",
                           join_url="https://zoom.us/j/1")
    assert content.when_text(now) == expected


def test_when_text_without_a_service() -> None:
    content = PauseContent(titles=("1:1",), start=TEN)
    assert content.when_text(TEN - timedelta(minutes=1)) == "Starts at 10:00"
    assert content.when_text(TEN + timedelta(minutes=3)) == "Started 3 min ago"


def test_the_time_is_shown_in_the_zone_of_now() -> None:
    # The meeting was written in New York; the user is in Berlin: Berlin's clock time.
    start = datetime(2026, 3, 10, 5, 0, tzinfo=NEW_YORK)  # 10:00 in Berlin
    content = PauseContent(titles=("Sync",), start=start)
    assert content.when_text(TEN.astimezone(BERLIN) - timedelta(minutes=1)) == "Starts at 10:00"
    assert content.when_text(start.astimezone(UTC) - timedelta(minutes=1)) == "Starts at 09:00"


def test_across_a_dst_change_minutes_are_real_minutes() -> None:
    # 2026-03-29 02:00 in Berlin the clocks jump to 03:00: from 01:59 CET to 03:01 CEST is
    # 2 real minutes, though the wall clocks differ by 62.
    start = datetime(2026, 3, 29, 3, 1, tzinfo=BERLIN)
    content = PauseContent(titles=("Early call",), start=start)
    assert content.when_text(datetime(2026, 3, 29, 1, 59, tzinfo=BERLIN)) == "Starts at 03:01"
    assert content.when_text(datetime(2026, 3, 29, 3, 3, tzinfo=BERLIN)) == "Started 2 min ago"


def test_naive_instants_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        PauseContent(titles=("x",), start=datetime(2026, 3, 10, 10, 0))
    with pytest.raises(ValueError, match="aware"):
        PauseContent(titles=("x",), start=TEN).when_text(datetime(2026, 3, 10, 9, 0))
