"""Tests for microapp.core.paths: which folders a profile uses and where resources are."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest

from microapp import APP_NAME
from microapp.core.paths import (
    DATABASE_FILE,
    LOG_FILE,
    PROFILE_ENV,
    SETTINGS_FILE,
    Profile,
    resource_path,
    resources_dir,
)


def test_under_puts_everything_below_the_root(tmp_path: Path) -> None:
    p = Profile.under(tmp_path / "me")
    assert p.config_dir == tmp_path / "me" / "config"
    assert p.data_dir == tmp_path / "me" / "data"
    assert p.log_dir == tmp_path / "me" / "logs"
    assert p.custom_root == tmp_path / "me"
    assert p.settings_path == p.config_dir / SETTINGS_FILE == p.config_dir / "settings.toml"
    assert p.database_path == p.data_dir / DATABASE_FILE == p.data_dir / "microapp.sqlite3"
    assert p.log_path == p.log_dir / LOG_FILE


def test_under_makes_relative_and_home_paths_absolute(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert Profile.under(Path("rel")).custom_root == tmp_path / "rel"
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert Profile.under(Path("~/prof")).custom_root == tmp_path / "home" / "prof"


def test_under_creates_nothing(tmp_path: Path) -> None:
    Profile.under(tmp_path / "p")
    assert not (tmp_path / "p").exists()


@pytest.mark.parametrize(
    ("cli", "env", "expected_root"),
    [
        ("cli", {PROFILE_ENV: "env"}, "cli"),  # --profile wins
        (None, {PROFILE_ENV: "env"}, "env"),
        ("", {PROFILE_ENV: "env"}, "env"),  # an empty --profile is no --profile
    ],
)
def test_resolve_order(tmp_path: Path, cli: str | None, env: dict[str, str],
                       expected_root: str) -> None:
    environ = {k: str(tmp_path / v) for k, v in env.items()}
    cli_dir = str(tmp_path / cli) if cli else cli
    assert Profile.resolve(cli_dir, environ) == Profile.under(tmp_path / expected_root)


@pytest.mark.parametrize("environ", [{}, {PROFILE_ENV: ""}], ids=["unset", "empty"])
def test_resolve_falls_back_to_the_platform_folders(environ: dict[str, str]) -> None:
    resolved = Profile.resolve(None, environ)
    assert resolved == Profile.default()
    assert resolved.custom_root is None


def test_resolve_reads_the_real_environment_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(PROFILE_ENV, str(tmp_path / "from-env"))
    assert Profile.resolve() == Profile.under(tmp_path / "from-env")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="XDG folders are Linux's")
def test_default_follows_xdg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("CONFIG", "DATA", "STATE"):
        monkeypatch.setenv(f"XDG_{name}_HOME", str(tmp_path / name.lower()))
    p = Profile.default()
    assert p.config_dir == tmp_path / "config" / APP_NAME
    assert p.data_dir == tmp_path / "data" / APP_NAME
    assert p.log_dir.is_relative_to(tmp_path / "state")
    assert p.custom_root is None


def test_instance_key_is_stable_per_profile_and_differs_between_profiles(tmp_path: Path) -> None:
    a, a_again, b = (Profile.under(tmp_path / "a"), Profile.under(tmp_path / "a"),
                     Profile.under(tmp_path / "b"))
    assert a.instance_key() == a_again.instance_key()
    assert a.instance_key() != b.instance_key()


def test_instance_key_is_a_short_safe_socket_name(tmp_path: Path) -> None:
    key = Profile.under(tmp_path / "a profile with spaces/and/üñíçødé").instance_key()
    assert key.startswith(f"{APP_NAME}-")
    assert re.fullmatch(r"[A-Za-z0-9_-]+", key)
    assert len(key) < 64  # unix socket paths are limited to ~104 bytes including the folder
    if hasattr(os, "getuid"):
        assert f"-{os.getuid()}-" in key


def test_resources_are_found() -> None:
    folder = resources_dir()
    assert (folder / "icons").is_dir()
    icon = resource_path("icons", "microapp.svg")
    assert icon.is_file()
    assert icon.read_bytes().lstrip().startswith((b"<svg", b"<?xml"))


def test_a_missing_resource_names_the_path() -> None:
    with pytest.raises(FileNotFoundError, match=r"icons[/\\]no-such-icon\.svg"):
        resource_path("icons", "no-such-icon.svg")
