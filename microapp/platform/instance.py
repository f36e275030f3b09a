"""One microapp per user and profile.

The first launch listens on a local socket private to the user; a later launch hands its
command ("show", "pause") to it and exits. A socket left behind by a killed instance is
detected (nobody answers) and replaced.

On Linux and the BSDs/macOS this is a plain Unix socket in the temporary folder, handled with
Python's :mod:`socket` and one :class:`QSocketNotifier`: the same path and the same one-line
protocol as Qt's QLocalServer/QLocalSocket (older launches and this one understand each
other), without loading QtNetwork into the tray process (over 3 MiB resident, and several
milliseconds before the tray icon can show). On Windows (named pipes) QtNetwork does it.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import sys
import tempfile
from typing import Any

from PySide6.QtCore import QObject, QSocketNotifier, Signal

log = logging.getLogger(__name__)

COMMANDS = ("show", "pause", "gratitude", "refresh")
ANSWER_OK = b"ok\n"
_POSIX = not sys.platform.startswith("win")
_MAX_LINE = 256  # nothing we accept is that long


def socket_path(key: str) -> str:
    """Where QLocalServer (and this module) put the socket for a plain name."""
    return os.path.join(tempfile.gettempdir(), key)


def may_be_running(key: str) -> bool:
    """False when surely no instance listens on ``key`` (no socket file), without touching Qt.
    Elsewhere (named pipes) there is nothing to look at, so the answer is "maybe"."""
    if not _POSIX:
        return True
    return os.path.exists(socket_path(key))


def send_command(key: str, command: str, timeout_ms: int = 3000) -> bool:
    """Hand ``command`` to the running instance. False when none is running (or answers)."""
    if command not in COMMANDS:
        raise ValueError(f"unknown instance command {command!r}")
    if not _POSIX:
        return _send_with_qt(key, command, timeout_ms)
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
            conn.settimeout(timeout_ms / 1000)
            conn.connect(socket_path(key))
            conn.sendall(command.encode() + b"\n")
            answer = b""
            while not answer.endswith(b"\n") and len(answer) <= _MAX_LINE:
                chunk = conn.recv(64)
                if not chunk:
                    return False
                answer += chunk
            return answer == ANSWER_OK
    except OSError:  # nobody listens, refused, timed out
        return False


def _send_with_qt(key: str, command: str, timeout_ms: int) -> bool:
    from PySide6.QtCore import QByteArray
    from PySide6.QtNetwork import QLocalSocket

    conn = QLocalSocket()
    conn.connectToServer(key)
    if not conn.waitForConnected(timeout_ms):
        return False
    try:
        conn.write(QByteArray(command.encode() + b"\n"))
        if not conn.waitForBytesWritten(timeout_ms):
            return False
        answer = b""
        while not answer.endswith(b"\n"):
            if not conn.waitForReadyRead(timeout_ms):
                return False
            answer += bytes(conn.readAll().data())
        return answer == ANSWER_OK
    finally:
        conn.disconnectFromServer()


class InstanceServer(QObject):
    """Listens for commands from later launches; emits :attr:`command_received`."""

    command_received = Signal(str)

    PROBE_MS = 500

    def __init__(self, key: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.key = key
        self.path = socket_path(key) if _POSIX else key
        self._listener: socket.socket | None = None
        self._notifier: QSocketNotifier | None = None
        self._clients: dict[int, tuple[socket.socket, QSocketNotifier, bytes]] = {}
        self._qt: Any = None  # QLocalServer on Windows

    def listen(self) -> bool:
        """Start listening, replacing a stale socket nobody answers on; never a live one."""
        if not _POSIX:
            return self._listen_with_qt()
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
            probe.settimeout(self.PROBE_MS / 1000)
            try:
                probe.connect(self.path)
            except OSError:
                pass  # nobody answers: the name is free (or stale)
            else:
                log.error("another microapp already answers for this profile")
                return False
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)
            log.debug("cleared the instance socket name (stale after a killed microapp)")
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        mask = os.umask(0o177)  # the socket file is the user's alone from its first moment
        try:
            listener.bind(self.path)
            listener.listen(8)
        except OSError as exc:
            listener.close()
            log.error("cannot listen for other launches: %s", exc.strerror or exc)
            return False
        finally:
            os.umask(mask)
        listener.setblocking(False)
        self._listener = listener
        self._notifier = QSocketNotifier(listener.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._accept)
        return True

    @property
    def listening(self) -> bool:
        if self._qt is not None:
            return bool(self._qt.isListening())
        return self._listener is not None

    def close(self) -> None:
        if self._qt is not None:
            self._qt.close()
            return
        for fd in list(self._clients):
            self._drop(fd)
        if self._listener is None:
            return
        if self._notifier is not None:
            self._notifier.setEnabled(False)
            self._notifier.deleteLater()
            self._notifier = None
        self._listener.close()
        self._listener = None
        with contextlib.suppress(OSError):
            os.unlink(self.path)

    # -- connections (POSIX) ---------------------------------------------------------------

    def _accept(self) -> None:
        while self._listener is not None:
            try:
                conn, _address = self._listener.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError as exc:
                log.warning("a launch could not connect: %s", exc.strerror or exc)
                return
            conn.setblocking(False)
            fd = conn.fileno()
            notifier = QSocketNotifier(fd, QSocketNotifier.Type.Read, self)
            notifier.activated.connect(lambda *_args, fd=fd: self._read(fd))
            self._clients[fd] = (conn, notifier, b"")

    def _drop(self, fd: int) -> None:
        conn, notifier, _data = self._clients.pop(fd)
        notifier.setEnabled(False)
        notifier.deleteLater()
        conn.close()

    def _read(self, fd: int) -> None:
        if fd not in self._clients:
            return
        conn, notifier, data = self._clients[fd]
        try:
            chunk = conn.recv(_MAX_LINE)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            self._drop(fd)
            return
        data += chunk
        if not chunk or len(data) > _MAX_LINE:
            self._drop(fd)
            return
        if b"\n" not in data:
            self._clients[fd] = (conn, notifier, data)
            return
        command = data.split(b"\n", 1)[0].decode("utf-8", "replace").strip()
        with contextlib.suppress(OSError):  # a few bytes into an empty buffer
            conn.send(ANSWER_OK if command in COMMANDS else b"unknown\n")
        self._drop(fd)
        if command in COMMANDS:
            self.command_received.emit(command)
        else:
            log.warning("ignored an unknown command from another launch")

    # -- Windows ---------------------------------------------------------------------------

    def _listen_with_qt(self) -> bool:
        from PySide6.QtNetwork import QLocalServer, QLocalSocket

        probe = QLocalSocket()
        probe.connectToServer(self.key)
        if probe.waitForConnected(self.PROBE_MS):
            probe.disconnectFromServer()
            log.error("another microapp already answers for this profile")
            return False
        QLocalServer.removeServer(self.key)
        self._qt = QLocalServer(self)
        self._qt.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self._qt.newConnection.connect(self._accept_qt)
        if self._qt.listen(self.key):
            return True
        log.error("cannot listen for other launches: %s", self._qt.errorString())
        return False

    def _accept_qt(self) -> None:
        from PySide6.QtCore import QByteArray

        while self._qt.hasPendingConnections():
            conn = self._qt.nextPendingConnection()
            buffer = [b""]

            def read(conn: Any = conn, buffer: list[bytes] = buffer) -> None:
                buffer[0] += bytes(conn.readAll().data())
                if len(buffer[0]) > _MAX_LINE:
                    conn.abort()
                    return
                if b"\n" not in buffer[0]:
                    return
                command = buffer[0].split(b"\n", 1)[0].decode("utf-8", "replace").strip()
                conn.write(QByteArray(ANSWER_OK if command in COMMANDS else b"unknown\n"))
                conn.flush()
                if command in COMMANDS:
                    self.command_received.emit(command)

            conn.readyRead.connect(read)
            conn.disconnected.connect(conn.deleteLater)
