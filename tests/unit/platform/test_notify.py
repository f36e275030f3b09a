"""Quiet notifications: which backend plyer's rules pick, one sanitiser for untrusted calendar
text on every backend, and the tray's message whenever nothing can deliver."""

from __future__ import annotations

import json
import os
import stat
import sys
import threading
import types
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pytestqt.qtbot import QtBot

from microapp.platform import notify
from microapp.platform.notify import (
    BODY_LIMIT,
    TITLE_LIMIT,
    Notifier,
    detect_backend,
    gvariant_string,
    sanitise,
)

WAIT_MS = 10_000
HOSTILE = [
    '"; rm -rf ~ ; echo "',
    "`x`",
    "$(x)",
    "Team\nsync\r\n\tnow",
    "x" * 10_000,
    "Q&A <a href='https://evil.example'>join</a> <img src=x onerror=y>",
    "it's 'quoted' \\' done",
    "\u202eevil\u200b\x00\x1b[31mred\u2028next\ud800",
    "--help",
    "-u critical",
]
UNSAFE = set("'\"`\\<>&") | {"\n", "\r", "\t", "\x00"}


class Fallback:
    """Stands in for the tray's message; remembers what it showed and from which thread."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []
        self.threads: list[threading.Thread] = []

    def __call__(self, title: str, body: str) -> None:
        self.calls.append((title, body))
        self.threads.append(threading.current_thread())


def bin_with(tmp_path: Path, *tools: str, exit_code: int = 0) -> Path:
    """A PATH folder holding fake tools that write their argv (as JSON) beside themselves."""
    folder = tmp_path / "bin"
    folder.mkdir(exist_ok=True)
    for name in tools:
        script = folder / name
        record = tmp_path / f"{name}.json"
        script.write_text(
            f"#!{sys.executable}\n"
            "import json, os, sys\n"
            f"tmp = {str(record)!r} + '.tmp'\n"
            "with open(tmp, 'w', encoding='utf-8') as out:\n"
            "    json.dump(sys.argv[1:], out)\n"
            f"os.replace(tmp, {str(record)!r})\n"
            f"sys.exit({exit_code})\n", encoding="utf-8")
        script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return folder


def recorded(tmp_path: Path, name: str) -> list[str]:
    return json.loads((tmp_path / f"{name}.json").read_text(encoding="utf-8"))


@pytest.fixture
def linux(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    """Linux outside Flatpak, no dbus-python, an empty PATH; each test adds what it needs."""
    monkeypatch.setattr(notify.sys, "platform", "linux")
    monkeypatch.setattr(notify, "FLATPAK_INFO", tmp_path / "no-flatpak-info")
    monkeypatch.setattr(notify, "_has_dbus_python", lambda: False)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    return monkeypatch


# --- which backend ----------------------------------------------------------------------------

def test_nothing_to_deliver_with(linux: pytest.MonkeyPatch) -> None:
    assert detect_backend() == "none"


def test_notify_send_on_the_path(linux: pytest.MonkeyPatch, tmp_path: Path) -> None:
    linux.setenv("PATH", str(bin_with(tmp_path, "notify-send")))
    assert detect_backend() == "notify-send"


def test_dbus_python_comes_before_notify_send(linux: pytest.MonkeyPatch, tmp_path: Path) -> None:
    linux.setenv("PATH", str(bin_with(tmp_path, "notify-send")))
    linux.setattr(notify, "_has_dbus_python", lambda: True)
    assert detect_backend() == "dbus"


def test_flatpak_comes_first(linux: pytest.MonkeyPatch, tmp_path: Path) -> None:
    info = tmp_path / ".flatpak-info"
    info.write_text("[Application]\nname=org.example.microapp\n")
    linux.setattr(notify, "FLATPAK_INFO", info)
    linux.setattr(notify, "_has_dbus_python", lambda: True)
    assert detect_backend() == "none"  # a sandbox without gdbus cannot deliver
    linux.setenv("PATH", str(bin_with(tmp_path, "gdbus", "notify-send")))
    assert detect_backend() == "flatpak-gdbus"


@pytest.mark.parametrize("platform", ["win32", "darwin"])
def test_other_systems_use_plyer(platform: str) -> None:
    assert detect_backend(platform) == "plyer"


def test_dbus_python_probe_matches_an_import() -> None:
    try:
        import dbus  # type: ignore[import-not-found]  # noqa: F401
    except ImportError:
        importable = False
    else:
        importable = True
    assert notify._has_dbus_python() is importable


# --- the sanitiser ----------------------------------------------------------------------------

@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_titles_come_out_plain(text: str) -> None:
    clean = sanitise(text, TITLE_LIMIT)
    assert not UNSAFE & set(clean)
    assert len(clean) <= TITLE_LIMIT
    assert all(unicodedata.category(c) not in ("Cc", "Cf", "Cs", "Zl", "Zp") for c in clean)
    assert clean == clean.strip() and "  " not in clean


def test_what_the_sanitiser_keeps() -> None:
    assert sanitise('"; rm -rf ~ ; echo "', 80) == "”; rm -rf ~ ; echo ”"
    assert sanitise("`x`", 80) == "’x’"
    assert sanitise("$(x)", 80) == "$(x)"  # no shell is ever involved
    assert sanitise("Team\nsync\r\n\tnow", 80) == "Team sync now"
    assert sanitise("Anna's 1:1 — Q&A", 80) == "Anna’s 1:1 — Q and A"
    assert sanitise("Réunion d’équipe 🎉", 80) == "Réunion d’équipe 🎉"
    assert sanitise("من\u200cشود", 80) == "من\u200cشود"  # the Persian non-joiner stays
    long = sanitise("x" * 10_000, 80)
    assert len(long) == 80 and long.endswith("…")


@given(st.text())
def test_no_text_gets_through_unsafe(text: str) -> None:
    clean = sanitise(text, BODY_LIMIT)
    assert len(clean) <= BODY_LIMIT
    assert not UNSAFE & set(clean)
    assert all(unicodedata.category(c) not in ("Cc", "Cs", "Zl", "Zp") for c in clean)
    clean.encode("utf-8")  # fit for argv and D-Bus


def test_gvariant_strings_are_escaped_even_without_the_sanitiser() -> None:
    assert gvariant_string("a'b\\c") == "'a\\'b\\\\c'"


# --- delivering -------------------------------------------------------------------------------

def test_nothing_to_deliver_with_uses_the_fallback_at_once(linux: pytest.MonkeyPatch) -> None:
    fallback = Fallback()
    notifier = Notifier(fallback)
    assert notifier.backend == "none"
    notifier.notify('Standup "now"\n', "body\x00")
    assert fallback.calls == [("Standup ”now”", "body")]


def test_notify_send_gets_title_and_body_as_separate_arguments(
        linux: pytest.MonkeyPatch, tmp_path: Path, qtbot: QtBot) -> None:
    linux.setenv("PATH", str(bin_with(tmp_path, "notify-send")))
    fallback = Fallback()
    notifier = Notifier(fallback)
    assert notifier.backend == "notify-send"
    title, body = '-u critical "; rm -rf ~ ; echo "', "`x` $(x)\nnext line"
    notifier.notify(title, body)
    qtbot.waitUntil((tmp_path / "notify-send.json").exists, timeout=WAIT_MS)
    assert recorded(tmp_path, "notify-send") == [
        "--app-name=microapp", "--expire-time=8000", "--",
        "-u critical ”; rm -rf ~ ; echo ”", "’x’ $(x) next line"]
    assert fallback.calls == []


def test_sending_does_not_wait_for_the_tool(linux: pytest.MonkeyPatch, tmp_path: Path,
                                            qtbot: QtBot) -> None:
    folder = tmp_path / "bin"
    folder.mkdir()
    gate = tmp_path / "gate"
    os.mkfifo(gate)
    done = tmp_path / "done"
    script = folder / "notify-send"
    script.write_text(f"#!/bin/sh\nread line < '{gate}'\necho sent > '{done}'\n")
    script.chmod(0o755)
    linux.setenv("PATH", str(folder))
    notifier = Notifier(Fallback())
    notifier.notify("title", "body")  # returns while notify-send still waits at the gate
    with gate.open("w") as opened:  # would never get here if notify() had waited
        opened.write("go\n")
    qtbot.waitUntil(done.exists, timeout=WAIT_MS)


def test_a_failing_notify_send_falls_back_on_the_ui_thread(
        linux: pytest.MonkeyPatch, tmp_path: Path, qtbot: QtBot) -> None:
    linux.setenv("PATH", str(bin_with(tmp_path, "notify-send", exit_code=1)))
    fallback = Fallback()
    notifier = Notifier(fallback)  # kept, as the app keeps it: the answer comes back to it
    notifier.notify("Standup", "soon")
    qtbot.waitUntil(lambda: fallback.calls == [("Standup", "soon")], timeout=WAIT_MS)
    assert fallback.threads == [threading.main_thread()]


def test_flatpak_portal_payload_cannot_be_broken_out_of(
        linux: pytest.MonkeyPatch, tmp_path: Path, qtbot: QtBot) -> None:
    info = tmp_path / ".flatpak-info"
    info.write_text("[Application]\n")
    linux.setattr(notify, "FLATPAK_INFO", info)
    linux.setenv("PATH", str(bin_with(tmp_path, "gdbus")))
    fallback = Fallback()
    notifier = Notifier(fallback)
    assert notifier.backend == "flatpak-gdbus"
    notifier.notify("x'>, 'icon': <'evil'>, 'a': <'", "it's \\' fine")
    qtbot.waitUntil((tmp_path / "gdbus.json").exists, timeout=WAIT_MS)
    argv = recorded(tmp_path, "gdbus")
    assert argv[:9] == ["call", "--session", "--dest", "org.freedesktop.portal.Desktop",
                        "--object-path", "/org/freedesktop/portal/desktop", "--method",
                        "org.freedesktop.portal.Notification.AddNotification", "microapp"]
    assert argv[9] == ("{'title': <'x’›, ’icon’: ‹’evil’›, ’a’: ‹’'>, "
                       "'body': <'it’s /’ fine'>}")
    assert argv[9].count("'") == 8  # only the payload's own quotes
    assert fallback.calls == []


def test_dbus_python_gets_the_sanitised_text(linux: pytest.MonkeyPatch, qtbot: QtBot) -> None:
    sent: list[tuple[object, ...]] = []
    fake = types.ModuleType("dbus")
    fake.SessionBus = lambda: types.SimpleNamespace(get_object=lambda *a: object())  # type: ignore[attr-defined]
    fake.Interface = lambda _obj, _name: types.SimpleNamespace(  # type: ignore[attr-defined]
        Notify=lambda *args: sent.append(args))
    linux.setitem(sys.modules, "dbus", fake)
    linux.setattr(notify, "_has_dbus_python", lambda: True)
    fallback = Fallback()
    notifier = Notifier(fallback)
    assert notifier.backend == "dbus"
    notifier.notify("<b>Standup</b>", "line\nbreak")
    qtbot.waitUntil(lambda: bool(sent), timeout=WAIT_MS)
    app_name, _replaces, _icon, summary, body, *_rest = sent[0]
    assert (app_name, summary, body) == ("microapp", "‹b›Standup‹/b›", "line break")
    assert fallback.calls == []


@pytest.mark.parametrize("works", [True, False])
def test_plyer_elsewhere_and_its_failure(monkeypatch: pytest.MonkeyPatch, qtbot: QtBot,
                                         works: bool) -> None:
    import plyer

    sent: list[dict[str, object]] = []

    def fake_notify(**kwargs: object) -> None:
        if not works:
            raise NotImplementedError("No usable implementation found!")
        sent.append(kwargs)

    monkeypatch.setattr(notify.sys, "platform", "darwin")
    monkeypatch.setattr(plyer, "notification", types.SimpleNamespace(notify=fake_notify))
    fallback = Fallback()
    notifier = Notifier(fallback)
    assert notifier.backend == "plyer"
    notifier.notify("Standup\n", "soon")
    if works:
        qtbot.waitUntil(lambda: bool(sent), timeout=WAIT_MS)
        assert sent[0]["title"] == "Standup" and sent[0]["message"] == "soon"
        assert fallback.calls == []
    else:
        qtbot.waitUntil(lambda: fallback.calls == [("Standup", "soon")], timeout=WAIT_MS)
