"""A small desktop for benchmarks/run.py: Xvfb, trayer as the tray host, a private D-Bus session
bus, and a watcher that sees the moment a tray icon is embedded.

Embedding, as the X server sees it: a tray app creates its icon window as a child of the root
window and asks the tray host (XEmbed, SYSTEM_TRAY_REQUEST_DOCK) to dock it; trayer then
reparents that window into a socket window inside its "panel" window. :class:`EmbedWatch`
selects SubstructureNotify on the root window through libxcb (loaded with ctypes: python-xlib
is not a dependency) and takes the instant a ReparentNotify arrives for a window whose new
parent sits in trayer's panel and whose ``_NET_WM_PID`` is the app's. The event is read as the
X server sends it, so the resolution is the event's delivery (well under a millisecond).
Without libxcb, :class:`EmbedWatch` falls back to running ``xwininfo -root -tree`` in a loop
and says how often it managed to look.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import re
import select
import shutil
import signal
import subprocess
import time
from pathlib import Path

DISPLAYS = (91, 92, 93, 94)  # the display numbers this benchmark may use
TRAYER = ["trayer", "--edge", "top", "--align", "right", "--widthtype", "request",
          "--height", "28", "--SetDockType", "true"]


class BenchError(RuntimeError):
    """The measurement itself could not be made (not a missed target)."""


def stop(proc: subprocess.Popen, timeout: float = 10, group: bool = False) -> None:
    """SIGTERM (to its process group when ``group``: a group this benchmark created), then
    SIGKILL if it does not end in time. Never leaves the process behind."""
    if proc.poll() is not None and not group:
        return

    def send(sig: signal.Signals) -> None:
        try:
            if group:
                os.killpg(proc.pid, sig)
            else:
                proc.send_signal(sig)
        except (ProcessLookupError, PermissionError):
            pass

    send(signal.SIGTERM)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        send(signal.SIGKILL)
        proc.wait()
    if group:  # whatever the app left running in its group goes too
        send(signal.SIGKILL)


class Desktop:
    """Xvfb on one of :data:`DISPLAYS`, trayer, and a session bus; :attr:`env` for the apps."""

    def __init__(self, work: Path, screen: str = "1920x1080") -> None:
        self.procs: list[subprocess.Popen] = []
        self.display = ""
        self.panel = 0
        try:
            self._start(work, screen)
        except BaseException:
            self.close()
            raise

    def _start(self, work: Path, screen: str) -> None:
        for tool in ("Xvfb", "trayer", "xwininfo", "dbus-daemon"):
            if not shutil.which(tool):
                raise BenchError(f"{tool} is not installed (Debian: "
                                 "packaging/linux/system-deps.sh test installs it)")
        for number in DISPLAYS:
            read_fd, write_fd = os.pipe()
            xvfb = subprocess.Popen(["Xvfb", f":{number}", "-displayfd", str(write_fd),
                                     "-screen", "0", f"{screen}x24", "-nolisten", "tcp",
                                     "-noreset"],
                                    pass_fds=(write_fd,), stderr=subprocess.DEVNULL)
            self.procs.append(xvfb)
            os.close(write_fd)
            with os.fdopen(read_fd) as pipe:
                ready = pipe.readline().strip()  # written once the server listens
            if ready:
                self.display = f":{number}"
                break
            self.procs.remove(xvfb)
            stop(xvfb)  # that display is taken: try the next one
        else:
            raise BenchError("no free X display among :91-:94")
        self.xserver_pid = self.procs[0].pid
        runtime = work / "runtime"
        runtime.mkdir(mode=0o700)
        env = {k: v for k, v in os.environ.items()
               if k not in ("WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS", "SESSION_MANAGER")
               and not k.startswith("QT_")}
        env.update(DISPLAY=self.display, QT_QPA_PLATFORM="xcb", XDG_RUNTIME_DIR=str(runtime))
        bus = subprocess.Popen(["dbus-daemon", "--session", "--print-address", "--nofork"],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                               env=env)
        self.procs.append(bus)
        assert bus.stdout is not None
        address = bus.stdout.readline().strip()  # printed once the bus listens
        bus.stdout.close()
        if not address:
            raise BenchError(f"dbus-daemon did not start (exit status {bus.poll()})")
        env["DBUS_SESSION_BUS_ADDRESS"] = address
        self.env = env
        self.procs.append(subprocess.Popen(TRAYER, env=env, stdout=subprocess.DEVNULL,
                                           stderr=subprocess.DEVNULL))
        deadline = time.monotonic() + 20
        while not self.panel:
            self.panel = self._find_panel()
            if time.monotonic() > deadline:
                raise BenchError("trayer's panel did not appear within 20 s")
            time.sleep(0.05)

    def tree(self) -> str:
        return subprocess.run(["xwininfo", "-root", "-tree"], capture_output=True, text=True,
                              env=self.env, timeout=20, check=False).stdout

    def _find_panel(self) -> int:
        found = re.search(r'^\s*(0x[0-9a-f]+) "panel": \("panel" "trayer"\)', self.tree(),
                          re.MULTILINE)
        return int(found.group(1), 16) if found else 0

    def embedded_icons(self) -> int:
        """How many icons trayer's panel holds now (windows inside its socket windows)."""
        return _icons_in_panel(self.tree())

    def close(self) -> None:
        for proc in reversed(self.procs):
            stop(proc)
        self.procs.clear()


def _icons_in_panel(tree: str) -> int:
    lines = tree.splitlines()
    for i, line in enumerate(lines):
        if '"panel": ("panel" "trayer")' in line:
            depth = _indent(line)
            sockets = None
            count = 0
            for child in lines[i + 1:]:
                if not child.strip():
                    continue
                level = _indent(child)
                if level <= depth:
                    break
                if "0x" not in child:
                    continue  # "N children:" lines
                if sockets is None or level <= sockets:
                    sockets = level
                else:
                    count += 1
            return count
    return 0


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


# -- libxcb through ctypes -------------------------------------------------------------------

_SUBSTRUCTURE_NOTIFY = 1 << 19
_CW_EVENT_MASK = 1 << 11
_REPARENT_NOTIFY = 21
_ATOM_CARDINAL = 6


class _Cookie(ctypes.Structure):
    _fields_ = [("sequence", ctypes.c_uint)]


class _ScreenIterator(ctypes.Structure):
    _fields_ = [("data", ctypes.c_void_p), ("rem", ctypes.c_int), ("index", ctypes.c_int)]


def _load_xcb() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("xcb") or "libxcb.so.1"
    try:
        lib = ctypes.CDLL(name)
    except OSError:
        return None
    void, u8, u16, u32 = ctypes.c_void_p, ctypes.c_uint8, ctypes.c_uint16, ctypes.c_uint32
    signatures = {
        "xcb_connect": (void, [ctypes.c_char_p, ctypes.POINTER(ctypes.c_int)]),
        "xcb_connection_has_error": (ctypes.c_int, [void]),
        "xcb_disconnect": (None, [void]),
        "xcb_get_setup": (void, [void]),
        "xcb_setup_roots_iterator": (_ScreenIterator, [void]),
        "xcb_change_window_attributes": (_Cookie, [void, u32, u32, void]),
        "xcb_flush": (ctypes.c_int, [void]),
        "xcb_get_file_descriptor": (ctypes.c_int, [void]),
        "xcb_poll_for_event": (void, [void]),
        "xcb_query_tree": (_Cookie, [void, u32]),
        "xcb_query_tree_reply": (void, [void, _Cookie, void]),
        "xcb_intern_atom": (_Cookie, [void, u8, u16, ctypes.c_char_p]),
        "xcb_intern_atom_reply": (void, [void, _Cookie, void]),
        "xcb_get_property": (_Cookie, [void, u8, u32, u32, u32, u32, u32]),
        "xcb_get_property_reply": (void, [void, _Cookie, void]),
        "xcb_get_property_value": (void, [void]),
        "xcb_get_property_value_length": (ctypes.c_int, [void]),
    }
    for func, (restype, argtypes) in signatures.items():
        getattr(lib, func).restype = restype
        getattr(lib, func).argtypes = argtypes
    return lib


_libc = ctypes.CDLL(None)
_libc.free.argtypes = [ctypes.c_void_p]
_libc.free.restype = None


def _u32(pointer: int, offset: int) -> int:
    return ctypes.c_uint32.from_address(pointer + offset).value


class EmbedWatch:
    """Waits for a tray icon of a given process to be embedded in trayer's panel."""

    POLL_S = 0.005  # the xwininfo fallback's pause between looks

    def __init__(self, desktop: Desktop) -> None:
        self.desktop = desktop
        self.lib = _load_xcb()
        self.conn = None
        self.polls: list[float] = []  # fallback: seconds between successive looks
        if self.lib is None:
            return
        conn = self.lib.xcb_connect(desktop.display.encode(), None)
        if not conn or self.lib.xcb_connection_has_error(conn):
            if conn:
                self.lib.xcb_disconnect(conn)
            return
        self.conn = conn
        screen = self.lib.xcb_setup_roots_iterator(self.lib.xcb_get_setup(conn))
        self.root = _u32(screen.data, 0)  # xcb_screen_t.root
        mask = ctypes.c_uint32(_SUBSTRUCTURE_NOTIFY)
        self.lib.xcb_change_window_attributes(conn, self.root, _CW_EVENT_MASK,
                                              ctypes.byref(mask))
        self.lib.xcb_flush(conn)
        self.pid_atom = self._atom(b"_NET_WM_PID")

    @property
    def how(self) -> str:
        if self.conn is not None:
            return ("X ReparentNotify event read as it arrives (libxcb via ctypes; "
                    "resolution < 1 ms)")
        if self.polls:
            step = sorted(self.polls)[len(self.polls) // 2] * 1000
            return (f"xwininfo -root -tree polled (libxcb not loadable): one look every "
                    f"~{step:.0f} ms, the resolution")
        return "xwininfo -root -tree polled (libxcb not loadable)"

    def drain(self) -> None:
        """Forget events that arrived before the launch being timed."""
        if self.conn is None:
            return
        while event := self.lib.xcb_poll_for_event(self.conn):
            _libc.free(event)

    def wait(self, pids, timeout: float, alive) -> float | None:
        """perf_counter() when an icon of one of ``pids()`` (a callable: the app's process
        tree, which may grow) was reparented into the panel; None on timeout or when
        ``alive()`` turns false."""
        if self.conn is None:
            return self._wait_polling(timeout, alive)
        deadline = time.perf_counter() + timeout
        fd = self.lib.xcb_get_file_descriptor(self.conn)
        while True:
            left = deadline - time.perf_counter()
            if left <= 0 or not alive():
                return None
            readable, _, _ = select.select([fd], [], [], min(left, 0.25))
            if not readable:
                continue
            while event := self.lib.xcb_poll_for_event(self.conn):
                seen = time.perf_counter()
                try:
                    kind = ctypes.c_uint8.from_address(event).value & 0x7F
                    window = _u32(event, 8)
                    parent = _u32(event, 12)
                finally:
                    _libc.free(event)
                if kind != _REPARENT_NOTIFY or parent == self.root:
                    continue
                if self._parent_of(parent) != self.desktop.panel:
                    continue
                owner = self._pid_of(window)
                if owner is None or owner in pids():
                    return seen
            if self.lib.xcb_connection_has_error(self.conn):
                raise BenchError("lost the connection to the X server")

    def _wait_polling(self, timeout: float, alive) -> float | None:
        deadline = time.perf_counter() + timeout
        last = None
        while time.perf_counter() < deadline and alive():
            now = time.perf_counter()
            if last is not None:
                self.polls.append(now - last)
            last = now
            if self.desktop.embedded_icons():
                return time.perf_counter()
            time.sleep(self.POLL_S)
        return None

    def _atom(self, name: bytes) -> int:
        cookie = self.lib.xcb_intern_atom(self.conn, 0, len(name), name)
        reply = self.lib.xcb_intern_atom_reply(self.conn, cookie, None)
        if not reply:
            return 0
        try:
            return _u32(reply, 8)
        finally:
            _libc.free(reply)

    def _parent_of(self, window: int) -> int:
        reply = self.lib.xcb_query_tree_reply(self.conn, self.lib.xcb_query_tree(self.conn,
                                                                                 window), None)
        if not reply:
            return 0
        try:
            return _u32(reply, 12)
        finally:
            _libc.free(reply)

    def _pid_of(self, window: int) -> int | None:
        """The window's _NET_WM_PID, or None when it has none (then any icon counts)."""
        if not self.pid_atom:
            return None
        cookie = self.lib.xcb_get_property(self.conn, 0, window, self.pid_atom, _ATOM_CARDINAL,
                                           0, 1)
        reply = self.lib.xcb_get_property_reply(self.conn, cookie, None)
        if not reply:
            return None
        try:
            if self.lib.xcb_get_property_value_length(reply) < 4:
                return None
            return _u32(self.lib.xcb_get_property_value(reply), 0)
        finally:
            _libc.free(reply)

    def close(self) -> None:
        if self.conn is not None:
            self.lib.xcb_disconnect(self.conn)
            self.conn = None
