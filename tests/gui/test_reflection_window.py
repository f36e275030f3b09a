"""The evening reflection window: who, the sentence and its hints, saving from the keyboard,
yesterday, the day's pauses and micro-round, failures that keep every word, the look."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from peewee import OperationalError
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QScrollArea
from pytestqt.qtbot import QtBot

from microapp.core.paths import Profile
from microapp.core.records import Intention, Outcome
from microapp.store.history import History
from microapp.ui.reflection_parts import HINTS_RESTING, NO_PAUSES, OK_MARK, TODO_MARK
from microapp.ui.reflection_window import ReflectionWindow
from microapp.ui.theme import DARK
from tests.gui.reflection_helpers import (
    WindowFactory,
    answer_discard_question,
    berlin,
    focused,
    open_history,
    window_factory,
)
from tests.helpers import FakeClock

TONIGHT = date(2026, 3, 10)
GOOD = "Ana, you stay after practice to show Leo the backhand, and he comes home grinning."


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(berlin(3, 10, 21, 0))  # Tuesday evening, after the 20:30 invitation


@pytest.fixture
def history(profile: Profile, clock: FakeClock) -> Iterator[History]:
    yield from open_history(profile, clock)


@pytest.fixture
def make(qtbot: QtBot, history: History, clock: FakeClock,
         monkeypatch: pytest.MonkeyPatch) -> WindowFactory:
    return window_factory(qtbot, history, clock, monkeypatch)


def visible_hints(window: ReflectionWindow) -> list[str]:
    """What the hint area shows, one string per line ("✓ message")."""
    section = window.sentence
    if section.resting.isVisibleTo(window):
        return [section.resting.text()]
    return [f"{mark.text()} {message.text()}"
            for mark, message in zip(section.hint_marks, section.hint_labels, strict=True)
            if message.isVisibleTo(window)]


# --- who --------------------------------------------------------------------------------------


def test_completion_offers_past_names_and_fills_their_relationship(
        qtbot: QtBot, make: WindowFactory, history: History) -> None:
    history.add_gratitude(berlin(3, 2, 21), "Jo Marsh", "You water my tomatoes.", "neighbour")
    history.add_gratitude(berlin(3, 3, 21), "Sam", "You review my code kindly.", "colleague")
    window = make()
    assert focused() is window.who.name_edit

    qtbot.keyClicks(window.who.name_edit, "jo")
    popup = window.who.completer.popup()
    qtbot.waitUntil(popup.isVisible)
    assert window.who.completer.currentCompletion() == "Jo Marsh"
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    assert window.who.name_edit.text() == "Jo Marsh"
    assert window.who.relationship.currentData() == "neighbour"
    assert window.who.relationship.currentText() == "Neighbour"

    window.who.name_edit.setText("Someone new")  # an unknown name: no relationship guessed
    assert window.who.relationship.currentText() == "—"


def test_a_relationship_the_user_picked_is_never_overwritten(make: WindowFactory,
                                                             history: History) -> None:
    history.add_gratitude(berlin(3, 2, 21), "Sam", "You review my code kindly.", "colleague")
    window = make()
    combo = window.who.relationship
    combo.setCurrentIndex(combo.findData("friend"))
    combo.activated.emit(combo.currentIndex())  # as when the user picks it
    window.who.name_edit.setText("sam")
    assert combo.currentData() == "friend"


def test_the_relationships_are_offered_capitalized_after_an_empty_choice(
        make: WindowFactory) -> None:
    combo = make().who.relationship
    assert [combo.itemText(i) for i in range(combo.count())] == [
        "—", "Friend", "Partner", "Colleague", "Family", "Neighbour", "Other"]


def test_a_quiet_suggestion_fills_the_name_when_clicked(qtbot: QtBot, make: WindowFactory,
                                                        history: History) -> None:
    history.add_gratitude(berlin(1, 20, 21), "Jo", "You shovel our path first.", "neighbour")
    history.add_gratitude(berlin(3, 9, 21), "Sam", "You review my code kindly.", "colleague")
    window = make()
    link = window.who.suggestion
    assert link.isVisible()
    assert link.text() == "It has been a while since you thanked Jo (neighbour)."
    qtbot.mouseClick(link, Qt.MouseButton.LeftButton)
    assert window.who.name_edit.text() == "Jo"
    assert window.who.relationship.currentData() == "neighbour"
    assert not link.isVisible()  # done its job


def test_past_entries_for_the_person_are_one_click_away(qtbot: QtBot, make: WindowFactory,
                                                        history: History) -> None:
    history.add_gratitude(berlin(3, 2, 21), "Sam", "You review my code kindly.", "colleague")
    history.add_gratitude(berlin(3, 5, 21), "Sam", "You bring the good biscuits.", "colleague")
    window = make()
    assert not window.who.past_button.isVisible()
    window.who.name_edit.setText("Sam")
    assert window.who.past_button.isVisible()
    assert window.who.past_button.accessibleDescription() == "2 earlier entries for this person"
    qtbot.mouseClick(window.who.past_button, Qt.MouseButton.LeftButton)
    listed = window.who.past_list
    assert listed.isVisible()
    texts = {listed.item(i).text() for i in range(listed.count())}
    assert texts == {"Mon 2 Mar 2026 · You review my code kindly.",
                     "Thu 5 Mar 2026 · You bring the good biscuits."}
    qtbot.mouseClick(window.who.past_button, Qt.MouseButton.LeftButton)
    assert not listed.isVisible()


def test_untrusted_names_and_sentences_show_literally(qtbot: QtBot, make: WindowFactory,
                                                      history: History) -> None:
    history.add_gratitude(berlin(1, 2, 21), "<b>x</b> & Co", "<i>You</i> fix the bikes.")
    window = make()
    link = window.who.suggestion
    assert link.text() == "It has been a while since you thanked <b>x</b> & Co."
    assert link.textFormat() == Qt.TextFormat.PlainText
    qtbot.mouseClick(link, Qt.MouseButton.LeftButton)
    assert window.who.name_edit.text() == "<b>x</b> & Co"
    window.sentence.edit.setPlainText("<b>You</b> mend every puncture on Saturdays.")
    assert window.save() is not None
    assert window.status.textFormat() == Qt.TextFormat.PlainText
    assert "<b>x</b> & Co" in window.status.text()
    window.who.name_edit.setText("<b>x</b> & Co")
    window.who.past_button.setChecked(True)
    assert window.who.past_list.item(1).text() == "Fri 2 Jan 2026 · <i>You</i> fix the bikes."


# --- the sentence and its hints ---------------------------------------------------------------


def test_hints_appear_for_a_vague_sentence_and_turn_calm_for_a_good_one(
        qtbot: QtBot, make: WindowFactory) -> None:
    window = make()
    assert visible_hints(window) == [HINTS_RESTING]
    window.who.name_edit.setText("Ana")
    with qtbot.waitSignal(window.sentence.hints_updated):
        window.sentence.edit.setPlainText("Thanks for everything you did last year.")
    hints = {h.key: h.ok for h in window.sentence.hints}
    assert hints == {"specific": False, "present": False, "to_them": True}
    shown = visible_hints(window)
    assert len(shown) == 3
    assert sum(line.startswith(TODO_MARK) for line in shown) == 2

    with qtbot.waitSignal(window.sentence.hints_updated):
        window.sentence.edit.setPlainText(GOOD)
    assert all(h.ok for h in window.sentence.hints)
    assert all(line.startswith(OK_MARK) for line in visible_hints(window))

    with qtbot.waitSignal(window.sentence.hints_updated):
        window.sentence.edit.clear()
    assert visible_hints(window) == [HINTS_RESTING]


def test_hints_wait_until_typing_pauses(qtbot: QtBot, make: WindowFactory,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    window = make()
    monkeypatch.setattr(type(window.sentence), "HINT_DELAY_MS", 60)
    qtbot.keyClicks(window.sentence.edit, "You")
    assert visible_hints(window) == [HINTS_RESTING]  # not while the keys are still coming
    with qtbot.waitSignal(window.sentence.hints_updated, timeout=2000):
        pass
    assert len(visible_hints(window)) == 3


def test_hints_never_block_saving(make: WindowFactory, history: History) -> None:
    window = make()
    window.who.name_edit.setText("Sam")
    window.sentence.edit.setPlainText("Thanks for everything.")
    window.sentence.update_hints()
    assert not all(h.ok for h in window.sentence.hints)
    assert window.save() is not None
    assert [g.text for g in history.gratitude_on(TONIGHT)] == ["Thanks for everything."]


# --- saving -----------------------------------------------------------------------------------


@pytest.mark.parametrize("key", [Qt.Key.Key_Return, Qt.Key.Key_Enter])
def test_ctrl_enter_saves_with_the_day_and_relationship(qtbot: QtBot, make: WindowFactory,
                                                        history: History, key: Qt.Key) -> None:
    window = make()
    qtbot.keyClicks(window.who.name_edit, "Ana")
    combo = window.who.relationship
    combo.setCurrentIndex(combo.findData("friend"))
    qtbot.keyClicks(window.sentence.edit, GOOD)
    with qtbot.waitSignal(window.saved) as saved:
        qtbot.keyClick(window.sentence.edit, key, Qt.KeyboardModifier.ControlModifier)
    record = saved.args[0]
    assert (record.recipient, record.relationship, record.text, record.day) == (
        "Ana", "friend", GOOD, TONIGHT)
    assert history.gratitude_on(TONIGHT) == [record]
    assert not record.backfilled and record.sent_via is None
    # A kind word, and empty fields for another one.
    assert window.status.isVisible() and "Saved" in window.status.text()
    assert window.who.name_edit.text() == window.sentence.text == ""
    assert combo.currentText() == "—"
    assert not window.has_unsaved_text()


def test_pressing_save_again_right_after_saving_keeps_the_kind_word(
        make: WindowFactory, history: History) -> None:
    window = make()
    window.who.name_edit.setText("Ana")
    window.sentence.edit.setPlainText(GOOD)
    window.save_button.click()
    kind_word = window.status.text()
    window.save_button.click()
    assert window.status.text() == kind_word and window.status.objectName() == "StatusOk"
    assert len(history.gratitude_on(TONIGHT)) == 1


def test_an_entry_typed_after_midnight_counts_for_the_evening_before(
        make: WindowFactory, history: History, clock: FakeClock) -> None:
    clock.set(berlin(3, 11, 0, 30))
    window = make()
    window.who.name_edit.setText("Ana")
    window.sentence.edit.setPlainText(GOOD)
    record = window.save()
    assert record is not None and record.day == TONIGHT


@pytest.mark.parametrize(("name", "sentence", "empty"), [("", GOOD, "name"),
                                                          ("Ana", "   ", "sentence")])
def test_saving_without_a_name_or_sentence_says_so_and_goes_there(
        make: WindowFactory, history: History, name: str, sentence: str, empty: str) -> None:
    window = make()
    window.who.name_edit.setText(name)
    window.sentence.edit.setPlainText(sentence)
    window.save_button.click()
    assert history.gratitude_on(TONIGHT) == []
    assert window.status.isVisible() and window.status.objectName() == "StatusError"
    expected = window.who.name_edit if empty == "name" else window.sentence.edit
    assert focused() is expected


def test_yesterday_can_be_filled_in_until_tonights_invitation(
        make: WindowFactory, history: History, clock: FakeClock) -> None:
    clock.set(berlin(3, 10, 9, 0))
    window = make()
    toggle = window.yesterday
    assert toggle.isVisible()
    assert toggle.text() == "This is for &yesterday (Mon 9 Mar)"
    toggle.setChecked(True)
    window.who.name_edit.setText("Ana")
    window.sentence.edit.setPlainText(GOOD)
    record = window.save()
    assert record is not None and record.day == date(2026, 3, 9) and record.backfilled
    assert history.gratitude_on(date(2026, 3, 9)) == [record]
    assert not toggle.isChecked()  # the next one is for today again

    clock.set(berlin(3, 10, 20, 31))
    window.open_for_today()
    assert not toggle.isVisible()


def test_a_failed_save_keeps_every_word_and_says_why(
        qtbot: QtBot, make: WindowFactory, history: History,
        monkeypatch: pytest.MonkeyPatch) -> None:
    window = make()
    typed = "  Ana, you hum while you cook and the kitchen feels like home.\n"
    window.who.name_edit.setText("Ana")
    window.sentence.edit.setPlainText(typed)
    window.day.fields["useful"].setText("The walk at lunch")

    def full(*args: object, **kwargs: object) -> None:
        raise OSError("No space left on device")

    monkeypatch.setattr(history, "add_gratitude", full)
    with qtbot.assertNotEmitted(window.saved):
        assert window.save() is None
    assert window.status.text() == ("Could not save: No space left on device. "
                                    "Your sentence is still here; try again.")
    assert window.status.objectName() == "StatusError"
    assert window.sentence.text == typed
    assert window.who.name_edit.text() == "Ana"
    assert window.day.fields["useful"].text() == "The walk at lunch"

    def locked(*args: object, **kwargs: object) -> None:
        raise OperationalError("database is locked")

    monkeypatch.setattr(history, "add_gratitude", locked)
    window.save()
    assert window.status.text().startswith("Could not save: database is locked.")
    monkeypatch.undo()
    assert window.save() is not None  # try again: it works now
    assert [g.text for g in history.gratitude_on(TONIGHT)] == [typed.strip()]


# --- today ------------------------------------------------------------------------------------


def test_todays_pauses_are_listed_with_their_intentions(make: WindowFactory,
                                                        history: History) -> None:
    history.record_pause(berlin(3, 10, 9, 59), Outcome.COMPLETED, Intention.LISTEN, "Stand-up")
    history.record_pause(berlin(3, 10, 14, 0), Outcome.SKIPPED, None, "<b>1:1</b>")
    history.record_pause(berlin(3, 9, 11, 0), Outcome.COMPLETED, Intention.NOTICE, "Yesterday")
    window = make()
    assert window.day.heading.text() == "Today · Tue 10 Mar"
    assert window.day.pauses.text() == ("09:59  completed, listen before Stand-up\n"
                                        "14:00  skipped before <b>1:1</b>")
    assert window.day.pauses.textFormat() == Qt.TextFormat.PlainText


def test_a_day_without_pauses_says_so_gently(make: WindowFactory) -> None:
    assert make().day.pauses.text() == NO_PAUSES


def test_the_micro_round_is_saved_with_the_day_and_prefilled_next_time(
        make: WindowFactory, history: History, monkeypatch: pytest.MonkeyPatch) -> None:
    window = make()
    fields = window.day.fields
    fields["useful"].setText("Pairing with Sam")
    fields["confusing"].setText("The roadmap")
    fields["energizing"].setText("Running home")
    answer_discard_question(monkeypatch, None)
    assert window.close()
    saved = history.micro_round(TONIGHT)
    assert saved is not None
    assert (saved.day, saved.useful, saved.confusing, saved.energizing) == (
        TONIGHT, "Pairing with Sam", "The roadmap", "Running home")

    again = make()
    assert [again.day.fields[k].text() for k in ("useful", "confusing", "energizing")] == [
        "Pairing with Sam", "The roadmap", "Running home"]


def test_the_micro_round_is_saved_with_the_sentence(make: WindowFactory,
                                                    history: History) -> None:
    window = make()
    window.day.fields["useful"].setText("A long lunch")
    window.who.name_edit.setText("Ana")
    window.sentence.edit.setPlainText(GOOD)
    assert window.save() is not None
    saved = history.micro_round(TONIGHT)
    assert saved is not None and saved.useful == "A long lunch"
    assert window.day.fields["useful"].text() == "A long lunch"  # it stays: it is the day's


# --- keyboard and look ------------------------------------------------------------------------


def test_tab_goes_name_relationship_sentence_invite_save_copy_email(
        qtbot: QtBot, make: WindowFactory) -> None:
    window = make()
    seen = [focused()]
    for _ in range(6):
        qtbot.keyClick(focused(), Qt.Key.Key_Tab)
        seen.append(focused())
    assert seen == [window.who.name_edit, window.who.relationship, window.sentence.edit,
                    window.invite, window.save_button, window.copy_button, window.email_button]
    for widget in (window.who.name_edit, window.who.relationship, window.sentence.edit):
        assert widget.accessibleName()


def test_nothing_is_clipped_at_the_minimum_size_in_the_dark(make: WindowFactory,
                                                            history: History) -> None:
    history.add_gratitude(berlin(1, 2, 21), "Josephine Marchetti-Okonkwo", "You fix bikes.",
                          "neighbour")
    window = make(DARK)
    window.resize(ReflectionWindow.MIN_SIZE)
    window.who.name_edit.setText("Josephine Marchetti-Okonkwo")
    window.sentence.edit.setPlainText(GOOD)
    window.sentence.update_hints()
    scroll = window.findChild(QScrollArea)
    body = scroll.widget()
    assert body.minimumSizeHint().width() <= scroll.viewport().width()
    assert window.width() == ReflectionWindow.MIN_SIZE.width()
