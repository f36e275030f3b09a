"""One value at a time, as the Settings window checks it: the same parser and the same words
as a settings file gets."""

from __future__ import annotations

from datetime import time

import pytest

from microapp.core.settings import (
    Settings,
    dump_setting,
    parse_setting,
    parse_settings,
    setting_file_key,
)


@pytest.mark.parametrize(("key", "raw", "value"), [
    ("pause.seconds", 12, 12),
    ("pause_seconds", 3, 3),
    ("evening.at", "21:45", time(21, 45)),
    ("day_starts_at", "4:05", time(4, 5)),
    ("evening.rest_days", ["sun", "sat"], (5, 6)),
    ("theme", " Dark ", "dark"),
    ("when_busy", "silent", "silent"),
    ("chime", True, True),
])
def test_a_good_value_is_returned_typed(key: str, raw: object, value: object) -> None:
    assert parse_setting(key, raw) == value


@pytest.mark.parametrize(("key", "raw", "allowed"), [
    ("pause_seconds", 31, "a whole number of seconds from 3 to 30"),
    ("lead_seconds", -1, "a whole number of seconds from 0 to 600"),
    ("evening_at", "24:00", 'a time of day as "HH:MM" (00:00 to 23:59)'),
    ("theme", "blue", 'one of "system", "light", "dark"'),
    ("reduce_motion", "yes", "true or false (without quotes)"),
])
def test_a_bad_value_says_what_is_allowed_as_the_file_would(key: str, raw: object,
                                                              allowed: str) -> None:
    with pytest.raises(ValueError) as bad:
        parse_setting(key, raw)
    assert str(bad.value) == allowed
    file_key = setting_file_key(key)
    section, name = file_key.split(".")
    problems = parse_settings({section: {name: raw}}).problems
    assert len(problems) == 1 and f"expected {allowed}." in problems[0].message


def test_an_unknown_key_is_refused() -> None:
    with pytest.raises(KeyError):
        parse_setting("pause.length", 5)


def test_a_value_is_dumped_as_the_file_writes_it() -> None:
    assert setting_file_key("lead_seconds") == "meetings.lead_seconds"
    assert dump_setting("rest_days", (5, 6)) == ["sat", "sun"]
    assert dump_setting("evening.at", Settings().evening_at) == "20:30"
