"""`microapp export` and `microapp import`: the whole history as JSON or CSV, and back.

Export writes to standard output, or atomically to ``--output`` (a temporary file beside it,
renamed when complete, readable only by the user: the history is private). Import checks the
whole file before writing anything; one bad row means nothing is imported and exit status 2.
"""

from __future__ import annotations

import contextlib
import io
import os
import sqlite3
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

from peewee import PeeweeException as PeeweeError

from microapp.cli import EXIT_BAD_INPUT, EXIT_FAILURE, CliError
from microapp.core.clock import SystemClock
from microapp.core.paths import Profile
from microapp.store.db import OpenedStore, StoreError, open_store
from microapp.store.exchange import ExchangeError, import_batch, read_export, write_csv, write_json

WRITERS = {"json": write_json, "csv": write_csv}


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


@contextlib.contextmanager
def _store(profile: Profile, *, repair: bool) -> Iterator[OpenedStore]:
    try:
        opened = open_store(profile.database_path, SystemClock().now(), repair=repair)
    except StoreError as exc:
        raise CliError(str(exc)) from exc
    try:
        yield opened
    finally:
        opened.db.close()


@contextlib.contextmanager
def _stdout_text() -> Iterator[IO[str]]:
    """Standard output as UTF-8 text whatever the terminal's encoding, with no newline
    translation (CSV rows end in CRLF by design)."""
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:  # replaced by a plain text stream (embedding, some test harnesses)
        yield sys.stdout
        return
    sys.stdout.flush()
    stream = io.TextIOWrapper(buffer, encoding="utf-8", newline="")
    try:
        yield stream
        stream.flush()
    finally:
        stream.detach()  # leave sys.stdout's buffer open


def _silence_stdout() -> None:
    """Point stdout at the null device, so the interpreter's final flush into a closed pipe
    does not print a traceback."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


def _write_atomically(target: Path, write: Callable[[IO[str]], tuple[int, int]]) -> tuple[int, int]:
    folder = target.parent
    if not folder.is_dir():
        raise CliError(f"--output {target}: the folder {folder} does not exist", EXIT_BAD_INPUT)
    if target.is_dir():
        raise CliError(f"--output {target}: is a folder", EXIT_BAD_INPUT)
    fd, temp_name = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".tmp")
    temp = Path(temp_name)  # mkstemp makes it 0600: an export is as private as the history
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as stream:
            counts = write(stream)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return counts


def cmd_export(profile: Profile, fmt: str, output: str | None) -> int:
    """Write the whole history as ``fmt`` ("json" or "csv") to stdout or ``output``."""
    write = WRITERS.get(fmt)
    if write is None:
        raise CliError(f"unknown export format {fmt!r} (use json or csv)", EXIT_BAD_INPUT)
    with _store(profile, repair=False) as opened:
        db = opened.db
        if output is None:
            try:
                with _stdout_text() as stream:
                    write(db, stream)
            except BrokenPipeError:  # `microapp export | head`: the reader has had enough
                _silence_stdout()
                return EXIT_FAILURE
            return 0
        target = Path(output).expanduser()
        try:
            pauses, sentences = _write_atomically(target, lambda stream: write(db, stream))
        except OSError as exc:
            raise CliError(f"cannot write {target}: {exc.strerror or exc}") from exc
    print(f"Exported {_plural(pauses, 'pause', 'pauses')} and "
          f"{_plural(sentences, 'sentence', 'sentences')} to {target}.")
    return 0


def cmd_import(profile: Profile, path: str) -> int:
    """Merge the export file at ``path`` into the history; nothing at all on any problem."""
    try:
        batch = read_export(Path(path).expanduser())
    except ExchangeError as exc:
        raise CliError(f"{path}: {exc.one_line()}; nothing was imported",
                       EXIT_BAD_INPUT) from exc
    with _store(profile, repair=True) as opened:
        if not opened.persistent:  # the in-memory stand-in would forget it all at exit
            raise CliError(f"{opened.problem} Nothing was imported.")
        if opened.problem:
            print(f"microapp: {opened.problem}", file=sys.stderr)
        try:
            result = import_batch(opened.db, batch)
        except (PeeweeError, sqlite3.Error) as exc:  # e.g. busy for longer than the timeout
            raise CliError(f"the history could not be written ({exc}); nothing was "
                           "imported") from exc
    already = result.already_there
    note = f" ({already} {'was' if already == 1 else 'were'} already there)" if already else ""
    print(f"Imported {_plural(result.added_pauses, 'pause', 'pauses')} and "
          f"{_plural(result.added_gratitude, 'sentence', 'sentences')}{note}.")
    return 0
