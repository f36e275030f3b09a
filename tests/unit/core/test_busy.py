"""When a doorway pause stays away (core.busy): the decision, each detector's reader fed what the
real tools print, and the quiet words left behind."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from microapp.core.busy import (
    BusyReason,
    combine,
    decide,
    gnome_dnd,
    kde_dnd,
    macos_focus,
    missed_message,
    plain_title,
    reason_phrase,
    suppressed_message,
    windows_fullscreen,
    x11_active_window,
    x11_fullscreen,
    xfce_dnd,
)

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 3, 10, 9, 0, tzinfo=BERLIN)


def ask(**overrides: object) -> BusyReason | None:
    values: dict[str, object] = dict(snoozed_until=None, now=NOW, dnd=None, fullscreen=None,
                                     respect_dnd=True, respect_fullscreen=True)
    values.update(overrides)
    return decide(**values)  # type: ignore[arg-type]


# --- the decision -----------------------------------------------------------------------------

def test_nothing_known_means_the_pause_shows() -> None:
    assert ask() is None
    assert ask(dnd=False, fullscreen=False) is None


def test_snooze_comes_first() -> None:
    later = NOW + timedelta(minutes=30)
    assert ask(snoozed_until=later, dnd=True, fullscreen=True) is BusyReason.SNOOZED
    assert ask(snoozed_until=later, respect_dnd=False, respect_fullscreen=False) == "snoozed"


def test_an_ended_snooze_is_no_reason() -> None:
    assert ask(snoozed_until=NOW) is None
    assert ask(snoozed_until=NOW - timedelta(seconds=1), fullscreen=True) == "fullscreen"


def test_do_not_disturb_before_fullscreen() -> None:
    assert ask(dnd=True, fullscreen=True) is BusyReason.DO_NOT_DISTURB
    assert ask(dnd=None, fullscreen=True) is BusyReason.FULLSCREEN
    assert ask(dnd=False, fullscreen=True) is BusyReason.FULLSCREEN


def test_settings_can_ignore_each_detector() -> None:
    assert ask(dnd=True, respect_dnd=False) is None
    assert ask(dnd=True, fullscreen=True, respect_dnd=False) == "fullscreen"
    assert ask(fullscreen=True, respect_fullscreen=False) is None


def test_snooze_in_another_zone_compares_instants() -> None:
    tokyo = (NOW + timedelta(minutes=5)).astimezone(ZoneInfo("Asia/Tokyo"))
    assert ask(snoozed_until=tokyo) is BusyReason.SNOOZED


@pytest.mark.parametrize(("answers", "combined"), [
    ([], None), ([None], None), ([None, None], None), ([False], False), ([None, False], False),
    ([False, True], True), ([None, True, False], True),
])
def test_combining_detectors_of_one_kind(answers: list[bool | None],
                                         combined: bool | None) -> None:
    assert combine(answers) is combined


def test_every_reason_has_a_phrase() -> None:
    assert [reason_phrase(r) for r in BusyReason] == [
        "pauses are snoozed", "do not disturb is on", "a fullscreen window has focus"]
    assert reason_phrase("fullscreen") == "a fullscreen window has focus"


# --- do-not-disturb readers -------------------------------------------------------------------

@pytest.mark.parametrize(("output", "dnd"), [
    ("false\n", True),  # GNOME: Do Not Disturb on hides the banners
    ("true\n", False),
    ("", None),
    ("No such key “show-banners”\n", None),
])
def test_gnome_show_banners(output: str, dnd: bool | None) -> None:
    assert gnome_dnd(output) is dnd


@pytest.mark.parametrize(("output", "dnd"), [
    ("true\n", True), ("false\n", False), ("\n", None),
    ('Property "/do-not-disturb" does not exist on channel "xfce4-notifyd".\n', None),
])
def test_xfce_do_not_disturb(output: str, dnd: bool | None) -> None:
    assert xfce_dnd(output) is dnd


@pytest.mark.parametrize(("value", "dnd"), [
    (True, True), (False, False), (None, None), ("true", None), (1, None),
])
def test_kde_inhibited(value: object, dnd: bool | None) -> None:
    assert kde_dnd(value) is dnd


# What macOS 12–14 write when Focus is switched on from Control Center, and after it is off.
FOCUS_ON = {
    "data": [{"storeAssertionRecords": [{
        "assertionUUID": "5A1C9F4E-2B7D-4C1E-9A57-0E3D6B1F8C21",
        "assertionSource": {"assertionClientIdentifier": "com.apple.controlcenter.dnd"},
        "assertionStartDateTimestamp": 731248412.5,
        "assertionDetails": {
            "assertionDetailsModeIdentifier": "com.apple.donotdisturb.mode.default",
            "assertionDetailsIdentifier": "com.apple.controlcenter.dnd.manual",
            "assertionDetailsReason": "user-action"}}]}],
    "header": {"version": 3, "timestamp": 731248412.6},
}
FOCUS_OFF = {"data": [{}], "header": {"version": 3, "timestamp": 731250000.0}}


@pytest.mark.parametrize(("raw", "focus"), [
    (json.dumps(FOCUS_ON), True),
    (json.dumps(FOCUS_ON).encode(), True),
    (json.dumps(FOCUS_OFF), False),
    (json.dumps({"data": [{"storeAssertionRecords": []}]}), False),
    (json.dumps({"data": []}), False),
    ("", None),
    ("{\"data\": [{\"storeAssertionRecords\": [", None),  # cut off mid-write
    (b"\xff\xfe\x00garbage", None),
    ("[]", None),
    (json.dumps({"header": {}}), None),
    (json.dumps({"data": ["odd"]}), None),
    (json.dumps({"data": [{"storeAssertionRecords": "odd"}]}), None),
])
def test_macos_focus(raw: str | bytes, focus: bool | None) -> None:
    assert macos_focus(raw) is focus


@pytest.mark.parametrize(("state", "fullscreen"), [
    (2, True), (3, True), (4, True), (5, False), (6, False), (7, False), (1, None), (0, None),
    (99, None),
])
def test_windows_notification_state(state: int, fullscreen: bool | None) -> None:
    assert windows_fullscreen(state) is fullscreen


# --- X11 fullscreen ---------------------------------------------------------------------------

@pytest.mark.parametrize(("output", "window"), [
    ("_NET_ACTIVE_WINDOW(WINDOW): window id # 0x3a00007\n", 0x3A00007),
    ("_NET_ACTIVE_WINDOW(WINDOW): window id # 0x2e00003, 0x0\n", 0x2E00003),  # xfwm4
    ("_NET_ACTIVE_WINDOW(WINDOW): window id # 0x0\n", None),  # nothing has focus
    ("_NET_ACTIVE_WINDOW:  not found.\n", None),  # no EWMH window manager
    ("_NET_ACTIVE_WINDOW:  no such atom on any window.\n", None),
    ("_NET_ACTIVE_WINDOW(CARDINAL) = 1293\n", 1293),  # as `xprop -set` writes it
    ("_NET_ACTIVE_WINDOW(CARDINAL) = 0\n", None),
    ("", None),
    ("xprop:  unable to open display ':9'\n", None),
])
def test_x11_active_window(output: str, window: int | None) -> None:
    assert x11_active_window(output) == window


@pytest.mark.parametrize(("output", "fullscreen"), [
    ("_NET_WM_STATE(ATOM) = _NET_WM_STATE_FULLSCREEN\n", True),
    ("_NET_WM_STATE(ATOM) = _NET_WM_STATE_ABOVE, _NET_WM_STATE_FULLSCREEN, "
     "_NET_WM_STATE_FOCUSED\n", True),
    ("_NET_WM_STATE(ATOM) = _NET_WM_STATE_ABOVE,_NET_WM_STATE_FULLSCREEN\n", True),
    ("_NET_WM_STATE(ATOM) = _NET_WM_STATE_MAXIMIZED_VERT, _NET_WM_STATE_MAXIMIZED_HORZ, "
     "_NET_WM_STATE_FOCUSED\n", False),  # maximised is not fullscreen
    ("_NET_WM_STATE(ATOM) = \n", False),
    ("_NET_WM_STATE:  not found.\n", False),
    ("_NET_WM_STATE:  no such atom on any window.\n", False),
    ("_NET_WM_STATE", None),  # what is left on stdout after a BadWindow error
    ("", None),
])
def test_x11_fullscreen(output: str, fullscreen: bool | None) -> None:
    assert x11_fullscreen(output) is fullscreen


# --- the quiet words --------------------------------------------------------------------------

def test_titles_are_kept_plain() -> None:
    assert plain_title("  Team\nsync\t\x00now\u202e ") == "Team sync now"
    assert plain_title(None) == plain_title("") == plain_title(" \n ") == ""
    long = plain_title("x" * 500)
    assert len(long) == 60 and long.endswith("…")


def test_suppressed_message_names_the_meeting_and_the_reason() -> None:
    title, body = suppressed_message(BusyReason.DO_NOT_DISTURB, "Weekly 1:1\nwith Sam")
    assert title == "A quiet moment instead"
    assert body.startswith("Weekly 1:1 with Sam starts soon.")
    assert "do not disturb is on" in body and "\n" not in body


def test_suppressed_message_without_a_meeting() -> None:
    _title, body = suppressed_message("snoozed", None)
    assert "pauses are snoozed" in body and "starts soon" not in body


def test_missed_message_for_one_two_and_many() -> None:
    assert missed_message(["Standup"]) == (
        "A pause went by",
        "The pause before Standup came too late to show, so it was let go. "
        "Nothing to catch up on.")
    title, body = missed_message(["Standup", "Design review"])
    assert title == "Pauses went by" and "before Standup and Design review came" in body
    _title, body = missed_message(["A", "B", "C", "D", "E"])
    assert "before A, B and 3 more came" in body
    _title, body = missed_message(["A", "B", "C"])
    assert "before A, B and C came" in body


def test_missed_message_with_no_titles() -> None:
    title, body = missed_message([])
    assert title == "A pause went by" and "too late" in body
    assert missed_message(["", "\n"])[0] == "A pause went by"
