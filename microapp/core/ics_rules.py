"""Guards against endless recurrence, for the iCalendar reader (:mod:`microapp.core.ics`).

dateutil walks a repeat rule from DTSTART to the queried window, and looks for the next
occurrence up to the year 9999: what a rule would cost is estimated here (:class:`_RuleCost`),
rules that can never fall on a day are found (:func:`_never_matches`), and sub-daily rules with
BY... filters are rewritten as the daily rule listing their times (:func:`_by_the_day`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

from dateutil.rrule import rrulestr
from icalendar import vRecur

from microapp.core.ics_values import _aware

MAX_RULE_STEPS = 100_000
"""How much of a repeat rule one query may compute: dateutil walks from DTSTART period by
period and makes every occurrence on the way; periods plus occurrences may not exceed this.
About 137 years of a daily rule, 5 of an hourly one, 14 hours of a secondly one."""

MAX_OCCURRENCES = 2_000
"""How many occurrences one series may add to one query: a daily meeting for five years, or
a rule no person keeps (every minute, every second) over a day or two."""

_FREQ_STEP = {"SECONDLY": timedelta(seconds=1), "MINUTELY": timedelta(minutes=1),
              "HOURLY": timedelta(hours=1), "DAILY": timedelta(days=1),
              "WEEKLY": timedelta(days=7), "MONTHLY": timedelta(days=28),
              "YEARLY": timedelta(days=365)}
_DAY_FILTERS = ("BYMONTH", "BYMONTHDAY", "BYYEARDAY", "BYWEEKNO", "BYDAY")
_ALL_WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


@dataclass(frozen=True)
class _RuleCost:
    """What one RRULE costs dateutil to reach a time: it walks from DTSTART one period
    (FREQ x INTERVAL) at a time and makes every occurrence on the way."""

    freq: str
    start: datetime  # DTSTART, UTC
    step: timedelta  # one period
    per_step: int  # the most occurrences one period can make (BY... parts that expand it)
    count: int | None  # COUNT: no more occurrences than that
    limits_steps: bool  # no BY... parts: every period makes one, so COUNT also ends the walk
    until: datetime | None  # UNTIL, UTC

    def steps_to(self, when: datetime) -> float:
        """Periods walked plus occurrences made to reach ``when``."""
        end = when if self.until is None else min(when, self.until)
        periods = max(0.0, (end - self.start) / self.step)
        made = periods * self.per_step
        if self.count is not None:
            made = min(made, self.count)
            if self.limits_steps:
                periods = min(periods, self.count)
        return periods + made


_DAYS_PER_PERIOD = {"YEARLY": 366, "MONTHLY": 31, "WEEKLY": 7}
_TIME_PARTS = (("BYHOUR", ("YEARLY", "MONTHLY", "WEEKLY", "DAILY")),
               ("BYMINUTE", ("YEARLY", "MONTHLY", "WEEKLY", "DAILY", "HOURLY")),
               ("BYSECOND", ("YEARLY", "MONTHLY", "WEEKLY", "DAILY", "HOURLY", "MINUTELY")))


def _rule_cost(rule: vRecur, start: date | datetime, local_zone: tzinfo) -> _RuleCost | None:
    freq = str(_rule_part(rule, "FREQ") or "").upper()
    if freq not in _FREQ_STEP:
        return None  # the recurrence library rejects it: nothing to guard
    keys = {key.upper() for key in rule}
    per_step = 1
    if freq in _DAYS_PER_PERIOD and keys & set(_DAY_FILTERS):
        per_step = _DAYS_PER_PERIOD[freq]
    for part, expanded_in in _TIME_PARTS:
        if freq in expanded_in and part in keys:
            per_step *= max(1, len(_as_list(rule[part])))
    interval = _rule_part(rule, "INTERVAL")
    interval = interval if isinstance(interval, int) and interval > 0 else 1
    count = _rule_part(rule, "COUNT")
    until = _rule_part(rule, "UNTIL")
    return _RuleCost(
        freq=freq,
        start=_aware(start, local_zone).astimezone(UTC),
        step=_FREQ_STEP[freq] * interval,
        per_step=per_step,
        count=count if isinstance(count, int) and count >= 0 else None,
        limits_steps=not any(key.startswith("BY") for key in keys),
        until=_aware(until, local_zone).astimezone(UTC) if isinstance(until, date) else None,
    )


def _rule_part(rule: vRecur, key: str) -> Any:
    value = rule.get(key)
    if isinstance(value, list):
        return value[0] if value else None
    return value


_FINER_THAN_DAILY = {"HOURLY": ("BYHOUR",), "MINUTELY": ("BYHOUR", "BYMINUTE"),
                     "SECONDLY": ("BYHOUR", "BYMINUTE", "BYSECOND")}
_ALL_VALUES = {"BYHOUR": list(range(24)), "BYMINUTE": list(range(60)),
               "BYSECOND": list(range(60))}


def _by_the_day(rule: vRecur) -> vRecur | None:
    """An hourly, minutely or secondly rule with BY... filters, as the daily rule that lists
    its times (the same occurrences), or None when that cannot be done.

    dateutil walks such a rule one period at a time, also through hours and days the filters
    reject: FREQ=SECONDLY;BYHOUR=9;BYYEARDAY=-190 takes it minutes to hours to reach a window.
    The daily form is walked one day at a time. With an INTERVAL above 1 or a BYSETPOS the
    two are not the same; no calendar program writes those, so they are not supported, and
    neither is dateutil's own BYEASTER.
    """
    freq = str(_rule_part(rule, "FREQ") or "").upper()
    keys = {key.upper() for key in rule}
    if "BYEASTER" in keys:
        return None  # dateutil's own extension, in no standard; unchecked by _never_matches
    if freq not in _FINER_THAN_DAILY or not any(key.startswith("BY") for key in keys):
        return rule
    if _rule_part(rule, "INTERVAL") not in (None, 1) or "BYSETPOS" in keys:
        return None
    daily = vRecur({key.upper(): value for key, value in rule.items()})
    daily["FREQ"] = ["DAILY"]
    for part in _FINER_THAN_DAILY[freq]:
        if part not in keys:
            daily[part] = _ALL_VALUES[part]
    return daily


def _never_matches(rule: vRecur, start: date | datetime) -> bool:
    """Whether ``rule`` can never fall on any day, e.g. FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30.

    dateutil only stops looking for the next occurrence at the year 9999, which takes seconds
    (or, stepping by seconds, forever) on every query. The calendar repeats every 400 years
    (146 097 days, a whole number of weeks), so a rule is tried from the same point of a
    400-year cycle that starts in the 9200s: it either falls on a day within 400 years or never
    does, and dateutil gives up at 9999 at the latest.

    Rules that step by days or finer are first tried as the yearly rule with the same day
    filters (a few hundred steps): if no day of the year can match, no step size helps. Their
    BYSETPOS picks from the times of one period, the same every day, so whether it can pick
    anything is known without stepping at all. Only then, for an INTERVAL above 1 (which may
    skip every matching day), are they stepped through; that walk is long only when steps are
    a whole number of days, so it stays within ~300 000 steps.
    """
    if not any(key.upper().startswith("BY") for key in rule):
        return False
    parts: dict[str, Any] = {key.upper(): value for key, value in rule.items()
                             if key.upper() not in ("COUNT", "UNTIL")}
    freq = str(_rule_part(rule, "FREQ") or "").upper()
    if freq in ("DAILY", "HOURLY", "MINUTELY", "SECONDLY"):
        days = {key: parts[key] for key in _DAY_FILTERS if key in parts}
        if "BYDAY" in days:  # ordinals mean nothing for daily rules
            days["BYDAY"] = sorted({str(day)[-2:].upper() for day in _as_list(days["BYDAY"])})
        elif not {"BYMONTHDAY", "BYYEARDAY", "BYWEEKNO"} & days.keys():
            days["BYDAY"] = _ALL_WEEKDAYS  # every day is a candidate
        if _first_in_cycle({"FREQ": "YEARLY", **days}, start):
            return True
        if "BYSETPOS" in parts:
            size = 1  # the times of one period: distinct values, as dateutil counts them
            for part, expanded_in in _TIME_PARTS:
                if freq in expanded_in and part in parts:
                    size *= max(1, len({str(v) for v in _as_list(parts[part])}))
            positions = [p for p in _as_list(parts["BYSETPOS"]) if isinstance(p, int)]
            if not any(1 <= abs(p) <= size for p in positions):
                return True
        if _rule_part(rule, "INTERVAL") in (None, 1):
            return False  # every day is visited: a day that matches will be reached
    return _first_in_cycle(parts, start)


def _first_in_cycle(parts: dict[str, Any], start: date | datetime) -> bool:
    """True when the rule made of ``parts`` has no occurrence from ``start``'s place in a
    400-year cycle that begins in the 9200s (see :func:`_never_matches`)."""
    naive = start if isinstance(start, datetime) else datetime.combine(start, time())
    naive = naive.replace(tzinfo=None)
    shift = max(0, -(-(9200 - naive.year) // 400)) * 400
    try:
        probe = rrulestr(vRecur(parts).to_ical().decode(), dtstart=naive.replace(
            year=naive.year + shift))
        return next(iter(probe), None) is None
    except Exception:  # a rule dateutil rejects is the recurrence library's case
        return False


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]
