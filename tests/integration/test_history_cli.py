"""`microapp export` and `microapp import`: through ``microapp.cli.main`` with profiles in
temporary folders and a hand-set clock, plus one real process for standard output."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import stat
import subprocess
import sys
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

import microapp.core.clock
import microapp.history_cli
from microapp.cli import main
from microapp.core.paths import Profile
from microapp.store.db import open_store
from microapp.store.history import History
from microapp.store.migrations import LATEST_VERSION
from tests.helpers import FakeClock

BERLIN = ZoneInfo("Europe/Berlin")
LISBON = ZoneInfo("Europe/Lisbon")
NOW = datetime(2026, 3, 20, 21, 0, tzinfo=BERLIN)
SENTENCE = 'Danke, Jürgen — your "five-minute" fix\nsaved the demo, 👏.'
ISO_WITH_OFFSET = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{6})?[+-]\d{2}:\d{2}$"


pytestmark = pytest.mark.usefixtures("restore_logging")  # tests/integration/conftest.py


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    """`export`, `import` and `status` all read this clock instead of the system's."""
    fake = FakeClock(NOW)
    monkeypatch.setattr(microapp.history_cli, "SystemClock", lambda: fake)
    monkeypatch.setattr(microapp.core.clock, "SystemClock", lambda: fake)
    return fake


Cli = Callable[..., tuple[int, str, str]]


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], clock: FakeClock) -> Cli:
    def run(home: Path, *args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        try:
            code = main(["--profile", str(home), *args])
        except SystemExit as exc:
            code = int(exc.code or 0)
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.fixture
def full(tmp_path: Path, clock: FakeClock) -> Path:
    """A profile with three weeks of pauses and sentences (a move to Lisbon on the way, a
    missed day) and today's pauses."""
    home = tmp_path / "full"
    opened = open_store(Profile.under(home).database_path, clock.now())
    history = History(opened.db)
    for d in range(20, -1, -1):
        zone = BERLIN if d > 7 else LISBON
        day = (NOW - timedelta(days=d)).astimezone(zone)
        if d == 12:
            history.record_pause(day.replace(hour=10), "missed", None, "Review")
            continue
        history.record_pause(day.replace(hour=9), "completed", ("notice", "listen")[d % 2],
                             f"Stand-up, day {d}")
        history.record_pause(day.replace(hour=14), "skipped")
        if d % 3:
            history.add_gratitude(day.replace(hour=20), "Jürgen", f"{SENTENCE} ({d})",
                                  "colleague")
    history.close()
    return home


def status_json(cli: Cli, home: Path) -> dict:
    code, out, err = cli(home, "status", "--json")
    assert code == 0, err
    return json.loads(out)


def count(home: Path) -> tuple[int, int]:
    opened = open_store(Profile.under(home).database_path, NOW)
    try:
        return tuple(opened.db.execute_sql(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
                     for t in ("pause_event", "gratitude_entry"))
    finally:
        opened.db.close()


def test_export_json_on_stdout_matches_the_contract(cli: Cli, full: Path) -> None:
    code, out, err = cli(full, "export")
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert list(data) == ["schema", "pauses", "gratitude"] and data["schema"] == LATEST_VERSION
    assert len(data["pauses"]) == 41 and len(data["gratitude"]) == 14
    for pause in data["pauses"]:
        assert list(pause) == ["at", "tz", "day", "outcome", "intention", "meeting"]
        assert all(isinstance(pause[k], str) for k in ("at", "tz", "day", "outcome"))
        assert pause["intention"] is None or isinstance(pause["intention"], str)
        offset = datetime.fromisoformat(pause["at"]).utcoffset()
        assert offset == datetime.fromisoformat(pause["at"]).astimezone(
            ZoneInfo(pause["tz"])).utcoffset()
    for entry in data["gratitude"]:
        assert list(entry) == ["at", "tz", "day", "recipient", "relationship", "text",
                               "sent_via", "backfilled"]
        assert isinstance(entry["backfilled"], bool)
    assert all(re.match(ISO_WITH_OFFSET, p["at"]) for p in data["pauses"])
    assert {p["at"][-6:] for p in data["pauses"]} == {"+01:00", "+00:00"}  # Berlin, Lisbon
    ats = [datetime.fromisoformat(p["at"]) for p in data["pauses"]]
    assert ats == sorted(ats)
    assert data["gratitude"][0]["text"].startswith(SENTENCE)


def test_export_to_a_file_is_private_and_replaces_an_old_one(cli: Cli, full: Path,
                                                              tmp_path: Path) -> None:
    target = tmp_path / "out" / "history.csv"
    target.parent.mkdir()
    target.write_text("an older export")
    code, out, err = cli(full, "export", "--format", "csv", "--output", str(target))
    assert (code, err) == (0, "")
    assert out == f"Exported 41 pauses and 14 sentences to {target}.\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert [p.name for p in target.parent.iterdir()] == ["history.csv"]  # no temp left
    rows = list(csv.DictReader(io.StringIO(target.read_text("utf-8-sig"), newline="")))
    assert len(rows) == 55 and {r["kind"] for r in rows} == {"pause", "gratitude"}


def test_export_to_a_missing_folder_is_bad_input(cli: Cli, full: Path, tmp_path: Path) -> None:
    code, out, err = cli(full, "export", "--output", str(tmp_path / "nope" / "x.json"))
    assert code == 2 and out == ""
    assert err.strip().splitlines() == [
        f"microapp: --output {tmp_path / 'nope' / 'x.json'}: the folder "
        f"{tmp_path / 'nope'} does not exist"]


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_export_then_import_into_an_empty_profile_gives_the_same_status(
        cli: Cli, full: Path, tmp_path: Path, fmt: str) -> None:
    path = tmp_path / f"history.{fmt}"
    assert cli(full, "export", "--format", fmt, "--output", str(path))[0] == 0
    empty = tmp_path / "empty"
    code, out, err = cli(empty, "import", str(path))
    assert (code, err) == (0, "")
    assert out == "Imported 41 pauses and 14 sentences.\n"
    before = status_json(cli, full)
    assert before["streaks"]["pause"]["current"] > 0 and before["today"]["pauses"]
    assert status_json(cli, empty) == before
    again = tmp_path / f"again.{fmt}"
    cli(empty, "export", "--format", fmt, "--output", str(again))
    assert again.read_bytes() == path.read_bytes()  # every sentence survived, byte for byte


def test_importing_twice_adds_nothing(cli: Cli, full: Path, tmp_path: Path) -> None:
    path = tmp_path / "history.json"
    cli(full, "export", "--output", str(path))
    code, out, _ = cli(full, "import", str(path))
    assert (code, out) == (0, "Imported 0 pauses and 0 sentences (55 were already there).\n")
    assert count(full) == (41, 14)


def test_one_bad_row_imports_nothing_and_names_the_row_and_field(cli: Cli, full: Path,
                                                                 tmp_path: Path) -> None:
    path = tmp_path / "history.csv"
    cli(full, "export", "--format", "csv", "--output", str(path))
    records = path.read_bytes().decode("utf-8-sig").split("\r\n")
    assert records[3].startswith("gratitude,") and "\n" in records[3]  # lines 4 and 5
    assert records[4].startswith("pause,")  # so this record starts on line 6
    records[4] = records[4].replace(",completed,", ",finished,")
    path.write_bytes("\r\n".join(records).encode("utf-8"))
    empty = tmp_path / "empty"
    code, out, err = cli(empty, "import", str(path))
    assert (code, out) == (2, "")
    assert err.strip().splitlines() == [
        f'microapp: {path}: line 6, field "outcome": "finished" is not one of completed, '
        "skipped, suppressed, missed; nothing was imported"]
    assert count(empty) == (0, 0)


def test_several_problems_are_one_line_with_a_count(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"schema": 1, "pauses": [
        {"at": "2026-03-10T09:00", "tz": "Nowhere", "day": "x", "outcome": "completed"}]}))
    code, _, err = cli(tmp_path / "p", "import", str(path))
    assert code == 2
    assert err.strip().splitlines() == [
        f'microapp: {path}: pauses[1], field "at": "2026-03-10T09:00" has no UTC offset '
        "(e.g. +01:00) (and 2 more problems); nothing was imported"]


@pytest.mark.parametrize(("content", "reason"), [
    (None, "cannot read"), (b"\xff\xfe\x00garbage", "not UTF-8"), (b"", "the file is empty"),
])
def test_a_file_that_cannot_be_read_is_bad_input(cli: Cli, tmp_path: Path,
                                                 content: bytes | None, reason: str) -> None:
    path = tmp_path / "in.json"
    if content is not None:
        path.write_bytes(content)
    code, out, err = cli(tmp_path / "p", "import", str(path))
    assert (code, out) == (2, "")
    assert len(err.strip().splitlines()) == 1 and reason in err


def test_export_on_a_damaged_history_is_one_clear_error(cli: Cli, tmp_path: Path) -> None:
    home = tmp_path / "p"
    profile = Profile.under(home)
    profile.data_dir.mkdir(parents=True)
    profile.database_path.write_bytes(b"not a database " * 100)
    code, out, err = cli(home, "export")
    assert (code, out) == (1, "")
    assert "cannot be read" in err and len(err.strip().splitlines()) == 1
    assert profile.database_path.read_bytes() == b"not a database " * 100


def test_a_real_process_writes_utf8_csv_to_stdout(full: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["PYTHONIOENCODING"] = "ascii"  # a terminal that cannot show é must not break export
    done = subprocess.run([sys.executable, "-m", "microapp", "--profile", str(full), "export",
                           "--format", "csv"], capture_output=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(b"\xef\xbb\xbfkind,at,")
    text = done.stdout.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert any(r["text"].startswith(SENTENCE) for r in rows)


def test_import_into_an_unwritable_profile_keeps_nothing_in_memory(cli: Cli, full: Path,
                                                                    tmp_path: Path) -> None:
    path = tmp_path / "history.json"
    cli(full, "export", "--output", str(path))
    blocked = tmp_path / "blocked"
    blocked.mkdir()
    (blocked / "data").write_text("a file where the data folder should be")
    code, out, err = cli(blocked, "import", str(path))
    assert (code, out) == (1, "")
    assert "cannot write its history folder" in err and "Nothing was imported." in err
    assert len(err.strip().splitlines()) == 1
