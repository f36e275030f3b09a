"""Knowing when not to interrupt: whether a doorway pause should stay away, and why.

Everything here is pure: the platform layer runs the desktop's tools (``gsettings``,
``xfconf-query``, ``xprop``, D-Bus, a file on macOS) and hands their raw answers to the small
readers below, which decide. Every reader says ``True`` (busy), ``False`` (not busy) or ``None``
(cannot tell), and "cannot tell" never suppresses a pause: a missing tool, an unknown desktop or
garbled output must not cost the user their pauses.

Calendar titles are untrusted text; the quiet-notification wording keeps them plain (one line,
no control characters, short).
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import datetime
from enum import StrEnum

from microapp.core.snooze import is_snoozed


class BusyReason(StrEnum):
    SNOOZED = "snoozed"
    DO_NOT_DISTURB = "do-not-disturb"
    FULLSCREEN = "fullscreen"


REASON_PHRASES: dict[BusyReason, str] = {
    BusyReason.SNOOZED: "pauses are snoozed",
    BusyReason.DO_NOT_DISTURB: "do not disturb is on",
    BusyReason.FULLSCREEN: "a fullscreen window has focus",
}


def reason_phrase(reason: BusyReason | str) -> str:
    """The short human phrase for ``reason``: "do not disturb is on"."""
    return REASON_PHRASES[BusyReason(reason)]


def decide(*, snoozed_until: datetime | None, now: datetime, dnd: bool | None,
           fullscreen: bool | None, respect_dnd: bool,
           respect_fullscreen: bool) -> BusyReason | None:
    """Why a pause due ``now`` should not be shown, or None to show it.

    The user's own snooze comes first (it is the most deliberate choice), then the desktop's
    do-not-disturb, then a fullscreen window. A detector's ``None`` means "cannot tell", which
    counts as not busy.
    """
    if is_snoozed(snoozed_until, now):
        return BusyReason.SNOOZED
    if respect_dnd and dnd is True:
        return BusyReason.DO_NOT_DISTURB
    if respect_fullscreen and fullscreen is True:
        return BusyReason.FULLSCREEN
    return None


def combine(answers: Iterable[bool | None]) -> bool | None:
    """Several detectors of one kind: any "busy" wins, else any "not busy", else cannot tell."""
    seen = [a for a in answers if isinstance(a, bool)]
    if True in seen:
        return True
    return False if seen else None


# --- do-not-disturb readers -------------------------------------------------------------------

def _bool_word(output: str) -> bool | None:
    word = output.strip().lower()
    return {"true": True, "false": False}.get(word)


def gnome_dnd(output: str) -> bool | None:
    """``gsettings get org.gnome.desktop.notifications show-banners``: "false" means GNOME's
    Do Not Disturb is on (banners hidden)."""
    banners = _bool_word(output)
    return None if banners is None else not banners


def xfce_dnd(output: str) -> bool | None:
    """``xfconf-query -c xfce4-notifyd -p /do-not-disturb``: "true" means on."""
    return _bool_word(output)


def kde_dnd(inhibited: object) -> bool | None:
    """The ``Inhibited`` property of org.freedesktop.Notifications (KDE Plasma): a boolean.
    Anything else (a missing property arrives as an error or an odd type) cannot tell."""
    return inhibited if isinstance(inhibited, bool) else None


def macos_focus(raw: str | bytes) -> bool | None:
    """``~/Library/DoNotDisturb/DB/Assertions.json`` (macOS 12+): a Focus switched on by hand or
    from Control Center is an assertion record in ``data[0].storeAssertionRecords``.

    A scheduled Focus lives elsewhere (ModeConfigurations.json triggers) and is not read here.
    Garbled or unexpected content cannot tell.
    """
    try:
        document = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(document, dict):
        return None
    data = document.get("data")
    if not isinstance(data, list):
        return None
    if not data:
        return False
    first = data[0]
    if not isinstance(first, dict):
        return None
    records = first.get("storeAssertionRecords", [])
    if not isinstance(records, list):
        return None
    return bool(records)


# Windows Focus Assist has no documented, readable source: Microsoft documents no API for it,
# and the known way (the WNF state WNF_SHEL_QUIETHOURS_ACTIVE_PROFILE_CHANGED through
# NtQueryWnfStateData) is reverse-engineered. So it is never detected (cannot tell). What
# Windows does document is SHQueryUserNotificationState, read below for fullscreen.

QUNS_NOT_PRESENT = 1
QUNS_BUSY = 2  # a fullscreen application, or Presentation Settings
QUNS_RUNNING_D3D_FULL_SCREEN = 3
QUNS_PRESENTATION_MODE = 4
QUNS_ACCEPTS_NOTIFICATIONS = 5
QUNS_QUIET_TIME = 6  # the first hour after a new account's first sign-in
QUNS_APP = 7


def windows_fullscreen(state: int) -> bool | None:
    """A QUERY_USER_NOTIFICATION_STATE value (SHQueryUserNotificationState): fullscreen or
    presenting is busy; a screen saver or locked session (nobody there) cannot tell."""
    if state in (QUNS_BUSY, QUNS_RUNNING_D3D_FULL_SCREEN, QUNS_PRESENTATION_MODE):
        return True
    if state in (QUNS_ACCEPTS_NOTIFICATIONS, QUNS_QUIET_TIME, QUNS_APP):
        return False
    return None


# --- X11 fullscreen ---------------------------------------------------------------------------

# EWMH says WINDOW ("window id # 0x3a00007"; some window managers add ", 0x0"); a plain number
# is what ``xprop -set`` writes (CARDINAL), read too since it names a window just the same.
_ACTIVE = re.compile(
    r"^_NET_ACTIVE_WINDOW\((?:WINDOW|CARDINAL|INTEGER)\)"
    r"(?::\s*window id #|\s*=)\s*(0x[0-9a-fA-F]+|\d+)", re.MULTILINE)
_STATE = re.compile(r"^_NET_WM_STATE\(ATOM\)\s*=(.*)$", re.MULTILINE)


def x11_active_window(output: str) -> int | None:
    """The focused window's id from ``xprop -root _NET_ACTIVE_WINDOW``; None when nothing has
    focus (id 0x0) or the window manager does not say ("not found")."""
    match = _ACTIVE.search(output)
    if match is None:
        return None
    return int(match.group(1), 0) or None


def x11_fullscreen(output: str) -> bool | None:
    """From ``xprop -id <window> _NET_WM_STATE``: whether the window is fullscreen."""
    match = _STATE.search(output)
    if match is not None:
        atoms = {atom.strip() for atom in match.group(1).split(",")}
        return "_NET_WM_STATE_FULLSCREEN" in atoms
    if re.match(r"^_NET_WM_STATE:\s+(not found|no such atom on any window)\.", output):
        return False  # the window has no state at all: an ordinary window
    return None


# --- the quiet notification's words -----------------------------------------------------------

TITLE_LIMIT = 60
MISSED_LISTED = 3


def plain_title(title: str | None, limit: int = TITLE_LIMIT) -> str:
    """One short line of plain text from an untrusted calendar title ("" when there is none)."""
    if not title:
        return ""
    kept = []
    for char in title:
        category = unicodedata.category(char)
        if category in ("Cc", "Zl", "Zp") or char.isspace():
            kept.append(" ")
        elif category not in ("Cf", "Cs"):
            kept.append(char)
    text = " ".join("".join(kept).split())
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


def suppressed_message(reason: BusyReason | str, title: str | None) -> tuple[str, str]:
    """The (title, body) of the quiet note left when a pause stays away."""
    why = reason_phrase(reason)
    meeting = plain_title(title)
    if meeting:
        body = (f"{meeting} starts soon. No pause this time, as {why}. "
                "One slow breath before you join is enough.")
    else:
        body = f"No pause this time, as {why}. One slow breath is enough."
    return "A quiet moment instead", body


def missed_message(titles: Sequence[str]) -> tuple[str, str]:
    """The (title, body) of the quiet note for pauses that came too late to show."""
    names = [name for name in (plain_title(t) for t in titles) if name]
    if not names:
        body = "A pause came too late to show, so it was let go. Nothing to catch up on."
        return "A pause went by", body
    if len(names) > MISSED_LISTED:
        shown = ", ".join(names[: MISSED_LISTED - 1])
        listed = f"{shown} and {len(names) - MISSED_LISTED + 1} more"
    elif len(names) > 1:
        listed = f"{', '.join(names[:-1])} and {names[-1]}"
    else:
        listed = names[0]
    if len(names) == 1:
        return "A pause went by", (f"The pause before {listed} came too late to show, so it was "
                                   "let go. Nothing to catch up on.")
    return "Pauses went by", (f"The pauses before {listed} came too late to show, so they were "
                              "let go. Nothing to catch up on.")
