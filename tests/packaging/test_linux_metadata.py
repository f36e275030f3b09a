"""The Linux desktop files as desktops and software centres read them: the desktop entries pass
desktop-file-validate, the AppStream metadata passes appstreamcli (alone and installed beside
the entry and icons), the icons have every size, and names and versions agree with the code."""

from __future__ import annotations

import os
import re
import struct
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from microapp import __version__
from microapp.platform.autostart import APP_COMMENT, APP_DISPLAY_NAME, APP_ID
from microapp.platform.autostart_xdg import XdgAutostart, read_entry
from tests.real_parts import need

ROOT = Path(__file__).resolve().parents[2]
LINUX = ROOT / "packaging" / "linux"
DESKTOP = LINUX / f"{APP_ID}.desktop"
METAINFO = LINUX / f"{APP_ID}.metainfo.xml"
ICONS = LINUX / "icons" / "hicolor"
SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)
RAW_BASE = "https://raw.githubusercontent.com/microapp/microapp/main/"


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk."""
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n" and head[12:16] == b"IHDR", f"{path} is not a PNG"
    return struct.unpack(">II", head[16:24])


def desktop_file_validate(path: Path) -> None:
    (tool,) = need("desktop-file-validate", hint="Debian: desktop-file-utils")
    result = subprocess.run([tool, str(path)], capture_output=True, text=True, timeout=60)
    # Not one error, warning or hint.
    assert result.returncode == 0 and result.stdout.strip() == "", result.stdout


def appstreamcli(*args: str) -> subprocess.CompletedProcess[str]:
    (tool,) = need("appstreamcli", hint="Debian: appstream")
    return subprocess.run([tool, *args], capture_output=True, text=True, timeout=120)


def metainfo() -> ET.Element:
    return ET.parse(METAINFO).getroot()


def test_the_packaged_desktop_entry_is_valid() -> None:
    desktop_file_validate(DESKTOP)


def test_the_autostart_entry_is_valid(tmp_path: Path) -> None:
    autostart = XdgAutostart(["/usr/bin/microapp", "--profile", str(tmp_path / "a b %c")],
                             env={"XDG_CONFIG_HOME": str(tmp_path / "config")})
    autostart.enable()
    desktop_file_validate(autostart.path)


def test_the_entries_agree_with_the_code() -> None:
    entry = read_entry(DESKTOP)
    assert entry is not None
    assert entry["Name"] == APP_DISPLAY_NAME
    assert entry["Comment"] == APP_COMMENT
    assert entry["Icon"] == APP_ID
    assert entry["Exec"] == "microapp"
    assert entry["StartupNotify"] == "false"
    assert entry["X-GNOME-UsesNotifications"] == "true"
    assert entry["Categories"].endswith(";") and entry["Keywords"].endswith(";")
    tool = (ROOT / "packaging" / "tools" / "make_icons.py").read_text(encoding="utf-8")
    assert f'APP_ID = "{APP_ID}"' in tool
    script = (LINUX / "install-desktop-files.sh").read_text(encoding="utf-8")
    assert f"app_id={APP_ID}\n" in script


def test_the_metainfo_is_valid() -> None:
    result = appstreamcli("validate", "--no-net", "--explain", str(METAINFO))
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_metainfo_describes_this_app() -> None:
    root = metainfo()
    assert root.get("type") == "desktop-application"
    assert root.findtext("id") == APP_ID
    assert root.findtext("name") == APP_DISPLAY_NAME
    launchable = root.find("launchable")
    assert launchable is not None and launchable.get("type") == "desktop-id"
    assert launchable.text == DESKTOP.name
    assert [b.text for b in root.iterfind("provides/binary")] == ["microapp"]
    assert root.find("content_rating").get("type") == "oars-1.1"
    assert root.findtext("url[@type='homepage']") == "https://github.com/microapp/microapp"


def test_the_newest_release_is_this_version() -> None:
    releases = metainfo().findall("releases/release")
    assert releases, "no <release> in the metainfo"
    assert releases[0].get("version") == __version__  # newest first, as AppStream wants
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", releases[0].get("date", ""))


def test_screenshots_are_the_packaged_ones_with_captions() -> None:
    shots = metainfo().findall("screenshots/screenshot")
    names = []
    for shot in shots:
        assert (shot.findtext("caption") or "").strip()
        image = shot.find("image")
        assert image is not None and image.text.startswith(RAW_BASE)
        local = ROOT / image.text.removeprefix(RAW_BASE)
        assert local.is_file(), f"{local} is not in the repository"
        assert png_size(local) == (int(image.get("width")), int(image.get("height")))
        names.append(local.name)
    assert sorted(names) == sorted(p.name for p in (ROOT / "packaging" / "screenshots").glob(
        "*.png"))
    assert [s.get("type") for s in shots].count("default") == 1


@pytest.mark.parametrize("size", SIZES)
def test_icon_at_each_size(size: int) -> None:
    path = ICONS / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
    assert path.is_file(), f"missing {path}: run packaging/tools/make_icons.py"
    assert png_size(path) == (size, size)


def test_the_scalable_icon_is_the_apps_own() -> None:
    scalable = ICONS / "scalable" / "apps" / f"{APP_ID}.svg"
    assert scalable.read_bytes() == (ROOT / "resources" / "icons" / "microapp.svg").read_bytes()


def test_install_and_uninstall_for_one_user(tmp_path: Path) -> None:
    """The install helper puts entry, metadata and icons where a desktop finds them (checked
    together by appstreamcli validate-tree, which also finds the entry and icon the metadata
    names), and --uninstall takes exactly those away again."""
    share = tmp_path / "root" / "usr" / "share"
    env = {**os.environ, "HOME": str(tmp_path / "home"), "XDG_DATA_HOME": str(share)}
    script = str(LINUX / "install-desktop-files.sh")
    done = subprocess.run([script], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    installed = sorted(p.relative_to(share).as_posix() for p in share.rglob("*") if p.is_file())
    assert installed == sorted([
        f"applications/{APP_ID}.desktop", f"metainfo/{APP_ID}.metainfo.xml",
        f"icons/hicolor/scalable/apps/{APP_ID}.svg",
        *(f"icons/hicolor/{n}x{n}/apps/{APP_ID}.png" for n in SIZES)])
    assert (share / "applications" / DESKTOP.name).read_bytes() == DESKTOP.read_bytes()

    tree = appstreamcli("validate-tree", "--no-net", "--explain", str(tmp_path / "root"))
    assert tree.returncode == 0, tree.stdout + tree.stderr

    gone = subprocess.run([script, "--uninstall"], env=env, capture_output=True, text=True,
                          timeout=60)
    assert gone.returncode == 0, gone.stderr
    assert [p for p in share.rglob("*") if p.is_file()] == []

    # Without XDG_DATA_HOME: the user's ~/.local/share.
    env.pop("XDG_DATA_HOME")
    subprocess.run([script], env=env, capture_output=True, check=True, timeout=60)
    assert (tmp_path / "home" / ".local" / "share" / "applications" / DESKTOP.name).is_file()
