"""The doorway pause: a calm veil over every screen for a few breaths, and one intention.

A :class:`PauseSession` owns everything that changes — the intention, the Join state, the end
timer, the countdown, the breath animation and the fade — and pushes it to one
:class:`~microapp.ui.pause_view.PauseView` per screen, so the screens never drift apart (a
choice made on one shows on all). Views only render and forward what the user does. Screens
plugged in while the pause shows get a view; a view whose screen goes away just closes.

It never traps anyone: Esc, the close button or a view closed by the window manager leaves at
once (``skipped``); letting it run its course records ``completed`` and the views fade out.
:attr:`PauseSession.finished` fires exactly once. Join opens the call link and the pause keeps
running to its end — a breath while the call app loads. Keep the session referenced until
:attr:`PauseSession.closed`: the views fade out after ``finished``.

Typing protection. A pause appears while the user may be typing into another app; no key of
theirs may be lost into it or press one of its buttons. So:

* Views are shown with ``WA_ShowWithoutActivating`` and the session never activates them: on
  X11 (``_NET_WM_USER_TIME`` 0), Windows and macOS the window manager leaves the keyboard where
  it was, and typing keeps flowing into the user's app.
* A view takes the keyboard (``activateWindow`` + ``setFocus``) only after a deliberate act on
  it: a click, or real pointer motion — the pointer travelling at least
  :attr:`PauseView.MOTION_THRESHOLD_PX` from the first position seen. Enter events and that
  first position do not count: X11 sends an EnterNotify (and sometimes a motion) when a window
  appears under a resting pointer. Only then do 1/2/3, Enter and Esc act.
* If a platform activates a view anyway (some window managers, Qt's offscreen platform), the
  view holds back every key (nothing is chosen, no button is pressed — buttons take no focus
  until then) and says so in place of the key hint, so typing is never swallowed silently;
  and when the window that had focus belongs to this app, the session hands focus back to it.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from datetime import datetime

import shiboken6
from PySide6.QtCore import (
    QEasingCurve,
    QElapsedTimer,
    QObject,
    QTimer,
    QUrl,
    QVariantAnimation,
    Signal,
)
from PySide6.QtGui import QDesktopServices, QGuiApplication, QScreen

from microapp.core.clock import SystemClock
from microapp.core.pause_content import PauseContent
from microapp.core.records import Intention, Outcome
from microapp.ui.breath import BreathGuide
from microapp.ui.chime import Chime
from microapp.ui.pause_view import PauseView
from microapp.ui.theme import Palette

log = logging.getLogger(__name__)

_IDLE, _OPENING, _JOINED, _FAILED = "idle", "opening", "joined", "failed"


def open_url(url: str) -> bool:
    """The default opener: the desktop's handler for the link (browser or call app)."""
    return QDesktopServices.openUrl(QUrl(url))


def openable(url: str) -> bool:
    """Call links come from calendar text: never hand the desktop a local file to open."""
    parsed = QUrl(url)
    return parsed.isValid() and parsed.scheme().lower() not in ("", "file")


class PauseSession(QObject):
    """One doorway pause across all screens."""

    # outcome value and intention value ("" for none). Plain str arguments: PySide6 mis-counts
    # references to None passed through `object` signal arguments and aborts at exit.
    finished = Signal(str, str)
    join_opened = Signal(str)  # the url, each time Join opens it
    closed = Signal()  # every view is gone (after finished): the session may be dropped

    DURATION_MS = 5000
    FADE_MS = 450
    IN_BREATH_SHARE = 0.4  # the in-breath is shorter than the long, settling out-breath
    BREATH_MS = 5000  # one breath; a longer pause breathes several times
    STILL_TICK_MS = 1000  # with reduce motion the ring steps once a second (else: each frame)
    JOIN_SETTLE_MS = 700  # "Opening…" stays at least this long before "Joined"

    def __init__(self, palette: Palette, content: PauseContent, *,
                 duration_ms: int | None = None, reduce_motion: bool = False,
                 chime: bool = False, opener: Callable[[str], bool] | None = None,
                 clock_now: Callable[[], datetime] | None = None) -> None:
        super().__init__()
        self._palette = palette
        self._content = content
        self._duration_ms = duration_ms
        self._reduce_motion = reduce_motion
        self._want_chime = chime
        self._chime: Chime | None = None
        self._opener = opener or open_url
        self._clock_now = clock_now or SystemClock().now
        self._views: list[PauseView] = []
        self._retired: list[PauseView] = []  # closed because their screen went away
        self._started = self._done = self._closing = self._closed_sent = False
        self._watching_screens = False
        self._intention: Intention | None = None
        self._join_state = _IDLE
        self._phase = BreathGuide.STILL_PHASE if reduce_motion else 0.0
        self._cue = "Breathe out, slowly" if reduce_motion else "Breathe in…"
        self._seconds_left = -1
        self._previous_focus = None
        self._handbacks_left = 0

        self._elapsed = QElapsedTimer()
        self._end_timer = QTimer(self, singleShot=True)
        self._end_timer.timeout.connect(self._complete)
        self._tick = QTimer(self, interval=self.STILL_TICK_MS)
        self._tick.timeout.connect(self._update_countdown)
        self._breath = QVariantAnimation(self)
        self._breath.setKeyValueAt(0.0, 0.0)
        self._breath.setKeyValueAt(self.IN_BREATH_SHARE, 1.0)
        self._breath.setKeyValueAt(1.0, 0.1)
        self._breath.setEasingCurve(QEasingCurve.Type.InOutSine)
        self._breath.valueChanged.connect(self._on_breath)
        self._fade = QVariantAnimation(self, startValue=1.0, endValue=0.0)
        self._fade.valueChanged.connect(self._on_fade)
        self._fade.finished.connect(self._close_all)

    # -- state ---------------------------------------------------------------------------

    @property
    def duration_ms(self) -> int:
        return self.DURATION_MS if self._duration_ms is None else self._duration_ms

    @property
    def done(self) -> bool:
        """Whether :attr:`finished` has fired (the views may still be fading out)."""
        return self._done

    @property
    def intention(self) -> Intention | None:
        return self._intention

    @property
    def views(self) -> list[PauseView]:
        return list(self._views)

    @property
    def keyboard_ready(self) -> bool:
        """Whether the user has reached for one of the views, so keys act on it."""
        return any(view.keyboard_ready for view in self._views)

    @property
    def breathing(self) -> bool:
        return self._breath.state() == QVariantAnimation.State.Running

    # -- showing -------------------------------------------------------------------------

    def start(self) -> None:
        """Show a view on every screen and begin the pause (once; never after it ended)."""
        if self._started or self._done:
            return
        self._started = True
        self._previous_focus = QGuiApplication.focusWindow()
        app = QGuiApplication.instance()
        app.screenAdded.connect(self._on_screen_added)
        app.screenRemoved.connect(self._on_screen_removed)
        self._watching_screens = True
        duration = max(1, self.duration_ms)
        self._elapsed.start()
        self._end_timer.start(duration)
        if self._reduce_motion:
            self._tick.start()  # the ring steps once a second
        if not self._reduce_motion:
            cycles = max(1, round(duration / self.BREATH_MS))
            self._breath.setDuration(max(1, duration // cycles))
            self._breath.setLoopCount(cycles)
            self._breath.start()
        self._update_countdown()
        for screen in QGuiApplication.screens():
            self._add_view(screen)
        if self._want_chime:
            self._chime = Chime()
            self._chime.play()

    def raise_views(self) -> None:
        """Bring every view to the front again ("Pause now" while one shows), without taking
        the keyboard."""
        for view in self._views:
            view.raise_()

    def _add_view(self, screen: QScreen) -> PauseView:
        view = PauseView(self._palette, self._content, when_text=self._when_text(),
                         join_label=self._join_label() if self._content.join_url else None,
                         reduce_motion=self._reduce_motion, screen=screen)
        view.intention_chosen.connect(self._on_intention_chosen)
        view.skip_requested.connect(self.skip)
        view.join_requested.connect(self.join)
        view.activated_unasked.connect(self._give_focus_back)
        view.closed.connect(lambda v=view: self._on_view_closed(v))
        view.show_intention(self._intention)
        view.guide.set_phase(self._phase)
        view.set_cue(self._cue)
        self._render_countdown(view)
        self._render_join(view)
        self._views.append(view)
        self._handbacks_left += 1
        view.show()
        return view

    def _on_screen_added(self, screen: QScreen) -> None:
        if self._started and not self._done and not self._closing and not any(
                view.target_screen is screen for view in self._views):
            self._add_view(screen)

    def _on_screen_removed(self, screen: QScreen) -> None:
        for view in [v for v in self._views if v.target_screen is screen]:
            self._retired.append(view)
            view.close()

    def _on_view_closed(self, view: PauseView) -> None:
        if view in self._views:
            self._views.remove(view)
        if view in self._retired:
            self._retired.remove(view)
        elif not self._closing:
            self.skip()  # closed by the window manager (or Alt+F4): leaving early
        self._maybe_closed()

    def _give_focus_back(self) -> None:
        """A view was activated without the user reaching for it: return the keyboard to the
        window of this app that had it (other apps' windows are beyond reach)."""
        previous = self._previous_focus
        if (self._handbacks_left <= 0 or previous is None or not shiboken6.isValid(previous)
                or not previous.isVisible() or self.keyboard_ready
                or any(view.windowHandle() is previous for view in self._views)):
            return
        self._handbacks_left -= 1
        previous.requestActivate()

    # -- what the user does --------------------------------------------------------------

    def choose(self, intention: Intention) -> None:
        if self._done:
            return
        self._intention = intention
        for view in self._views:
            view.show_intention(intention)

    def _on_intention_chosen(self, value: str) -> None:
        self.choose(Intention(value))

    def skip(self) -> None:
        """Leave at once: ``skipped`` (unless it already finished), every view closes."""
        self._finish(Outcome.SKIPPED)
        self._close_all()

    def join(self) -> None:
        """Open the call link; the pause keeps running. Nothing without a link."""
        url = self._content.join_url
        if not url or self._join_state == _OPENING:
            return
        if not openable(url):
            log.warning("not opening a call link without a remote scheme")
            self._set_join_state(_FAILED)
            return
        self._set_join_state(_OPENING)
        QTimer.singleShot(0, self, self._open_link)  # let "Opening…" paint first

    def _open_link(self) -> None:
        url = self._content.join_url or ""
        try:
            opened = bool(self._opener(url))
        except Exception:
            log.exception("could not open the call link")
            opened = False
        if not opened:
            self._set_join_state(_FAILED)
            return
        self.join_opened.emit(url)
        QTimer.singleShot(self.JOIN_SETTLE_MS, self, lambda: self._set_join_state(_JOINED))

    def _join_label(self) -> str:
        service = self._content.service
        return f"Join · {service}" if service else "Join"

    def _set_join_state(self, state: str) -> None:
        self._join_state = state
        for view in self._views:
            self._render_join(view)

    def _render_join(self, view: PauseView) -> None:
        text = {_IDLE: self._join_label(), _OPENING: "Opening…", _JOINED: "Joined",
                _FAILED: "Could not open the link"}[self._join_state]
        view.set_join_state(text, enabled=self._join_state != _OPENING)

    # -- time ----------------------------------------------------------------------------

    def _when_text(self) -> str:
        return self._content.when_text(self._clock_now())

    def _on_breath(self, value: float) -> None:
        self._phase = float(value)
        inhaling = (self._breath.currentLoopTime()
                    < self.IN_BREATH_SHARE * self._breath.duration())
        cue = "Breathe in…" if inhaling else "…and breathe out"
        for view in self._views:
            view.guide.set_phase(self._phase)
            if cue != self._cue:
                view.set_cue(cue)
        self._cue = cue
        # The ring and the number move with the breath's own frames: a separate countdown
        # timer would add repaints between them (measured: ~14 % more frames).
        self._update_countdown()

    def _update_countdown(self) -> None:
        seconds_before = self._seconds_left
        left_ms = self._left_ms()
        self._seconds_left = math.ceil(left_ms / 1000)
        when = self._when_text() if self._seconds_left != seconds_before else None
        for view in self._views:
            self._render_countdown(view)
            if when is not None:
                view.set_when_text(when)

    def _left_ms(self) -> int:
        elapsed = self._elapsed.elapsed() if self._elapsed.isValid() else 0
        return max(0, self.duration_ms - elapsed)

    def _render_countdown(self, view: PauseView) -> None:
        duration = max(1, self.duration_ms)
        view.set_countdown(self._left_ms() / duration, max(0, self._seconds_left))

    def _complete(self) -> None:
        self._finish(Outcome.COMPLETED)
        if self._reduce_motion or self.FADE_MS <= 0 or not self._views:
            self._close_all()
            return
        self._fade.setDuration(self.FADE_MS)
        self._fade.start()

    def _on_fade(self, value: float) -> None:
        for view in self._views:
            view.setWindowOpacity(float(value))

    def _finish(self, outcome: Outcome) -> None:
        if self._done:
            return
        self._done = True
        self._end_timer.stop()
        self._tick.stop()
        self._breath.stop()
        self.finished.emit(outcome.value, self._intention.value if self._intention else "")

    def _close_all(self) -> None:
        self._closing = True
        self._fade.stop()
        for view in list(self._views):
            view.close()
        self._views.clear()
        if self._watching_screens:
            self._watching_screens = False
            app = QGuiApplication.instance()
            app.screenAdded.disconnect(self._on_screen_added)
            app.screenRemoved.disconnect(self._on_screen_removed)
        self._maybe_closed()

    def _maybe_closed(self) -> None:
        if self._done and not self._views and not self._closed_sent:
            self._closed_sent = True
            self.closed.emit()
