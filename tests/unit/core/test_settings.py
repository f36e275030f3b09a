"""Tests for microapp.core.settings: defaults, round trips, and every way a file can be wrong."""

from __future__ import annotations

import stat
import tomllib
from dataclasses import replace
from datetime import datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from microapp.core.settings import (
    SCHEMA_VERSION,
    THEMES,
    Settings,
    load_settings,
    parse_settings,
    save_settings,
    setting_keys,
    settings_to_toml,
)

NOW = datetime(2026, 3, 10, 9, 0, 0, tzinfo=ZoneInfo("Europe/Berlin"))
KEPT_NAME = "settings.toml.invalid-20260310-090000"

# A valid file where every value differs from its default, so "kept its value" is visible.
GOOD_VALUES = {
    "general.day_starts_at": '"05:15"',
    "general.theme": '"dark"',
    "pause.reduce_motion": "true",
}
GOOD_SETTINGS = Settings(day_starts_at=time(5, 15), theme="dark", reduce_motion=True)


def toml_text(values: dict[str, str], head: str = "schema_version = 1\n") -> str:
    """Write ``{"section.key": raw TOML value}`` as a settings file."""
    sections: dict[str, list[str]] = {}
    for key, raw in values.items():
        section, name = key.split(".")
        sections.setdefault(section, []).append(f"{name} = {raw}")
    body = "".join(f"\n[{s}]\n" + "\n".join(lines) + "\n" for s, lines in sections.items())
    return head + body


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "config" / "settings.toml"


def write(path: Path, content: str | bytes) -> bytes:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = content.encode("utf-8") if isinstance(content, str) else content
    path.write_bytes(data)
    return data


# --- defaults and round trip ----------------------------------------------------------------


def test_defaults() -> None:
    s = Settings()
    assert (s.day_starts_at, s.theme, s.reduce_motion, s.schema_version) == (
        time(4, 0), "system", False, SCHEMA_VERSION)


def test_a_missing_file_gives_the_defaults_and_no_problem(path: Path) -> None:
    loaded = load_settings(path)
    assert loaded.settings == Settings()
    assert loaded.problems == []
    assert loaded.ok
    assert loaded.existed is False
    assert loaded.path == path
    assert not path.exists()  # loading never creates the file


def test_an_empty_file_gives_the_defaults(path: Path) -> None:
    write(path, "")
    loaded = load_settings(path)
    assert loaded.settings == Settings()
    assert loaded.ok and loaded.existed


@pytest.mark.parametrize(
    "settings",
    [
        Settings(),
        GOOD_SETTINGS,
        Settings(day_starts_at=time(0, 0), theme="light"),
        Settings(day_starts_at=time(23, 59)),
    ],
)
def test_save_then_load_round_trips(path: Path, settings: Settings) -> None:
    assert save_settings(settings, path, NOW) is None  # nothing to keep: there was no file
    loaded = load_settings(path)
    assert loaded.problems == []
    assert loaded.settings == settings
    assert sorted(p.name for p in path.parent.iterdir()) == ["settings.toml"]  # no .tmp left


def test_saved_file_is_commented_toml_with_every_key(path: Path) -> None:
    save_settings(GOOD_SETTINGS, path, NOW)
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# microapp settings.")
    data = tomllib.loads(text)
    assert data["schema_version"] == SCHEMA_VERSION
    assert data["general"] == {"day_starts_at": "05:15", "theme": "dark"}
    assert data["pause"] == {
        "reduce_motion": True, "seconds": 5, "chime": False, "when_busy": "notify",
        "respect_do_not_disturb": True, "respect_fullscreen": True}
    assert data["evening"] == {"prompt": True, "at": "20:30", "rest_days": []}
    assert data["meetings"] == {
        "lead_seconds": 60, "refresh_minutes": 15, "skip_all_day": True,
        "skip_cancelled": True, "skip_declined": True, "skip_free": True,
        "skip_tentative": False, "my_emails": [], "ignore_titles": ["Focus time", "Lunch", "Busy"],
        "link_patterns": []}
    assert "calendars" not in data  # none configured
    assert settings_to_toml(GOOD_SETTINGS) == text
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # subscription URLs hold secrets


def test_saving_over_a_valid_file_keeps_no_copy(path: Path) -> None:
    write(path, toml_text(GOOD_VALUES))
    assert save_settings(Settings(theme="light"), path, NOW) is None
    assert sorted(p.name for p in path.parent.iterdir()) == ["settings.toml"]
    assert load_settings(path).settings == Settings(theme="light")


def test_setting_keys() -> None:
    keys = setting_keys()
    assert keys[:4] == [
        "schema_version", "general.day_starts_at", "general.theme", "pause.reduce_motion"]
    assert "meetings.lead_seconds" in keys and keys[-1] == "calendars"


# --- bad values -----------------------------------------------------------------------------

BAD_VALUES = [
    # key, raw TOML, how the message shows the value, a piece of "what is allowed"
    ("general.day_starts_at", '"25:00"', '"25:00"', '"HH:MM"'),
    ("general.day_starts_at", '"12:60"', '"12:60"', '"HH:MM"'),
    ("general.day_starts_at", '"4pm"', '"4pm"', '"HH:MM"'),
    ("general.day_starts_at", "4", "4", '"HH:MM"'),
    ("general.day_starts_at", "[4, 0]", "[4, 0]", '"HH:MM"'),
    ("general.theme", '"purple"', '"purple"', 'one of "system", "light", "dark"'),
    ("general.theme", "2", "2", 'one of "system", "light", "dark"'),
    ("pause.reduce_motion", '"yes"', '"yes"', "true or false"),
    ("pause.reduce_motion", "1", "1", "true or false"),
    ("pause.seconds", "2", "2", "from 3 to 30"),
    ("pause.seconds", "31", "31", "from 3 to 30"),
    ("pause.seconds", '"5"', '"5"', "whole number of seconds"),
    ("pause.when_busy", '"loud"', '"loud"', 'one of "notify", "silent"'),
    ("pause.respect_fullscreen", '"no"', '"no"', "true or false"),
    ("evening.at", '"8pm"', '"8pm"', '"HH:MM"'),
    ("evening.rest_days", '["someday"]', '["someday"]', '"sat", "sun"'),
    ("evening.rest_days", '"sun"', '"sun"', "a list of weekdays"),
]


@pytest.mark.parametrize(("key", "raw", "shown", "allowed"), BAD_VALUES)
def test_a_bad_value_gives_one_clear_problem_and_the_rest_is_kept(
    path: Path, key: str, raw: str, shown: str, allowed: str
) -> None:
    write(path, toml_text({**GOOD_VALUES, key: raw}))
    loaded = load_settings(path)
    assert len(loaded.problems) == 1, loaded.problems
    problem = loaded.problems[0]
    assert problem.key == key
    message = str(problem)
    assert key in message
    assert f"= {shown} " in message
    assert allowed in message
    assert "default" in message
    # The bad key falls back to its default; every other key keeps the file's value.
    attr = {"pause.seconds": "pause_seconds", "evening.at": "evening_at"}.get(
        key, key.split(".")[1])
    assert loaded.settings == replace(GOOD_SETTINGS, **{attr: getattr(Settings(), attr)})


def test_problems_are_reported_for_every_bad_key_at_once(path: Path) -> None:
    write(path, toml_text({"general.day_starts_at": '"25:00"', "general.theme": '"purple"',
                           "pause.reduce_motion": '"yes"'}))
    loaded = load_settings(path)
    assert sorted(p.key for p in loaded.problems) == [
        "general.day_starts_at", "general.theme", "pause.reduce_motion"]
    assert loaded.settings == Settings()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [('"4:00"', time(4, 0)), ('" 06:30 "', time(6, 30)), ("05:30:00", time(5, 30)),
     ("05:30:45", time(5, 30))],
    ids=["one-digit-hour", "spaces", "toml-local-time", "toml-local-time-seconds-dropped"],
)
def test_accepted_time_spellings(path: Path, raw: str, expected: time) -> None:
    write(path, toml_text({"general.day_starts_at": raw}))
    loaded = load_settings(path)
    assert loaded.problems == []
    assert loaded.settings.day_starts_at == expected


@pytest.mark.parametrize("theme", THEMES)
def test_every_theme_is_accepted_in_any_case(path: Path, theme: str) -> None:
    write(path, toml_text({"general.theme": f'"{theme.upper()}"'}))
    loaded = load_settings(path)
    assert loaded.ok
    assert loaded.settings.theme == theme


def test_a_section_that_is_not_a_table(path: Path) -> None:
    write(path, 'schema_version = 1\ngeneral = "dark"\n')
    loaded = load_settings(path)
    assert [p.key for p in loaded.problems] == ["general"]
    assert "expected a table [general]" in str(loaded.problems[0])
    assert loaded.settings == Settings()


# --- unknown keys and schema versions -------------------------------------------------------


def test_unknown_keys_are_reported_and_known_ones_still_read(path: Path) -> None:
    write(path, 'schema_version = 1\ncolour = "red"\n'
                + toml_text({**GOOD_VALUES, "general.font_size": "14", "extras.x": "1"}, head=""))
    loaded = load_settings(path)
    assert sorted(p.key for p in loaded.problems) == ["colour", "extras", "general.font_size"]
    messages = {p.key: str(p) for p in loaded.problems}
    assert "unknown key general.font_size" in messages["general.font_size"]
    assert "general.day_starts_at" in messages["general.font_size"]  # says what is known
    assert "unknown key colour" in messages["colour"]
    assert loaded.settings == GOOD_SETTINGS


def test_a_newer_schema_version_is_reported_and_known_keys_still_read(path: Path) -> None:
    write(path, toml_text(GOOD_VALUES, head=f"schema_version = {SCHEMA_VERSION + 1}\n"))
    loaded = load_settings(path)
    assert [p.key for p in loaded.problems] == ["schema_version"]
    assert "newer microapp" in str(loaded.problems[0])
    assert str(SCHEMA_VERSION + 1) in str(loaded.problems[0])
    assert loaded.settings == GOOD_SETTINGS


@pytest.mark.parametrize("raw", ["0", "-1", '"1"', "true", "1.5"])
def test_a_nonsense_schema_version_is_reported(path: Path, raw: str) -> None:
    write(path, toml_text(GOOD_VALUES, head=f"schema_version = {raw}\n"))
    loaded = load_settings(path)
    assert [p.key for p in loaded.problems] == ["schema_version"]
    assert "whole number" in str(loaded.problems[0])
    assert loaded.settings == GOOD_SETTINGS


def test_parse_settings_names_its_source() -> None:
    loaded = parse_settings({"general": {"theme": "purple"}}, source="my.toml")
    assert str(loaded.problems[0]).startswith("my.toml: general.theme")


# --- unreadable files: defaults, a problem, and the file left alone --------------------------

UNREADABLE = [
    pytest.param(b'[general\ntheme = "dark"\n', "not valid TOML", id="broken-toml"),
    pytest.param(b'theme = "dark"\ntheme = "light"\n', "not valid TOML", id="duplicate-key"),
    pytest.param(b'[general]\ntheme = "d\xe9cor"\n', "not UTF-8", id="latin-1"),
    pytest.param(b"\xff\xfe[\x00g\x00", "not UTF-8", id="utf-16"),
]


@pytest.mark.parametrize(("content", "said"), UNREADABLE)
def test_an_unreadable_file_gives_defaults_and_is_left_untouched(
    path: Path, content: bytes, said: str
) -> None:
    write(path, content)
    mtime = path.stat().st_mtime_ns
    loaded = load_settings(path)
    assert loaded.settings == Settings()
    assert len(loaded.problems) == 1
    assert said in str(loaded.problems[0])
    assert "settings.toml" in str(loaded.problems[0])
    assert loaded.existed
    assert path.read_bytes() == content
    assert path.stat().st_mtime_ns == mtime
    assert sorted(p.name for p in path.parent.iterdir()) == ["settings.toml"]


def test_a_folder_where_the_file_should_be_is_a_problem_not_a_crash(path: Path) -> None:
    path.mkdir(parents=True)
    loaded = load_settings(path)
    assert loaded.settings == Settings()
    assert "cannot be read" in str(loaded.problems[0])


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(UNREADABLE[0].values[0], id="broken-toml"),
        pytest.param(UNREADABLE[2].values[0], id="latin-1"),
        pytest.param(toml_text({**GOOD_VALUES, "general.theme": '"purple"'}).encode(),
                     id="bad-value"),
        pytest.param(b"schema_version = 1\ncolour = 'red'\n", id="unknown-key"),
        pytest.param(b"schema_version = 9\n", id="newer-schema"),
    ],
)
def test_saving_over_an_invalid_file_keeps_the_users_bytes_beside_it(
    path: Path, content: bytes
) -> None:
    write(path, content)
    kept = save_settings(GOOD_SETTINGS, path, NOW)
    assert kept == path.with_name(KEPT_NAME)
    assert kept.read_bytes() == content
    assert load_settings(path).problems == []
    assert load_settings(path).settings == GOOD_SETTINGS


def test_two_saves_over_invalid_files_in_the_same_second_keep_both(path: Path) -> None:
    first, second = b"[broken\n", b"[also broken\n"
    write(path, first)
    kept_first = save_settings(Settings(), path, NOW)
    write(path, second)
    kept_second = save_settings(Settings(), path, NOW)
    assert kept_first is not None and kept_second is not None
    assert kept_first != kept_second
    assert kept_first.read_bytes() == first
    assert kept_second.read_bytes() == second


def test_save_creates_the_config_folder(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "settings.toml"
    save_settings(Settings(), path, NOW)
    assert load_settings(path).settings == Settings()


# -- meetings and calendars ------------------------------------------------------------------

def test_calendars_and_meeting_settings_round_trip(path: Path) -> None:
    from microapp.core.sources import SourceConfig, SourceKind

    settings = Settings(
        lead_seconds=120, skip_tentative=True, my_emails=("me@example.com",),
        ignore_titles=("Focus*",), link_patterns=(("Our Jitsi", r"https://meet\.example\.org/\S+"),),
        calendars=(
            SourceConfig("work", SourceKind.URL, "https://example.com/private-abc/basic.ics",
                         "Work"),
            SourceConfig("home", SourceKind.CALDAV, "https://dav.example.com/", "Home",
                         enabled=False, username="me", calendars=("Family",)),
        ))
    save_settings(settings, path, NOW)
    loaded = load_settings(path)
    assert loaded.problems == []
    assert loaded.settings == settings
    assert "password" not in path.read_text(encoding="utf-8").lower().replace(
        "passwords are never kept here", "")


@pytest.mark.parametrize(("text", "key", "words"), [
    ('[meetings]\nlead_seconds = 900\n', "meetings.lead_seconds", ["900", "0 to 600"]),
    ('[meetings]\nmy_emails = ["not an address"]\n', "meetings.my_emails",
     ['"not an address"', "e-mail"]),
    ('[meetings]\nlink_patterns = [{ name = "x", pattern = "(" }]\n', "meetings.link_patterns",
     ["regular expression"]),
    ('[[calendars]]\nid = "w"\nkind = "ftp"\nlocation = "x"\n', "calendars[1]",
     ['"ftp"', '"caldav"']),
    ('[[calendars]]\nid = "has space"\nkind = "file"\nlocation = "x"\n', "calendars[1]",
     ['"has space"']),
    ('[[calendars]]\nid = "w"\nkind = "file"\nlocation = "a"\n'
     '[[calendars]]\nid = "w"\nkind = "file"\nlocation = "b"\n', "calendars[2]", ["twice"]),
    ('calendars = 3\n', "calendars", ["[[calendars]]"]),
])
def test_bad_meeting_and_calendar_values_name_key_value_and_allowed(
        path: Path, text: str, key: str, words: list[str]) -> None:
    write(path, text)
    loaded = load_settings(path)
    assert [p.key for p in loaded.problems] == [key]
    for word in words:
        assert word in loaded.problems[0].message


def test_a_bad_calendar_entry_does_not_drop_the_good_ones(path: Path) -> None:
    write(path, '[[calendars]]\nid = "good"\nkind = "file"\nlocation = "~/cal.ics"\n'
                '[[calendars]]\nid = "bad"\nkind = "file"\n')
    loaded = load_settings(path)
    assert [c.id for c in loaded.settings.calendars] == ["good"]
    assert "calendars[2].location" in loaded.problems[0].message


def test_rest_days_are_weekday_names_in_any_case_and_order(path: Path) -> None:
    write(path, '[evening]\nrest_days = ["Sunday", "sat", "SAT"]\nat = "21:15"\n')
    loaded = load_settings(path)
    assert loaded.ok, loaded.problems
    assert loaded.settings.rest_days == (5, 6)
    assert loaded.settings.evening_at == time(21, 15)
