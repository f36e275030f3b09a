"""Tests for microapp.core.planner: worked examples, DST nights, zone changes and properties."""

from __future__ import annotations

import random
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from microapp.core.meetings import Meeting
from microapp.core.planner import (
    DEFAULT_LEAD,
    MAX_LEAD,
    MAX_TIMER_MS,
    STALE_AFTER,
    Cue,
    Plan,
    next_wake,
    plan,
)
from tests.helpers import FakeClock

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
KOLKATA = ZoneInfo("Asia/Kolkata")  # +05:30
CHATHAM = ZoneInfo("Pacific/Chatham")  # +12:45 / +13:45
LORD_HOWE = ZoneInfo("Australia/Lord_Howe")  # a 30-minute DST shift
MICRO = timedelta(microseconds=1)

DAY = datetime(2026, 3, 10, tzinfo=BERLIN).date()  # an ordinary Tuesday, CET (+01:00)


def at(hour: int, minute: int = 0, second: int = 0, micro: int = 0) -> datetime:
    """An instant on DAY in Berlin."""
    return datetime(DAY.year, DAY.month, DAY.day, hour, minute, second, micro, tzinfo=BERLIN)


def mtg(
    title: str,
    start: datetime,
    *,
    minutes: float = 30,
    uid: str | None = None,
    calendar: str = "work",
    end: datetime | None = None,
) -> Meeting:
    return Meeting(
        title=title,
        start=start,
        end=end if end is not None else start + timedelta(minutes=minutes),
        calendar=calendar,
        uid=uid if uid is not None else f"{title}@example.org",
    )


def keys(cues: Iterable[Cue | None]) -> list[str]:
    return [key for cue in cues if cue is not None for key in cue.keys]


def due_keys(p: Plan) -> set[str]:
    """Keys the plan reports now (shown, superseded or missed)."""
    return set(keys([p.show_now, *p.superseded, *p.missed]))


def utc(instant: datetime) -> datetime:
    return instant.astimezone(UTC)


# --- The simulated caller -----------------------------------------------------------------------


@dataclass
class Run:
    """What a well-behaved caller saw, planning again on every timer fire."""

    fired: dict[str, datetime] = field(default_factory=dict)  # key -> instant shown
    missed: dict[str, datetime] = field(default_factory=dict)  # key -> instant recorded
    shown: list[Cue] = field(default_factory=list)
    first: Plan | None = None
    meetings: dict[str, Meeting] = field(default_factory=dict)  # key -> the one planned

    @property
    def reported(self) -> set[str]:
        return set(self.fired) | set(self.missed)


def simulate(
    meetings: Collection[Meeting],
    now: datetime,
    *,
    lead: timedelta = DEFAULT_LEAD,
    done_keys: Collection[str] = frozenset(),
    since: datetime | None = None,
) -> Run:
    """Every cue from ``now`` on: plan, show ``show_now``, record superseded and missed ones,
    mark their keys done, and jump to ``wake_at`` (the single-shot timer) when nothing is due.

    Asserts on the way that no key is ever reported twice and that ``wake_at`` is in the future.
    """
    run = Run()
    done = set(done_keys)
    for _ in range(3 * len(meetings) + 5):
        p = plan(meetings, now, lead=lead, done_keys=done, since=since)
        if run.first is None:
            run.first = p
        assert p.wake_at is None or p.wake_at > now
        newly = keys([p.show_now, *p.superseded, *p.missed])
        assert len(newly) == len(set(newly)), "a key reported twice in one plan"
        assert not set(newly) & (done | run.reported), "a key reported again"
        if p.show_now is not None:
            assert p.show_now.due <= now
            run.shown.append(p.show_now)
            run.fired.update(dict.fromkeys(p.show_now.keys, utc(now)))
        for cue in (*p.superseded, *p.missed):
            run.missed.update(dict.fromkeys(cue.keys, utc(now)))
        for cue in (p.show_now, *p.superseded, *p.missed):
            run.meetings.update({m.key: m for m in cue.meetings} if cue else {})
        done.update(newly)
        if newly:
            continue  # plan again at the same instant: nothing more may be due
        if p.wake_at is None:
            return run
        assert next_wake(p, now) is not None
        now = p.wake_at
    raise AssertionError("the plan never settled")


# --- Worked examples ----------------------------------------------------------------------------


def test_constants() -> None:
    assert timedelta(seconds=60) == DEFAULT_LEAD
    assert timedelta(minutes=10) == MAX_LEAD
    assert timedelta(minutes=2) == STALE_AFTER


def test_cue_is_due_exactly_lead_before_start() -> None:
    standup = mtg("Standup", at(10))
    before = plan([standup], at(9, 58, 59, 999_999))
    assert before.show_now is None and before.superseded == () and before.missed == ()
    assert before.next_cue == Cue(utc(at(9, 59)), (standup,))
    assert before.wake_at == utc(at(9, 59)) == datetime(2026, 3, 10, 8, 59, tzinfo=UTC)
    assert next_wake(before, at(9, 58, 59, 999_999)) == 1  # 1 µs, rounded up to 1 ms

    due = plan([standup], at(9, 59))
    assert due.show_now == Cue(utc(at(9, 59)), (standup,))
    assert due.show_now.start == standup.start
    assert due.show_now.keys == (standup.key,)
    assert due.next_cue is None and due.wake_at is None
    assert next_wake(due, at(9, 59)) is None


def test_due_is_utc_and_start_keeps_the_meetings_zone() -> None:
    cue = plan([mtg("Standup", at(10))], at(9, 59)).show_now
    assert cue is not None
    assert cue.due.tzinfo is UTC
    assert cue.start.tzinfo is BERLIN


def test_lead_zero_fires_at_the_start() -> None:
    standup = mtg("Standup", at(10))
    assert plan([standup], at(9, 59, 59), lead=timedelta(0)).wake_at == utc(at(10))
    assert plan([standup], at(10), lead=timedelta(0)).show_now == Cue(utc(at(10)), (standup,))


def test_longest_lead() -> None:
    standup = mtg("Standup", at(10))
    p = plan([standup], at(9, 50), lead=MAX_LEAD)
    assert p.show_now == Cue(utc(at(9, 50)), (standup,))


@pytest.mark.parametrize(
    "lead", [timedelta(seconds=-1), -MICRO, MAX_LEAD + MICRO, timedelta(hours=1)]
)
def test_lead_outside_the_allowed_range_is_refused(lead: timedelta) -> None:
    with pytest.raises(ValueError, match="lead must be between 0 and 10 minutes"):
        plan([], at(9), lead=lead)


def test_naive_instants_are_refused() -> None:
    with pytest.raises(ValueError, match="now must be timezone-aware"):
        plan([], datetime(2026, 3, 10, 9))
    with pytest.raises(ValueError, match="since must be timezone-aware"):
        plan([], at(9), since=datetime(2026, 3, 10, 9))
    with pytest.raises(ValueError, match="now must be timezone-aware"):
        next_wake(plan([mtg("A", at(10))], at(9)), datetime(2026, 3, 10, 9))


def test_a_cue_needs_a_meeting_and_an_aware_due() -> None:
    with pytest.raises(ValueError, match="at least one meeting"):
        Cue(utc(at(9)), ())
    with pytest.raises(ValueError, match="timezone-aware"):
        Cue(datetime(2026, 3, 10, 9), (mtg("A", at(10)),))


def test_no_meetings_nothing_to_do() -> None:
    assert plan([], at(9)) == Plan(None, (), (), None, None)


def test_same_minute_meetings_share_one_cue_even_with_different_seconds() -> None:
    b = mtg("B", at(10, 0, 45))
    a = mtg("A", at(10, 0, 0))
    c = mtg("C", at(10, 0, 59, 999_999))
    a2 = mtg("A2", at(10, 0, 0))  # same start as "A": sorted by title
    p = plan([c, b, a2, a], at(9, 0))
    assert p.next_cue == Cue(utc(at(9, 59)), (a, a2, b, c))
    shown = plan([c, b, a2, a], at(9, 59)).show_now
    assert shown is not None
    assert shown.keys == (a.key, a2.key, b.key, c.key)


def test_same_minute_across_zones_is_the_same_minute() -> None:
    here = mtg("Berlin", at(10))
    there = mtg("New York", at(10, 0, 30).astimezone(NEW_YORK))  # 04:00:30 in New York
    india = mtg("Kolkata", at(10, 0, 50).astimezone(KOLKATA))  # 14:30:50 in Kolkata
    cue = plan([india, there, here], at(9, 59)).show_now
    assert cue is not None and cue.meetings == (here, there, india)


def test_meetings_one_minute_apart_get_two_cues() -> None:
    first, second = mtg("First", at(10)), mtg("Second", at(10, 1))
    p = plan([second, first], at(9, 59))
    assert p.show_now == Cue(utc(at(9, 59)), (first,))
    assert p.next_cue == Cue(utc(at(10)), (second,))
    assert p.wake_at == utc(at(10))


def test_one_second_apart_across_a_minute_boundary_is_two_cues() -> None:
    late, early = mtg("Late", at(10)), mtg("Early", at(9, 59, 59))
    run = simulate([late, early], at(9))
    assert [cue.meetings for cue in run.shown] == [(early,), (late,)]
    assert run.fired == {early.key: utc(at(9, 58, 59)), late.key: utc(at(9, 59))}


def test_refresh_with_done_keys_never_fires_again() -> None:
    standup, review = mtg("Standup", at(10)), mtg("Review", at(11))
    first = plan([standup, review], at(9, 59))
    assert first.show_now is not None
    done = set(first.show_now.keys)
    # The calendar is read again: new, equal objects, and the same occurrence twice.
    refreshed = [mtg("Standup", at(10)), mtg("Review", at(11)), mtg("Standup", at(10))]
    again = plan(refreshed, at(9, 59, 30), done_keys=done)
    assert again.show_now is None and again.superseded == () and again.missed == ()
    assert again.next_cue == Cue(utc(at(10, 59)), (review,))
    # done_keys may be any collection, not only a set.
    assert plan(refreshed, at(9, 59, 30), done_keys=list(done)) == again


def test_a_moved_meeting_is_a_new_occurrence_with_a_new_cue() -> None:
    standup = mtg("Standup", at(10), uid="standup-1")
    fired = plan([standup], at(9, 59))
    assert fired.show_now is not None
    moved = replace(standup, start=at(10, 30), end=at(11))
    assert moved.key != standup.key
    p = plan([moved], at(9, 59, 30), done_keys=set(fired.show_now.keys))
    assert p.show_now is None
    assert p.next_cue == Cue(utc(at(10, 29)), (moved,))


def test_duplicates_of_one_key_are_collapsed_whatever_their_order() -> None:
    a = mtg("Planning", at(10), uid="p")
    renamed = replace(a, title="Planning (moved room)", location="Room 2")
    other_zone = replace(a, start=a.start.astimezone(NEW_YORK))  # the same instant
    assert a.key == renamed.key == other_zone.key
    plans = {
        plan(order, at(9, 59)) for order in ([a, renamed, other_zone], [other_zone, renamed, a])
    }
    assert len(plans) == 1
    (p,) = plans
    assert p.show_now is not None and len(p.show_now.meetings) == 1


def test_late_by_one_minute_fifty_nine_is_still_shown() -> None:
    standup = mtg("Standup", at(10))
    p = plan([standup], at(10, 1, 59))
    assert p.show_now == Cue(utc(at(9, 59)), (standup,)) and p.missed == ()


def test_exactly_two_minutes_late_is_still_shown() -> None:
    standup = mtg("Standup", at(10))
    assert plan([standup], at(10, 2)).show_now is not None


def test_more_than_two_minutes_late_is_missed() -> None:
    standup = mtg("Standup", at(10))
    p = plan([standup], at(10, 2) + MICRO)
    assert p.show_now is None
    assert p.missed == (Cue(utc(at(9, 59)), (standup,)),)


def test_slept_through_three_meetings_all_missed_none_shown() -> None:
    meetings = [mtg("One", at(10)), mtg("Two", at(11)), mtg("Three", at(12)), mtg("Four", at(14))]
    p = plan(meetings, at(12, 30))
    assert p.show_now is None and p.superseded == ()
    assert [cue.meetings for cue in p.missed] == [(m,) for m in meetings[:3]]
    assert p.next_cue == Cue(utc(at(13, 59)), (meetings[3],))


def test_an_ended_meeting_is_never_shown_even_within_two_minutes() -> None:
    quick = mtg("Quick sync", at(10), minutes=1)
    assert plan([quick], at(10, 0, 59)).show_now is not None
    p = plan([quick], at(10, 1))  # it ended at 10:01, only a minute after its start
    assert p.show_now is None and p.missed == (Cue(utc(at(9, 59)), (quick,)),)


def test_an_end_before_the_start_counts_as_ending_at_the_start() -> None:
    odd = mtg("Odd", at(10), end=at(9))
    assert plan([odd], at(9, 59, 30)).show_now is not None  # not ended before it starts
    assert plan([odd], at(10)).missed == (Cue(utc(at(9, 59)), (odd,)),)


def test_several_due_the_latest_is_shown_the_earlier_superseded() -> None:
    # The app starts at 10:00:30: 09:57 is stale, 10:00 and 10:01 are both due and in time.
    stale, earlier, latest, later = (
        mtg("Stale", at(9, 57)),
        mtg("Earlier", at(10)),
        mtg("Latest", at(10, 1)),
        mtg("Later", at(10, 30)),
    )
    p = plan([later, latest, earlier, stale], at(10, 0, 30))
    assert p.show_now == Cue(utc(at(10)), (latest,))
    assert p.superseded == (Cue(utc(at(9, 59)), (earlier,)),)
    assert p.missed == (Cue(utc(at(9, 56)), (stale,)),)
    assert p.next_cue == Cue(utc(at(10, 29)), (later,))


def test_since_ignores_meetings_that_started_before_it() -> None:
    yesterday = mtg("Yesterday", at(10) - timedelta(days=1))
    early = mtg("Early", at(8))
    on_the_dot = mtg("On the dot", at(9))
    later = mtg("Later", at(11))
    meetings = [yesterday, early, on_the_dot, later]
    everything = plan(meetings, at(10))
    assert keys(everything.missed) == [yesterday.key, early.key, on_the_dot.key]
    p = plan(meetings, at(10), since=at(9))
    assert keys(p.missed) == [on_the_dot.key]
    assert p.next_cue == Cue(utc(at(10, 59)), (later,))
    assert plan(meetings, at(10), since=at(9) + MICRO).missed == ()
    assert plan(meetings, at(10), since=at(9).astimezone(NEW_YORK)) == p


def test_part_of_a_same_minute_group_done_keeps_the_cue_for_the_rest() -> None:
    a, b = mtg("A", at(10)), mtg("B", at(10, 0, 20))
    p = plan([a, b], at(9), done_keys={a.key})
    assert p.next_cue == Cue(utc(at(9, 59, 20)), (b,))
    assert plan([a, b], at(9), done_keys={a.key, b.key}) == Plan(None, (), (), None, None)


def test_a_group_whose_earliest_meeting_was_missed_cues_the_rest_on_their_own_time() -> None:
    # Lead 0: "Blip" (no duration) made the 10:00 minute due and ended at once; "Talk" starts
    # 40 s later, is not due yet, and gets its own cue rather than being shown early or lost.
    blip = mtg("Blip", at(10), minutes=0)
    talk = mtg("Talk", at(10, 0, 40))
    p = plan([blip, talk], at(10, 0, 10), lead=timedelta(0))
    assert p.show_now is None
    assert p.missed == (Cue(utc(at(10)), (blip,)),)
    assert p.next_cue == Cue(utc(at(10, 0, 40)), (talk,))


def test_within_a_group_each_meeting_is_judged_stale_on_its_own() -> None:
    a, b = mtg("A", at(10)), mtg("B", at(10, 0, 50))
    p = plan([a, b], at(10, 2, 30))  # A is 2:30 late, B only 1:40
    assert p.missed == (Cue(utc(at(9, 59)), (a,)),)
    assert p.show_now == Cue(utc(at(9, 59, 50)), (b,))


def test_planning_is_deterministic_whatever_the_input_order() -> None:
    meetings = [
        mtg(f"M{i % 7}", at(9 + i % 5, 10 * (i % 3), i % 60), uid=f"u{i}") for i in range(60)
    ]
    expected = plan(meetings, at(11, 5))
    rng = random.Random(7)
    for _ in range(5):
        rng.shuffle(meetings)
        assert plan(meetings, at(11, 5)) == expected
        assert plan(iter(meetings), at(11, 5)) == expected  # any iterable, read once


@pytest.mark.parametrize("seed", range(3))
def test_done_keys_mean_the_same_as_leaving_those_meetings_out(seed: int) -> None:
    # Thousands of past meetings and done keys: the planner reads the done keys back into
    # (calendar + UID, instant) pairs instead of formatting every meeting's key. Same answers.
    rng = random.Random(seed)
    meetings = [
        mtg(
            rng.choice(["Standup", "1:1", "Review"]),
            (at(0) + timedelta(seconds=rng.randrange(0, 2 * 86400))).astimezone(
                rng.choice([BERLIN, NEW_YORK, KOLKATA, UTC])
            ),
            uid=f"series-{rng.randrange(50)}",
            calendar=rng.choice(["work", "home"]),
        )
        for _ in range(3000)
    ]
    done = {m.key for m in meetings if rng.random() < 0.5}
    # Strings that are not keys, and other spellings of the instants of meetings not done:
    # a key matches only as the very string Meeting.key gives, on either path.
    junk = {"", "junk", "work\x1fseries-1\x1fnot a date", "work\x1fseries-1\x1f2026-03-10T09:00"}
    for m in meetings[:200]:
        if m.key not in done:
            prefix = f"{m.calendar}\x1f{m.uid}\x1f"
            junk |= {
                prefix + utc(m.start).isoformat().replace("+00:00", "Z"),
                prefix + m.start.astimezone(BERLIN).isoformat(),
                prefix + utc(m.start).isoformat(timespec="microseconds"),
            }
    assert not junk & {m.key for m in meetings}
    for now in (at(0) + timedelta(days=1), at(0) + timedelta(days=3)):
        expected = plan([m for m in meetings if m.key not in done], now)
        assert plan(meetings, now, done_keys=done | junk) == expected
        assert plan(meetings, now, done_keys=sorted(done)) == expected
    assert expected.missed and not expected.next_cue


def test_done_keys_still_work_if_the_key_format_changes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Meeting, "key", property(lambda m: f"{m.uid}|{m.start.timestamp()}"))
    meetings = [
        mtg("Standup", at(0) + timedelta(minutes=7 * i), uid=f"u{i % 9}") for i in range(2000)
    ]
    done = {m.key for m in meetings[::3]}
    now = at(0) + timedelta(days=5)
    assert plan(meetings, now, done_keys=done) == plan(
        [m for m in meetings if m.key not in done], now
    )


# --- next_wake ----------------------------------------------------------------------------------


def test_next_wake_counts_milliseconds_through_utc() -> None:
    p = plan([mtg("A", at(10))], at(9))
    assert next_wake(p, at(9)) == 59 * 60 * 1000
    assert next_wake(p, at(9).astimezone(NEW_YORK)) == 59 * 60 * 1000
    assert next_wake(p, at(9, 58, 59, 500)) == 1000  # 999.5 ms, rounded up
    assert next_wake(p, at(9, 59)) == 0
    assert next_wake(p, at(12)) == 0  # already past: fire at once


def test_next_wake_is_capped_at_what_a_qtimer_takes() -> None:
    p = plan([mtg("Far away", at(10) + timedelta(days=40))], at(10))
    assert next_wake(p, at(10)) == MAX_TIMER_MS == 2**31 - 1


# --- DST and zone changes -----------------------------------------------------------------------


def test_after_spring_forward_nine_o_clock_fires_at_eight_fifty_nine_local() -> None:
    # Berlin, 2026-03-29: 02:00 CET becomes 03:00 CEST. The night is 23 hours long.
    clock = FakeClock(datetime(2026, 3, 28, 22, 0, tzinfo=BERLIN))
    meeting = mtg("Sunday call", datetime(2026, 3, 29, 9, 0, tzinfo=BERLIN))
    p = plan([meeting], clock.now())
    assert p.wake_at == datetime(2026, 3, 29, 6, 59, tzinfo=UTC)
    assert next_wake(p, clock.now()) == (9 * 60 + 59) * 60 * 1000  # not 10 h 59
    clock.advance(milliseconds=next_wake(p, clock.now()))
    local = clock.now()
    assert (local.date().isoformat(), local.hour, local.minute) == ("2026-03-29", 8, 59)
    assert local.utcoffset() == timedelta(hours=2)
    assert plan([meeting], clock.now()).show_now == Cue(p.wake_at, (meeting,))


def test_after_fall_back_nine_o_clock_fires_at_eight_fifty_nine_local() -> None:
    # Berlin, 2026-10-25: 03:00 CEST becomes 02:00 CET. The night is 25 hours long.
    clock = FakeClock(datetime(2026, 10, 24, 22, 0, tzinfo=BERLIN))
    meeting = mtg("Sunday call", datetime(2026, 10, 25, 9, 0, tzinfo=BERLIN))
    p = plan([meeting], clock.now())
    assert p.wake_at == datetime(2026, 10, 25, 7, 59, tzinfo=UTC)
    assert next_wake(p, clock.now()) == (11 * 60 + 59) * 60 * 1000  # not 10 h 59
    clock.advance(milliseconds=next_wake(p, clock.now()))
    local = clock.now()
    assert (local.date().isoformat(), local.hour, local.minute) == ("2026-10-25", 8, 59)
    assert local.utcoffset() == timedelta(hours=1)
    assert plan([meeting], clock.now()).show_now == Cue(p.wake_at, (meeting,))


def test_lead_across_the_spring_forward_gap_is_real_time() -> None:
    # 03:00:30 CEST minus 60 s is 01:59:30 CET; wall-clock arithmetic would give 02:59:30,
    # an hour that does not exist that night.
    meeting = mtg("Night shift", datetime(2026, 3, 29, 3, 0, 30, tzinfo=BERLIN))
    p = plan([meeting], datetime(2026, 3, 29, 1, 0, tzinfo=BERLIN))
    assert p.wake_at == datetime(2026, 3, 29, 0, 59, 30, tzinfo=UTC)
    local = p.wake_at.astimezone(BERLIN)
    assert (local.hour, local.minute, local.second) == (1, 59, 30)


def test_the_repeated_hour_on_a_fall_back_night_gives_one_cue_per_occurrence() -> None:
    first = datetime(2026, 10, 25, 2, 30, tzinfo=BERLIN)  # CEST, 00:30 UTC
    second = datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=BERLIN)  # CET, 01:30 UTC
    assert first == second  # Python compares same-zone datetimes by wall time: the trap
    assert utc(first) != utc(second)
    hourly = [mtg("Hourly check", first, minutes=15), mtg("Hourly check", second, minutes=15)]
    assert hourly[0].key != hourly[1].key
    delivered_twice = [*hourly, mtg("Hourly check", first, minutes=15)]
    run = simulate(delivered_twice, datetime(2026, 10, 25, 0, 0, tzinfo=BERLIN))
    assert run.missed == {}
    assert run.fired == {
        hourly[0].key: datetime(2026, 10, 25, 0, 29, tzinfo=UTC),
        hourly[1].key: datetime(2026, 10, 25, 1, 29, tzinfo=UTC),
    }
    # Each fires at 02:29 local: once in summer time, once in winter time.
    local = [t.astimezone(BERLIN) for t in run.fired.values()]
    assert [(t.hour, t.minute, t.utcoffset()) for t in local] == [
        (2, 29, timedelta(hours=2)),
        (2, 29, timedelta(hours=1)),
    ]


def test_moving_the_clock_to_another_zone_changes_nothing() -> None:
    clock = FakeClock(at(9, 58))
    meetings = [mtg("Standup", at(10)), mtg("Review", at(10, 0, 30)), mtg("1:1", at(11))]
    before = plan(meetings, clock.now())
    clock.move_to_zone(NEW_YORK)
    assert clock.now().hour == 4
    assert plan(meetings, clock.now()) == before
    assert next_wake(before, clock.now()) == 60_000
    clock.advance(minutes=1)
    in_new_york = plan(meetings, clock.now())
    clock.move_to_zone(BERLIN)
    assert plan(meetings, clock.now()) == in_new_york
    assert in_new_york.show_now is not None and len(in_new_york.show_now.meetings) == 2


# --- Speed --------------------------------------------------------------------------------------


# --- Properties ---------------------------------------------------------------------------------

ZONES = [UTC, BERLIN, NEW_YORK, KOLKATA, CHATHAM, LORD_HOWE]
# A DST change in ZONES lies one or two hours after each anchor but the last (an ordinary day);
# test_the_property_anchors_really_are_next_to_dst_changes checks it.
ANCHORS = [
    datetime(2026, 3, 29, 0, 0, tzinfo=UTC),  # Berlin springs forward at 01:00 UTC
    datetime(2026, 10, 24, 23, 0, tzinfo=UTC),  # Berlin falls back at 01:00 UTC
    datetime(2026, 3, 8, 5, 0, tzinfo=UTC),  # New York springs forward at 07:00 UTC
    datetime(2026, 11, 1, 4, 0, tzinfo=UTC),  # New York falls back at 06:00 UTC
    datetime(2026, 4, 4, 13, 0, tzinfo=UTC),  # Chatham back 1 h at 14:00, Lord Howe 30 min at 15:00
    datetime(2026, 3, 10, 7, 0, tzinfo=UTC),
]


def test_the_property_anchors_really_are_next_to_dst_changes() -> None:
    for anchor in ANCHORS[:-1]:
        offsets = {
            (zone, (anchor + timedelta(minutes=m)).astimezone(zone).utcoffset())
            for zone in ZONES
            for m in (0, 3 * 60)
        }
        assert len(offsets) > len(ZONES), anchor


# Minutes after the anchor: anywhere in six hours, or in a busy ten minutes where meetings
# share minutes and pile up while the machine sleeps.
WIDE = st.integers(0, 6 * 60)
BUSY = st.integers(115, 125)  # straddles most of the DST changes below


@st.composite
def scenarios(draw: st.DrawFn) -> dict:
    anchor = draw(st.sampled_from(ANCHORS))

    def instant(minutes: st.SearchStrategy[int]) -> datetime:
        minute = draw(minutes)
        second = draw(st.sampled_from([0, 0, 30, 59]) | st.integers(0, 59))
        micro = draw(st.sampled_from([0, 0, 999_999]) | st.integers(0, 999_999))
        moment = anchor + timedelta(minutes=minute, seconds=second, microseconds=micro)
        return moment.astimezone(draw(st.sampled_from(ZONES)))

    meetings: list[Meeting] = []
    for _ in range(draw(st.integers(0, 14))):
        if meetings and draw(st.integers(0, 5)) == 0:
            # The same occurrence again: another title, zone or end, as a refresh may bring.
            twin = draw(st.sampled_from(meetings))
            meetings.append(
                replace(
                    twin,
                    title=draw(st.sampled_from(["Standup", "Standup (moved)"])),
                    start=twin.start.astimezone(draw(st.sampled_from(ZONES))),
                    end=twin.end + timedelta(minutes=draw(st.integers(0, 5))),
                )
            )
            continue
        start = instant(BUSY | WIDE)
        length = draw(st.sampled_from([0, 0.5, 1, 2, 5, 30, 90]))
        meetings.append(
            Meeting(
                title=draw(st.sampled_from(["Standup", "1:1", "Review"])),
                start=start,
                end=start + timedelta(minutes=length),
                calendar=draw(st.sampled_from(["work", "home"])),
                uid=draw(st.sampled_from(["a", "b", "c", "d"])),
                location=draw(st.sampled_from([None, "Room 1"])),
            )
        )
    all_keys = sorted({m.key for m in meetings})
    if meetings and draw(st.booleans()):  # "now" near a start: due, late, stale or just ahead
        near = utc(draw(st.sampled_from(meetings)).start)
        now = near + timedelta(microseconds=draw(st.integers(-660_000_000, 180_000_000)))
        now = now.astimezone(draw(st.sampled_from(ZONES)))
    else:
        now = instant(BUSY | WIDE)
    return {
        "meetings": meetings,
        "now": now,
        "lead": draw(
            st.sampled_from([timedelta(0), DEFAULT_LEAD, MAX_LEAD])
            | st.integers(0, 600_000_000).map(lambda us: timedelta(microseconds=us))
        ),
        "done_keys": draw(st.sets(st.sampled_from(all_keys))) if all_keys else set(),
        "since": instant(BUSY | WIDE) if draw(st.booleans()) else None,
        "zone": draw(st.sampled_from(ZONES)),  # another zone for "now"
        "seed": draw(st.integers(0, 2**32)),  # for shuffling the input
    }


def args_of(s: dict) -> dict:
    return {"lead": s["lead"], "done_keys": s["done_keys"], "since": s["since"]}


def n_due(p: Plan) -> int:
    """How many cues the plan reports now."""
    return (p.show_now is not None) + len(p.superseded) + len(p.missed)


def floor_minute(instant: datetime) -> datetime:
    return utc(instant).replace(second=0, microsecond=0)


@settings(max_examples=300, deadline=None)
@given(scenarios())
def test_property_the_zone_of_now_and_the_input_order_change_nothing(s: dict) -> None:
    kw = args_of(s)
    expected = plan(s["meetings"], s["now"], **kw)
    assert plan(s["meetings"], s["now"].astimezone(s["zone"]), **kw) == expected
    assert plan(s["meetings"], utc(s["now"]), **kw) == expected
    shuffled = list(s["meetings"])
    random.Random(s["seed"]).shuffle(shuffled)
    assert plan(shuffled, s["now"], **kw) == expected
    assert next_wake(expected, s["now"].astimezone(s["zone"])) == next_wake(expected, s["now"])


@settings(max_examples=300, deadline=None)
@given(scenarios())
def test_property_every_meeting_is_reported_exactly_once_and_never_early(s: dict) -> None:
    kw = args_of(s)
    now, lead, since = s["now"], s["lead"], kw["since"]
    by_key = {m.key: m for m in s["meetings"]}
    eligible = {
        key
        for key, m in by_key.items()
        if key not in s["done_keys"] and (since is None or utc(m.start) >= utc(since))
    }
    run = simulate(s["meetings"], now, **kw)

    # Exactly once: fired xor missed, and nothing else (simulate checks "never twice").
    assert run.reported == eligible
    assert not set(run.fired) & set(run.missed)
    # Of duplicates, one of the delivered versions is planned.
    assert all(m in s["meetings"] for m in run.meetings.values())
    by_key = run.meetings

    # The first plan partitions what it sees; every key it does not report yet comes later.
    first = run.first
    assert first is not None
    now_keys = keys([first.show_now, *first.superseded, *first.missed])
    assert len(now_keys) == len(set(now_keys))
    later = eligible - set(now_keys)
    if first.next_cue is not None:
        assert set(first.next_cue.keys) <= later
        assert first.wake_at == first.next_cue.due > now
    else:
        assert not later and first.wake_at is None

    for key, fired_at in run.fired.items():
        m = by_key[key]
        # Never before the cue of its minute (a meeting at :45 shares the cue of one at :00);
        # never after it turned stale; never once it has ended.
        assert fired_at >= floor_minute(m.start) - lead
        assert fired_at <= utc(m.start) + STALE_AFTER
        assert fired_at < max(utc(m.end), utc(m.start))

    # A caller that keeps its timer never misses a meeting that was still ahead: only what was
    # already due at the start, or ended the moment it became due (no duration, lead 0).
    for key in run.missed:
        m = by_key[key]
        ahead = floor_minute(m.start) - lead > utc(now)
        assert not ahead or max(utc(m.end), utc(m.start)) <= run.missed[key]

    for cue in run.shown:
        assert list(cue.meetings) == sorted(cue.meetings, key=lambda m: (utc(m.start), m.title))
        assert len({floor_minute(m.start) for m in cue.meetings}) == 1
        assert cue.due == utc(cue.start) - lead


@settings(max_examples=300, deadline=None)
@given(scenarios(), st.data())
def test_property_more_done_keys_never_add_cues(s: dict, data: st.DataObject) -> None:
    kw = args_of(s)
    fewer = plan(s["meetings"], s["now"], **kw)
    extra = data.draw(st.sets(st.sampled_from(sorted({m.key for m in s["meetings"]}) or ["x"])))
    more_done = set(s["done_keys"]) | extra
    more = plan(s["meetings"], s["now"], **{**kw, "done_keys": more_done})

    assert due_keys(more) <= due_keys(fewer) - more_done
    assert n_due(more) <= n_due(fewer)
    assert more.show_now is None or fewer.show_now is not None
    assert simulate(s["meetings"], s["now"], **{**kw, "done_keys": more_done}).reported <= (
        simulate(s["meetings"], s["now"], **kw).reported
    )


@settings(max_examples=300, deadline=None)
@given(scenarios())
def test_property_wake_at_is_in_the_future_and_next_wake_matches(s: dict) -> None:
    p = plan(s["meetings"], s["now"], **args_of(s))
    if p.wake_at is None:
        assert p.next_cue is None and next_wake(p, s["now"]) is None
        return
    assert p.next_cue is not None and p.wake_at == p.next_cue.due
    assert p.wake_at > s["now"]
    ms = next_wake(p, s["now"].astimezone(s["zone"]))
    assert ms is not None and ms >= 0
    assert utc(s["now"]) + timedelta(milliseconds=ms) >= p.wake_at
    assert utc(s["now"]) + timedelta(milliseconds=ms - 1) < p.wake_at
