"""Local calendar files and folders, on a real file system: versions from stat alone (an
unchanged source is never read), vdirsyncer/khal folder layouts, and clear errors."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from microapp.core.sources import ErrorKind, SourceConfig, SourceError, SourceKind, local
from microapp.core.sources.local import FileFetcher, FolderFetcher, display_path, watch_paths


def cal(summary: str) -> bytes:
    return (f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\n"
            f"UID:{summary}@t\r\nDTSTART:20260310T100000Z\r\nSUMMARY:{summary}\r\n"
            "END:VEVENT\r\nEND:VCALENDAR\r\n").encode()


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A home folder of our own, so ``~`` in locations and messages is predictable."""
    folder = tmp_path / "home"
    folder.mkdir()
    monkeypatch.setenv("HOME", str(folder))
    return folder


def file_source(location: str | Path) -> FileFetcher:
    return FileFetcher(SourceConfig(id="f", kind=SourceKind.FILE, location=str(location)))


def folder_source(location: str | Path) -> FolderFetcher:
    return FolderFetcher(SourceConfig(id="d", kind=SourceKind.FOLDER, location=str(location)))


def error_of(fetcher: FileFetcher | FolderFetcher, previous: str | None = None) -> SourceError:
    with pytest.raises(SourceError) as info:
        fetcher.fetch(previous)
    return info.value


def write_keeping_stat(path: Path, data: bytes) -> None:
    """New bytes in place (same size, same inode) with the old modification time put back:
    only a reader of the content could tell."""
    before = path.stat()
    assert len(data) == before.st_size
    with open(path, "r+b") as handle:
        handle.write(data)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))


def touch_later(path: Path, seconds: int = 5) -> None:
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + seconds * 1_000_000_000))


# -- one file ------------------------------------------------------------------------------------


def test_file_is_read_then_unchanged_without_reading(home: Path) -> None:
    path = home / "work.ics"
    path.write_bytes(cal("Alpha"))
    fetcher = file_source("~/work.ics")
    first = fetcher.fetch(None)
    assert first.data is not None
    assert first.data.documents == (cal("Alpha"),)
    assert first.data.version == first.version
    assert first.data.from_cache is False
    assert fetcher.cached() is None

    write_keeping_stat(path, cal("Bravo"))
    again = fetcher.fetch(first.version)
    assert again.data is None  # the file was not read: it would have said Bravo
    assert again.version == first.version

    touch_later(path)
    changed = fetcher.fetch(first.version)
    assert changed.data is not None
    assert changed.data.documents == (cal("Bravo"),)
    assert changed.version != first.version


def test_file_unchanged_opens_nothing(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = home / "work.ics"
    path.write_bytes(cal("Alpha"))
    fetcher = file_source(path)
    version = fetcher.fetch(None).version
    opened: list[object] = []
    real_open = open

    def counting_open(*args: object, **kwargs: object) -> object:
        opened.append(args[0])
        return real_open(*args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(local, "open", counting_open, raising=False)
    for _ in range(3):
        assert fetcher.fetch(version).data is None
    assert opened == []
    assert fetcher.fetch(None).data is not None
    assert opened == [path]


def test_a_size_change_alone_is_a_change(tmp_path: Path) -> None:
    path = tmp_path / "a.ics"
    path.write_bytes(cal("A"))
    fetcher = file_source(path)
    first = fetcher.fetch(None)
    st = path.stat()
    path.write_bytes(cal("Longer title"))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert fetcher.fetch(first.version).data is not None


def test_a_replaced_file_is_a_change(tmp_path: Path) -> None:
    """Editors save by writing a new file and renaming it over the old one."""
    path = tmp_path / "a.ics"
    path.write_bytes(cal("A"))
    fetcher = file_source(path)
    first = fetcher.fetch(None)
    st = path.stat()
    replacement = tmp_path / "a.ics.new"
    replacement.write_bytes(cal("B"))
    os.utime(replacement, ns=(st.st_atime_ns, st.st_mtime_ns))
    os.replace(replacement, path)
    result = fetcher.fetch(first.version)
    assert result.data is not None
    assert result.data.documents == (cal("B"),)


def test_missing_file(home: Path) -> None:
    error = error_of(file_source("~/x.ics"))
    assert error.kind == ErrorKind.NOT_FOUND
    assert str(error) == "Calendar file ~/x.ics was not found"


def test_missing_file_under_a_file(tmp_path: Path) -> None:
    (tmp_path / "plain").write_text("not a folder")
    error = error_of(file_source(tmp_path / "plain" / "x.ics"))
    assert error.kind == ErrorKind.NOT_FOUND


def test_a_folder_given_as_a_file(home: Path) -> None:
    (home / "cals").mkdir()
    error = error_of(file_source("~/cals"))
    assert error.kind == ErrorKind.CONFIG
    assert str(error) == ("Calendar file ~/cals is a folder, not a file: add it as a calendar "
                          "folder instead")


def test_not_a_regular_file(tmp_path: Path) -> None:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no named pipes on this system")
    fifo = tmp_path / "pipe.ics"
    os.mkfifo(fifo)
    error = error_of(file_source(fifo))  # must not block reading the pipe
    assert error.kind == ErrorKind.CONFIG
    assert "is not a regular file" in str(error)


def test_unreadable_file_gives_the_os_reason(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (home / "locked.ics").write_bytes(cal("A"))

    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied", str(args[0]))

    # chmod 000 means nothing to root (tests may run as root): refuse the open instead.
    monkeypatch.setattr(local, "open", refuse, raising=False)
    error = error_of(file_source("~/locked.ics"))
    assert error.kind == ErrorKind.AUTH
    assert str(error) == "Calendar file ~/locked.ics could not be read: Permission denied"


def test_other_os_errors_give_the_os_reason(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a.ics").write_bytes(cal("A"))

    def broken(*args: object, **kwargs: object) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(local, "open", broken, raising=False)
    error = error_of(file_source(tmp_path / "a.ics"))
    assert error.kind == ErrorKind.SERVER
    assert str(error).endswith("could not be read: Input/output error")


def test_file_too_large(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(local, "MAX_BYTES", 1024)
    path = tmp_path / "big.ics"
    path.write_bytes(cal("A") + b"X" * 2048)
    error = error_of(file_source(path))
    assert error.kind == ErrorKind.TOO_LARGE
    assert "is larger than 1 KB" in str(error)
    path.write_bytes(cal("A"))
    assert file_source(path).fetch(None).data is not None


def test_max_bytes_is_shared_with_http() -> None:
    from microapp.core.sources import http

    assert local.MAX_BYTES == http.MAX_BYTES == 20 * 1024 * 1024


# -- a folder ------------------------------------------------------------------------------------


@pytest.fixture
def vdir(tmp_path: Path) -> Path:
    """A vdirsyncer-style tree: flat files and one calendar per subfolder, plus things to skip."""
    root = tmp_path / "calendars"
    (root / "work").mkdir(parents=True)
    (root / "home").mkdir()
    (root / "home" / "deeper").mkdir()
    (root / ".hidden-cal").mkdir()
    (root / "top.ics").write_bytes(cal("Top"))
    (root / "work" / "b.ics").write_bytes(cal("Work B"))
    (root / "work" / "a.ics").write_bytes(cal("Work A"))
    (root / "home" / "DINNER.ICS").write_bytes(cal("Dinner"))
    (root / "home" / "deeper" / "too-deep.ics").write_bytes(cal("Too deep"))
    (root / ".hidden.ics").write_bytes(cal("Hidden"))
    (root / "work" / ".sync-temp.ics").write_bytes(cal("Half written"))
    (root / ".hidden-cal" / "x.ics").write_bytes(cal("Hidden folder"))
    (root / "notes.txt").write_text("not a calendar")
    (root / "work" / "color").write_text("#ff0000")  # vdirsyncer metadata
    return root


def summaries(documents: tuple[bytes, ...]) -> list[str]:
    return [doc.split(b"SUMMARY:")[1].split(b"\r\n")[0].decode() for doc in documents]


def test_folder_reads_one_level_of_subfolders_sorted(vdir: Path) -> None:
    result = folder_source(vdir).fetch(None)
    assert result.data is not None
    # home/DINNER.ICS, top.ics, work/a.ics, work/b.ics
    assert summaries(result.data.documents) == ["Dinner", "Top", "Work A", "Work B"]
    assert result.data.version == result.version
    assert result.version.startswith("sha256:")


def test_folder_unchanged_reads_nothing(vdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fetcher = folder_source(vdir)
    version = fetcher.fetch(None).version
    write_keeping_stat(vdir / "work" / "a.ics", cal("Work Z"))

    def no_reading(*args: object, **kwargs: object) -> None:
        raise AssertionError("an unchanged folder must not be read")

    monkeypatch.setattr(local, "open", no_reading, raising=False)
    result = fetcher.fetch(version)
    assert result.data is None
    assert result.version == version


@pytest.mark.parametrize("change", ["add", "add-subfolder", "edit", "remove", "rename"])
def test_folder_changes_are_seen(vdir: Path, change: str) -> None:
    fetcher = folder_source(vdir)
    before = fetcher.fetch(None)
    assert before.data is not None
    if change == "add":
        (vdir / "work" / "c.ics").write_bytes(cal("Work C"))
    elif change == "add-subfolder":
        (vdir / "team").mkdir()
        (vdir / "team" / "t.ics").write_bytes(cal("Team"))
    elif change == "edit":
        write_keeping_stat(vdir / "top.ics", cal("Tip"))
        touch_later(vdir / "top.ics")
    elif change == "remove":
        (vdir / "work" / "b.ics").unlink()
    elif change == "rename":
        (vdir / "work" / "b.ics").rename(vdir / "work" / "z.ics")
    after = fetcher.fetch(before.version)
    assert after.data is not None
    assert after.version != before.version
    assert after.data.documents != before.data.documents or change == "rename"


def test_hidden_and_other_files_do_not_count_as_changes(vdir: Path) -> None:
    fetcher = folder_source(vdir)
    before = fetcher.fetch(None)
    (vdir / ".another-hidden.ics").write_bytes(cal("Hidden 2"))
    (vdir / "readme.md").write_text("hello")
    (vdir / "home" / "deeper" / "also-too-deep.ics").write_bytes(cal("Deep 2"))
    assert fetcher.fetch(before.version).data is None


def test_folder_symlinks_are_followed(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere.ics"
    elsewhere.write_bytes(cal("Linked"))
    root = tmp_path / "cals"
    root.mkdir()
    (root / "link.ics").symlink_to(elsewhere)
    (root / "dangling.ics").symlink_to(tmp_path / "gone.ics")
    result = folder_source(root).fetch(None)
    assert result.data is not None
    assert summaries(result.data.documents) == ["Linked"]


def test_empty_folder(home: Path) -> None:
    (home / "cals" / "sub").mkdir(parents=True)
    (home / "cals" / ".hidden.ics").write_bytes(cal("Hidden"))
    error = error_of(folder_source("~/cals"))
    assert error.kind == ErrorKind.NOT_FOUND
    assert str(error) == ("Calendar folder ~/cals has no .ics files (looked in it and in its "
                          "subfolders)")


def test_missing_folder(home: Path) -> None:
    error = error_of(folder_source("~/nowhere"))
    assert error.kind == ErrorKind.NOT_FOUND
    assert str(error) == "Calendar folder ~/nowhere was not found"


def test_a_file_given_as_a_folder(home: Path) -> None:
    (home / "one.ics").write_bytes(cal("A"))
    error = error_of(folder_source("~/one.ics"))
    assert error.kind == ErrorKind.CONFIG
    assert "is a file, not a folder" in str(error)


def test_folder_file_too_large(vdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(local, "MAX_BYTES", 1024)
    (vdir / "work" / "huge.ics").write_bytes(cal("Huge") + b"X" * 4096)
    error = error_of(folder_source(vdir))
    assert error.kind == ErrorKind.TOO_LARGE
    assert "huge.ics is larger than 1 KB" in str(error)


def test_unreadable_folder_file(vdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied", str(args[0]))

    monkeypatch.setattr(local, "open", refuse, raising=False)
    error = error_of(folder_source(vdir))
    assert error.kind == ErrorKind.AUTH
    assert "could not be read: Permission denied" in str(error)


def test_a_file_vanishing_mid_read_is_read_again(vdir: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """vdirsyncer removes a file while we read the folder: list it again, do not fail."""
    real_open = open
    victim = vdir / "work" / "b.ics"

    def racing_open(path: object, *args: object, **kwargs: object) -> object:
        if Path(str(path)) == victim and victim.exists():
            victim.unlink()
        return real_open(path, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(local, "open", racing_open, raising=False)
    result = folder_source(vdir).fetch(None)
    assert result.data is not None
    assert summaries(result.data.documents) == ["Dinner", "Top", "Work A"]


def test_a_folder_that_never_settles(vdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def always_gone(path: object, *args: object, **kwargs: object) -> None:
        raise FileNotFoundError(2, "No such file or directory", str(path))

    monkeypatch.setattr(local, "open", always_gone, raising=False)
    error = error_of(folder_source(vdir))
    assert error.kind == ErrorKind.SERVER
    assert "kept changing while it was being read" in str(error)


# -- what to watch -------------------------------------------------------------------------------


def test_watch_paths_for_a_file(tmp_path: Path) -> None:
    path = tmp_path / "a.ics"
    config = SourceConfig(id="f", kind=SourceKind.FILE, location=str(path))
    assert watch_paths(config) == [tmp_path]  # not there yet: its folder shows it arriving
    path.write_bytes(cal("A"))
    assert watch_paths(config) == [path, tmp_path]


def test_watch_paths_for_a_folder(vdir: Path) -> None:
    config = SourceConfig(id="d", kind=SourceKind.FOLDER, location=str(vdir))
    assert watch_paths(config) == [vdir, vdir / "home", vdir / "work"]


def test_watch_paths_for_a_missing_folder(tmp_path: Path) -> None:
    config = SourceConfig(id="d", kind=SourceKind.FOLDER, location=str(tmp_path / "later"))
    assert watch_paths(config) == [tmp_path]


def test_watch_paths_expands_home(home: Path) -> None:
    (home / "a.ics").write_bytes(cal("A"))
    config = SourceConfig(id="f", kind=SourceKind.FILE, location="~/a.ics")
    assert watch_paths(config) == [home / "a.ics", home]


@pytest.mark.parametrize("kind", [SourceKind.URL, SourceKind.CALDAV])
def test_watch_paths_for_remote_sources(kind: SourceKind) -> None:
    assert watch_paths(SourceConfig(id="r", kind=kind, location="https://cal.example.com/")) == []


def test_display_path(home: Path, tmp_path: Path) -> None:
    assert display_path(home / "a" / "b.ics") == "~/a/b.ics"
    assert display_path(home) == "~"
    assert display_path(tmp_path / "x.ics") == str(tmp_path / "x.ics")
