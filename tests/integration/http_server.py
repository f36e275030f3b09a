"""A real HTTP(S) server on 127.0.0.1 for the ICS-URL tests: calendars with and without
validators, errors, slow and huge answers, redirects, HTML, gzip.

Every request is counted per path and its headers kept, so tests can assert what was asked.
Nothing sleeps for long: the slow routes wait on :attr:`CalendarServer.release`, which
:meth:`CalendarServer.stop` sets.

Routes (path → answer):
    /etag.ics           calendar with an ETag; 304 when If-None-Match matches
    /lastmod.ics        calendar with Last-Modified only; 304 when If-Modified-Since matches
    /plain.ics          calendar without validators
    /bom.ics            calendar after a UTF-8 BOM and blank lines
    /changing.ics       a different calendar on every request
    /gzip.ics           gzip-encoded calendar when the client accepts gzip
    /gzip-bomb.ics      a small gzip body that inflates past ``huge_size``
    /huge.ics           ``huge_size`` bytes of calendar, streamed without Content-Length
    /huge-declared.ics  the same, with a Content-Length
    /slow.ics           nothing until ``release`` is set
    /trickle.ics        a calendar one line every 50 ms
    /html               an HTML sign-in page
    /garbage            plain text that is no calendar
    /empty              an empty 200
    /loop               redirects to itself
    /chain/N            redirects to /chain/N-1; /chain/0 is a calendar
    /auth.ics           calendar for Basic alice:pa55word, else 401
    /to/<url-quoted>    redirects to that address
    /switch.ics         what ``switch`` says: "ok" (calendar with ETag), "html" or a status code
    /busy               503 with Retry-After: 120
    /busy-date          429 with Retry-After as an HTTP date 90 s after the Date header
    /status/<code>      that status, a short text body
    /s/<mode>/...       "secret" paths (anything after the mode, any query): mode is a status
                        code, or html, loop, slow, garbage, huge
"""

from __future__ import annotations

import base64
import contextlib
import email.utils
import gzip
import ssl
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

ETAG = '"v1-abc"'
LAST_MODIFIED = "Tue, 10 Mar 2026 08:00:00 GMT"
USER = "alice"
PASSWORD = "pa55word"


def calendar(summary: str = "Standup") -> bytes:
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//microapp tests//EN\r\n"
        "BEGIN:VEVENT\r\nUID:standup-1@example.com\r\nDTSTAMP:20260301T000000Z\r\n"
        "DTSTART:20260310T100000Z\r\nDTEND:20260310T103000Z\r\n"
        f"SUMMARY:{summary}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    ).encode()


HTML = (b"<!DOCTYPE html>\n<html><head><title>Sign in</title></head>"
        b"<body><form>Sign in to see this calendar</form></body></html>\n")


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.0"  # one request per connection; a body without length ends at close
    timeout = 10  # a blocked write cannot keep a handler thread (and the test's teardown) waiting

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep test output quiet

    def do_GET(self) -> None:
        app = self.server.app
        path = urlsplit(self.path).path
        app.record(path, self.headers)
        # The client may give up (timeout, too large): expected in these tests.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError, ssl.SSLError):
            self.route(app, path)

    # -- helpers -------------------------------------------------------------------------------

    def send(self, status: int, body: bytes = b"", content_type: str = "text/calendar",
             headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if status != 304:
            self.wfile.write(body)

    def redirect(self, location: str, status: int = 302) -> None:
        self.send_response(status)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def stream_huge(self, declared: bool) -> None:
        app = self.server.app
        self.send_response(200)
        self.send_header("Content-Type", "text/calendar")
        if declared:
            self.send_header("Content-Length", str(app.huge_size))
        self.end_headers()
        self.wfile.write(b"BEGIN:VCALENDAR\r\n")
        line = b"X-FILLER:" + b"x" * 1000 + b"\r\n"
        sent = 0
        while sent < app.huge_size and not app.release.is_set():
            self.wfile.write(line)
            sent += len(line)

    # -- routes --------------------------------------------------------------------------------

    def route(self, app: CalendarServer, path: str) -> None:
        if path == "/etag.ics":
            if self.headers.get("If-None-Match") == ETAG:
                self.send(304, headers={"ETag": ETAG})
            else:
                self.send(200, calendar(), headers={"ETag": ETAG})
        elif path == "/lastmod.ics":
            if self.headers.get("If-Modified-Since") == LAST_MODIFIED:
                self.send(304)
            else:
                self.send(200, calendar(), headers={"Last-Modified": LAST_MODIFIED})
        elif path == "/plain.ics":
            self.send(200, calendar())
        elif path == "/bom.ics":
            self.send(200, b"\xef\xbb\xbf\r\n  \n" + calendar())
        elif path == "/changing.ics":
            self.send(200, calendar(f"Standup #{app.count(path)}"))
        elif path == "/gzip.ics":
            if "gzip" in (self.headers.get("Accept-Encoding") or ""):
                self.send(200, gzip.compress(calendar("Zipped")),
                          headers={"Content-Encoding": "gzip"})
            else:
                self.send(200, calendar("Zipped"))
        elif path == "/gzip-bomb.ics":
            body = gzip.compress(b"BEGIN:VCALENDAR\r\n" + b"\0" * (app.huge_size * 4))
            self.send(200, body, headers={"Content-Encoding": "gzip"})
        elif path in ("/huge.ics", "/huge-declared.ics"):
            self.stream_huge(declared=path == "/huge-declared.ics")
        elif path == "/slow.ics":
            app.release.wait(10)
            self.send(200, calendar())
        elif path == "/trickle.ics":
            self.send_response(200)
            self.end_headers()
            for line in calendar().splitlines(keepends=True) * 50:
                if app.release.wait(0.05):
                    break
                self.wfile.write(line)
                self.wfile.flush()
        elif path == "/html":
            self.send(200, HTML, content_type="text/html")
        elif path == "/garbage":
            self.send(200, b"hello, this is no calendar\n", content_type="text/plain")
        elif path == "/empty":
            self.send(200, b"")
        elif path == "/loop":
            self.redirect("/loop")
        elif path.startswith("/chain/"):
            left = int(path.rsplit("/", 1)[1])
            if left > 0:
                self.redirect(f"/chain/{left - 1}", status=301 if left % 2 else 307)
            else:
                self.send(200, calendar("Chained"))
        elif path == "/auth.ics":
            expected = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
            if self.headers.get("Authorization") == expected:
                self.send(200, calendar("Private"))
            else:
                self.send(401, b"who are you?", content_type="text/plain")
        elif path.startswith("/to/"):
            self.redirect(unquote(path[len("/to/"):]))
        elif path == "/switch.ics":
            if app.switch == "ok":
                self.send(200, calendar("Switch"), headers={"ETag": ETAG})
            elif app.switch == "html":
                self.send(200, HTML, content_type="text/html")
            else:
                self.send(int(app.switch), b"no\n", content_type="text/plain")
        elif path == "/busy":
            self.send(503, b"busy", content_type="text/plain", headers={"Retry-After": "120"})
        elif path == "/busy-date":
            now = time.time()
            self.send_response_only(429)
            self.send_header("Date", email.utils.formatdate(now, usegmt=True))
            self.send_header("Retry-After", email.utils.formatdate(now + 90, usegmt=True))
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif path.startswith("/status/"):
            code = int(path.rsplit("/", 1)[1])
            self.send(code, f"status {code}\n".encode(), content_type="text/plain")
        elif path.startswith("/s/"):
            self.secret_route(app, path.split("/")[2])
        else:
            self.send(404, b"no such route\n", content_type="text/plain")

    def secret_route(self, app: CalendarServer, mode: str) -> None:
        if mode.isdigit():
            self.send(int(mode), b"no\n", content_type="text/plain",
                      headers={"Retry-After": "60"} if mode in ("429", "503") else None)
        elif mode == "html":
            self.send(200, HTML, content_type="text/html")
        elif mode == "garbage":
            self.send(200, b"nope\n", content_type="text/plain")
        elif mode == "loop":
            self.redirect(self.path)  # the whole secret path and query, again
        elif mode == "slow":
            app.release.wait(10)
            self.send(200, calendar())
        elif mode == "huge":
            self.stream_huge(declared=False)
        elif mode == "ok":
            self.send(200, calendar("Secret"), headers={"ETag": ETAG})
        else:
            self.send(404, b"unknown mode\n", content_type="text/plain")


class _Server(ThreadingHTTPServer):
    daemon_threads = False
    block_on_close = True  # server_close() joins every handler thread: nothing outlives a test

    def __init__(self, app: CalendarServer, tls: ssl.SSLContext | None) -> None:
        self.app = app
        super().__init__(("127.0.0.1", 0), _Handler)
        if tls is not None:
            self.socket = tls.wrap_socket(self.socket, server_side=True)

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that hung up early is part of these tests, not a failure


class CalendarServer:
    """The running server: its address, request counts and headers, and a stop switch."""

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self.release = threading.Event()
        self.huge_size = 256 * 1024
        self.switch = "ok"
        self._lock = threading.Lock()
        self._counts: Counter[str] = Counter()
        self._headers: dict[str, list[Message]] = {}
        self._server = _Server(self, tls)
        host, port = self._server.server_address[:2]
        self.port = int(port)
        self.base_url = f"{'https' if tls else 'http'}://{host}:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        self._stopped = False

    def url(self, path: str) -> str:
        return self.base_url + path

    def record(self, path: str, headers: Message) -> None:
        with self._lock:
            self._counts[path] += 1
            self._headers.setdefault(path, []).append(headers)

    def count(self, path: str) -> int:
        with self._lock:
            return self._counts[path]

    def headers(self, path: str) -> list[Message]:
        """The headers of every request to ``path``, oldest first."""
        with self._lock:
            return list(self._headers.get(path, []))

    def stop(self) -> None:
        """Release the slow routes, stop serving and close the port (idempotent)."""
        if self._stopped:
            return
        self._stopped = True
        self.release.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)


# -- TLS: a throw-away CA and a certificate for 127.0.0.1 ---------------------------------------


def make_certificates(folder: Path) -> tuple[Path, Path, Path]:
    """(CA certificate, server certificate, server key) as PEM files in ``folder``.

    Needs the ``cryptography`` package (callers skip when it is missing).
    """
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = datetime.now(UTC)
    validity = (now - timedelta(days=1), now + timedelta(days=30))
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "microapp test CA")])
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name).issuer_name(ca_name)
        .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(validity[0]).not_valid_after(validity[1])
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                     content_commitment=False, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False,
                                     encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()),
                       critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(validity[0]).not_valid_after(validity[1])
        .add_extension(x509.SubjectAlternativeName(
            [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                       critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    folder.mkdir(parents=True, exist_ok=True)
    ca_path, cert_path, key_path = folder / "ca.pem", folder / "server.pem", folder / "key.pem"
    ca_path.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return ca_path, cert_path, key_path


def tls_context(cert_path: Path, key_path: Path) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_path, key_path)
    return context


@contextlib.contextmanager
def running(tls: ssl.SSLContext | None = None) -> Any:
    server = CalendarServer(tls)
    try:
        yield server
    finally:
        server.stop()
