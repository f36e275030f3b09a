"""Slow work for the Calendars page — reading a source, the keyring — off the UI thread.

:class:`Jobs` runs a callable in the global :class:`QThreadPool` and hands its answer back on
the UI thread through :attr:`Jobs.finished`, once. A job that is abandoned (Cancel, the dialog
closed) keeps running to its end — a network read cannot be interrupted safely — but its answer
is dropped. The page never waits for a job: closing the window does not block on a slow server.

:class:`BusyLine` is what the user sees meanwhile: a moving bar, "Reading …" and, where the page
offers one, a Cancel button.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot
from PySide6.QtWidgets import QHBoxLayout, QProgressBar, QPushButton, QSizePolicy, QWidget

from microapp.ui.labels import plain_label

log = logging.getLogger(__name__)


class _Relay(QObject):
    """Lives on the UI thread for the whole run; a worker emits through it, so the answer
    arrives queued. One for all pages: it must never be deleted from a worker thread, which
    a relay owned by a closed dialog could be."""

    done = Signal(int, object)  # ticket, result (or the exception the work raised)


_relay: _Relay | None = None


def _the_relay() -> _Relay:
    global _relay
    if _relay is None:
        _relay = _Relay()  # on the UI thread: Jobs are made there
    return _relay


class _Job(QRunnable):
    def __init__(self, ticket: int, work: Callable[[], Any], relay: _Relay) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._ticket = ticket
        self._work = work
        self._relay = relay

    def run(self) -> None:
        try:
            result: Any = self._work()
        except Exception as exc:  # reported to the page, never lost silently
            log.exception("a calendar settings job failed")
            result = exc
        with contextlib.suppress(RuntimeError):  # the app is shutting down
            self._relay.done.emit(self._ticket, result)


class Jobs(QObject):
    """See the module docstring."""

    finished = Signal(int, object)  # ticket, result or exception; never for abandoned tickets

    _tickets = itertools.count(1)

    def __init__(self, parent: QObject | None = None, pool: QThreadPool | None = None) -> None:
        super().__init__(parent)
        self._pool = pool or QThreadPool.globalInstance()
        self._relay = _the_relay()
        self._relay.done.connect(self._deliver)  # undone by Qt when this object goes
        self._waiting: set[int] = set()

    def start(self, work: Callable[[], Any]) -> int:
        ticket = next(self._tickets)
        self._waiting.add(ticket)
        self._pool.start(_Job(ticket, work, self._relay))
        return ticket

    def abandon(self, ticket: int | None) -> None:
        if ticket is not None:
            self._waiting.discard(ticket)

    def waiting(self, ticket: int | None) -> bool:
        return ticket is not None and ticket in self._waiting

    @Slot(int, object)
    def _deliver(self, ticket: int, result: object) -> None:
        if ticket in self._waiting:
            self._waiting.discard(ticket)
            self.finished.emit(ticket, result)


class BusyLine(QWidget):
    """[moving bar] Reading https://example.com/… …  [Cancel]"""

    cancelled = Signal()

    def __init__(self, *, cancel: bool = True, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("BusyLine")
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(8)
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)  # busy: no percentage to promise
        self.bar.setTextVisible(False)
        self.bar.setMaximumWidth(self.fontMetrics().horizontalAdvance("M") * 6)
        self.bar.setAccessibleName("Reading")
        self.text = plain_label("", "BusyText")
        self.text.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        row.addWidget(self.bar)
        row.addWidget(self.text, 1)
        self.cancel_button: QPushButton | None = None
        if cancel:
            self.cancel_button = QPushButton("Cancel")
            self.cancel_button.setToolTip("Stop waiting; nothing from this reading is kept.")
            self.cancel_button.clicked.connect(self.cancelled)
            row.addWidget(self.cancel_button)
        self.setVisible(False)

    def start(self, text: str) -> None:
        self.text.setText(text)
        self.text.setToolTip(text)
        self.setVisible(True)

    def stop(self) -> None:
        self.setVisible(False)
