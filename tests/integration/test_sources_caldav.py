"""CalDavFetcher against a real Radicale on 127.0.0.1: discovery, first download, "unchanged",
incremental sync by sync token, deletions, every error kind, the offline copy, and no password
anywhere a user or a log could see it."""

from __future__ import annotations

import json
import logging
import socket
import stat
import threading
from collections.abc import Iterator
from itertools import count
from pathlib import Path

import keyring
import keyring.backend
import keyring.core
import pytest
from caldav.collection import Calendar
from caldav.lib import error as caldav_error
from keyring.backends import fail

from microapp.core.sources import ErrorKind, SourceConfig, SourceError, SourceKind
from microapp.core.sources.caldav import CalDavFetcher
from microapp.core.sources.secrets import SecretStore
from tests.helpers import MemoryKeyring
from tests.integration.radicale_server import (
    PASSWORD,
    USER,
    WEEKLY_UID,
    WORK_CALENDAR,
    ZOOM_UID,
    ZOOM_URL,
    RadicaleServer,
    event_ics,
    radicale_fixture,  # noqa: F401 - the module-scoped "radicale" fixture
    started,
)

SOURCE_ID = "work"
_calendar_numbers = count(1)




@pytest.fixture(autouse=True)
def memory_keyring(monkeypatch: pytest.MonkeyPatch) -> Iterator[MemoryKeyring]:
    backend = MemoryKeyring()
    previous = keyring.core._keyring_backend  # restored as it was, without backend detection
    keyring.set_keyring(backend)
    monkeypatch.delenv(f"MICROAPP_CALDAV_PASSWORD_{SOURCE_ID.upper()}", raising=False)
    yield backend
    keyring.core._keyring_backend = previous


@pytest.fixture(autouse=True)
def no_password_in_logs(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Every test runs with everything logged (the caldav library too) and checks the
    password never shows up."""
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="caldav")
    yield
    assert PASSWORD not in caplog.text


@pytest.fixture
def secrets(tmp_path: Path) -> SecretStore:
    store = SecretStore(tmp_path / "config")
    store.set(SOURCE_ID, PASSWORD)
    return store


def make_fetcher(server_url: str, secrets: SecretStore, state_dir: Path, *,
                 location: str = "/", calendars: tuple[str, ...] = (),
                 username: str | None = USER) -> CalDavFetcher:
    config = SourceConfig(id=SOURCE_ID, kind=SourceKind.CALDAV, name="Work account",
                          location=server_url + location, username=username,
                          calendars=calendars)
    return CalDavFetcher(config, secrets, state_dir)


def fresh_calendar(radicale: RadicaleServer) -> tuple[str, str]:
    """A new, empty calendar of alice's for a test that edits: (path, display name)."""
    number = next(_calendar_numbers)
    path, name = f"/{USER}/scratch-{number}/", f"Scratch {number}"
    radicale.mkcalendar(path, name)
    return path, name


def assert_clean(error: SourceError) -> None:
    message = str(error)
    assert PASSWORD not in message
    assert "\n" not in message
    assert message.endswith(".")


# -- discovery and the first download ---------------------------------------------------------

def test_discovery_lists_the_event_calendars(radicale: RadicaleServer, secrets: SecretStore,
                                             tmp_path: Path) -> None:
    found = make_fetcher(radicale.url, secrets, tmp_path).discover()

    assert ("Work", radicale.url + WORK_CALENDAR) in found
    assert all(name != "Tasks" for name, _ in found)  # VTODO only: holds no events


def test_first_fetch_returns_every_event_object(radicale: RadicaleServer, secrets: SecretStore,
                                                tmp_path: Path) -> None:
    fetcher = make_fetcher(radicale.url, secrets, tmp_path, calendars=("Work",))

    result = fetcher.fetch(None)

    assert result.data is not None and not result.data.from_cache
    assert result.data.version == result.version
    documents = [doc.decode() for doc in result.data.documents]
    assert len(documents) == 2
    weekly = next(doc for doc in documents if WEEKLY_UID in doc)
    assert "RECURRENCE-ID" in weekly and "STATUS:CANCELLED" in weekly and "EXDATE" in weekly
    assert any(ZOOM_UID in doc and "zoom.us/j/81234567890" in doc for doc in documents)
    # One document per object, in href order (weekly.ics < zoom.ics): deterministic.
    assert WEEKLY_UID in documents[0] and ZOOM_UID in documents[1]


def test_second_fetch_with_the_version_is_unchanged(radicale: RadicaleServer,
                                                    secrets: SecretStore, tmp_path: Path) -> None:
    fetcher = make_fetcher(radicale.url, secrets, tmp_path, calendars=("Work",))
    first = fetcher.fetch(None)
    radicale.clear_requests()

    second = fetcher.fetch(first.version)

    assert second.data is None
    assert second.version == first.version
    assert not [r for r in radicale.requests() if r.method in ("GET", "REPORT")]
    # A caller without the version (a restart) gets the kept objects, not a re-download.
    radicale.clear_requests()
    again = make_fetcher(radicale.url, secrets, tmp_path, calendars=("Work",)).fetch(None)
    assert again.data is not None and again.data.documents == first.data.documents  # type: ignore[union-attr]
    assert not [r for r in radicale.requests() if r.method in ("GET", "REPORT")]


def test_a_calendar_url_as_location_watches_that_calendar(radicale: RadicaleServer,
                                                          secrets: SecretStore,
                                                          tmp_path: Path) -> None:
    fetcher = make_fetcher(radicale.url, secrets, tmp_path, location=WORK_CALENDAR)

    assert fetcher.discover() == [("Work", radicale.url + WORK_CALENDAR)]
    result = fetcher.fetch(None)
    assert result.data is not None and len(result.data.documents) == 2


# -- incremental sync -------------------------------------------------------------------------

def test_a_change_is_fetched_by_sync_token_alone(radicale: RadicaleServer, secrets: SecretStore,
                                                 tmp_path: Path) -> None:
    path, name = fresh_calendar(radicale)
    for n in range(5):
        radicale.put(f"{path}event-{n}.ics", event_ics(f"event-{n}@example.com", f"Meeting {n}"))
    fetcher = make_fetcher(radicale.url, secrets, tmp_path, calendars=(name,))
    first = fetcher.fetch(None)
    assert first.data is not None and len(first.data.documents) == 5

    radicale.put(f"{path}event-2.ics", event_ics("event-2@example.com", "Meeting 2 (moved)",
                                                 start="20260313T150000"))
    radicale.clear_requests()
    changed = fetcher.fetch(first.version)

    assert changed.data is not None and changed.version != first.version
    documents = [doc.decode() for doc in changed.data.documents]
    assert len(documents) == 5
    assert sum("Meeting 2 (moved)" in doc for doc in documents) == 1
    assert not any("SUMMARY:Meeting 2\r\n" in doc or doc.endswith("SUMMARY:Meeting 2")
                   for doc in documents)
    requests = radicale.requests()
    reports = [r for r in requests if r.method == "REPORT"]
    assert [r.report for r in reports] == ["sync-collection", "calendar-multiget"]
    assert reports[0].sync_token  # incremental: the kept token was sent
    assert reports[1].hrefs == 1  # only the changed object was downloaded
    assert not [r for r in requests if r.method == "GET"]

    assert fetcher.fetch(changed.version).data is None


def test_a_new_event_is_added(radicale: RadicaleServer, secrets: SecretStore,
                              tmp_path: Path) -> None:
    path, name = fresh_calendar(radicale)
    radicale.put(f"{path}first.ics", event_ics("first@example.com", "First"))
    fetcher = make_fetcher(radicale.url, secrets, tmp_path, calendars=(name,))
    first = fetcher.fetch(None)

    radicale.put(f"{path}second.ics", event_ics("second@example.com", "Second"))
    result = fetcher.fetch(first.version)

    assert result.data is not None
    assert [b"first@example.com" in d for d in result.data.documents] == [True, False]
    assert any(b"second@example.com" in d for d in result.data.documents)


def test_a_deleted_event_is_removed(radicale: RadicaleServer, secrets: SecretStore,
                                    tmp_path: Path) -> None:
    path, name = fresh_calendar(radicale)
    radicale.put(f"{path}keep.ics", event_ics("keep@example.com", "Keep"))
    radicale.put(f"{path}drop.ics", event_ics("drop@example.com", "Drop"))
    fetcher = make_fetcher(radicale.url, secrets, tmp_path, calendars=(name,))
    first = fetcher.fetch(None)
    assert first.data is not None and len(first.data.documents) == 2

    radicale.delete(f"{path}drop.ics")
    radicale.clear_requests()
    result = fetcher.fetch(first.version)

    assert result.data is not None
    assert len(result.data.documents) == 1 and b"keep@example.com" in result.data.documents[0]
    assert not [r for r in radicale.requests() if r.report == "calendar-multiget"]
    cached = fetcher.cached()
    assert cached is not None and cached.documents == result.data.documents


def test_the_kept_copy_is_private_and_holds_no_password(radicale: RadicaleServer,
                                                        secrets: SecretStore,
                                                        tmp_path: Path) -> None:
    state_dir = tmp_path / "state"
    fetcher = make_fetcher(radicale.url, secrets, state_dir, calendars=("Work",))
    fetcher.fetch(None)

    files = [p for p in state_dir.rglob("*") if p.is_file()]
    assert files
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert PASSWORD not in path.read_text()
    assert WEEKLY_UID in "".join(p.read_text() for p in files)


# -- errors -----------------------------------------------------------------------------------

def test_wrong_password_is_an_auth_error(radicale: RadicaleServer, tmp_path: Path,
                                         caplog: pytest.LogCaptureFixture) -> None:
    store = SecretStore(tmp_path / "config")
    store.set(SOURCE_ID, "not-the-password")

    with pytest.raises(SourceError) as caught:
        make_fetcher(radicale.url, store, tmp_path).fetch(None)

    assert caught.value.kind is ErrorKind.AUTH
    assert "rejected the user name or password" in str(caught.value)
    assert "not-the-password" not in str(caught.value)
    assert "not-the-password" not in caplog.text
    assert_clean(caught.value)


def test_wrong_path_is_not_found(radicale: RadicaleServer, secrets: SecretStore,
                                 tmp_path: Path) -> None:
    with pytest.raises(SourceError) as caught:
        make_fetcher(radicale.url, secrets, tmp_path, location=f"/{USER}/no-such-calendar/"
                     ).fetch(None)

    assert caught.value.kind is ErrorKind.NOT_FOUND
    assert_clean(caught.value)


def test_someone_elses_calendar_is_refused(radicale: RadicaleServer, secrets: SecretStore,
                                           tmp_path: Path) -> None:
    with pytest.raises(SourceError) as caught:
        make_fetcher(radicale.url, secrets, tmp_path, location="/bob/").fetch(None)

    assert caught.value.kind is ErrorKind.AUTH
    assert_clean(caught.value)


def test_a_chosen_calendar_that_is_gone_is_named(radicale: RadicaleServer, secrets: SecretStore,
                                                 tmp_path: Path) -> None:
    path, name = fresh_calendar(radicale)
    radicale.put(f"{path}one.ics", event_ics("one@example.com", "One"))
    fetcher = make_fetcher(radicale.url, secrets, tmp_path, calendars=(name, "Work"))
    first = fetcher.fetch(None)
    assert first.data is not None and len(first.data.documents) == 3

    radicale.delete(path)
    with pytest.raises(SourceError) as caught:
        fetcher.fetch(first.version)

    assert caught.value.kind is ErrorKind.NOT_FOUND
    assert repr(name) in str(caught.value)
    assert_clean(caught.value)
    cached = fetcher.cached()
    assert cached is not None and cached.from_cache and len(cached.documents) == 3


def test_no_password_stored_says_what_to_do(radicale: RadicaleServer, tmp_path: Path) -> None:
    with pytest.raises(SourceError) as caught:
        make_fetcher(radicale.url, SecretStore(tmp_path / "config"), tmp_path).fetch(None)

    assert caught.value.kind is ErrorKind.AUTH
    assert "MICROAPP_CALDAV_PASSWORD_WORK" in str(caught.value)
    assert_clean(caught.value)


def test_no_keyring_and_no_password_is_a_no_keyring_error(radicale: RadicaleServer,
                                                          tmp_path: Path) -> None:
    keyring.set_keyring(fail.Keyring())

    with pytest.raises(SourceError) as caught:
        make_fetcher(radicale.url, SecretStore(tmp_path / "config"), tmp_path).fetch(None)

    assert caught.value.kind is ErrorKind.NO_KEYRING
    assert "MICROAPP_CALDAV_PASSWORD_WORK" in str(caught.value)


def test_password_from_the_environment(radicale: RadicaleServer, tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    keyring.set_keyring(fail.Keyring())
    monkeypatch.setenv("MICROAPP_CALDAV_PASSWORD_WORK", PASSWORD)

    result = make_fetcher(radicale.url, SecretStore(tmp_path / "config"), tmp_path,
                          calendars=("Work",)).fetch(None)

    assert result.data is not None and len(result.data.documents) == 2


def test_tls_to_a_plain_server_is_a_tls_error(radicale: RadicaleServer, secrets: SecretStore,
                                              tmp_path: Path) -> None:
    fetcher = make_fetcher(radicale.url.replace("http://", "https://"), secrets, tmp_path)

    with pytest.raises(SourceError) as caught:
        fetcher.fetch(None)

    assert caught.value.kind is ErrorKind.TLS
    assert_clean(caught.value)


def test_a_silent_server_is_a_timeout(secrets: SecretStore, tmp_path: Path) -> None:
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        host, port = silent.getsockname()
        fetcher = make_fetcher(f"http://{host}:{port}", secrets, tmp_path)
        fetcher.TIMEOUT_S = 0.3

        with pytest.raises(SourceError) as caught:
            fetcher.fetch(None)

    assert caught.value.kind is ErrorKind.TIMEOUT
    assert_clean(caught.value)


def test_an_unknown_host_is_a_network_error(secrets: SecretStore, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    real = socket.getaddrinfo

    def resolve(host: object, *args: object, **kwargs: object) -> object:
        if host == "calendar.example.invalid":
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real(host, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(socket, "getaddrinfo", resolve)  # no real DNS in tests
    with pytest.raises(SourceError) as caught:
        make_fetcher("https://calendar.example.invalid", secrets, tmp_path).fetch(None)

    assert caught.value.kind is ErrorKind.NETWORK
    assert "DNS" in str(caught.value)
    assert_clean(caught.value)


def test_server_stopped_is_a_network_error_and_the_cache_remains(secrets: SecretStore,
                                                                 tmp_path: Path) -> None:
    servers = started(tmp_path / "own-radicale")
    server = next(servers)
    try:
        fetcher = make_fetcher(server.url, secrets, tmp_path / "state", calendars=("Work",))
        first = fetcher.fetch(None)
        assert first.data is not None
    finally:
        servers.close()  # stops the server process

    with pytest.raises(SourceError) as caught:
        fetcher.fetch(first.version)

    assert caught.value.kind is ErrorKind.NETWORK
    assert "refused" in str(caught.value)
    assert_clean(caught.value)
    cached = make_fetcher(server.url, secrets, tmp_path / "state", calendars=("Work",)).cached()
    assert cached is not None and cached.from_cache
    assert cached.documents == first.data.documents and cached.version == first.version


def test_fetches_from_threads_do_not_interfere(radicale: RadicaleServer, secrets: SecretStore,
                                               tmp_path: Path) -> None:
    fetcher = make_fetcher(radicale.url, secrets, tmp_path, calendars=("Work",))
    versions: list[str] = []
    threads = [threading.Thread(target=lambda: versions.append(fetcher.fetch(None).version))
               for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(set(versions)) == 1 and len(versions) == 3


def test_zoom_link_survives_the_round_trip(radicale: RadicaleServer, secrets: SecretStore,
                                           tmp_path: Path) -> None:
    result = make_fetcher(radicale.url, secrets, tmp_path, calendars=(WORK_CALENDAR,)
                          ).fetch(None)

    assert result.data is not None
    text = b"".join(result.data.documents).decode().replace("\r\n ", "").replace("\n ", "")
    assert ZOOM_URL in text


# -- servers that cannot do everything ---------------------------------------------------------

def test_an_expired_sync_token_lists_again_without_downloading(radicale: RadicaleServer,
                                                                secrets: SecretStore,
                                                                tmp_path: Path) -> None:
    fetcher = make_fetcher(radicale.url, secrets, tmp_path, calendars=("Work",))
    first = fetcher.fetch(None)
    state = fetcher.state_path.read_text()
    real_token = json.loads(state)["calendars"][0]["sync_token"]
    fetcher.state_path.write_text(state.replace(real_token, "http://radicale.org/ns/sync/gone"))
    radicale.clear_requests()

    result = fetcher.fetch(first.version)

    assert result.data is None and result.version == first.version
    reports = [r for r in radicale.requests() if r.method == "REPORT"]
    # The server refuses the unknown token (403 valid-sync-token); the full listing's ETags
    # match what is kept, so nothing is downloaded again.
    assert [(r.report, r.sync_token) for r in reports] == [("sync-collection", True),
                                                           ("sync-collection", False)]


def test_without_sync_collection_etags_are_compared(radicale: RadicaleServer,
                                                    secrets: SecretStore, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    def unsupported(self: Calendar, *args: object, **kwargs: object) -> object:
        raise caldav_error.ReportError(str(self.url), "sync-collection is not supported",
                                       status=501)

    monkeypatch.setattr(Calendar, "get_objects_by_sync_token", unsupported)
    path, name = fresh_calendar(radicale)
    for n in range(3):
        radicale.put(f"{path}e{n}.ics", event_ics(f"e{n}@example.com", f"Event {n}"))
    fetcher = make_fetcher(radicale.url, secrets, tmp_path, calendars=(name,))
    first = fetcher.fetch(None)
    assert first.data is not None and len(first.data.documents) == 3
    assert fetcher.fetch(first.version).data is None

    radicale.put(f"{path}e1.ics", event_ics("e1@example.com", "Event 1 (changed)"))
    radicale.delete(f"{path}e2.ics")
    radicale.clear_requests()
    result = fetcher.fetch(first.version)

    assert result.data is not None and len(result.data.documents) == 2
    assert b"Event 1 (changed)" in result.data.documents[1]
    multigets = [r for r in radicale.requests() if r.report == "calendar-multiget"]
    assert [r.hrefs for r in multigets] == [1]


def test_without_multiget_objects_are_loaded_one_by_one(radicale: RadicaleServer,
                                                        secrets: SecretStore, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    def unsupported(self: Calendar, *args: object, **kwargs: object) -> object:
        raise caldav_error.ReportError(str(self.url), "calendar-multiget is not supported",
                                       status=501)

    monkeypatch.setattr(Calendar, "multiget", unsupported)
    radicale.clear_requests()

    result = make_fetcher(radicale.url, secrets, tmp_path, calendars=("Work",)).fetch(None)

    assert result.data is not None and len(result.data.documents) == 2
    gets = [r.path for r in radicale.requests() if r.method == "GET"]
    assert sorted(gets) == [WORK_CALENDAR + "weekly.ics", WORK_CALENDAR + "zoom.ics"]
