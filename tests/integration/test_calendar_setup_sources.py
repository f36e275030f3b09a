"""calendar_setup.check_source against real servers: the local HTTP server and Radicale."""

from __future__ import annotations

import socket
import tempfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import keyring
import keyring.core
import pytest

from microapp.core import calendar_setup as setup
from microapp.core.sources import ErrorKind, SourceConfig, SourceKind
from tests.helpers import DEFAULT_ZONE, MemoryKeyring
from tests.integration.http_server import CalendarServer
from tests.integration.radicale_server import (  # noqa: F401 - the module-scoped fixture
    PASSWORD,
    USER,
    RadicaleServer,
    radicale_fixture,
)

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=DEFAULT_ZONE)  # the fixtures' calendars are near
SECRET = "private-7f3a9c2b1d4e5f60718293a4b5c6"


@pytest.fixture(autouse=True)
def _no_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)


@pytest.fixture(autouse=True)
def scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Temporary folders land here, so a test can see that a check keeps nothing."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    backend = MemoryKeyring()
    previous = keyring.core._keyring_backend
    keyring.set_keyring(backend)
    yield backend
    keyring.core._keyring_backend = previous


@pytest.fixture
def server() -> Iterator[CalendarServer]:
    running = CalendarServer()
    try:
        yield running
    finally:
        running.stop()


def check(config: SourceConfig, tmp_path: Path, password: str | None = None
          ) -> setup.SourceCheck:
    return setup.check_source(config, password, secrets_dir=tmp_path / "config", now=NOW,
                              zone=DEFAULT_ZONE)


def url_config(url: str) -> SourceConfig:
    return setup.new_config(url, taken=set())


def test_a_subscription_is_read_and_nothing_is_kept(server: CalendarServer, tmp_path: Path,
                                                    scratch: Path) -> None:
    result = check(url_config(server.url("/plain.ics")), tmp_path)
    assert result.ok, result.error
    assert result.upcoming == 1 and result.next_meeting is not None
    assert result.next_meeting.title == "Standup"
    assert server.count("/plain.ics") == 1  # read once
    assert list(scratch.iterdir()) == []  # the throw-away cache is gone
    assert not (tmp_path / "config").exists()


def test_a_server_error_is_one_redacted_sentence(server: CalendarServer, tmp_path: Path) -> None:
    result = check(url_config(server.url(f"/s/500/{SECRET}/basic.ics?token=abc")), tmp_path)
    assert not result.ok and result.error_kind is ErrorKind.SERVER
    assert result.error is not None and "500" in result.error
    assert SECRET not in result.error and "abc" not in result.error
    assert "\n" not in result.error


def test_an_unreachable_port(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = check(url_config(f"http://127.0.0.1:{port}/cal.ics"), tmp_path)
    assert not result.ok and result.error_kind is ErrorKind.NETWORK


def test_a_sign_in_page_is_not_a_calendar(server: CalendarServer, tmp_path: Path) -> None:
    result = check(url_config(server.url("/html")), tmp_path)
    assert not result.ok and result.error_kind is ErrorKind.NOT_CALENDAR


def test_the_profile_cache_keeps_the_copy_when_asked(server: CalendarServer,
                                                     tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    result = setup.check_source(url_config(server.url("/etag.ics")), secrets_dir=tmp_path,
                                now=NOW, zone=DEFAULT_ZONE, cache_dir=cache)
    assert result.ok
    assert any((cache / "http").iterdir())


# -- CalDAV (Radicale) --------------------------------------------------------------------------

def dav_config(radicale: RadicaleServer, *chosen: str) -> SourceConfig:
    return setup.new_config(radicale.url, taken=set(), username=USER, calendars=chosen)


def test_caldav_with_a_typed_password_lists_its_calendars(
        radicale: RadicaleServer, tmp_path: Path, memory_keyring: MemoryKeyring,
        scratch: Path) -> None:
    config = dav_config(radicale)
    assert config.kind is SourceKind.CALDAV
    result = check(config, tmp_path, PASSWORD)
    assert result.ok, result.error
    assert [c.name for c in result.calendars] == ["Work"]  # the tasks list is not offered
    assert result.calendars[0].url.endswith(f"/{USER}/work/")
    assert result.next_meeting is not None and result.next_meeting.title == "Call with Bob"
    assert result.keyring is not None and "MemoryKeyring" in result.keyring
    assert memory_keyring.passwords == {}  # a check stores nothing
    assert list(scratch.iterdir()) == []


def test_caldav_with_a_stored_password(radicale: RadicaleServer, tmp_path: Path) -> None:
    config = dav_config(radicale, "Work")
    setup.store_password(config.id, PASSWORD, tmp_path / "config")
    result = check(config, tmp_path)
    assert result.ok, result.error


def test_caldav_with_a_wrong_password(radicale: RadicaleServer, tmp_path: Path) -> None:
    result = check(dav_config(radicale), tmp_path, "not-it")
    assert not result.ok and result.error_kind is ErrorKind.AUTH
    assert "user name or password" in (result.error or "")
    assert "not-it" not in (result.error or "")


def test_caldav_with_a_calendar_that_is_not_there(radicale: RadicaleServer,
                                                  tmp_path: Path) -> None:
    result = check(dav_config(radicale, "Holidays"), tmp_path, PASSWORD)
    assert not result.ok and result.error_kind is ErrorKind.NOT_FOUND
    assert "Holidays" in (result.error or "")
