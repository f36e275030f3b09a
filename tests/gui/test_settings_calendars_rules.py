"""Which events get a pause: the [meetings] rules on the Calendars page, written to a real
settings.toml and checked with the settings file's own parser."""

from __future__ import annotations

import tomllib
from typing import Any

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from microapp.core.paths import Profile
from microapp.core.settings import Settings
from tests.gui.settings_calendars_helpers import (  # noqa: F401 - fixtures
    PageMaker,
    make_page_fixture,
    memory_keyring_fixture,
    on_disk,
    written,
)


def meetings_on_disk(profile: Profile) -> dict[str, Any]:
    return tomllib.loads(profile.settings_path.read_text(encoding="utf-8"))["meetings"]


def test_each_skip_box_writes_its_key(make_page: PageMaker, qtbot: QtBot,
                                      profile: Profile) -> None:
    page = make_page()
    boxes = {f.attr: f.widgets[0] for f in page.fields if f.attr.startswith("skip_")}
    assert set(boxes) == {"skip_all_day", "skip_cancelled", "skip_declined", "skip_free",
                          "skip_tentative"}
    for attr, box in boxes.items():
        before = getattr(page.editor.settings, attr)
        box.click()
        written(qtbot, page)
        assert meetings_on_disk(profile)[attr] is (not before), attr


def test_an_address_is_checked_saved_in_lower_case_and_removed_with_delete(
        make_page: PageMaker, qtbot: QtBot, profile: Profile) -> None:
    page = make_page()
    field = page.emails
    field.line.setFocus()
    qtbot.keyClicks(field.line, "not an address")
    qtbot.keyClick(field.line, Qt.Key.Key_Return)
    assert field.error.isVisibleTo(page)
    assert field.error.text() == "That is not an e-mail address: it needs an @ and no spaces."
    assert field.line.text() == "not an address"  # kept to fix, not saved
    written(qtbot, page)
    assert meetings_on_disk(profile)["my_emails"] == []

    field.line.clear()
    assert not field.error.isVisibleTo(page)
    qtbot.keyClicks(field.line, "Me@Example.com")
    qtbot.keyClick(field.line, Qt.Key.Key_Return)
    qtbot.keyClicks(field.line, "mailto:me@work.example")
    field.add_button.click()
    written(qtbot, page)
    assert meetings_on_disk(profile)["my_emails"] == ["me@example.com", "me@work.example"]
    assert field.line.text() == "" and field.list.count() == 2

    field.list.setFocus()
    field.list.setCurrentRow(0)
    qtbot.keyClick(field.list, Qt.Key.Key_Delete)
    written(qtbot, page)
    assert on_disk(profile).my_emails == ("me@work.example",)


def test_titles_to_ignore(make_page: PageMaker, qtbot: QtBot, profile: Profile) -> None:
    page = make_page()
    field = page.titles
    assert [field.list.item(i).text() for i in range(field.list.count())] == \
        ["Focus time", "Lunch", "Busy"]
    field.list.setCurrentRow(1)
    field.remove_button.click()
    qtbot.keyClicks(field.line, "Standup*")
    qtbot.keyClick(field.line, Qt.Key.Key_Return)
    written(qtbot, page)
    assert on_disk(profile).ignore_titles == ("Focus time", "Busy", "Standup*")


def test_an_invalid_pattern_says_why_and_is_not_saved(make_page: PageMaker, qtbot: QtBot,
                                                      profile: Profile) -> None:
    page = make_page()
    field = page.links
    qtbot.keyClicks(field.name, "Our Jitsi")
    qtbot.keyClicks(field.pattern, r"https://meet\.example\.org/(\S+")
    qtbot.keyClick(field.pattern, Qt.Key.Key_Return)
    assert field.error.text() == ("That regular expression does not work: missing ), "
                                  "unterminated subpattern (at character 28).")
    assert field.pattern.property("invalid") is True
    assert field.name.text() == "Our Jitsi"  # what was typed stays, to be fixed
    written(qtbot, page)
    assert meetings_on_disk(profile)["link_patterns"] == []

    field.pattern.setText(r"https://meet\.example\.org/\S+")
    assert not field.error.isVisibleTo(page)
    field.add_button.click()
    written(qtbot, page)
    assert meetings_on_disk(profile)["link_patterns"] == [
        {"name": "Our Jitsi", "pattern": r"https://meet\.example\.org/\S+"}]
    assert field.list.item(0).text() == r"Our Jitsi  ·  https://meet\.example\.org/\S+"


def test_a_pattern_needs_a_name_and_an_expression(make_page: PageMaker, qtbot: QtBot) -> None:
    page = make_page()
    field = page.links
    qtbot.keyClicks(field.pattern, r"https://x\.org/\S+")
    field.add_button.click()
    assert "name" in field.error.text()
    field.pattern.clear()
    qtbot.keyClicks(field.name, "X")
    field.add_button.click()
    assert "regular expression" in field.error.text()
    assert page.editor.settings.link_patterns == ()


def test_refresh_minutes_in_range_only(make_page: PageMaker, qtbot: QtBot,
                                       profile: Profile) -> None:
    page = make_page()
    spin = page.refresh_field.spin
    spin.setFocus()
    spin.selectAll()
    qtbot.keyClicks(spin, "2000")
    qtbot.keyClick(spin, Qt.Key.Key_Return)
    assert "1 to 1440" in page.refresh_field.error.text()
    written(qtbot, page)
    assert meetings_on_disk(profile)["refresh_minutes"] == 15
    spin.selectAll()
    qtbot.keyClicks(spin, "30")
    qtbot.keyClick(spin, Qt.Key.Key_Return)
    written(qtbot, page)
    assert meetings_on_disk(profile)["refresh_minutes"] == 30
    assert not page.refresh_field.error.text()


def test_restore_defaults_shows_the_defaults(make_page: PageMaker) -> None:
    page = make_page(Settings(my_emails=("me@example.com",), ignore_titles=("Gym",),
                              link_patterns=(("X", "x"),), skip_free=False))
    page.refresh(Settings(), force=True)
    assert page.emails.list.count() == 0 and page.links.list.count() == 0
    assert [page.titles.list.item(i).text() for i in range(3)] == ["Focus time", "Lunch", "Busy"]
    assert next(f for f in page.fields if f.attr == "skip_free").widgets[0].isChecked()
