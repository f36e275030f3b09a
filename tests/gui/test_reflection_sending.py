"""Sending the evening sentence from the reflection window: Copy (the clipboard) and Email
(a mailto: link handed to the desktop exactly as built), each recorded as ``sent_via``."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot

from microapp.core.gratitude import INVITE_LINE, mailto_url
from microapp.core.paths import Profile
from microapp.store.history import History
from microapp.ui.reflection_window import message_text
from tests.gui.reflection_helpers import (
    Opener,
    WindowFactory,
    berlin,
    open_history,
    window_factory,
)
from tests.helpers import FakeClock

TONIGHT = date(2026, 3, 10)
UNICODE = "Zoë, du bringst jeden Morgen Kaffee ☕ mit —\nund ein Lächeln für alle."


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(berlin(3, 10, 21, 0))


@pytest.fixture
def history(profile: Profile, clock: FakeClock) -> Iterator[History]:
    yield from open_history(profile, clock)


@pytest.fixture
def make(qtbot: QtBot, history: History, clock: FakeClock,
         monkeypatch: pytest.MonkeyPatch) -> WindowFactory:
    return window_factory(qtbot, history, clock, monkeypatch)


@pytest.fixture(autouse=True)
def _empty_clipboard() -> Iterator[None]:
    QGuiApplication.clipboard().clear()
    yield
    QGuiApplication.clipboard().clear()


def test_copy_puts_the_sentence_on_the_clipboard_and_records_it(
        qtbot: QtBot, make: WindowFactory, history: History) -> None:
    window = make()
    window.who.name_edit.setText("Zoë")
    window.sentence.edit.setPlainText(UNICODE)
    with qtbot.waitSignal(window.saved) as saved:
        window.copy_button.click()
    assert QGuiApplication.clipboard().text() == UNICODE
    assert saved.args[0].sent_via == "copy"
    assert [(g.text, g.sent_via) for g in history.gratitude_on(TONIGHT)] == [(UNICODE, "copy")]
    assert "copied" in window.status.text()


def test_copy_with_the_invitation_adds_the_line(make: WindowFactory) -> None:
    window = make()
    window.who.name_edit.setText("Sam")
    window.sentence.edit.setPlainText("Sam, you leave the coffee machine ready for me.")
    window.invite.setChecked(True)
    window.copy_button.click()
    assert QGuiApplication.clipboard().text() == (
        f"Sam, you leave the coffee machine ready for me.\n\n{INVITE_LINE}")
    assert message_text(" x ", invite=False) == "x"


def test_copy_after_save_copies_the_saved_sentence_without_saving_it_twice(
        make: WindowFactory, history: History) -> None:
    window = make()
    window.who.name_edit.setText("Sam")
    window.sentence.edit.setPlainText("You leave the coffee machine ready for me.")
    assert window.save() is not None
    assert history.gratitude_on(TONIGHT)[0].sent_via is None
    window.copy_button.click()
    assert QGuiApplication.clipboard().text() == "You leave the coffee machine ready for me."
    assert [g.sent_via for g in history.gratitude_on(TONIGHT)] == ["copy"]
    assert window.last_saved is not None and window.last_saved.sent_via == "copy"


def test_copy_that_cannot_save_still_copies_and_keeps_the_text(
        make: WindowFactory, history: History, monkeypatch: pytest.MonkeyPatch) -> None:
    window = make()
    window.who.name_edit.setText("Sam")
    window.sentence.edit.setPlainText("You leave the coffee machine ready for me.")

    def full(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(history, "add_gratitude", full)
    window.copy_button.click()
    assert QGuiApplication.clipboard().text() == "You leave the coffee machine ready for me."
    assert window.status.text() == ("Copied, but could not save: No space left on device. "
                                    "Your sentence is still here; try again.")
    assert window.sentence.text == "You leave the coffee machine ready for me."


def test_email_hands_the_exact_mailto_link_to_the_desktop(
        qtbot: QtBot, make: WindowFactory, history: History) -> None:
    opener = Opener()
    window = make(opener=opener)
    window.who.name_edit.setText("Zoë")
    window.sentence.edit.setPlainText(UNICODE)
    window.invite.setChecked(True)
    with qtbot.waitSignal(window.saved) as saved:
        window.email_button.click()
    assert opener.urls == [mailto_url(UNICODE, recipient="Zoë", invite=True)]
    url = opener.urls[0]
    assert url.startswith("mailto:?subject=Thank%20you%2C%20Zo%C3%AB&body=Zo%C3%AB%2C%20du%20")
    assert "Kaffee%20%E2%98%95%20mit%20%E2%80%94%0D%0Aund%20ein%20L%C3%A4cheln" in url
    assert url.endswith("%0D%0A%0D%0AP.S.%20Each%20evening%20I%20write%20one%20sentence%20"
                        "like%20this%20to%20someone.%20You%20might%20enjoy%20trying%20it%20too.")
    assert saved.args[0].sent_via == "email"
    assert [(g.text, g.sent_via) for g in history.gratitude_on(TONIGHT)] == [(UNICODE, "email")]
    # The default opener hands Qt the link in strict mode: nothing is encoded a second time.
    assert QUrl(url, QUrl.ParsingMode.StrictMode).toString(
        QUrl.ComponentFormattingOption.FullyEncoded) == url


def test_email_after_save_sends_the_saved_sentence(make: WindowFactory,
                                                   history: History) -> None:
    opener = Opener()
    window = make(opener=opener)
    window.who.name_edit.setText("Sam")
    window.sentence.edit.setPlainText("You leave the coffee machine ready for me.")
    window.save()
    window.email_button.click()
    assert opener.urls == [mailto_url("You leave the coffee machine ready for me.",
                                      recipient="Sam")]
    assert [g.sent_via for g in history.gratitude_on(TONIGHT)] == ["email"]


def test_email_without_a_mail_app_still_saves_and_says_so(make: WindowFactory,
                                                          history: History) -> None:
    window = make(opener=Opener(result=False))
    window.who.name_edit.setText("Sam")
    window.sentence.edit.setPlainText("You leave the coffee machine ready for me.")
    window.email_button.click()
    assert [g.sent_via for g in history.gratitude_on(TONIGHT)] == [None]
    assert "no mail app opened" in window.status.text()


def test_email_that_cannot_save_opens_nothing_and_keeps_the_text(
        make: WindowFactory, history: History, monkeypatch: pytest.MonkeyPatch) -> None:
    opener = Opener()
    window = make(opener=opener)
    window.who.name_edit.setText("Sam")
    window.sentence.edit.setPlainText("You leave the coffee machine ready for me.")

    def locked(*args: object, **kwargs: object) -> None:
        raise RuntimeError("database is locked")

    monkeypatch.setattr(history, "add_gratitude", locked)
    window.email_button.click()
    assert opener.urls == []
    assert window.status.text().startswith("Could not save: database is locked.")
    assert window.sentence.text == "You leave the coffee machine ready for me."
