"""The Settings window by keyboard alone: Tab reaches every field top to bottom, sections move
with arrows, Ctrl+PgUp/PgDown and Alt+letter, labels' mnemonics focus their fields, Esc closes
(saving what was typed)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QWidget
from pytestqt.qtbot import QtBot

from microapp.core.settings import Settings, load_settings, save_settings
from microapp.ui.settings_editor import SettingsEditor
from microapp.ui.settings_window import SECTIONS, SettingsWindow
from microapp.ui.theme import LIGHT
from tests.helpers import FakeClock


class Autostart:
    def is_enabled(self) -> bool:
        return False

    def enable(self) -> None: ...

    def disable(self) -> None: ...


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "settings.toml"


@pytest.fixture
def window(qtbot: QtBot, path: Path, clock: FakeClock) -> SettingsWindow:
    save_settings(Settings(), path, clock.now())
    editor = SettingsEditor(path, clock, Settings())
    window = SettingsWindow(editor, LIGHT, calendars_page=QWidget(), data_dir=path.parent,
                            settings_path=path, autostart=Autostart(),
                            open_url=lambda _url: True)
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    return window


def focused() -> QWidget | None:
    return QApplication.focusWidget()


def tab_through(qtbot: QtBot, window: SettingsWindow) -> list[QWidget | None]:
    """Every widget Tab stops at until Close (a time edit's hours and minutes are two stops
    on one widget, as Qt does it: listed once)."""
    seen: list[QWidget | None] = []
    for _ in range(60):
        qtbot.keyClick(focused() or window, Qt.Key.Key_Tab)
        if not seen or seen[-1] is not focused():
            seen.append(focused())
        if focused() is window.close_button:
            break
    return seen


@pytest.mark.parametrize("section", ["pause", "evening", "history", "general"])
def test_tab_reaches_every_field_of_the_page_top_to_bottom(
        qtbot: QtBot, window: SettingsWindow, section: str) -> None:
    window.show_section(section, focus_list=True)
    page = getattr(window, section)
    # Radio buttons are one stop (arrows move inside the group): the checked one.
    expected = [w for w in page.focus_order()
                if w.isEnabled() and not (w.metaObject().className() == "QRadioButton"
                                          and not w.isChecked())]
    expected += [window.restore_button, window.close_button]
    assert focused() is window.sections
    assert tab_through(qtbot, window) == expected
    for widget in expected:
        assert widget.toolTip(), widget  # every field says what it does


def test_every_field_has_a_label_that_names_it(window: SettingsWindow) -> None:
    for page in (window.pause, window.evening, window.history, window.general):
        for widget in page.focus_order():
            if isinstance(widget, QAbstractButton):
                assert widget.text().replace("&", "").strip()
            else:
                buddies = [label for label in window.findChildren(QLabel)
                           if label.buddy() is widget]
                assert buddies, widget
                assert widget.accessibleName()


def test_sections_move_with_arrows_ctrl_page_keys_and_alt_letters(
        qtbot: QtBot, window: SettingsWindow) -> None:
    window.show_section("pause", focus_list=True)
    qtbot.keyClick(window.sections, Qt.Key.Key_Down)
    assert window.section == "evening" and window.page_title.text() == "Evening"
    qtbot.keyClick(window.sections, Qt.Key.Key_Up)
    assert window.section == "pause"
    window.pause.motion.box.setFocus()
    qtbot.keyClick(focused(), Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier)
    assert window.section == "evening"
    qtbot.keyClick(focused(), Qt.Key.Key_PageUp, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(focused(), Qt.Key.Key_PageUp, Qt.KeyboardModifier.ControlModifier)
    assert window.section == "calendars"  # wraps around
    for name, _title, key in SECTIONS:
        qtbot.keyClick(focused(), getattr(Qt.Key, f"Key_{key}"), Qt.KeyboardModifier.AltModifier)
        assert window.section == name
        assert focused() is window.sections


def test_ctrl_page_keys_move_sections_even_from_a_number_or_time_box(
        qtbot: QtBot, window: SettingsWindow) -> None:
    window.show_section("pause")
    spin = window.pause.seconds.spin
    spin.setFocus()
    qtbot.waitUntil(spin.hasFocus, timeout=2000)
    qtbot.keyClick(spin, Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier)
    assert window.section == "evening" and spin.value() == 5  # not stepped by ten
    edit = window.evening.at.edit
    edit.setFocus()
    qtbot.waitUntil(edit.hasFocus, timeout=2000)
    qtbot.keyClick(edit, Qt.Key.Key_PageUp, Qt.KeyboardModifier.ControlModifier)
    assert window.section == "pause"


def test_a_label_mnemonic_focuses_its_field(qtbot: QtBot, window: SettingsWindow) -> None:
    window.show_section("pause", focus_list=True)
    qtbot.keyClick(focused(), Qt.Key.Key_L, Qt.KeyboardModifier.AltModifier)
    assert focused() is window.pause.seconds.spin
    window.show_section("history", focus_list=True)
    qtbot.keyClick(focused(), Qt.Key.Key_D, Qt.KeyboardModifier.AltModifier)
    assert focused() is window.history.day_starts.edit


def test_no_two_mnemonics_clash_on_a_page(window: SettingsWindow) -> None:
    window_keys = [key.lower() for _, _, key in SECTIONS] + ["r", "y"]  # Restore, Try again
    for page in (window.pause, window.evening, window.history, window.general):
        texts = [w.text() for w in page.findChildren(QAbstractButton)]
        texts += [label.text() for label in page.findChildren(QLabel) if label.buddy()]
        keys = [QKeySequence.mnemonic(t).toString().lower().removeprefix("alt+")
                for t in texts if "&" in t]
        assert len(keys) == len(set(keys)), keys
        assert not set(keys) & set(window_keys), keys


def test_esc_closes_and_keeps_what_was_typed(qtbot: QtBot, window: SettingsWindow,
                                             path: Path) -> None:
    spin = window.pause.seconds.spin
    spin.setFocus()
    spin.selectAll()
    qtbot.keyClicks(spin, "11")  # typed, not yet confirmed with Enter
    qtbot.keyClick(spin, Qt.Key.Key_Escape)
    assert not window.isVisible()
    qtbot.waitUntil(lambda: not window.editor.busy, timeout=3000)
    assert load_settings(path).settings.pause_seconds == 11


def test_close_button_closes(window: SettingsWindow) -> None:
    window.close_button.click()
    assert not window.isVisible()


def test_no_text_is_cut_off_at_double_scale(window: SettingsWindow, qtbot: QtBot) -> None:
    """Labels wrap or the page scrolls: every label gets at least the width its text needs
    for one word at a time, and no field is squeezed below its minimum."""
    window.resize(window.width() // 2, window.height() // 2)  # like 200 % on the same screen
    for name, _t, _k in SECTIONS[1:]:
        window.show_section(name)
        QApplication.processEvents()
        page = getattr(window, name)
        for label in page.findChildren(QLabel):
            if label.isVisible() and not label.wordWrap():
                assert label.width() >= label.minimumSizeHint().width(), label.text()
        for widget in page.focus_order():
            if widget.isVisible():
                assert widget.width() >= widget.minimumSizeHint().width(), (name, widget)

