"""Which events get a pause: the [meetings] rules on the Calendars page, and the lists among
them (my e-mail addresses, titles to ignore, call-link patterns).

Each list is a :class:`~microapp.ui.settings_fields.Field`: what it holds is checked with the
settings file's own parser (:func:`microapp.core.settings.parse_setting`) before anything is
saved. A new entry that is not allowed (an address without "@", a regular expression that
does not compile) stays in its box with the reason under it and is not saved.
"""

from __future__ import annotations

import re
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QWidget,
)

from microapp.core.settings import parse_setting
from microapp.ui.settings_editor import SettingsEditor
from microapp.ui.settings_fields import CheckField, Field, SpinField, error_text, labelled_row

RULES = (
    ("skip_all_day", "Skip a&ll-day events", "Holidays, birthdays, out-of-office days."),
    ("skip_cancelled", "Skip cancelle&d events", "Also single cancelled occurrences."),
    ("skip_declined", "Skip events I decl&ined",
     "Invitations you declined, found by your e-mail addresses below."),
    ("skip_free", "Skip events shown as &free", "Events marked free / transparent."),
    ("skip_tentative", "Skip &tentative events", "Invitations you answered with maybe."),
)


class ListField(Field):
    """A list of entries, an Add row and Remove. Subclasses say how an entry is typed."""

    VISIBLE_ROWS = 4

    def __init__(self, attr: str, editor: SettingsEditor, *, title: str, what: str,
                 parent: QObject | None = None) -> None:
        super().__init__(attr, editor, parent)
        self.what = what
        self.list = QListWidget()
        self.list.setObjectName("RuleList")
        self.list.setAccessibleName(title.replace("&", ""))
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setToolTip(f"Delete removes the selected {what}.")
        # As tall as a few entries in the font in use (it scales with the text), then scrolls.
        tall = self.list.fontMetrics().lineSpacing() * self.VISIBLE_ROWS
        self.list.setFixedHeight(tall + 2 * self.list.frameWidth() + 16)
        self.list.installEventFilter(self)
        self.heading = QLabel(title)
        self.heading.setObjectName("FieldHeading")
        self.heading.setTextFormat(Qt.TextFormat.PlainText)
        self.heading.setBuddy(self.list)
        self.add_button = QPushButton("Add")
        self.add_button.setToolTip(f"Add this {what} (Enter)")
        self.remove_button = QPushButton("Remove")
        self.remove_button.setToolTip(f"Remove the selected {what} (Delete)")
        self.add_button.clicked.connect(self.add_entry)
        self.remove_button.clicked.connect(self.remove_selected)
        self.list.currentRowChanged.connect(lambda _r: self._enable())

    # -- what subclasses provide -------------------------------------------------------------

    def entry(self) -> Any:
        """The typed new entry, as the settings file would hold it (None: nothing typed).
        Raises ValueError with a whole sentence when it is incomplete."""
        raise NotImplementedError

    def clear_entry(self) -> None:
        raise NotImplementedError

    def entry_widgets(self) -> list[QWidget]:
        raise NotImplementedError

    def item_text(self, value: Any) -> str:
        return str(value)

    def dump_item(self, value: Any) -> Any:
        return value

    # -- shared ------------------------------------------------------------------------------

    def raw(self) -> Any:
        return [self.list.item(i).data(Qt.ItemDataRole.UserRole)
                for i in range(self.list.count())]

    def _show(self, value: Any) -> None:
        self.list.clear()
        for item in value:
            row = QListWidgetItem(self.item_text(item))  # list items are plain text
            row.setData(Qt.ItemDataRole.UserRole, self.dump_item(item))
            row.setToolTip(self.item_text(item))
            self.list.addItem(row)
        self._enable()

    def _enable(self) -> None:
        self.remove_button.setEnabled(self.list.currentRow() >= 0)

    def add_entry(self) -> bool:
        """Add what is typed if the settings parser accepts the list with it."""
        try:
            new = self.entry()
        except ValueError as incomplete:
            self.set_error(str(incomplete))
            return False
        if new is None:
            self.set_error(None)
            return False
        candidate = [*self.raw(), new]
        try:
            parse_setting(self.attr, candidate)
        except ValueError as bad:
            self.set_error(getattr(self, "refused", None) or error_text(str(bad)))
            return False
        if new in self.raw():
            self.clear_entry()
            self.set_error(None)
            return True
        self._show(parse_setting(self.attr, candidate))
        self.clear_entry()
        self.list.setCurrentRow(self.list.count() - 1)
        return self.commit()

    def remove_selected(self) -> None:
        row = self.list.currentRow()
        if row < 0:
            return
        self.list.takeItem(row)
        self.list.setCurrentRow(min(row, self.list.count() - 1))
        self.commit()
        self._enable()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.list and isinstance(event, QKeyEvent) \
                and event.type() == QEvent.Type.KeyPress \
                and event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.remove_selected()
            return True
        return super().eventFilter(watched, event)

    def editing(self) -> bool:
        """Typing a new entry is editing: an outside change refreshes the list, not the box."""
        return False

    @property
    def widgets(self) -> list[QWidget]:
        return [self.list, self.remove_button, *self.entry_widgets(), self.add_button]

    def grid(self) -> QGridLayout:
        """[list        ] [Remove]
           [new entry   ] [Add]"""
        grid = QGridLayout()
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(6)
        grid.addWidget(self.heading, 0, 0, 1, 2)
        grid.addWidget(self.list, 1, 0)
        grid.addWidget(self.remove_button, 1, 1, Qt.AlignmentFlag.AlignTop)
        grid.addLayout(self.entry_layout(), 2, 0)
        grid.addWidget(self.add_button, 2, 1)
        grid.setColumnStretch(0, 1)
        return grid

    def entry_layout(self) -> QGridLayout:
        box = QGridLayout()
        box.setContentsMargins(0, 0, 0, 0)
        box.setHorizontalSpacing(6)
        for i, widget in enumerate(self.entry_widgets()):
            box.addWidget(widget, 0, i)
            box.setColumnStretch(i, 1)
        return box


class TextListField(ListField):
    """One line of text per entry (e-mail addresses, title patterns)."""

    def __init__(self, attr: str, editor: SettingsEditor, *, title: str, what: str,
                 placeholder: str, refused: str | None = None,
                 parent: QObject | None = None) -> None:
        """``refused``: the sentence for an entry the parser does not accept (else the
        parser's own words)."""
        super().__init__(attr, editor, title=title, what=what, parent=parent)
        self.refused = refused
        self.line = QLineEdit()
        self.line.setPlaceholderText(placeholder)
        self.line.setAccessibleName(f"New {what}")
        self.line.returnPressed.connect(self.add_entry)
        self.line.textChanged.connect(lambda _t: self.invalid and self.set_error(None))
        self._show(self._shown)

    def entry(self) -> Any:
        return self.line.text().strip() or None

    def clear_entry(self) -> None:
        self.line.clear()

    def entry_widgets(self) -> list[QWidget]:
        return [self.line]


class LinkPatternsField(ListField):
    """(name, regular expression) pairs: extra call links microapp should recognise."""

    def __init__(self, editor: SettingsEditor, *, title: str,
                 parent: QObject | None = None) -> None:
        super().__init__("link_patterns", editor, title=title, what="pattern", parent=parent)
        self.name = QLineEdit()
        self.name.setPlaceholderText("Service name, e.g. Our Jitsi")
        self.name.setAccessibleName("Name of the service")
        self.pattern = QLineEdit()
        self.pattern.setPlaceholderText(r"Regular expression, e.g. https://meet\.example\.org/\S+")
        self.pattern.setAccessibleName("Regular expression for its links")
        for edit in (self.name, self.pattern):
            edit.returnPressed.connect(self.add_entry)
            edit.textChanged.connect(lambda _t: self.invalid and self.set_error(None))
        self._show(self._shown)

    def entry(self) -> Any:
        name, pattern = self.name.text().strip(), self.pattern.text()
        if not name and not pattern.strip():
            return None
        if not name:
            raise ValueError("Please give the service a name (it is shown on the Join button).")
        if not pattern.strip():
            raise ValueError("Please enter a regular expression for its links.")
        try:
            re.compile(pattern)
        except re.error as exc:  # said plainly here; the settings parser still decides
            where = f" (at character {exc.pos + 1})" if exc.pos is not None else ""
            raise ValueError(f"That regular expression does not work: {exc.msg}{where}.") \
                from None
        return {"name": name, "pattern": pattern}

    def clear_entry(self) -> None:
        self.name.clear()
        self.pattern.clear()

    def entry_widgets(self) -> list[QWidget]:
        return [self.name, self.pattern]

    def item_text(self, value: Any) -> str:
        name, pattern = (value["name"], value["pattern"]) if isinstance(value, dict) else value
        return f"{name}  ·  {pattern}"

    def dump_item(self, value: Any) -> Any:
        if isinstance(value, dict):
            return value
        name, pattern = value
        return {"name": name, "pattern": pattern}


def rule_fields(editor: SettingsEditor) -> list[tuple[Field, object, str]]:
    """(field, its box or row, its hint) for every [meetings] rule, in screen order.
    Mnemonics avoid C, P, E, H, G and R (the Settings window's own)."""
    out: list[tuple[Field, object, str]] = []
    for attr, text, tip in RULES:
        box = CheckField(attr, editor, text, tip)
        out.append((box, box.box, ""))
    emails = TextListField(
        "my_emails", editor, title="&My e-mail addresses", what="address",
        placeholder="me@example.com",
        refused="That is not an e-mail address: it needs an @ and no spaces.")
    out.append((emails, emails.grid(), "Used to find the invitations you declined."))
    titles = TextListField("ignore_titles", editor, title="Titles to ign&ore", what="title",
                           placeholder="e.g. Focus time, or Lunch*")
    out.append((titles, titles.grid(),
                "An event whose title matches gets no pause. Plain words match whole words "
                "anywhere in the title; * and ? match any text."))
    links = LinkPatternsField(editor, title="Call lin&ks microapp should know")
    out.append((links, links.grid(),
                "For a self-hosted service: a name and a regular expression matching its "
                "meeting links. Zoom, Meet, Teams and many more are known already."))
    tip = "How often calendar links and CalDAV servers are asked again (1 to 1440 minutes)."
    refresh = SpinField("refresh_minutes", editor, widest=99999, suffix=" min", tooltip=tip)
    _, row = labelled_row("Ask links and servers e&very", refresh, tip)
    out.append((refresh, row, "Never more often than a calendar itself allows. Files and "
                              "folders are watched and read as soon as they change."))
    return out
