"""The year heatmap and the intention chart, on their own: cells, geometry, keys, mouse,
tooltips, accessibility, and crisp painting at any scale."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QEvent, QPoint, Qt
from PySide6.QtGui import QHelpEvent, QImage, QPainter, QRegion
from PySide6.QtWidgets import QToolTip, QWidget
from pytestqt.qtbot import QtBot

from microapp.core.records import Intention, Outcome, PauseRecord
from microapp.core.streaks import gratitude_streaks, pause_streaks
from microapp.store.history_view import DayEntries
from microapp.ui.heatmap import WEEKS, CellKind, HeatCell, Heatmap, HeatmapLegend, first_day
from microapp.ui.history_practice import heat_cells, level_for
from microapp.ui.intention_chart import IntentionChart, share_words
from microapp.ui.theme import DARK, LIGHT

TODAY = date(2026, 3, 10)  # a Tuesday
BERLIN = ZoneInfo("Europe/Berlin")


def ago(n: int) -> date:
    return TODAY - timedelta(days=n)


def pause(day: date, hour: int, outcome: Outcome = Outcome.COMPLETED,
          intention: Intention | None = None) -> PauseRecord:
    at = datetime(day.year, day.month, day.day, hour, tzinfo=BERLIN)
    return PauseRecord(at=at, tz="Europe/Berlin", day=day, outcome=outcome, intention=intention)


@pytest.fixture
def heatmap(qtbot: QtBot) -> Heatmap:
    grid = Heatmap(LIGHT, "Doorway pauses, past year")
    qtbot.addWidget(grid)
    cells = {ago(n): HeatCell(CellKind.DONE, f"day {n}", 1 + n % 4) for n in range(0, 400)}
    grid.set_cells(TODAY, cells)
    grid.resize(grid.sizeHint())
    grid.show()
    qtbot.waitExposed(grid)
    return grid


def test_the_grid_is_53_weeks_of_monday_to_sunday_ending_with_today(heatmap: Heatmap) -> None:
    assert heatmap.first == first_day(TODAY) == date(2025, 3, 10)
    assert heatmap.first.weekday() == 0
    assert (TODAY - heatmap.first).days // 7 == WEEKS - 1
    left, right = heatmap.cell_rect(heatmap.first), heatmap.cell_rect(TODAY)
    assert right.left() > left.left() and right.top() > left.top()  # Tuesday, row 2
    assert heatmap.rect().toRectF().contains(right)


def test_every_cell_is_found_again_under_the_mouse(heatmap: Heatmap) -> None:
    day = heatmap.first
    while day <= TODAY:
        assert heatmap.day_at(heatmap.cell_rect(day).center()) == day
        day += timedelta(days=1)
    future = heatmap.cell_rect(TODAY).center() + QPoint(0, heatmap.pitch())
    assert heatmap.day_at(future) is None  # Wednesday, not yet
    assert heatmap.day_at(QPoint(1, 1)) is None  # the labels


def test_arrows_move_the_focused_day_and_stay_in_the_year(heatmap: Heatmap, qtbot: QtBot) -> None:
    heatmap.setFocus()
    seen: list[date] = []
    heatmap.day_focused.connect(seen.append)
    assert heatmap.focused_day == TODAY
    qtbot.keyClick(heatmap, Qt.Key.Key_Left)
    assert heatmap.focused_day == ago(7)
    qtbot.keyClick(heatmap, Qt.Key.Key_Up)
    assert heatmap.focused_day == ago(8)
    qtbot.keyClick(heatmap, Qt.Key.Key_Down)
    qtbot.keyClick(heatmap, Qt.Key.Key_Right)
    assert heatmap.focused_day == TODAY
    qtbot.keyClick(heatmap, Qt.Key.Key_Right)  # no future days
    qtbot.keyClick(heatmap, Qt.Key.Key_Down)
    assert heatmap.focused_day == TODAY
    qtbot.keyClick(heatmap, Qt.Key.Key_PageUp)
    assert heatmap.focused_day == ago(28)
    qtbot.keyClick(heatmap, Qt.Key.Key_Home)
    assert heatmap.focused_day == heatmap.first
    qtbot.keyClick(heatmap, Qt.Key.Key_Left)
    assert heatmap.focused_day == heatmap.first
    qtbot.keyClick(heatmap, Qt.Key.Key_End)
    assert heatmap.focused_day == TODAY
    assert seen == [ago(7), ago(8), ago(7), TODAY, ago(28), heatmap.first, TODAY]


def test_the_focused_day_is_announced(heatmap: Heatmap, qtbot: QtBot) -> None:
    heatmap.setFocus()
    qtbot.keyClick(heatmap, Qt.Key.Key_Up)
    assert heatmap.accessibleDescription() == "day 1"
    assert heatmap.accessibleName() == "Doorway pauses, past year"
    assert heatmap.focusPolicy() == Qt.FocusPolicy.StrongFocus


@pytest.mark.parametrize("key", [Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space])
def test_enter_activates_the_focused_day(heatmap: Heatmap, qtbot: QtBot, key: Qt.Key) -> None:
    heatmap.setFocus()
    qtbot.keyClick(heatmap, Qt.Key.Key_Left)
    with qtbot.waitSignal(heatmap.day_activated) as activated:
        qtbot.keyClick(heatmap, key)
    assert activated.args == [ago(7)]


def test_a_click_focuses_and_activates_a_day(heatmap: Heatmap, qtbot: QtBot) -> None:
    target = ago(30)
    with qtbot.waitSignal(heatmap.day_activated) as activated:
        qtbot.mouseClick(heatmap, Qt.MouseButton.LeftButton,
                         pos=heatmap.cell_rect(target).center().toPoint())
    assert activated.args == [target]
    assert heatmap.focused_day == target
    assert heatmap.hasFocus()


def test_each_cell_has_its_own_tooltip(heatmap: Heatmap) -> None:
    pos = heatmap.cell_rect(ago(2)).center().toPoint()
    event = QHelpEvent(QEvent.Type.ToolTip, pos, heatmap.mapToGlobal(pos))
    assert heatmap.event(event)
    assert QToolTip.text() == "day 2"
    QToolTip.hideText()


def test_set_cells_keeps_the_focus_when_it_is_still_in_the_year(heatmap: Heatmap) -> None:
    heatmap.set_focused_day(ago(20))
    heatmap.set_cells(TODAY + timedelta(days=1), {})
    assert heatmap.focused_day == ago(20)
    assert heatmap.cell(ago(20)).kind is CellKind.NONE
    heatmap.set_cells(TODAY + timedelta(days=400), {})
    assert heatmap.focused_day == TODAY + timedelta(days=400)


def test_the_grid_shrinks_to_fit_and_grows_no_further(heatmap: Heatmap) -> None:
    small, big = heatmap.minimumSizeHint(), heatmap.sizeHint()
    assert small.width() < 560 and big.width() < 1000
    assert heatmap.heightForWidth(small.width()) < heatmap.heightForWidth(big.width())
    assert heatmap.heightForWidth(big.width()) == heatmap.heightForWidth(big.width() + 500)


@pytest.mark.parametrize("palette", [LIGHT, DARK])
@pytest.mark.parametrize("ratio", [1.0, 1.5, 2.0])
def test_it_paints_crisply_at_any_scale(qtbot: QtBot, palette, ratio: float) -> None:
    grid = Heatmap(palette, "x")
    qtbot.addWidget(grid)
    kinds = list(CellKind)
    grid.set_cells(TODAY, {ago(n): HeatCell(kinds[n % len(kinds)], "t", 1 + n % 4)
                           for n in range(371)})
    grid.resize(grid.sizeHint())
    image = QImage(grid.size() * ratio, QImage.Format.Format_ARGB32)
    image.setDevicePixelRatio(ratio)
    image.fill(0)
    grid.render(image, QPoint(), QRegion(), QWidget.RenderFlag.DrawChildren)

    def alpha_at(day: date) -> int:
        centre = grid.cell_rect(day).center() * ratio
        return image.pixelColor(int(centre.x()), int(centre.y())).alpha()

    assert alpha_at(TODAY + timedelta(days=2)) == 0  # the future is left clear
    assert alpha_at(ago(8)) == 255  # a done cell (8 % 6 -> DONE) is filled
    painted = sum(1 for x in range(0, image.width(), 3)
                  if image.pixelColor(x, image.height() // 2).alpha())
    assert painted > 50


def test_the_legend_names_every_shape(qtbot: QtBot) -> None:
    legend = HeatmapLegend(DARK, "rest day")
    qtbot.addWidget(legend)
    for words in ("done", "missed", "forgiven miss", "rest day", "today"):
        assert words in legend.accessibleName()
    image = QImage(legend.sizeHint(), QImage.Format.Format_ARGB32)
    image.fill(0)
    legend.render(image)
    assert QPainter(image).isActive()


# --- cells from streaks ----------------------------------------------------------------------


def test_cells_tell_forgiven_missed_neutral_and_open_days_apart() -> None:
    # D D M D N D · (DESIGN.md): the miss three days before yesterday is forgiven.
    outcomes = {ago(6): ["completed"], ago(5): ["completed"], ago(4): ["skipped"],
                ago(3): ["completed"], ago(1): ["completed", "completed"]}
    details = {ago(1): DayEntries(ago(1), (pause(ago(1), 9, intention=Intention.LISTEN),
                                           pause(ago(1), 11, intention=Intention.NOTICE)))}
    streak = pause_streaks(outcomes, TODAY)
    cells = heat_cells(streak, details, TODAY, "pause")
    assert min(cells) == first_day(TODAY) and max(cells) == TODAY
    assert cells[ago(7)].kind is CellKind.NONE
    assert [cells[ago(n)].kind for n in range(6, -1, -1)] == [
        CellKind.DONE, CellKind.DONE, CellKind.FORGIVEN, CellKind.DONE, CellKind.NEUTRAL,
        CellKind.DONE, CellKind.PENDING]
    assert cells[ago(4)].text == "Fri 6 Mar · forgiven miss"
    assert cells[ago(2)].text == "Sun 8 Mar · no pauses"
    assert cells[ago(1)].text == "Mon 9 Mar · done · 2 pauses (listen, notice)"
    assert cells[ago(1)].level == 2
    assert cells[TODAY].text == "Tue 10 Mar · today, still open"

    unforgiven = heat_cells(pause_streaks({ago(3): ["completed"], ago(2): ["missed"],
                                           ago(1): ["skipped"]}, TODAY), {}, TODAY, "pause")
    assert cells[ago(4)].kind is CellKind.FORGIVEN
    assert unforgiven[ago(2)].kind is unforgiven[ago(1)].kind is CellKind.MISSED
    assert unforgiven[ago(1)].text == "Mon 9 Mar · missed"


def test_gratitude_cells_count_sentences_and_name_rest_days() -> None:
    streak = gratitude_streaks([ago(3), ago(1)], TODAY, rest_weekdays=(6,))
    details = {ago(1): DayEntries(ago(1), (), ())}
    cells = heat_cells(streak, details, TODAY, "gratitude")
    assert cells[ago(2)].text == "Sun 8 Mar · rest day"
    assert cells[ago(2)].kind is CellKind.NEUTRAL
    assert cells[ago(1)].kind is CellKind.DONE
    assert level_for(None, "gratitude") == 1


def test_done_levels_grow_with_completed_pauses() -> None:
    def day_with(n: int) -> DayEntries:
        return DayEntries(TODAY, tuple(pause(TODAY, 8 + k) for k in range(n)))

    assert [level_for(day_with(n), "pause") for n in (1, 2, 3, 4, 5, 9)] == [1, 2, 3, 3, 4, 4]


# --- the intention chart ---------------------------------------------------------------------


def test_the_chart_says_its_numbers_in_words(qtbot: QtBot) -> None:
    chart = IntentionChart(LIGHT)
    qtbot.addWidget(chart)
    chart.set_shares({"notice": 1, "listen": 2, "encourage": 1, "none": 0})
    words = "notice 1 (25%), listen 2 (50%), encourage 1 (25%), no intention 0 (0%)"
    assert chart.accessibleDescription() == words == chart.toolTip()
    assert share_words({"notice": 0}) == "No completed pauses in the last 30 days."
    assert chart.sizeHint().height() == 4 * chart.ROW
    chart.resize(chart.sizeHint())
    image = QImage(chart.size(), QImage.Format.Format_ARGB32)
    image.fill(0)
    chart.render(image)
