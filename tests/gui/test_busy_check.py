"""BusyCheck: detectors are asked off the UI thread, combined by core.busy.decide, and every
start is answered by exactly one ``done``."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from pytestqt.qtbot import QtBot

from microapp.platform.busy import BusyCheck

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=ZoneInfo("Europe/Berlin"))
WAIT_MS = 10_000


class Fake:
    """A detector with a fixed answer; remembers which threads asked it."""

    def __init__(self, answer: bool | Exception | None, name: str = "fake") -> None:
        self.name = name
        self.answer = answer
        self.threads: list[threading.Thread] = []

    def busy(self) -> bool | None:
        self.threads.append(threading.current_thread())
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


class Waiting(Fake):
    """Answers only once the test lets it (or gives up after a while)."""

    def __init__(self, answer: bool | None, release: threading.Event) -> None:
        super().__init__(answer, "waiting")
        self.release = release

    def busy(self) -> bool | None:
        self.threads.append(threading.current_thread())
        self.release.wait(WAIT_MS / 1000)
        return self.answer if self.release.is_set() else None


@pytest.fixture
def release() -> Iterator[threading.Event]:
    event = threading.Event()
    yield event
    event.set()  # never leave a detector thread waiting


def run(qtbot: QtBot, check: BusyCheck, **overrides: object) -> str:
    values: dict[str, object] = dict(snoozed_until=None, now=NOW, respect_dnd=True,
                                     respect_fullscreen=True)
    values.update(overrides)
    with qtbot.waitSignal(check.done, timeout=WAIT_MS) as blocker:
        check.start(**values)  # type: ignore[arg-type]
    return blocker.args[0]


@pytest.mark.parametrize(("dnd", "fullscreen", "reason"), [
    ([Fake(True)], [Fake(True)], "do-not-disturb"),
    ([Fake(False)], [Fake(True)], "fullscreen"),
    ([Fake(None)], [Fake(None)], ""),
    ([Fake(False)], [Fake(False)], ""),
    ([Fake(RuntimeError("gsettings broke"))], [Fake(None)], ""),
    ([Fake(None), Fake(True)], [], "do-not-disturb"),
    ([], [Fake(ValueError("odd")), Fake(True)], "fullscreen"),
    ([], [], ""),
])
def test_detectors_decide_the_reason(qtbot: QtBot, dnd: list[Fake], fullscreen: list[Fake],
                                     reason: str) -> None:
    check = BusyCheck(dnd, fullscreen)
    assert run(qtbot, check) == reason
    for detector in (*dnd, *fullscreen):
        assert detector.threads and detector.threads[0] is not threading.main_thread()


def test_a_detector_answering_something_odd_cannot_tell(qtbot: QtBot) -> None:
    odd = Fake("yes")  # type: ignore[arg-type]
    assert run(qtbot, BusyCheck([odd], [])) == ""


def test_snoozed_answers_without_asking_anyone(qtbot: QtBot) -> None:
    dnd, fullscreen = Fake(True), Fake(True)
    check = BusyCheck([dnd], [fullscreen])
    assert run(qtbot, check, snoozed_until=NOW + timedelta(hours=1)) == "snoozed"
    assert dnd.threads == [] and fullscreen.threads == []


def test_ignored_detectors_are_not_asked(qtbot: QtBot) -> None:
    dnd, fullscreen = Fake(True), Fake(True)
    check = BusyCheck([dnd], [fullscreen])
    assert run(qtbot, check, respect_dnd=False, respect_fullscreen=False) == ""
    assert dnd.threads == [] and fullscreen.threads == []
    assert run(qtbot, check, respect_dnd=False) == "fullscreen"
    assert dnd.threads == []


def test_the_answer_never_comes_from_inside_start(qtbot: QtBot) -> None:
    check = BusyCheck([], [])
    seen: list[str] = []
    check.done.connect(seen.append)
    check.start(snoozed_until=NOW + timedelta(minutes=5), now=NOW, respect_dnd=True,
                respect_fullscreen=True)
    assert seen == []  # the caller can finish its own bookkeeping first
    qtbot.waitUntil(lambda: seen == ["snoozed"], timeout=WAIT_MS)


def test_the_ui_thread_is_not_blocked(qtbot: QtBot, release: threading.Event,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(BusyCheck, "DEADLINE_S", WAIT_MS / 1000)
    slow = Waiting(True, release)
    check = BusyCheck([], [slow])
    with qtbot.waitSignal(check.done, timeout=WAIT_MS) as blocker:
        check.start(snoozed_until=None, now=NOW, respect_dnd=True, respect_fullscreen=True)
        # start() has returned while the detector still waits: only now may it answer.
        assert not release.is_set()
        release.set()
    assert blocker.args == ["fullscreen"]
    assert slow.threads[0] is not threading.main_thread()


def test_a_hung_detector_counts_as_cannot_tell(qtbot: QtBot, release: threading.Event,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(BusyCheck, "DEADLINE_S", 0.05)
    hung = Waiting(True, release)  # would say busy, but not in time
    check = BusyCheck([hung], [Fake(False)])
    assert run(qtbot, check) == ""


def test_each_start_is_answered_once(qtbot: QtBot, release: threading.Event,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(BusyCheck, "DEADLINE_S", WAIT_MS / 1000)
    check = BusyCheck([Waiting(True, release)], [])
    answers: list[str] = []
    check.done.connect(answers.append)
    for _ in range(3):
        check.start(snoozed_until=None, now=NOW, respect_dnd=True, respect_fullscreen=True)
    check.start(snoozed_until=NOW + timedelta(minutes=1), now=NOW, respect_dnd=True,
                respect_fullscreen=True)
    qtbot.waitUntil(lambda: answers == ["snoozed"], timeout=WAIT_MS)
    release.set()
    qtbot.waitUntil(lambda: len(answers) == 4, timeout=WAIT_MS)
    assert sorted(answers) == ["do-not-disturb"] * 3 + ["snoozed"]
