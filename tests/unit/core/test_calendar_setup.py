"""calendar_setup: what a new source is, its id, how it is shown, and reading it once.

Real files on disk; the network checks live in tests/integration/test_calendar_setup_sources.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import keyring
import keyring.core
import pytest
from keyring.backends import fail

from microapp.core import calendar_setup as setup
from microapp.core.settings import Settings
from microapp.core.sources import ErrorKind, SourceConfig, SourceError, SourceKind
from tests.helpers import DEFAULT_ZONE, MemoryKeyring

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=DEFAULT_ZONE)
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "calendars"


def stamp(dt: datetime) -> str:
    return dt.astimezone(DEFAULT_ZONE).strftime("%Y%m%dT%H%M%S")


def calendar(*events: tuple[str, datetime], prefix: str = "e") -> str:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//microapp tests//EN"]
    for n, (title, start) in enumerate(events):
        lines += ["BEGIN:VEVENT", f"UID:{prefix}{n}@example.com", "DTSTAMP:20260301T000000Z",
                  f"SUMMARY:{title}", f"DTSTART;TZID=Europe/Berlin:{stamp(start)}",
                  f"DTEND;TZID=Europe/Berlin:{stamp(start + timedelta(minutes=30))}",
                  "LOCATION:https://us02web.zoom.us/j/81234567890", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return "\r\n".join(lines) + "\r\n"


@pytest.fixture
def work_ics(tmp_path: Path) -> Path:
    path = tmp_path / "Work Calendar.ics"
    path.write_text(calendar(("Stand-up", NOW + timedelta(hours=1)),
                             ("Focus time", NOW + timedelta(hours=2)),
                             ("Review", NOW + timedelta(days=3)),
                             ("Far away", NOW + timedelta(days=20)),
                             ("Long gone", NOW - timedelta(days=2))), encoding="utf-8")
    return path


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    backend = MemoryKeyring()
    previous = keyring.core._keyring_backend
    keyring.set_keyring(backend)
    yield backend
    keyring.core._keyring_backend = previous


@pytest.fixture
def no_keyring() -> Iterator[None]:
    previous = keyring.core._keyring_backend
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.core._keyring_backend = previous


def check(config: SourceConfig, tmp_path: Path, **kw: object) -> setup.SourceCheck:
    return setup.check_source(config, secrets_dir=tmp_path / "config", now=NOW,
                              zone=DEFAULT_ZONE, **kw)  # type: ignore[arg-type]


# -- kind, id, location -------------------------------------------------------------------------

def test_guess_kind(tmp_path: Path, work_ics: Path) -> None:
    assert setup.guess_kind(str(work_ics)) is SourceKind.FILE
    assert setup.guess_kind(str(tmp_path)) is SourceKind.FOLDER
    assert setup.guess_kind("https://example.com/a.ics") is SourceKind.URL
    assert setup.guess_kind("WEBCAL://example.com/a.ics") is SourceKind.URL
    assert setup.guess_kind("https://dav.example.com/", caldav=True) is SourceKind.CALDAV
    with pytest.raises(setup.SetupError, match="neither an existing file"):
        setup.guess_kind(str(tmp_path / "missing.ics"))


def test_suggest_id_is_short_readable_and_free(work_ics: Path) -> None:
    assert setup.suggest_id(str(work_ics), SourceKind.FILE, set()) == "work-calendar"
    assert setup.suggest_id("https://www.Example.com/x.ics", SourceKind.URL, set()) == \
        "example.com"
    assert setup.suggest_id("https://example.com/x.ics", SourceKind.URL,
                            {"example.com", "example.com-2"}) == "example.com-3"
    assert setup.suggest_id("https:///nohost", SourceKind.URL, set()) == "calendar"


def test_new_config(tmp_path: Path, work_ics: Path) -> None:
    url = setup.new_config("webcal://example.com/feed.ics#frag", taken=set(), name=" Shared ")
    assert (url.kind, url.location, url.name, url.username) == (
        SourceKind.URL, "https://example.com/feed.ics", "Shared", None)
    local = setup.new_config(str(work_ics), taken=set(), calendars=("ignored",))
    assert local.kind is SourceKind.FILE and Path(local.location).is_absolute()
    assert local.calendars == ()
    dav = setup.new_config("https://dav.example.com/", taken=set(), username=" me ",
                           calendars=("Work",))
    assert (dav.kind, dav.username, dav.calendars) == (SourceKind.CALDAV, "me", ("Work",))
    with pytest.raises(setup.SetupError, match="needs a user name"):
        setup.new_config("https://dav.example.com/", taken=set(), kind=SourceKind.CALDAV)
    with pytest.raises(setup.SetupError, match="exists already"):
        setup.new_config(str(work_ics), taken={"mine"}, source_id="mine")
    with pytest.raises(setup.SetupError, match="use letters"):
        setup.new_config(str(work_ics), taken=set(), source_id="../etc")
    with pytest.raises(setup.SetupError, match="paste a calendar link"):
        setup.new_config("  ", taken=set())
    with pytest.raises(setup.SetupError, match=r"not a web address|no server"):
        setup.new_config("https://", taken=set(), kind=SourceKind.URL)


def test_shown_location_hides_the_secret_parts() -> None:
    secret = SourceConfig("s", SourceKind.URL,
                          "https://user:hunter2@calendar.example.com/private-7f3a9c2b1d/basic.ics")
    shown = setup.shown_location(secret)
    assert shown == "https://calendar.example.com/…"
    assert "hunter2" not in shown and "7f3a9c2b1d" not in shown
    bare = SourceConfig("d", SourceKind.CALDAV, "https://dav.example.com")
    assert setup.shown_location(bare) == "https://dav.example.com/"
    local = SourceConfig("f", SourceKind.FILE, "/home/me/work.ics")
    assert setup.shown_location(local) == "/home/me/work.ics"


# -- reading once -------------------------------------------------------------------------------

def test_a_file_is_read_once_and_described(tmp_path: Path, work_ics: Path) -> None:
    config = setup.new_config(str(work_ics), taken=set())
    result = check(config, tmp_path)
    assert result.ok and result.error is None
    assert result.events == 5
    assert result.upcoming == 2  # Focus time is ignored by default; day 20 is too far
    assert result.upcoming_text == "2 upcoming meetings in the next 14 days"
    assert result.next_meeting is not None and result.next_meeting.title == "Stand-up"
    assert result.next_text(DEFAULT_ZONE) == "Tue 10 Mar 10:00 Stand-up · Zoom"
    assert result.keyring is None and result.calendars == ()


def test_the_meeting_rules_decide_what_counts(tmp_path: Path, work_ics: Path) -> None:
    config = setup.new_config(str(work_ics), taken=set())
    everything = check(config, tmp_path, settings=Settings(ignore_titles=()))
    assert everything.upcoming == 3
    one = check(config, tmp_path, settings=Settings(), lookahead=timedelta(days=1))
    assert one.upcoming_text == "1 upcoming meeting in the next 1 days"


def test_a_turned_off_source_is_still_checked(tmp_path: Path, work_ics: Path) -> None:
    config = setup.new_config(str(work_ics), taken=set())
    off = SourceConfig(config.id, config.kind, config.location, enabled=False)
    settings = Settings(calendars=(off,))
    result = check(off, tmp_path, settings=settings)
    assert result.ok and result.upcoming == 2


def test_a_missing_file_is_one_sentence_not_an_exception(tmp_path: Path) -> None:
    config = SourceConfig("gone", SourceKind.FILE, str(tmp_path / "gone.ics"))
    result = check(config, tmp_path)
    assert not result.ok and result.error_kind is ErrorKind.NOT_FOUND
    assert result.error is not None and result.error.endswith(".")
    assert "\n" not in result.error and result.upcoming == 0


def test_a_file_that_is_no_calendar(tmp_path: Path) -> None:
    path = tmp_path / "notes.ics"
    path.write_text("<html><body>Sign in</body></html>", encoding="utf-8")
    result = check(SourceConfig("notes", SourceKind.FILE, str(path)), tmp_path)
    assert not result.ok and result.error_kind is ErrorKind.NOT_CALENDAR


@pytest.mark.parametrize("name", ["google.ics", "outlook.ics", "nextcloud.ics",
                                  "recurring_traps.ics", "windows_tzids.ics"])
def test_real_exports_are_read(tmp_path: Path, name: str) -> None:
    result = check(SourceConfig("x", SourceKind.FILE, str(FIXTURES / name)), tmp_path)
    assert result.ok, result.error
    assert result.events > 0


def test_a_folder(tmp_path: Path, work_ics: Path) -> None:
    folder = tmp_path / "cals"
    folder.mkdir()
    for title, hours in (("A", 3), ("B", 5)):
        (folder / f"{title}.ics").write_text(
            calendar((title, NOW + timedelta(hours=hours)), prefix=title), encoding="utf-8")
    result = check(setup.new_config(str(folder), taken=set()), tmp_path)
    assert result.ok and result.upcoming == 2 and result.next_meeting is not None
    assert result.next_meeting.title == "A"


def test_a_bad_caldav_config_says_so(tmp_path: Path, memory_keyring: MemoryKeyring) -> None:
    config = SourceConfig("dav", SourceKind.CALDAV, "http://127.0.0.1:9/", username="me")
    result = check(config, tmp_path)  # no password given, none stored
    assert not result.ok and result.error_kind is ErrorKind.AUTH
    assert "No password is stored" in (result.error or "")
    assert result.keyring is not None and "MemoryKeyring" in result.keyring


def test_choice_names_use_urls_only_for_twins() -> None:
    found = (setup.DiscoveredCalendar("Work", "https://d/a/"),
             setup.DiscoveredCalendar("Home", "https://d/b/"),
             setup.DiscoveredCalendar("Home", "https://d/c/"))
    result = setup.SourceCheck(SourceConfig("d", SourceKind.CALDAV, "https://d/"), ok=True,
                               calendars=found)
    assert result.choice_names() == ["Work", "https://d/b/", "https://d/c/"]


# -- passwords and leftovers --------------------------------------------------------------------

def test_passwords_go_to_the_keyring_and_go_away_with_the_source(
        tmp_path: Path, memory_keyring: MemoryKeyring) -> None:
    where = setup.store_password("dav", "s3cret", tmp_path / "config")
    assert where.startswith("keyring:")
    assert memory_keyring.passwords == {("microapp", "dav"): "s3cret"}
    state = tmp_path / "cache" / "caldav" / "dav"
    state.mkdir(parents=True)
    (state / "state.json").write_text("{}")
    config = SourceConfig("dav", SourceKind.CALDAV, "https://d/", username="me")
    setup.forget_source(config, tmp_path / "config", tmp_path / "cache")
    assert memory_keyring.passwords == {} and not state.exists()


def test_without_a_keyring_the_password_is_refused_unless_a_file_is_allowed(
        tmp_path: Path, no_keyring: None) -> None:
    with pytest.raises(SourceError) as info:
        setup.store_password("dav", "s3cret", tmp_path / "config")
    assert info.value.kind is ErrorKind.NO_KEYRING and "s3cret" not in str(info.value)
    assert "MICROAPP_CALDAV_PASSWORD_DAV" in setup.no_keyring_message("dav", tmp_path)
    where = setup.store_password("dav", "s3cret", tmp_path / "config", allow_file=True)
    assert where == f"file: {tmp_path / 'config' / 'secrets' / 'dav'}"
