"""A real CalDAV server for tests: the installed Radicale on 127.0.0.1, in its own process.

The server process runs this file as a script: Radicale's WSGI application behind a small
middleware that appends one JSON line per request (method, path, depth, and for a REPORT the
name of the report: ``sync-collection``, ``calendar-multiget``…) to a request log, so a test
can tell a sync-token update from a full download. The test side (:class:`RadicaleServer`)
writes the config and a plain-text htpasswd file, starts the process, waits until the socket
answers (no fixed sleeps), and seeds or edits calendars over plain HTTP — independent of the
CalDAV client under test.

Use the module-scoped fixture by importing it into a test module::

    from tests.integration.radicale_server import radicale_fixture  # noqa: F401

    def test_something(radicale: RadicaleServer) -> None: ...
"""

from __future__ import annotations

import base64
import http.client
import json
import os
import selectors
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

USER = "alice"
PASSWORD = "wonderland"
HOST = "127.0.0.1"
START_TIMEOUT_S = 15.0

CONFIG_TEMPLATE = """\
[auth]
type = htpasswd
htpasswd_filename = {htpasswd}
htpasswd_encryption = plain
delay = 0

[rights]
type = owner_only

[storage]
filesystem_folder = {storage}

[web]
type = none

[logging]
level = warning
"""


@dataclass(frozen=True)
class Request:
    """One request as the server saw it."""

    method: str
    path: str
    depth: str | None
    report: str | None  # the REPORT's root element, e.g. "sync-collection"; else None
    hrefs: int = 0  # how many objects a calendar-multiget asked for
    sync_token: bool = False  # a sync-collection REPORT that sent a (non-empty) token


class RadicaleServer:
    """Radicale in a child process; start(), stop(), and helpers to edit its calendars."""

    def __init__(self, root: Path, users: dict[str, str] | None = None) -> None:
        self.root = root
        self.users = dict(users or {USER: PASSWORD})
        self.storage = root / "collections"
        self.config_path = root / "radicale.ini"
        self.htpasswd = root / "users"
        self.request_log = root / "requests.jsonl"
        self.server_log = root / "server.log"
        self.port: int | None = None
        self._process: subprocess.Popen[bytes] | None = None

    # -- lifecycle ---------------------------------------------------------------------------

    @property
    def url(self) -> str:
        if self.port is None:
            raise RuntimeError("the Radicale server is not running")
        return f"http://{HOST}:{self.port}"

    def start(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        self.storage.mkdir(exist_ok=True)
        self.htpasswd.write_text("".join(f"{u}:{p}\n" for u, p in self.users.items()))
        self.config_path.write_text(CONFIG_TEMPLATE.format(
            host=HOST, htpasswd=self.htpasswd, storage=self.storage))
        self.request_log.touch()
        with self.server_log.open("ab") as log:
            self._process = subprocess.Popen(
                [sys.executable, __file__, str(self.config_path), str(self.request_log)],
                stdout=subprocess.PIPE, stderr=log, stdin=subprocess.DEVNULL,
                env={**os.environ, "PYTHONWARNINGS": "ignore"},
            )
        try:
            self.port = self._read_port()
            self._wait_until_answering()
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()

    def _read_port(self) -> int:
        """The child binds port 0 and prints the port it got: no race for a free port."""
        process = self._process
        assert process is not None and process.stdout is not None
        deadline = time.monotonic() + START_TIMEOUT_S
        line = b""
        with selectors.DefaultSelector() as selector:
            selector.register(process.stdout, selectors.EVENT_READ)
            while not line.endswith(b"\n"):
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not selector.select(remaining):
                    raise RuntimeError(f"Radicale did not start in time; see {self.server_log}")
                chunk = os.read(process.stdout.fileno(), 64)
                if not chunk:
                    raise RuntimeError(f"Radicale exited at start:\n{self.server_log.read_text()}")
                line += chunk
        return int(line.decode().strip())

    def _wait_until_answering(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            try:
                status, _ = self.request("OPTIONS", "/", auth=False)
                if status < 500:
                    return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"Radicale does not answer; see {self.server_log}")
            # Poll the socket; the child prints its port only once it listens, so this loop
            # rarely turns more than once.
            with socket.socket() as probe:
                probe.settimeout(0.05)
                probe.connect_ex((HOST, self.port or 0))

    # -- the request log ---------------------------------------------------------------------

    def requests(self) -> list[Request]:
        lines = self.request_log.read_text().splitlines()
        return [Request(**json.loads(line)) for line in lines if line.strip()]

    def clear_requests(self) -> None:
        self.request_log.write_text("")

    # -- editing calendars over plain HTTP ---------------------------------------------------

    def request(self, method: str, path: str, body: bytes | str = b"",
                headers: dict[str, str] | None = None, *, auth: bool = True,
                user: str = USER) -> tuple[int, bytes]:
        assert self.port is not None
        all_headers = dict(headers or {})
        if auth:
            token = base64.b64encode(f"{user}:{self.users[user]}".encode()).decode()
            all_headers["Authorization"] = f"Basic {token}"
        data = body.encode() if isinstance(body, str) else body
        connection = http.client.HTTPConnection(HOST, self.port, timeout=10)
        try:
            connection.request(method, path, body=data, headers=all_headers)
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    def mkcalendar(self, path: str, name: str, components: tuple[str, ...] = ("VEVENT",)) -> None:
        comps = "".join(f'<C:comp name="{c}"/>' for c in components)
        body = ('<?xml version="1.0" encoding="utf-8"?>'
                '<C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">'
                f"<D:set><D:prop><D:displayname>{name}</D:displayname>"
                f"<C:supported-calendar-component-set>{comps}</C:supported-calendar-component-set>"
                "</D:prop></D:set></C:mkcalendar>")
        status, text = self.request("MKCALENDAR", path, body,
                                    {"Content-Type": "application/xml; charset=utf-8"})
        assert status == 201, (status, text)

    def put(self, path: str, ics: str) -> None:
        status, text = self.request("PUT", path, ics.replace("\n", "\r\n"),
                                    {"Content-Type": "text/calendar; charset=utf-8"})
        assert status in (201, 204), (status, text)

    def delete(self, path: str) -> None:
        status, text = self.request("DELETE", path)
        assert status in (200, 204), (status, text)


# -- seed data -------------------------------------------------------------------------------

VTIMEZONE = """\
BEGIN:VTIMEZONE
TZID:Europe/Berlin
BEGIN:DAYLIGHT
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
TZNAME:CEST
DTSTART:19700329T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
TZNAME:CET
DTSTART:19701025T030000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
END:STANDARD
END:VTIMEZONE
"""

WEEKLY_UID = "weekly-standup-7f3a@example.com"
ZOOM_UID = "zoom-call-1c9e@example.com"
ZOOM_URL = "https://us02web.zoom.us/j/81234567890?pwd=QWxpY2VJbldvbmRlcmxhbmQ"

# A weekly stand-up: the 9 March occurrence moved to 10:00, 16 March removed by EXDATE and
# 23 March cancelled by an override with STATUS:CANCELLED.
WEEKLY_ICS = f"""\
BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//microapp tests//EN
{VTIMEZONE}BEGIN:VEVENT
UID:{WEEKLY_UID}
DTSTAMP:20260201T120000Z
DTSTART;TZID=Europe/Berlin:20260302T090000
DTEND;TZID=Europe/Berlin:20260302T091500
RRULE:FREQ=WEEKLY;COUNT=10
EXDATE;TZID=Europe/Berlin:20260316T090000
SUMMARY:Team stand-up
END:VEVENT
BEGIN:VEVENT
UID:{WEEKLY_UID}
DTSTAMP:20260201T120000Z
RECURRENCE-ID;TZID=Europe/Berlin:20260309T090000
DTSTART;TZID=Europe/Berlin:20260309T100000
DTEND;TZID=Europe/Berlin:20260309T101500
SUMMARY:Team stand-up (moved)
END:VEVENT
BEGIN:VEVENT
UID:{WEEKLY_UID}
DTSTAMP:20260201T120000Z
RECURRENCE-ID;TZID=Europe/Berlin:20260323T090000
DTSTART;TZID=Europe/Berlin:20260323T090000
DTEND;TZID=Europe/Berlin:20260323T091500
STATUS:CANCELLED
SUMMARY:Team stand-up
END:VEVENT
END:VCALENDAR
"""

ZOOM_ICS = f"""\
BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//microapp tests//EN
{VTIMEZONE}BEGIN:VEVENT
UID:{ZOOM_UID}
DTSTAMP:20260201T120000Z
DTSTART;TZID=Europe/Berlin:20260311T140000
DTEND;TZID=Europe/Berlin:20260311T143000
SUMMARY:Call with Bob
LOCATION:{ZOOM_URL}
DESCRIPTION:Join Zoom Meeting\\n{ZOOM_URL}
END:VEVENT
END:VCALENDAR
"""

WORK_CALENDAR = f"/{USER}/work/"
TASKS_CALENDAR = f"/{USER}/tasks/"


def event_ics(uid: str, summary: str, start: str = "20260312T110000") -> str:
    """A plain single event (``start`` is Berlin local time, 30 minutes long)."""
    end = start[:9] + f"{int(start[9:11]):02d}3000"
    return f"""\
BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//microapp tests//EN
{VTIMEZONE}BEGIN:VEVENT
UID:{uid}
DTSTAMP:20260201T120000Z
DTSTART;TZID=Europe/Berlin:{start}
DTEND;TZID=Europe/Berlin:{end}
SUMMARY:{summary}
END:VEVENT
END:VCALENDAR
"""


def seed(server: RadicaleServer) -> None:
    """A "Work" calendar with the weekly stand-up and the Zoom call, and a tasks-only list
    (which holds no events and must not be offered)."""
    server.mkcalendar(WORK_CALENDAR, "Work")
    server.put(WORK_CALENDAR + "weekly.ics", WEEKLY_ICS)
    server.put(WORK_CALENDAR + "zoom.ics", ZOOM_ICS)
    server.mkcalendar(TASKS_CALENDAR, "Tasks", components=("VTODO",))


def started(root: Path, *, seeded: bool = True) -> Iterator[RadicaleServer]:
    """Start a server under ``root``, seed it, yield it, stop it (also on failure)."""
    server = RadicaleServer(root)
    server.start()
    try:
        if seeded:
            seed(server)
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module", name="radicale")
def radicale_fixture(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RadicaleServer]:
    """A seeded Radicale shared by one test module."""
    yield from started(tmp_path_factory.mktemp("radicale"))


# -- the server process ----------------------------------------------------------------------

def _serve(config_path: str, request_log: str) -> None:  # pragma: no cover - child process
    import io
    import re
    from socketserver import ThreadingMixIn
    from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

    import radicale.log
    from radicale import config
    from radicale.app import Application

    radicale.log.setup()
    configuration = config.load([(config_path, False)])
    radicale.log.set_level("warning", False, "")
    application = Application(configuration)
    log = open(request_log, "a", encoding="utf-8")  # noqa: SIM115 - open for the process

    def logged(environ: dict[str, Any], start_response: Any) -> Any:
        method = environ["REQUEST_METHOD"]
        entry = {"method": method, "path": environ.get("PATH_INFO", ""),
                 "depth": environ.get("HTTP_DEPTH"), "report": None}
        if method == "REPORT":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            body = environ["wsgi.input"].read(length)
            environ["wsgi.input"] = io.BytesIO(body)
            root = re.search(rb"<(?:[\w-]+:)?([\w-]+)[\s/>]", body.split(b"?>", 1)[-1])
            token = re.search(rb"<(?:[\w-]+:)?sync-token[^>]*>([^<]+)<", body)
            entry.update(report=root.group(1).decode() if root else None,
                         hrefs=len(re.findall(rb"<(?:[\w-]+:)?href[\s>]", body)),
                         sync_token=bool(token and token.group(1).strip()))
        log.write(json.dumps(entry) + "\n")
        log.flush()
        return application(environ, start_response)

    class Server(ThreadingMixIn, WSGIServer):
        daemon_threads = True

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = make_server(HOST, 0, logged, server_class=Server, handler_class=QuietHandler)

    def on_term(signum: int, frame: Any) -> None:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, on_term)
    print(server.server_port, flush=True)
    try:
        server.serve_forever(poll_interval=0.1)
    finally:
        server.server_close()
        log.close()


if __name__ == "__main__":  # pragma: no cover - child process
    _serve(sys.argv[1], sys.argv[2])
