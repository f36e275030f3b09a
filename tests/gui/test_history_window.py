"""The History window on a real SQLite history: streak numbers for DESIGN.md's worked examples,
heatmap ↔ list, search, intentions, the weekly note, untrusted text, milestones, and fit."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from microapp.core.paths import Profile
from microapp.store.db import open_store
from microapp.store.history import History
from microapp.store.history_view import practice_week, weekly_note
from microapp.ui.heatmap import CellKind
from microapp.ui.history_days import PAGE_DAYS
from microapp.ui.history_window import TITLE, HistoryWindow
from microapp.ui.theme import DARK, LIGHT
from tests.helpers import FakeClock

BERLIN = ZoneInfo("Europe/Berlin")
TODAY = date(2026, 3, 10)  # a Tuesday; FakeClock starts at 09:00 on it


def ago(n: int) -> date:
    return TODAY - timedelta(days=n)


def at(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hh, mm, tzinfo=BERLIN)


@pytest.fixture
def history(profile: Profile, clock: FakeClock) -> Iterator[History]:
    opened = open_store(profile.database_path, clock.now())
    h = History(opened.db)
    yield h
    h.close()


@pytest.fixture
def make(qtbot: QtBot, history: History, clock: FakeClock) -> Callable[..., HistoryWindow]:
    def build(palette=LIGHT, **kwargs) -> HistoryWindow:
        window = HistoryWindow(palette, history, clock, **kwargs)
        qtbot.addWidget(window)
        return window

    return build


def seed_pauses(history: History, pattern: str) -> None:
    """``pattern`` as in DESIGN.md, oldest first, the last symbol today (D done, M missed,
    N neutral, · open): a done day has a completed pause, a missed one a skipped pause."""
    for n, symbol in enumerate(reversed(pattern.split())):
        day = ago(n)
        if symbol == "D":
            history.record_pause(at(day, 9, 58), "completed", "listen", "Stand-up")
        elif symbol == "M":
            history.record_pause(at(day, 9, 58), "skipped", None, "Stand-up")


def seed_gratitude(history: History, pattern: str) -> None:
    """The same for gratitude: D an entry, M or N no entry (N must fall on a rest day)."""
    for n, symbol in enumerate(reversed(pattern.split())):
        if symbol == "D":
            history.add_gratitude(at(ago(n), 20, 30), "Sam", f"Thank you, day {n}.", "friend")


def numbers(section) -> tuple[str, str, str]:
    return (section.current.value.text(), section.longest.value.text(),
            section.strength.value.text())


# --- the streak numbers ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "current", "longest"),
    [("D D M D N D ·", "4 days", "4 days"),
     ("D D M M D ·", "1 day", "2 days"),
     ("D M D D M D ·", "1 day", "3 days"),
     ("D D D M ·", "3 days", "3 days")],
)
def test_the_worked_examples_show_their_pause_streaks(
    history: History, make, pattern: str, current: str, longest: str
) -> None:
    seed_pauses(history, pattern)
    window = make()
    assert numbers(window.pauses)[:2] == (current, longest)
    assert window.pauses.strength.value.text().endswith("%")
    assert window.pauses.current.accessibleName() == f"current streak: {current}"


def test_the_worked_example_for_gratitude_with_a_rest_day(history: History, make) -> None:
    # D D M D N D ·  ending today (Tue): the N is Sunday 8 March, a rest weekday.
    seed_gratitude(history, "D D M D N D ·")
    window = make(rest_days=(6,))
    assert numbers(window.gratitude)[:2] == ("4 days", "4 days")
    heatmap = window.gratitude.heatmap
    assert heatmap.cell(ago(4)).kind is CellKind.FORGIVEN
    assert heatmap.cell(ago(4)).text == "Fri 6 Mar · forgiven miss"
    assert heatmap.cell(ago(2)).text == "Sun 8 Mar · rest day"
    assert heatmap.cell(ago(1)).text == "Mon 9 Mar · done · 1 sentence"
    without_rest = make()  # Sunday is then a second miss, too close to the forgiven one
    assert numbers(without_rest.gratitude)[:2] == ("1 day", "3 days")


def test_strength_is_explained_in_one_sentence_and_shown_as_a_percentage(
    history: History, make
) -> None:
    seed_pauses(history, "D D D D D D D ·")
    window = make()
    assert window.pauses.strength.value.text() == "31%"
    sentence = window.pauses.explain.text()
    assert sentence.count(".") == 1 and sentence.startswith("Strength")
    assert window.gratitude.explain.text() != sentence


def test_a_first_look_at_an_empty_history_invites_gently(make) -> None:
    window = make()
    assert numbers(window.pauses) == ("0 days", "0 days", "0%")
    assert "starts the count" in window.pauses.note.text()
    assert window.days.model().rowCount() == 0
    assert window.chart.shares == {"notice": 0, "listen": 0, "encourage": 0, "none": 0}


# --- milestones and ended runs -----------------------------------------------------------------


def test_a_milestone_is_marked_gently(history: History, make) -> None:
    seed_pauses(history, " ".join(["D"] * 31) + " ·")
    window = make()
    assert window.pauses.note.text() == "30 days · a month of doorways"
    assert window.pauses.note.textFormat() == Qt.TextFormat.PlainText


def test_an_ended_run_keeps_its_longest_and_is_never_scolded(history: History, make) -> None:
    seed_pauses(history, " ".join(["D"] * 10) + " M M ·")
    window = make()
    current, longest, strength = numbers(window.pauses)
    assert (current, longest) == ("0 days", "10 days")
    assert int(strength.rstrip("%")) > 20  # strength settles slowly
    note = window.pauses.note.text()
    assert "10 days" in note and "a week of doorways" in note and "stays yours" in note
    for harsh in ("fail", "lost", "broke", "should", "!"):
        assert harsh not in note.lower()


# --- heatmap and list together -----------------------------------------------------------------


def test_arrows_move_the_focused_day_and_enter_selects_it_in_the_list(
    history: History, make, qtbot: QtBot
) -> None:
    seed_pauses(history, "D D M D N D ·")
    history.record_pause(at(ago(7), 11), "completed", "notice", "Review")
    window = make()
    window.show()
    heatmap = window.pauses.heatmap
    heatmap.setFocus()
    assert heatmap.focused_day == TODAY
    qtbot.keyClick(heatmap, Qt.Key.Key_Left)
    assert heatmap.focused_day == ago(7)
    assert window.pauses.focus_line.text() == "Tue 3 Mar · done · 1 pause (notice)"
    assert heatmap.accessibleDescription() == window.pauses.focus_line.text()
    qtbot.keyClick(heatmap, Qt.Key.Key_Return)
    assert window.selected_day() == ago(7)
    assert window.focusWidget() is heatmap  # the arrows keep working
    qtbot.keyClick(heatmap, Qt.Key.Key_Right)
    qtbot.keyClick(heatmap, Qt.Key.Key_Up)
    qtbot.keyClick(heatmap, Qt.Key.Key_Up)  # Sun 8 Mar: nothing recorded
    qtbot.keyClick(heatmap, Qt.Key.Key_Enter)
    assert window.selected_day() == ago(3)
    assert "Nothing recorded on Sun 8 Mar; showing Sat 7 Mar" in window.status.text()


def test_a_day_in_the_list_moves_the_heatmap_focus(history: History, make, qtbot: QtBot) -> None:
    seed_pauses(history, "D D M D N D ·")
    window = make()
    window.show()
    model = window.days.days_model()
    row = model.row_of(ago(3))
    assert row is not None
    window.days.setCurrentIndex(model.index(row, 0))
    window.days.setFocus()
    qtbot.keyClick(window.days, Qt.Key.Key_Return)
    assert window.pauses.heatmap.focused_day == ago(3)


def test_the_list_shows_days_newest_first_with_pauses_and_sentences(
    history: History, make
) -> None:
    history.record_pause(at(ago(1), 9, 58), "completed", "listen", "Design review")
    history.record_pause(at(ago(1), 14, 0), "skipped", None, "Planning")
    history.add_gratitude(at(ago(1), 20, 30), "Sam", "You stay for the whole story.",
                          "colleague")
    history.db.execute_sql("UPDATE gratitude_entry SET backfilled = 1")
    history.record_pause(at(ago(3), 10), "completed", None, None)
    window = make()
    model = window.days.days_model()
    assert [model.entries(r).day for r in range(model.rowCount())] == [ago(1), ago(3)]
    text = model.data(model.index(0, 0))
    assert text.splitlines() == [
        "Yesterday · Monday 9 March · 1 of 2 pauses · 1 sentence",
        "09:58  listen · Design review",
        "14:00  skipped · Planning",
        "To Sam · colleague · added later",
        "You stay for the whole story.",
    ]
    assert "10:00  completed · a pause of your own" in model.data(model.index(1, 0))
    assert window.days.sizeHintForRow(0) > window.days.sizeHintForRow(1)


def test_ten_years_open_a_page_at_a_time(history: History, make) -> None:
    start = at(ago(3650), 20)
    with history.db.atomic():
        for n in range(0, 3650, 2):
            history.add_gratitude(start + timedelta(days=n), "Ana", f"Sentence {n}.")
    window = make()
    model = window.days.days_model()
    loaded = model.rowCount()
    assert 180 <= loaded <= 190  # the heatmap's year
    assert model.canFetchMore()
    model.fetchMore()
    assert model.rowCount() == loaded + PAGE_DAYS
    assert model.nearest_row(ago(3649)) == 3650 // 2 - 1
    assert not model.canFetchMore()


# --- search ----------------------------------------------------------------------------------


def test_search_filters_sentences_and_recipients_after_typing_pauses(
    history: History, make, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(HistoryWindow, "SEARCH_DELAY_MS", 5)
    history.add_gratitude(at(ago(1), 20), "Sam", "You fixed the build at midnight.")
    history.add_gratitude(at(ago(2), 20), "Mum", "You call on Sundays.")
    history.add_gratitude(at(ago(3), 20), "Priya", "Samosas for the whole team.")
    history.record_pause(at(ago(2), 9), "completed", "listen", "Sam's review")
    window = make()
    window.show()
    model = window.days.days_model()
    assert model.rowCount() == 3
    qtbot.keyClicks(window.search_field, "sam")
    qtbot.waitUntil(lambda: model.searching)
    rows = [model.entries(r) for r in range(model.rowCount())]
    assert [(e.day, [g.recipient for g in e.gratitude], e.pauses) for e in rows] == [
        (ago(1), ["Sam"], ()), (ago(3), ["Priya"], ())]
    assert window.status.text() == "· 2 sentences matching “sam”"
    window.search_field.clear()
    qtbot.waitUntil(lambda: not model.searching)
    assert model.rowCount() == 3


def test_activating_a_day_leaves_the_search(history: History, make) -> None:
    history.add_gratitude(at(ago(1), 20), "Sam", "Thanks.")
    history.add_gratitude(at(ago(2), 20), "Mum", "Thanks too.")
    window = make()
    window.search_field.setText("mum")
    window.run_search()
    assert window.days.days_model().rowCount() == 1
    window.show_day(ago(1))
    assert window.search_field.text() == ""
    assert window.selected_day() == ago(1)


# --- intentions and the week ---------------------------------------------------------------------


def test_the_intention_chart_shows_the_last_30_days(history: History, make) -> None:
    history.record_pause(at(ago(1), 9), "completed", "listen", "A")
    history.record_pause(at(ago(2), 9), "completed", "listen", "B")
    history.record_pause(at(ago(3), 9), "completed", "encourage", "C")
    history.record_pause(at(ago(4), 9), "completed", None, "D")
    history.record_pause(at(ago(5), 9), "skipped", "notice", "E")
    history.record_pause(at(ago(40), 9), "completed", "notice", "F")
    window = make()
    assert window.chart.shares == {"notice": 0, "listen": 2, "encourage": 1, "none": 1}
    assert "listen 2 (50%)" in window.chart.accessibleDescription()


def test_the_weekly_note_is_saved_and_prefilled_next_time(
    history: History, make, qtbot: QtBot, clock: FakeClock
) -> None:
    window = make()
    window.show()
    window.tabs.setCurrentWidget(window.week)
    assert window.week.title.text() == "This week · Mon 9 Mar – Sun 15 Mar"
    qtbot.keyClicks(window.week.easiest, "The pause before the stand-up")
    qtbot.keyClicks(window.week.meaningful, "Thanking <b>Sam</b>")
    assert window.week.status.text() == "Not saved yet."
    qtbot.mouseClick(window.week.save_button, Qt.MouseButton.LeftButton)
    saved = weekly_note(history.db, practice_week(TODAY))
    assert saved is not None
    assert (saved.easiest, saved.meaningful) == ("The pause before the stand-up",
                                                 "Thanking <b>Sam</b>")
    assert window.week.status.text() == "Saved Tue 10 Mar, 09:00."
    again = make()
    assert again.week.easiest.text() == "The pause before the stand-up"
    assert again.week.meaningful.text() == "Thanking <b>Sam</b>"
    clock.advance(days=7)
    again.refresh()
    assert again.week.title.text() == "This week · Mon 16 Mar – Sun 22 Mar"
    assert again.week.easiest.text() == ""


def test_a_refresh_never_overwrites_unsaved_answers(make, qtbot: QtBot) -> None:
    window = make()
    qtbot.keyClicks(window.week.easiest, "Half a thought")
    window.refresh()
    assert window.week.easiest.text() == "Half a thought"


# --- plain text, refresh, looks ------------------------------------------------------------------


def test_untrusted_text_is_shown_literally(history: History, make) -> None:
    history.record_pause(at(ago(1), 9), "completed", "listen", "<b>x</b> & <i>friends</i>")
    history.add_gratitude(at(ago(1), 20), "<b>x</b>", "<img src=x> was kind", "colleague")
    # Relationships are checked on the way in; the window must not rely on that.
    history.db.execute_sql("UPDATE gratitude_entry SET relationship = '<u>y</u>'")
    window = make()
    window.search_field.setText("<b>x")
    window.run_search()
    assert "“<b>x”" in window.status.text()
    window.search_field.setText("")
    window.run_search()
    text = window.days.days_model().data(window.days.days_model().index(0, 0))
    assert "09:00  listen · <b>x</b> & <i>friends</i>" in text
    assert "To <b>x</b> · <u>y</u>" in text
    for label in window.findChildren(QLabel):
        if "<" in label.text():
            assert label.textFormat() == Qt.TextFormat.PlainText, label.objectName()
    for cell_day in (ago(1), TODAY):  # tooltips carry no untrusted text at all
        assert "<" not in window.pauses.heatmap.cell(cell_day).text


def test_refresh_shows_what_happened_since(history: History, make, clock: FakeClock) -> None:
    window = make()
    assert numbers(window.pauses)[0] == "0 days"
    history.record_pause(clock.now(), "completed", "notice", "Stand-up")
    window.refresh()
    assert numbers(window.pauses)[0] == "1 day"
    assert window.pauses.heatmap.cell(TODAY).kind is CellKind.DONE
    assert window.days.days_model().rowCount() == 1


def test_the_practice_day_starts_at_the_configured_hour(history: History, make,
                                                        clock: FakeClock) -> None:
    clock.set(at(TODAY, 3, 0))  # before 04:00: still yesterday's practice day
    window = make()
    assert window.today == ago(1)
    late = make(day_starts_at=datetime.min.time())
    assert late.today == TODAY


@pytest.mark.parametrize("palette", [LIGHT, DARK])
def test_it_fits_in_760_by_560_with_nothing_clipped(
    history: History, make, qtbot: QtBot, palette
) -> None:
    seed_pauses(history, " ".join(["D"] * 40) + " ·")
    window = make(palette)
    assert window.windowTitle() == TITLE
    assert (window.width(), window.height()) == (900, 680)
    minimum = window.layout().totalMinimumSize()
    assert minimum.width() <= 760 and minimum.height() <= 560
    window.resize(760, 560)
    window.show()
    qtbot.waitExposed(window)
    heatmap = window.pauses.heatmap
    assert heatmap.rect().toRectF().contains(heatmap.cell_rect(TODAY))
    for widget in (window.close_button, window.search_field, heatmap, window.chart):
        corner = widget.mapTo(window, widget.rect().bottomRight())
        assert window.rect().contains(corner), widget
    for label in window.findChildren(QLabel):
        if label.isVisible() and not label.wordWrap():
            assert label.width() >= label.sizeHint().width(), label.text()


def test_keyboard_reaches_everything_in_order_with_mnemonics(make) -> None:
    window = make()
    window.show()
    texts = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    assert texts == ["&Pauses", "&Gratitude", "This &week"]
    assert window.close_button.text() == "&Close"
    for page, first in ((window.pauses, window.pauses.heatmap),
                        (window.gratitude, window.gratitude.heatmap),
                        (window.week, window.week.easiest)):
        window.tabs.setCurrentWidget(page)
        seen, widget = [], window.tabs.tabBar().nextInFocusChain()
        while widget is not window.tabs.tabBar() and len(seen) < 100:
            if (widget.isVisible() and widget.isEnabled()
                    and widget.parent() is not window.tabs.tabBar()  # its scroll arrows
                    and widget.focusPolicy() & Qt.FocusPolicy.TabFocus):
                seen.append(widget)
            widget = widget.nextInFocusChain()
        assert seen[0] is first  # the tab bar, then the page, then search, list, buttons
        rest = [w for w in seen if w in (window.search_field, window.days, window.close_button)]
        assert rest == [window.search_field, window.days, window.close_button]
