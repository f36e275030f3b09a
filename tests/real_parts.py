"""Real parts for tests (X servers, D-Bus daemons, desktop tools): where one is missing the test
skips, except under CI, which sets MICROAPP_REQUIRE_E2E=1 and turns that skip into a failure."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

REQUIRE_REAL = bool(os.environ.get("MICROAPP_REQUIRE_E2E"))


def missing(why: str) -> None:
    """Skip the test because a real part is missing (fail instead when they are required)."""
    if REQUIRE_REAL:
        pytest.fail(why)
    pytest.skip(why)


def need(*tools: str, hint: str = "make sysdeps-test installs them") -> list[str]:
    """The tools' paths, after :func:`missing` for any that is not installed."""
    found = [shutil.which(tool) for tool in tools]
    absent = [tool for tool, path in zip(tools, found, strict=True) if path is None]
    if absent:
        missing(f"needs {', '.join(absent)} ({hint})")
    return [path for path in found if path]


def stop(proc: subprocess.Popen, timeout: float = 10) -> None:
    """SIGTERM, then SIGKILL if it does not go in time; never leaves a process behind."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextmanager
def private_bus(config: Path | None = None) -> Iterator[str]:
    """A throw-away D-Bus daemon (a session bus, or ``config``'s), never the machine's own;
    yields its address."""
    (daemon,) = need("dbus-daemon", hint="Debian: the dbus package")
    how = [f"--config-file={config}"] if config is not None else ["--session"]
    proc = subprocess.Popen([daemon, *how, "--print-address", "--nofork"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert proc.stdout is not None
        address = proc.stdout.readline().strip()  # printed once the bus is listening
        if not address:
            missing(f"dbus-daemon did not start (exit status {proc.poll()})")
        yield address
    finally:
        if proc.stdout is not None:
            proc.stdout.close()
        stop(proc)


#: A session bus of our own that activates nothing (no service directories): only what the test
#: starts is on it. The machine's own dunst must not start behind the test's back, and an
#: activatable StatusNotifierWatcher would move Qt's tray icon from XEmbed (what trayer hosts)
#: to D-Bus.
QUIET_BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC \
 "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir={dir}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


def quiet_bus_config(folder: Path) -> Path:
    """Write :data:`QUIET_BUS_CONFIG` for a bus listening in ``folder``; for :func:`private_bus`."""
    config = folder / "bus.conf"
    config.write_text(QUIET_BUS_CONFIG.format(dir=folder), encoding="utf-8")
    return config
