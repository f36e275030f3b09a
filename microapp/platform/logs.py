"""Logging to a rotating, private file in the log folder, with secrets redacted."""

from __future__ import annotations

import contextlib
import logging
import logging.handlers
import os
from pathlib import Path

from microapp.core.redact import redact

MAX_BYTES = 512 * 1024
BACKUPS = 3
FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"


class RedactingFilter(logging.Filter):
    """Rewrites every record so no calendar token or password reaches a log line."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = ()
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """Every log file, the rotated ones too, is readable by the user alone."""

    def _open(self):
        stream = super()._open()
        with contextlib.suppress(OSError):
            os.chmod(self.baseFilename, 0o600)
        return stream


def setup_logging(log_path: Path, level: int = logging.INFO) -> str | None:
    """Log to ``log_path``; returns a problem message when only stderr could be used."""
    root = logging.getLogger()
    root.setLevel(level)
    for handler in list(root.handlers):
        if getattr(handler, "_microapp", False):
            root.removeHandler(handler)
            handler.close()
    problem = None
    handler: logging.Handler
    try:
        log_path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(log_path, os.O_CREAT | os.O_APPEND | os.O_WRONLY, 0o600)
        os.close(fd)
        handler = PrivateRotatingFileHandler(
            log_path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8")
    except OSError as exc:
        handler = logging.StreamHandler()
        problem = f"cannot write the log file {log_path} ({exc.strerror or exc}); logging to stderr"
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.addFilter(RedactingFilter())
    handler._microapp = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    return problem
