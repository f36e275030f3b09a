"""SystemEvents against real parts: a private dbus-daemon with a stand-in logind that owns
org.freedesktop.login1 and emits PrepareForSleep, and real files replaced the way timedatectl
and editors replace them. Nothing waits for time: every wait is on a signal."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import SLOT, QObject, Signal, Slot
from PySide6.QtDBus import QDBusConnection, QDBusMessage
from pytestqt.qtbot import QtBot

from microapp.platform.system_events import (
    LOGIN1_INTERFACE,
    LOGIN1_PATH,
    LOGIN1_SERVICE,
    PREPARE_FOR_SLEEP,
    SystemEvents,
)
from tests.real_parts import private_bus

BERLIN = ZoneInfo("Europe/Berlin")
WAIT_MS = 10_000  # a ceiling for a signal that should come at once, not a wait for time


# -- a private bus ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def bus_address() -> Iterator[str]:
    """A throw-away session bus daemon (never the machine's own buses)."""
    with private_bus() as address:
        yield address


@pytest.fixture
def connect(bus_address: str) -> Iterator[Callable[[], QDBusConnection]]:
    """Opens named connections to the private bus; all closed after the test."""
    names: list[str] = []

    def open_one() -> QDBusConnection:
        name = f"microapp-test-{uuid.uuid4().hex}"
        names.append(name)
        bus = QDBusConnection.connectToBus(bus_address, name)
        assert bus.isConnected(), bus.lastError().message()
        return bus

    yield open_one
    for name in names:
        QDBusConnection.disconnectFromBus(name)


@pytest.fixture
def logind(connect: Callable[[], QDBusConnection]) -> Iterator[QDBusConnection]:
    """A stand-in for systemd-logind: owns its well-known name, emits its signals."""
    bus = connect()
    assert bus.registerService(LOGIN1_SERVICE), bus.lastError().message()
    yield bus
    bus.unregisterService(LOGIN1_SERVICE)


def prepare_for_sleep(sender: QDBusConnection, going_to_sleep: bool) -> None:
    message = QDBusMessage.createSignal(LOGIN1_PATH, LOGIN1_INTERFACE, PREPARE_FOR_SLEEP)
    message.setArguments([going_to_sleep])
    assert sender.send(message)


class _Marker(QObject):
    arrived = Signal()

    @Slot()
    def _on_marker(self) -> None:
        self.arrived.emit()


def flush(qtbot: QtBot, receiving: QDBusConnection, sender: QDBusConnection) -> None:
    """Wait until everything ``sender`` sent so far has been delivered on ``receiving``.

    A bus delivers one sender's messages in order, and Qt hands them to receivers in the same
    thread in order, so once a marker signal sent last has arrived, so has all before it.
    """
    marker = _Marker()
    assert receiving.connect("", "/microapp/test", "org.microapp.Test", "Marker", marker,
                             SLOT("_on_marker()"))
    try:
        with qtbot.waitSignal(marker.arrived, timeout=WAIT_MS):
            assert sender.send(QDBusMessage.createSignal("/microapp/test", "org.microapp.Test",
                                                         "Marker"))
    finally:
        receiving.disconnect("", "/microapp/test", "org.microapp.Test", "Marker", marker,
                             SLOT("_on_marker()"))


@pytest.fixture
def events_on(qtbot: QtBot, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(SystemEvents, "ZONE_DEBOUNCE_MS", 0)
    made: list[SystemEvents] = []

    def make(reload_zone: Callable[[], ZoneInfo] = lambda: BERLIN,
             bus: QDBusConnection | None = None, paths: tuple[Path, ...] = ()) -> SystemEvents:
        events = SystemEvents(reload_zone, bus=bus, localtime_paths=paths)
        made.append(events)
        return events

    yield make
    for events in made:
        events.stop()


class Counter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self) -> None:
        self.count += 1


# -- sleep and resume ------------------------------------------------------------------------

def test_resume_from_logind_is_reported(qtbot: QtBot, events_on, connect, logind) -> None:
    bus = connect()
    events = events_on(bus=bus)
    events.start()
    assert events.sleep_signal_available is True
    resumes = Counter()
    events.resumed.connect(resumes)

    prepare_for_sleep(logind, True)  # going to sleep: nothing to report
    flush(qtbot, bus, logind)
    assert resumes.count == 0
    with qtbot.waitSignal(events.resumed, timeout=WAIT_MS):
        prepare_for_sleep(logind, False)
    flush(qtbot, bus, logind)
    assert resumes.count == 1


def test_only_logind_itself_is_listened_to(qtbot: QtBot, events_on, connect, logind) -> None:
    bus = connect()
    events = events_on(bus=bus)
    events.start()
    resumes = Counter()
    events.resumed.connect(resumes)
    stranger = connect()  # does not own org.freedesktop.login1
    prepare_for_sleep(stranger, False)
    flush(qtbot, bus, stranger)
    assert resumes.count == 0


def test_a_zone_changed_while_asleep_is_reported_on_resume(
        qtbot: QtBot, events_on, connect, logind) -> None:
    zone = [BERLIN]
    events = events_on(lambda: zone[0], bus=connect())
    events.start()
    heard: list[str] = []
    events.zone_changed.connect(heard.append)
    events.resumed.connect(lambda: heard.append("resumed"))
    zone[0] = ZoneInfo("Asia/Tokyo")
    with qtbot.waitSignal(events.resumed, timeout=WAIT_MS):
        prepare_for_sleep(logind, False)
    assert heard == ["Asia/Tokyo", "resumed"]  # replanning on resume already sees the new zone


def test_a_bus_without_logind_is_no_error(events_on, connect) -> None:
    events = events_on(bus=connect())
    events.start()
    assert events.sleep_signal_available is False


def test_no_bus_at_all_is_no_error(events_on, tmp_path: Path) -> None:
    name = f"microapp-test-{uuid.uuid4().hex}"
    bus = QDBusConnection.connectToBus(f"unix:path={tmp_path / 'no-such-socket'}", name)
    try:
        events = events_on(bus=bus)
        events.start()
        assert events.sleep_signal_available is False
    finally:
        QDBusConnection.disconnectFromBus(name)


def test_stop_unsubscribes(qtbot: QtBot, events_on, connect, logind) -> None:
    bus = connect()
    events = events_on(bus=bus)
    resumes = Counter()
    events.resumed.connect(resumes)
    events.start()
    events.stop()
    assert events.sleep_signal_available is False
    prepare_for_sleep(logind, False)
    flush(qtbot, bus, logind)
    assert resumes.count == 0
    events.start()  # and it can listen again
    assert events.sleep_signal_available is True
    with qtbot.waitSignal(events.resumed, timeout=WAIT_MS):
        prepare_for_sleep(logind, False)


# -- time-zone changes -----------------------------------------------------------------------

def write_zone(path: Path, name: str) -> None:
    """Put a new /etc/timezone-like file over ``path`` the way editors do: write, rename."""
    fresh = path.with_name(f".{path.name}.{uuid.uuid4().hex}")
    fresh.write_text(name + "\n", encoding="utf-8")
    os.replace(fresh, path)


def link_zone(link: Path, zoneinfo: Path, name: str) -> None:
    """Point a /etc/localtime-like symlink at another zone the way timedatectl does."""
    fresh = link.with_name(f".{link.name}.{uuid.uuid4().hex}")
    fresh.symlink_to(zoneinfo / name)
    os.replace(fresh, link)


def test_a_replaced_zone_file_is_noticed_again_and_again(
        qtbot: QtBot, events_on, tmp_path: Path) -> None:
    path = tmp_path / "timezone"
    path.write_text("Europe/Berlin\n", encoding="utf-8")
    events = events_on(lambda: ZoneInfo(path.read_text(encoding="utf-8").strip()), paths=(path,))
    events.start()
    with qtbot.waitSignal(events.zone_changed, timeout=WAIT_MS) as blocker:
        write_zone(path, "America/New_York")
    assert blocker.args == ["America/New_York"]
    with qtbot.waitSignal(events.zone_changed, timeout=WAIT_MS) as blocker:
        write_zone(path, "Asia/Tokyo")  # the watch on the first file died with it
    assert blocker.args == ["Asia/Tokyo"]


def test_rewriting_the_same_zone_is_no_change(qtbot: QtBot, events_on, tmp_path: Path) -> None:
    path = tmp_path / "timezone"
    path.write_text("Europe/Berlin\n", encoding="utf-8")
    events = events_on(lambda: ZoneInfo(path.read_text(encoding="utf-8").strip()), paths=(path,))
    events.start()
    seen: list[str] = []
    events.zone_changed.connect(seen.append)
    write_zone(path, "Europe/Berlin")
    with qtbot.waitSignal(events.zone_changed, timeout=WAIT_MS):
        write_zone(path, "America/New_York")
    assert seen == ["America/New_York"]


def test_a_replaced_localtime_symlink_is_noticed(qtbot: QtBot, events_on, tmp_path: Path) -> None:
    """The file a symlink points to never changes; only the folder sees the new link."""
    zoneinfo = tmp_path / "zoneinfo"
    for name in ("Europe/Berlin", "America/New_York", "Asia/Tokyo"):
        (zoneinfo / name).parent.mkdir(parents=True, exist_ok=True)
        (zoneinfo / name).write_text(name, encoding="utf-8")  # stands in for the tzdata file
    etc = tmp_path / "etc"
    etc.mkdir()
    link = etc / "localtime"
    link.symlink_to(zoneinfo / "Europe/Berlin")

    def reload_zone() -> ZoneInfo:  # what tzlocal does: name the zone from the link target
        return ZoneInfo(str(Path(os.readlink(link)).relative_to(zoneinfo)))

    events = events_on(reload_zone, paths=(link, etc / "timezone"))
    events.start()
    with qtbot.waitSignal(events.zone_changed, timeout=WAIT_MS) as blocker:
        link_zone(link, zoneinfo, "America/New_York")
    assert blocker.args == ["America/New_York"]
    with qtbot.waitSignal(events.zone_changed, timeout=WAIT_MS) as blocker:
        link_zone(link, zoneinfo, "Asia/Tokyo")
    assert blocker.args == ["Asia/Tokyo"]


def test_a_zone_file_that_appears_is_noticed(qtbot: QtBot, events_on, tmp_path: Path) -> None:
    path = tmp_path / "timezone"

    def reload_zone() -> ZoneInfo:
        return ZoneInfo(path.read_text(encoding="utf-8").strip() if path.exists() else "UTC")

    events = events_on(reload_zone, paths=(path,))
    events.start()
    with qtbot.waitSignal(events.zone_changed, timeout=WAIT_MS) as blocker:
        write_zone(path, "America/New_York")
    assert blocker.args == ["America/New_York"]


def test_an_unreadable_zone_is_skipped_not_raised(events_on) -> None:
    zone: list[ZoneInfo | None] = [BERLIN]

    def reload_zone() -> ZoneInfo:
        if zone[0] is None:
            raise OSError("half-written /etc/localtime")
        return zone[0]

    events = events_on(reload_zone)
    events.start()
    seen: list[str] = []
    events.zone_changed.connect(seen.append)
    zone[0] = None
    events.check_zone()
    assert seen == []
    zone[0] = BERLIN
    events.check_zone()
    assert seen == []  # still the zone last seen: no change
    zone[0] = ZoneInfo("America/New_York")
    events.check_zone()
    assert seen == ["America/New_York"]


def test_check_zone_before_start_only_remembers(events_on) -> None:
    zone = [BERLIN]
    events = events_on(lambda: zone[0])
    seen: list[str] = []
    events.zone_changed.connect(seen.append)
    events.check_zone()
    zone[0] = ZoneInfo("Asia/Tokyo")
    events.check_zone()
    assert seen == ["Asia/Tokyo"]
