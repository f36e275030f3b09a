"""One microapp per user and profile.

The first launch listens on a local socket private to the user; a later launch hands its
command ("show", "pause") to it and exits. A socket left behind by a killed instance is
detected (nobody answers) and replaced.
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile

from PySide6.QtCore import QByteArray, QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

log = logging.getLogger(__name__)

COMMANDS = ("show", "pause", "gratitude", "refresh")
ANSWER_OK = b"ok\n"


def may_be_running(key: str) -> bool:
    """False when surely no instance listens on ``key`` (no socket file), without touching Qt.

    On Unix QLocalServer puts a plain name's socket in the temporary folder. Elsewhere (named
    pipes) there is nothing to look at, so the answer is "maybe".
    """
    if sys.platform.startswith("win"):
        return True
    return os.path.exists(os.path.join(tempfile.gettempdir(), key))


def send_command(key: str, command: str, timeout_ms: int = 3000) -> bool:
    """Hand ``command`` to the running instance. False when none is running (or answers)."""
    if command not in COMMANDS:
        raise ValueError(f"unknown instance command {command!r}")
    socket = QLocalSocket()
    socket.connectToServer(key)
    if not socket.waitForConnected(timeout_ms):
        return False
    try:
        socket.write(QByteArray(command.encode() + b"\n"))
        if not socket.waitForBytesWritten(timeout_ms):
            return False
        answer = b""
        while not answer.endswith(b"\n"):
            if not socket.waitForReadyRead(timeout_ms):
                return False
            answer += bytes(socket.readAll().data())
        return answer == ANSWER_OK
    finally:
        socket.disconnectFromServer()


class InstanceServer(QObject):
    """Listens for commands from later launches; emits :attr:`command_received`."""

    command_received = Signal(str)

    def __init__(self, key: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.key = key
        self._server = QLocalServer(self)
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self._server.newConnection.connect(self._accept)
        self._buffers: dict[QLocalSocket, bytes] = {}

    PROBE_MS = 500

    def listen(self) -> bool:
        """Start listening, replacing a stale socket nobody answers on.

        Qt's private sockets (UserAccessOption) are created aside and renamed into place,
        which would silently take over a live instance's name; so ask first whether someone
        answers, and only then clear the name.
        """
        probe = QLocalSocket()
        probe.connectToServer(self.key)
        if probe.waitForConnected(self.PROBE_MS):
            probe.disconnectFromServer()
            log.error("another microapp already answers for this profile")
            return False
        if QLocalServer.removeServer(self.key):
            log.debug("cleared the instance socket name (stale after a killed microapp)")
        if self._server.listen(self.key):
            return True
        log.error("cannot listen for other launches: %s", self._server.errorString())
        return False

    @property
    def listening(self) -> bool:
        return self._server.isListening()

    def close(self) -> None:
        self._server.close()

    def _accept(self) -> None:
        while self._server.hasPendingConnections():
            socket = self._server.nextPendingConnection()
            self._buffers[socket] = b""
            socket.readyRead.connect(lambda s=socket: self._read(s))
            socket.disconnected.connect(lambda s=socket: self._forget(s))

    def _forget(self, socket: QLocalSocket) -> None:
        self._buffers.pop(socket, None)
        socket.deleteLater()

    def _read(self, socket: QLocalSocket) -> None:
        data = self._buffers.get(socket, b"") + bytes(socket.readAll().data())
        if len(data) > 256:  # nothing we accept is that long
            socket.abort()
            return
        self._buffers[socket] = data
        if b"\n" not in data:
            return
        command = data.split(b"\n", 1)[0].decode("utf-8", "replace").strip()
        if command in COMMANDS:
            socket.write(QByteArray(ANSWER_OK))
            socket.flush()
            self.command_received.emit(command)
        else:
            socket.write(QByteArray(b"unknown\n"))
            socket.flush()
            log.warning("ignored an unknown command from another launch")
