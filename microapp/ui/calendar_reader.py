"""One calendar read at a time, in a child process (:mod:`microapp.calendar_child`): the
request goes in on standard input, the answer comes back on standard output, the child's log
lines are relayed into ours. Never blocks the UI thread while a read runs."""

from __future__ import annotations

import logging
import pickle

from PySide6.QtCore import QObject, QProcess, QTimer, Signal

from microapp.calendar_child import (
    ChildRequest,
    child_command,
    child_directory,
    load_answer,
    relay_log_lines,
)

log = logging.getLogger("microapp.ui.calendar_service")  # one logger for calendar reading


class CalendarWorker(QObject):
    """Runs one calendar read at a time in a child process; answers with :attr:`done` (the
    child's :class:`~microapp.calendar_child.ChildAnswer`) or :attr:`failed` (why there is
    none, one short phrase)."""

    done = Signal(object)  # ChildAnswer
    failed = Signal(str)

    #: The longest a read may take: network sources, each allowed its own timeouts, in turn.
    TIMEOUT_MS = 5 * 60 * 1000
    #: How long a stopped read gets to leave cleanly before it is killed.
    STOP_WAIT_MS = 2000
    #: The reader's command line; None: this program with the hidden argument (tests swap it).
    COMMAND: list[str] | None = None

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._process: QProcess | None = None
        self._timed_out = False
        self._timer = QTimer(self, singleShot=True)
        self._timer.timeout.connect(self._on_timeout)

    @property
    def busy(self) -> bool:
        return self._process is not None

    def run(self, request: ChildRequest) -> None:
        """Start one read (the caller waits for the answer before asking again)."""
        if self._process is not None:
            raise RuntimeError("a calendar read is already running")
        data = pickle.dumps(request, protocol=pickle.HIGHEST_PROTOCOL)
        command = self.COMMAND or child_command()
        process = QProcess(self)
        process.setProgram(command[0])
        process.setArguments(command[1:])
        folder = child_directory()
        if folder is not None:
            process.setWorkingDirectory(folder)
        process.finished.connect(self._on_finished)
        process.errorOccurred.connect(self._on_error)
        self._process = process
        self._timed_out = False
        process.start()
        process.write(data)
        process.closeWriteChannel()
        self._timer.start(self.TIMEOUT_MS)

    def stop(self) -> None:
        """End a read under way (idempotent); no signal follows."""
        self._timer.stop()
        process, self._process = self._process, None
        if process is None:
            return
        process.finished.disconnect(self._on_finished)
        process.errorOccurred.disconnect(self._on_error)
        if process.state() != QProcess.ProcessState.NotRunning:
            process.terminate()
            if not process.waitForFinished(self.STOP_WAIT_MS):
                process.kill()
                process.waitForFinished(self.STOP_WAIT_MS)
        relay_log_lines(bytes(process.readAllStandardError().data()), log)
        process.deleteLater()

    def _on_timeout(self) -> None:
        if self._process is not None:
            self._timed_out = True
            self._process.kill()  # finished follows

    def _on_error(self, error: QProcess.ProcessError) -> None:
        if error == QProcess.ProcessError.FailedToStart and self._process is not None:
            process, self._process = self._process, None
            self._timer.stop()
            reason = process.errorString()
            process.deleteLater()
            self.failed.emit(f"the calendar reader could not be started ({reason})")

    def _on_finished(self, code: int, status: QProcess.ExitStatus) -> None:
        process, self._process = self._process, None
        self._timer.stop()
        if process is None:
            return
        out = bytes(process.readAllStandardOutput().data())
        relay_log_lines(bytes(process.readAllStandardError().data()), log)
        process.deleteLater()
        if self._timed_out:
            minutes = self.TIMEOUT_MS / 60_000
            self.failed.emit(f"reading took longer than {minutes:g} minutes and was stopped")
        elif status == QProcess.ExitStatus.CrashExit:
            self.failed.emit("the calendar reader stopped unexpectedly")
        elif code != 0:
            self.failed.emit(f"the calendar reader ended with an error (exit status {code}; "
                             "the log has the details)")
        else:
            try:
                answer = load_answer(out)
            except ValueError as exc:
                self.failed.emit(f"the calendar reader's answer was unusable: {exc}")
            else:
                self.done.emit(answer)
