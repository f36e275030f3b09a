"""`microapp gratitude`: through ``microapp.cli.main`` with a profile in a temporary folder and a
hand-set clock, plus one real process on the real clock."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

import microapp.core.clock
import microapp.gratitude_cli
from microapp.cli import main
from microapp.core.paths import Profile
from microapp.store.db import open_store
from microapp.store.history import History
from tests.helpers import FakeClock

BERLIN = ZoneInfo("Europe/Berlin")


def berlin(month: int, day: int, hh: int, mm: int = 0) -> datetime:
    return datetime(2026, month, day, hh, mm, tzinfo=BERLIN)


pytestmark = pytest.mark.usefixtures("restore_logging")  # tests/integration/conftest.py


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    """Both `gratitude` and `status` read this clock instead of the system's."""
    fake = FakeClock(berlin(3, 10, 21))
    monkeypatch.setattr(microapp.gratitude_cli, "SystemClock", lambda: fake)
    monkeypatch.setattr(microapp.core.clock, "SystemClock", lambda: fake)
    return fake


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "profile"


Cli = Callable[..., tuple[int, str, str]]


@pytest.fixture
def cli(home: Path, capsys: pytest.CaptureFixture[str]) -> Cli:
    def run(*args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        try:
            code = main(["--profile", str(home), *args])
        except SystemExit as exc:  # argparse's own errors (still exit 2, one line)
            code = int(exc.code or 0)
        out, err = capsys.readouterr()
        return code, out, err

    return run


def stored(home: Path) -> list[tuple]:
    path = Profile.under(home).database_path
    if not path.exists():
        return []
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT day, recipient, relationship, text, backfilled "
                            "FROM gratitude_entry ORDER BY id").fetchall()
    finally:
        conn.close()


def gratitude_streak(cli: Cli) -> dict[str, object]:
    code, out, err = cli("status", "--json")
    assert code == 0, err
    return json.loads(out)["streaks"]["gratitude"]


def write_settings(home: Path, text: str) -> None:
    path = Profile.under(home).settings_path
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


# --- saving -----------------------------------------------------------------------------------


def test_a_sentence_is_saved_and_the_streak_begins(cli: Cli, home: Path, clock: FakeClock) -> None:
    assert gratitude_streak(cli)["current"] == 0
    code, out, err = cli("gratitude", "--to", "Sam", "--relationship", "Colleague",
                         "You", "save", "me", "a", "seat.")
    assert (code, err) == (0, "")
    assert out == "Saved for Tue 10 Mar: to Sam (colleague).\n"
    assert stored(home) == [("2026-03-10", "Sam", "colleague", "You save me a seat.", 0)]
    assert gratitude_streak(cli)["current"] == 1


def test_half_past_midnight_counts_for_the_evening_before(cli: Cli, home: Path,
                                                          clock: FakeClock) -> None:
    clock.set(berlin(3, 11, 0, 30))
    code, out, _ = cli("gratitude", "--to", "Mum", "You ring on Sundays.")
    assert code == 0
    assert out == "Saved for Tue 10 Mar: to Mum.\n"
    assert stored(home)[0][0] == "2026-03-10"


def test_unicode_round_trips(cli: Cli, home: Path, clock: FakeClock) -> None:
    text = "Zoë, you make the café feel like home 🙏 — 谢谢"
    code, out, _ = cli("gratitude", "--to", "李雷", "--relationship", "neighbor", text)
    assert code == 0
    assert out == "Saved for Tue 10 Mar: to 李雷 (neighbour).\n"
    opened = open_store(Profile.under(home).database_path, clock.now())
    history = History(opened.db)
    try:
        assert [g.text for g in history.gratitude_for("李雷")] == [text]
    finally:
        history.close()


# --- yesterday --------------------------------------------------------------------------------


def test_yesterday_until_the_evening_invitation(cli: Cli, home: Path, clock: FakeClock) -> None:
    clock.set(berlin(3, 10, 9))
    code, out, _ = cli("gratitude", "--yesterday", "--to", "Mum", "You ring on Sundays.")
    assert code == 0
    assert out == "Saved for Mon 9 Mar (filled in afterwards): to Mum.\n"
    assert stored(home) == [("2026-03-09", "Mum", None, "You ring on Sundays.", 1)]
    assert gratitude_streak(cli)["current"] == 1  # yesterday done, today still open


def test_yesterday_is_closed_once_the_invitation_has_come(cli: Cli, home: Path,
                                                          clock: FakeClock) -> None:
    clock.set(berlin(3, 10, 20, 30))
    code, out, err = cli("gratitude", "--yesterday", "--to", "Mum", "You ring on Sundays.")
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("microapp: --yesterday")
    assert "Mon 9 Mar could be filled in until Tue 10 Mar 20:30" in lines[0]
    assert stored(home) == []


def test_the_window_follows_the_settings(cli: Cli, home: Path, clock: FakeClock) -> None:
    write_settings(home, '[evening]\nat = "22:00"\n')
    clock.set(berlin(3, 10, 21))
    assert cli("gratitude", "--yesterday", "--to", "Mum", "You ring.")[0] == 0
    write_settings(home, '[general]\nday_starts_at = "00:00"\n[evening]\nat = "00:30"\n')
    clock.set(berlin(3, 11, 0, 45))  # a new practice day whose invitation has come
    code, _, err = cli("gratitude", "--yesterday", "--to", "Mum", "You ring.")
    assert code == 2 and "until Wed 11 Mar 00:30" in err
    assert [row[0] for row in stored(home)] == ["2026-03-09"]


# --- bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize(("args", "words"), [
    (("--to", "Sam", "   "), "sentence is empty"),
    (("--to", "  ", "You save me a seat."), "needs a name"),
    (("--to", "Sam", "--relationship", "boss", "You save me a seat."),
     "friend, partner, colleague, family, neighbour, other"),
    (("You save me a seat.",), "--to"),
    (("--to", "Sam"), "TEXT"),
])
def test_bad_input_is_one_line_and_exit_2(cli: Cli, home: Path, clock: FakeClock,
                                          args: tuple[str, ...], words: str) -> None:
    code, out, err = cli("gratitude", *args)
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("microapp: ")
    assert words in lines[0]
    assert stored(home) == []


def test_a_history_it_cannot_keep_is_an_error_not_a_promise(cli: Cli, home: Path,
                                                            clock: FakeClock) -> None:
    path = Profile.under(home).database_path
    path.parent.mkdir(parents=True)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 99")  # from a newer microapp: left untouched
    conn.close()
    code, out, err = cli("gratitude", "--to", "Sam", "You save me a seat.")
    assert code == 1 and out == ""
    assert err.startswith("microapp: nothing was saved: ") and "newer microapp" in err
    assert len(err.strip().splitlines()) == 1


# --- a real process ---------------------------------------------------------------------------


def test_a_real_process_on_the_real_clock(home: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.update(PYTHONUTF8="1", TZ="UTC")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "microapp", "--profile", str(home), *args],
                              capture_output=True, text=True, encoding="utf-8", env=env,
                              timeout=60, check=False)

    done = run("gratitude", "--to", "Zoë", "You hum while you cook 🍝.")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Saved for ") and "to Zoë." in done.stdout
    status = run("status", "--json")
    assert json.loads(status.stdout)["streaks"]["gratitude"]["current"] == 1
    bad = run("gratitude", "--to", "Zoë", "--relationship", "rival", "Hi.")
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1
    assert stored(home)[0][1:4] == ("Zoë", None, "You hum while you cook 🍝.")
    assert date.fromisoformat(stored(home)[0][0])  # a practice day was stored
