"""Single instance: later launches hand their command to the first one, a stale socket is
replaced, and nobody else's socket is taken over."""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from microapp.core.paths import Profile
from microapp.platform.instance import InstanceServer, may_be_running, send_command


@pytest.fixture
def server(profile: Profile):
    made = InstanceServer(profile.instance_key())
    yield made
    made.close()


def launch(profile: Profile, *args: str) -> subprocess.Popen[str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    return subprocess.Popen(
        [sys.executable, "-m", "microapp", "--profile", str(profile.custom_root), *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def test_a_second_launch_forwards_pause(server: InstanceServer, profile: Profile,
                                        qtbot: QtBot) -> None:
    assert server.listen()
    with qtbot.waitSignal(server.command_received, timeout=10_000) as blocker:
        child = launch(profile, "pause")
    assert blocker.args == ["pause"]
    _out, err = child.communicate(timeout=10)
    assert child.returncode == 0, err


def test_a_second_run_wakes_the_first_and_exits(server: InstanceServer, profile: Profile,
                                               qtbot: QtBot) -> None:
    assert server.listen()
    with qtbot.waitSignal(server.command_received, timeout=10_000) as blocker:
        child = launch(profile)
    assert blocker.args == ["show"]
    out, err = child.communicate(timeout=10)
    assert child.returncode == 0, err
    assert "already running" in out


def test_nothing_running_means_send_fails_quickly(profile: Profile) -> None:
    assert send_command(profile.instance_key(), "pause", timeout_ms=500) is False


def test_unknown_commands_are_refused_before_sending(profile: Profile) -> None:
    with pytest.raises(ValueError):
        send_command(profile.instance_key(), "rm -rf")


def test_a_stale_socket_from_a_killed_instance_is_replaced(server: InstanceServer,
                                                           profile: Profile) -> None:
    assert server.listen()
    path = server.path
    server.close()  # Qt removes its socket file; leave a dead one behind as kill -9 would
    dead = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    dead.bind(path)
    dead.close()
    assert Path(path).exists()
    replacement = InstanceServer(profile.instance_key())
    try:
        assert replacement.listen()
    finally:
        replacement.close()


def test_a_live_instance_is_never_displaced(server: InstanceServer, profile: Profile) -> None:
    assert server.listen()
    rival = InstanceServer(profile.instance_key())
    try:
        assert rival.listen() is False
    finally:
        rival.close()
    assert server.listening


def test_the_socket_is_private_to_the_user(server: InstanceServer) -> None:
    assert server.listen()
    mode = stat.S_IMODE(os.stat(server.path).st_mode)
    assert mode & 0o077 == 0, oct(mode)


def test_profiles_do_not_share_an_instance(tmp_path: Path) -> None:
    assert (Profile.under(tmp_path / "a").instance_key()
            != Profile.under(tmp_path / "b").instance_key())


def test_may_be_running_sees_the_listening_socket(profile: Profile, qapp) -> None:
    key = profile.instance_key()
    assert not may_be_running(key)
    listening = InstanceServer(key)
    assert listening.listen()
    try:
        assert may_be_running(key)
    finally:
        listening.close()
    assert not may_be_running(key)


def test_a_sentence_saved_from_the_command_line_tells_the_running_app(
        server: InstanceServer, profile: Profile, qtbot: QtBot) -> None:
    assert server.listen()
    with qtbot.waitSignal(server.command_received, timeout=10_000) as blocker:
        child = launch(profile, "gratitude", "--to", "Sam", "You stay to help, every time.")
    assert blocker.args == ["refresh"]
    _out, err = child.communicate(timeout=10)
    assert child.returncode == 0, err
