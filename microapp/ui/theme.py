"""Colours, styles and icons: light and dark, following the system unless the user chose."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from functools import cache

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QIcon

from microapp.core.paths import resource_path


@dataclass(frozen=True)
class Palette:
    dark: bool
    wash: str  # the overlay's veil over the desktop (with alpha)
    panel: str
    text: str
    muted: str
    accent: str
    accent_soft: str
    on_accent: str
    button: str
    border: str
    breath: str
    warning: str


LIGHT = Palette(
    dark=False, wash="#E6F4F1EA", panel="#FBFAF6", text="#1D2B29", muted="#5A6B67",
    accent="#2A7F6C", accent_soft="#D7EDE6", on_accent="#FFFFFF", button="#FFFFFF",
    border="#C9D6D2", breath="#6FB9A6", warning="#9A5B00",
)
DARK = Palette(
    dark=True, wash="#E0101A1E", panel="#1B2427", text="#E9F0EE", muted="#9DB0AB",
    accent="#7CC9B4", accent_soft="#24443D", on_accent="#0E1A17", button="#222E31",
    border="#3A4B4F", breath="#5FAE99", warning="#F0B45A",
)


def system_prefers_dark() -> bool:
    app = QGuiApplication.instance()
    if app is not None:
        scheme = QGuiApplication.styleHints().colorScheme()
        if scheme == Qt.ColorScheme.Dark:
            return True
        if scheme == Qt.ColorScheme.Light:
            return False
        window = QGuiApplication.palette().window().color()
        return window.lightness() < 128
    return False


def palette_for(theme: str) -> Palette:
    """``theme`` is the setting: "system", "light" or "dark"."""
    if theme == "dark":
        return DARK
    if theme == "light":
        return LIGHT
    return DARK if system_prefers_dark() else LIGHT


def qcolor(value: str) -> QColor:
    """A colour from "#RRGGBB" or Qt's "#AARRGGBB"."""
    return QColor(value)


def _css_color(value: str) -> str:
    if len(value) == 9:  # #AARRGGBB -> rgba() for style sheets
        c = QColor(value)
        return f"rgba({c.red()}, {c.green()}, {c.blue()}, {c.alpha()})"
    return value


@cache
def _style_template(name: str) -> str:
    return resource_path("styles", f"{name}.qss").read_text(encoding="utf-8")


def style_sheet(name: str, palette: Palette, base_pt: float = 11.0) -> str:
    """A style from ``resources/styles`` with the palette and font sizes filled in."""
    tokens = {k: _css_color(v) for k, v in asdict(palette).items() if isinstance(v, str)}
    tokens.update(
        title_pt=f"{base_pt * 2.6:.0f}", cue_pt=f"{base_pt * 1.9:.0f}",
        heading_pt=f"{base_pt * 1.3:.0f}",
        body_pt=f"{base_pt * 1.15:.0f}", small_pt=f"{base_pt:.0f}",
    )
    sheet = _style_template(name)
    for key, value in tokens.items():
        sheet = sheet.replace(f"@{key}@", value)
    return sheet


@cache
def app_icon() -> QIcon:
    """The tray and window icon (SVG, so it is crisp at every scale)."""
    icon = QIcon(str(resource_path("icons", "microapp.svg")))
    if icon.isNull():
        raise RuntimeError("the microapp icon could not be loaded (is Qt's SVG support missing?)")
    return icon


@cache
def pause_icon() -> QIcon:
    return QIcon(str(resource_path("icons", "microapp-pause.svg")))
