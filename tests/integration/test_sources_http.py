"""ICS URLs against a real HTTP(S) server on 127.0.0.1: conditional GET, the offline cache,
redirects, limits, every failure as one clear sentence, and no secret in any of them."""

from __future__ import annotations

import logging
import socket
import stat
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest

from microapp import __version__
from microapp.core.sources import ErrorKind, SourceConfig, SourceError, SourceKind
from microapp.core.sources import http as http_source
from microapp.core.sources.http import (
    HttpFetcher,
    RetryLaterError,
    display_url,
    normalise_url,
    size_text,
)
from tests.integration.http_server import (
    ETAG,
    LAST_MODIFIED,
    PASSWORD,
    USER,
    CalendarServer,
    calendar,
    make_certificates,
    tls_context,
)

PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")


@pytest.fixture(autouse=True)
def _no_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    """127.0.0.1 is reached directly, whatever the machine's proxy settings."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)


@pytest.fixture
def server() -> Iterator[CalendarServer]:
    running = CalendarServer()
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def cache_dir(tmp_path: Path) -> Path:
    return tmp_path / "cache" / "sources"


@pytest.fixture
def short_timeouts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(HttpFetcher, "TIMEOUT_S", 0.3)
    monkeypatch.setattr(HttpFetcher, "DEADLINE_S", 5.0)


def fetcher_for(url: str, cache_dir: Path, source_id: str = "feed") -> HttpFetcher:
    return HttpFetcher(SourceConfig(id=source_id, kind=SourceKind.URL, location=url), cache_dir)


def fetch_error(fetcher: HttpFetcher, previous: str | None = None) -> SourceError:
    with pytest.raises(SourceError) as info:
        fetcher.fetch(previous)
    return info.value


# -- conditional GET ------------------------------------------------------------------------------


def test_etag_then_304(server: CalendarServer, cache_dir: Path) -> None:
    fetcher = fetcher_for(server.url("/etag.ics"), cache_dir)
    first = fetcher.fetch(None)
    assert first.data is not None
    assert first.data.documents == (calendar(),)
    assert first.data.from_cache is False
    assert first.version == first.data.version
    assert "If-None-Match" not in server.headers("/etag.ics")[0]

    second = fetcher.fetch(first.version)
    assert second.data is None
    assert second.version == first.version
    assert server.count("/etag.ics") == 2
    assert server.headers("/etag.ics")[1]["If-None-Match"] == ETAG


def test_last_modified_only_then_304(server: CalendarServer, cache_dir: Path) -> None:
    fetcher = fetcher_for(server.url("/lastmod.ics"), cache_dir)
    first = fetcher.fetch(None)
    assert first.data is not None
    second = fetcher.fetch(first.version)
    assert second.data is None
    assert second.version == first.version
    sent = server.headers("/lastmod.ics")
    assert len(sent) == 2
    assert "If-Modified-Since" not in sent[0]
    assert sent[1]["If-Modified-Since"] == LAST_MODIFIED
    assert "If-None-Match" not in sent[1]


def test_without_validators_an_unchanged_body_is_still_unchanged(
        server: CalendarServer, cache_dir: Path) -> None:
    fetcher = fetcher_for(server.url("/plain.ics"), cache_dir)
    first = fetcher.fetch(None)
    assert first.data is not None
    second = fetcher.fetch(first.version)
    assert second.data is None  # same bytes: the caller need not parse again
    assert second.version == first.version
    assert server.count("/plain.ics") == 2
    for headers in server.headers("/plain.ics"):
        assert "If-None-Match" not in headers
        assert "If-Modified-Since" not in headers


def test_no_conditional_request_when_the_caller_has_nothing(
        server: CalendarServer, cache_dir: Path) -> None:
    fetcher = fetcher_for(server.url("/etag.ics"), cache_dir)
    first = fetcher.fetch(None)
    # The caller lost its copy (or holds another one): it must get the body, not a 304.
    for previous in (None, "sha256:something-else"):
        again = fetcher.fetch(previous)
        assert again.data is not None
        assert again.version == first.version
    assert [("If-None-Match" in h) for h in server.headers("/etag.ics")] == [False] * 3


def test_a_changing_body_is_new_data_every_time(server: CalendarServer, cache_dir: Path) -> None:
    fetcher = fetcher_for(server.url("/changing.ics"), cache_dir)
    first = fetcher.fetch(None)
    second = fetcher.fetch(first.version)
    assert first.data is not None
    assert second.data is not None
    assert second.version != first.version
    assert b"Standup #1" in first.data.documents[0]
    assert b"Standup #2" in second.data.documents[0]
    cached = fetcher.cached()
    assert cached is not None
    assert cached.documents == second.data.documents


def test_request_headers(server: CalendarServer, cache_dir: Path) -> None:
    fetcher_for(server.url("/plain.ics"), cache_dir).fetch(None)
    headers = server.headers("/plain.ics")[0]
    assert headers["User-Agent"] == f"microapp/{__version__} (+calendar reader)"
    assert headers["Accept-Encoding"] == "gzip"


# -- the cache on disk -------------------------------------------------------------------------


def test_offline_after_a_good_fetch_keeps_the_last_good_copy(
        server: CalendarServer, cache_dir: Path) -> None:
    fetcher = fetcher_for(server.url("/etag.ics"), cache_dir)
    assert fetcher.cached() is None
    good = fetcher.fetch(None)
    server.stop()

    error = fetch_error(fetcher, good.version)
    assert error.kind == ErrorKind.NETWORK
    assert "refused" in str(error)

    cached = fetcher.cached()
    assert cached is not None
    assert cached.from_cache is True
    assert cached.documents == (calendar(),)
    assert cached.version == good.version


def test_a_fresh_instance_sees_the_cache_and_asks_conditionally(
        server: CalendarServer, cache_dir: Path) -> None:
    url = server.url("/etag.ics")
    good = fetcher_for(url, cache_dir).fetch(None)

    restarted = fetcher_for(url, cache_dir)  # the app started again
    cached = restarted.cached()
    assert cached is not None
    assert cached.from_cache
    assert cached.version == good.version
    result = restarted.fetch(cached.version)
    assert result.data is None
    assert server.headers("/etag.ics")[-1]["If-None-Match"] == ETAG


def test_cache_files_are_private_and_named_by_a_hash(
        server: CalendarServer, cache_dir: Path) -> None:
    url = server.url("/s/ok/calendar/ical/alice%40example.com/private-5ecret7oken/basic.ics"
                     "?k=QUERYSECRET")
    fetcher_for(url, cache_dir).fetch(None)
    files = list(cache_dir.iterdir())
    assert len(files) == 1
    assert stat.S_IMODE(files[0].stat().st_mode) == 0o600
    assert stat.S_IMODE(cache_dir.stat().st_mode) == 0o700
    for secret in ("5ecret7oken", "QUERYSECRET", "alice", "127.0.0.1", "basic"):
        assert secret not in files[0].name
        assert secret.encode() not in files[0].read_bytes().split(b"\n", 1)[0]


def test_a_damaged_cache_is_ignored(server: CalendarServer, cache_dir: Path,
                                    caplog: pytest.LogCaptureFixture) -> None:
    fetcher = fetcher_for(server.url("/etag.ics"), cache_dir)
    good = fetcher.fetch(None)
    with open(fetcher.cache_path, "ab") as handle:
        handle.write(b"tampered")
    with caplog.at_level(logging.WARNING):
        assert fetcher.cached() is None
    assert "damaged" in caplog.text
    # Without a trustworthy copy there is nothing to be conditional about.
    again = fetcher.fetch(good.version)
    assert again.data is None  # same body, so still "unchanged" for the caller
    assert "If-None-Match" not in server.headers("/etag.ics")[-1]
    repaired = fetcher.cached()
    assert repaired is not None
    assert repaired.documents == (calendar(),)

    fetcher.cache_path.write_bytes(b"not a cache at all")
    assert fetcher.cached() is None
    assert fetcher.fetch(good.version).data is None
    assert "If-None-Match" not in server.headers("/etag.ics")[-1]
    assert fetcher.cached() is not None


def test_an_unwritable_cache_does_not_fail_the_fetch(
        server: CalendarServer, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    fetcher = fetcher_for(server.url("/plain.ics"), blocker / "sources")
    with caplog.at_level(logging.WARNING):
        result = fetcher.fetch(None)
    assert result.data is not None
    assert "could not keep a copy" in caplog.text
    assert fetcher.cached() is None


# -- redirects -----------------------------------------------------------------------------------


def test_a_redirect_chain_within_the_limit_is_followed(
        server: CalendarServer, cache_dir: Path) -> None:
    result = fetcher_for(server.url(f"/chain/{HttpFetcher.MAX_REDIRECTS}"), cache_dir).fetch(None)
    assert result.data is not None
    assert b"Chained" in result.data.documents[0]
    for hop in range(HttpFetcher.MAX_REDIRECTS + 1):
        assert server.count(f"/chain/{hop}") == 1


def test_one_redirect_too_many(server: CalendarServer, cache_dir: Path) -> None:
    url = server.url(f"/chain/{HttpFetcher.MAX_REDIRECTS + 1}")
    error = fetch_error(fetcher_for(url, cache_dir))
    assert error.kind == ErrorKind.SERVER
    assert "redirected too many times" in str(error)


def test_a_redirect_loop_stops(server: CalendarServer, cache_dir: Path,
                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(HttpFetcher, "MAX_REDIRECTS", 3)
    error = fetch_error(fetcher_for(server.url("/loop"), cache_dir))
    assert error.kind == ErrorKind.SERVER
    assert str(error) == (f"Calendar link http://127.0.0.1:{server.port}/… "
                          "redirected too many times (more than 3)")
    assert server.count("/loop") == 4


def test_credentials_are_sent_but_not_to_another_server(
        server: CalendarServer, cache_dir: Path) -> None:
    other = CalendarServer()
    try:
        base = f"http://{USER}:{PASSWORD}@127.0.0.1:{server.port}"
        result = fetcher_for(base + "/auth.ics", cache_dir).fetch(None)
        assert result.data is not None
        assert b"Private" in result.data.documents[0]

        away = quote(other.url("/auth.ics"), safe="")
        error = fetch_error(fetcher_for(base + f"/to/{away}", cache_dir))
        assert error.kind == ErrorKind.AUTH
        assert "Authorization" not in other.headers("/auth.ics")[0]
        assert PASSWORD not in str(error)
    finally:
        other.stop()


# -- limits --------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/huge.ics", "/huge-declared.ics", "/gzip-bomb.ics"])
def test_too_large(server: CalendarServer, cache_dir: Path, monkeypatch: pytest.MonkeyPatch,
                   path: str) -> None:
    monkeypatch.setattr(http_source, "MAX_BYTES", 64 * 1024)
    server.huge_size = 256 * 1024
    error = fetch_error(fetcher_for(server.url(path), cache_dir))
    assert error.kind == ErrorKind.TOO_LARGE
    assert "is larger than 64 KB" in str(error)


def test_a_calendar_just_under_the_limit_is_read(
        server: CalendarServer, cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(http_source, "MAX_BYTES", len(calendar("Zipped")))
    result = fetcher_for(server.url("/gzip.ics"), cache_dir).fetch(None)
    assert result.data is not None


def test_gzip_is_decoded(server: CalendarServer, cache_dir: Path) -> None:
    result = fetcher_for(server.url("/gzip.ics"), cache_dir).fetch(None)
    assert result.data is not None
    assert result.data.documents == (calendar("Zipped"),)
    assert "gzip" in server.headers("/gzip.ics")[0]["Accept-Encoding"]


def test_slow_server_times_out(server: CalendarServer, cache_dir: Path,
                               short_timeouts: None) -> None:
    error = fetch_error(fetcher_for(server.url("/slow.ics"), cache_dir))
    assert error.kind == ErrorKind.TIMEOUT
    assert "did not answer within 0.3 seconds" in str(error)


def test_a_trickling_server_hits_the_deadline(server: CalendarServer, cache_dir: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(HttpFetcher, "TIMEOUT_S", 2.0)
    monkeypatch.setattr(HttpFetcher, "DEADLINE_S", 0.4)
    error = fetch_error(fetcher_for(server.url("/trickle.ics"), cache_dir))
    assert error.kind == ErrorKind.TIMEOUT
    assert "took longer than 0.4 seconds" in str(error)


# -- answers that are not calendars, and HTTP errors ----------------------------------------------


def test_html_instead_of_a_calendar(server: CalendarServer, cache_dir: Path) -> None:
    fetcher = fetcher_for(server.url("/html"), cache_dir)
    error = fetch_error(fetcher)
    assert error.kind == ErrorKind.NOT_CALENDAR
    assert "returned a web page, not a calendar" in str(error)
    assert fetcher.cached() is None  # a sign-in page is never kept


@pytest.mark.parametrize(("path", "words"), [
    ("/garbage", "returned something that is not a calendar"),
    ("/empty", "returned an empty answer"),
])
def test_other_non_calendars(server: CalendarServer, cache_dir: Path, path: str,
                             words: str) -> None:
    error = fetch_error(fetcher_for(server.url(path), cache_dir))
    assert error.kind == ErrorKind.NOT_CALENDAR
    assert words in str(error)


def test_bom_and_blank_lines_before_the_calendar_are_fine(
        server: CalendarServer, cache_dir: Path) -> None:
    assert fetcher_for(server.url("/bom.ics"), cache_dir).fetch(None).data is not None


@pytest.mark.parametrize(("code", "kind", "words"), [
    (401, ErrorKind.AUTH, "refused access (HTTP 401): check the link is still valid"),
    (403, ErrorKind.AUTH, "refused access (HTTP 403)"),
    (404, ErrorKind.NOT_FOUND, "has no calendar at that address (HTTP 404)"),
    (410, ErrorKind.NOT_FOUND, "(HTTP 410)"),
    (500, ErrorKind.SERVER, "had a server error (HTTP 500)"),
    (502, ErrorKind.SERVER, "(HTTP 502)"),
    (418, ErrorKind.SERVER, "answered with HTTP 418"),
])
def test_http_errors(server: CalendarServer, cache_dir: Path, code: int, kind: ErrorKind,
                     words: str) -> None:
    error = fetch_error(fetcher_for(server.url(f"/status/{code}"), cache_dir))
    assert error.kind == kind
    assert str(error).startswith(f"Calendar link http://127.0.0.1:{server.port}/… ")
    assert words in str(error)


@pytest.mark.parametrize(("switch", "kind"), [
    ("html", ErrorKind.NOT_CALENDAR),
    ("500", ErrorKind.SERVER),
    ("401", ErrorKind.AUTH),
])
def test_a_failure_after_a_good_fetch_keeps_the_last_good_copy(
        server: CalendarServer, cache_dir: Path, switch: str, kind: ErrorKind) -> None:
    fetcher = fetcher_for(server.url("/switch.ics"), cache_dir)
    good = fetcher.fetch(None)
    server.switch = switch
    assert fetch_error(fetcher, good.version).kind == kind
    assert fetch_error(fetcher, None).kind == kind
    cached = fetcher_for(server.url("/switch.ics"), cache_dir).cached()
    assert cached is not None
    assert cached.version == good.version
    assert cached.documents == (calendar("Switch"),)
    server.switch = "ok"
    assert fetcher.fetch(good.version).data is None  # 304 again, from the kept validators


def test_retry_after_seconds(server: CalendarServer, cache_dir: Path) -> None:
    with pytest.raises(RetryLaterError) as info:
        fetcher_for(server.url("/busy"), cache_dir).fetch(None)
    error = info.value
    assert isinstance(error, SourceError)
    assert error.kind == ErrorKind.SERVER
    assert error.retry_after == timedelta(seconds=120)
    assert "is busy (HTTP 503); it asked to wait 2 minutes" in str(error)


def test_retry_after_http_date(server: CalendarServer, cache_dir: Path) -> None:
    with pytest.raises(RetryLaterError) as info:
        fetcher_for(server.url("/busy-date"), cache_dir).fetch(None)
    assert info.value.retry_after is not None
    assert timedelta(seconds=85) <= info.value.retry_after <= timedelta(seconds=95)
    assert "(HTTP 429)" in str(info.value)


def test_unknown_server_name(cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_such_host(*args: object, **kwargs: object) -> None:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_such_host)
    error = fetch_error(fetcher_for("https://calendar.example.invalid/feed.ics?t=1", cache_dir))
    assert error.kind == ErrorKind.NETWORK
    assert str(error) == ("Calendar link https://calendar.example.invalid/…: the server "
                          "calendar.example.invalid could not be found; check the address and "
                          "your internet connection")


# -- addresses -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("webcal://cal.example.com/feed.ics", "https://cal.example.com/feed.ics"),
    ("WEBCALS://cal.example.com/feed.ics?x=1", "https://cal.example.com/feed.ics?x=1"),
    ("  https://cal.example.com/a.ics#frag ", "https://cal.example.com/a.ics"),
    ("http://cal.example.com:8080/a.ics", "http://cal.example.com:8080/a.ics"),
    ("https://cal.example.com", "https://cal.example.com/"),
])
def test_normalise_url(text: str, expected: str) -> None:
    assert normalise_url(text) == expected


@pytest.mark.parametrize("text", [
    "ftp://cal.example.com/feed.ics",
    "file:///home/alice/cal.ics",
    "cal.example.com/feed.ics?token=s3cr3t",
    "https://",
    "https://cal.example.com:port/x",
    "",
])
def test_normalise_url_refuses_what_is_not_a_web_address(text: str) -> None:
    with pytest.raises(SourceError) as info:
        normalise_url(text)
    assert info.value.kind == ErrorKind.CONFIG
    assert "s3cr3t" not in str(info.value)


def test_a_bad_address_is_a_config_error_at_fetch_time(cache_dir: Path) -> None:
    fetcher = fetcher_for("ftp://cal.example.com/private-0123/feed.ics", cache_dir)
    error = fetch_error(fetcher)
    assert error.kind == ErrorKind.CONFIG
    assert "private-0123" not in str(error)
    assert fetcher.cached() is None


@pytest.mark.parametrize(("url", "shown"), [
    ("https://calendar.google.com/calendar/ical/alice%40gmail.com/private-0a1b/basic.ics",
     "https://calendar.google.com/…"),
    ("webcal://bob:pw@p12-caldav.icloud.com/published/2/MTIz", "webcal://p12-caldav.icloud.com/…"),
    ("https://Cal.Example.com:8443/?token=x", "https://cal.example.com:8443/…"),
    ("https://cal.example.com/", "https://cal.example.com"),
    ("not a url/with/a/path", "not a url…"),
])
def test_display_url(url: str, shown: str) -> None:
    assert display_url(url) == shown


def test_size_text() -> None:
    assert size_text(20 * 1024 * 1024) == "20 MB"
    assert size_text(64 * 1024) == "64 KB"
    assert size_text(100) == "100 bytes"


# -- secrets never show ----------------------------------------------------------------------------

SECRET_PATH = "/calendar/ical/alice%40example.com/private-5ecret7oken/basic.ics"
SECRET_QUERY = "k=QUERYSECRET"
SECRETS = ("5ecret7oken", "QUERYSECRET", PASSWORD, "alice%40example", "basic.ics")


@pytest.mark.parametrize("mode", ["401", "403", "404", "500", "503", "html", "garbage", "loop",
                                  "slow", "huge", "offline"])
def test_no_secret_in_errors_or_logs(server: CalendarServer, cache_dir: Path, mode: str,
                                     caplog: pytest.LogCaptureFixture,
                                     monkeypatch: pytest.MonkeyPatch,
                                     short_timeouts: None) -> None:
    monkeypatch.setattr(http_source, "MAX_BYTES", 64 * 1024)
    caplog.set_level(logging.DEBUG)
    url = (f"http://{USER}:{PASSWORD}@127.0.0.1:{server.port}/s/{mode}{SECRET_PATH}"
           f"?{SECRET_QUERY}")
    fetcher = fetcher_for(url, cache_dir)
    if mode == "offline":
        server.stop()
    error = fetch_error(fetcher)
    message = str(error)
    assert message.startswith(f"Calendar link http://127.0.0.1:{server.port}/… ")
    for secret in SECRETS:
        assert secret not in message
        assert secret not in repr(error.args)
        assert secret not in caplog.text
    assert fetcher.cached() is None


def test_no_secret_in_logs_of_a_good_fetch(server: CalendarServer, cache_dir: Path,
                                           caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    url = server.url(f"/to/{quote('/s/ok' + SECRET_PATH + '?' + SECRET_QUERY, safe='')}")
    fetcher = fetcher_for(url, cache_dir)
    first = fetcher.fetch(None)
    fetcher.fetch(first.version)
    assert "redirected" in caplog.text
    for secret in SECRETS:
        assert secret not in caplog.text


# -- TLS -------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    pytest.importorskip("cryptography")
    return make_certificates(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def tls_server(certificates: tuple[Path, Path, Path]) -> Iterator[CalendarServer]:
    _ca, cert, key = certificates
    running = CalendarServer(tls=tls_context(cert, key))
    try:
        yield running
    finally:
        running.stop()


def test_an_unverifiable_certificate_is_a_tls_error(
        tls_server: CalendarServer, cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    error = fetch_error(fetcher_for(tls_server.url("/plain.ics"), cache_dir))
    assert error.kind == ErrorKind.TLS
    assert "certificate could not be verified" in str(error)


def test_https_and_webcal_with_a_trusted_certificate(
        tls_server: CalendarServer, cache_dir: Path, monkeypatch: pytest.MonkeyPatch,
        certificates: tuple[Path, Path, Path]) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(certificates[0]))
    result = fetcher_for(f"webcal://127.0.0.1:{tls_server.port}/etag.ics", cache_dir).fetch(None)
    assert result.data is not None
    assert tls_server.count("/etag.ics") == 1


def test_no_redirect_from_https_down_to_http(
        tls_server: CalendarServer, server: CalendarServer, cache_dir: Path,
        monkeypatch: pytest.MonkeyPatch, certificates: tuple[Path, Path, Path]) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(certificates[0]))
    target = quote(server.url("/plain.ics"), safe="")
    error = fetch_error(fetcher_for(tls_server.url(f"/to/{target}"), cache_dir))
    assert error.kind == ErrorKind.SERVER
    assert "insecure http://" in str(error)
    assert server.count("/plain.ics") == 0
