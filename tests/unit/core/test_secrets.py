"""SecretStore: passwords go to the keyring (or, by explicit opt-in only, a private file), are
found again in the documented order, and never appear in a message or a log line. Every test
uses an in-memory or failing keyring backend; the real user keyring is never touched."""

from __future__ import annotations

import logging
import stat
from collections.abc import Iterator
from pathlib import Path

import keyring
import keyring.backend
import keyring.core
import keyring.errors
import pytest
from keyring.backends import chainer, fail, null

from microapp.core.sources import ErrorKind, SourceError
from microapp.core.sources.secrets import SERVICE, SecretStore, env_var
from tests.helpers import MemoryKeyring

SECRET = "correct horse battery staple"
SOURCE = "work-cal"
ENV = "MICROAPP_CALDAV_PASSWORD_WORK_CAL"




class LockedKeyring(MemoryKeyring):
    """A keyring that is there but refuses everything (locked, D-Bus trouble…)."""

    def get_password(self, service: str, username: str) -> str | None:
        raise keyring.errors.KeyringLocked("the collection is locked")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.PasswordSetError("the collection is locked")

    def delete_password(self, service: str, username: str) -> None:
        raise keyring.errors.KeyringLocked("the collection is locked")


class EmptyChainer(chainer.ChainerBackend):
    backends = ()  # what keyring builds when it finds no usable backend at all


@pytest.fixture(autouse=True)
def _restore_keyring(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    previous = keyring.core._keyring_backend  # put back as found, without backend detection
    monkeypatch.delenv(ENV, raising=False)
    yield
    keyring.core._keyring_backend = previous


@pytest.fixture(autouse=True)
def _no_secret_in_logs(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    caplog.set_level(logging.DEBUG)
    yield
    assert SECRET not in caplog.text


@pytest.fixture
def memory() -> MemoryKeyring:
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    return backend


@pytest.fixture
def no_keyring() -> None:
    keyring.set_keyring(fail.Keyring())


@pytest.fixture
def store(tmp_path: Path) -> SecretStore:
    return SecretStore(tmp_path / "config")


def secret_file(store: SecretStore, source_id: str = SOURCE) -> Path:
    return store.fallback_dir / "secrets" / source_id


# -- with a keyring ---------------------------------------------------------------------------

def test_set_get_delete_through_the_keyring(memory: MemoryKeyring, store: SecretStore) -> None:
    where = store.set(SOURCE, SECRET)

    assert where == f"keyring: {store.backend_name()}"
    assert memory.passwords == {(SERVICE, SOURCE): SECRET}
    assert store.get(SOURCE) == SECRET
    assert not secret_file(store).exists()

    store.delete(SOURCE)
    assert store.get(SOURCE) is None
    assert memory.passwords == {}
    store.delete(SOURCE)  # nothing stored: not an error


def test_has_keyring_and_its_name(memory: MemoryKeyring, store: SecretStore) -> None:
    assert store.has_keyring()
    assert store.backend_name() not in ("", "none")


def test_a_chained_keyring_counts(store: SecretStore) -> None:
    class Chained(chainer.ChainerBackend):
        backends = (MemoryKeyring(),)

    keyring.set_keyring(Chained())

    assert store.has_keyring()
    assert store.set(SOURCE, SECRET).startswith("keyring: ")
    assert store.get(SOURCE) == SECRET


@pytest.mark.parametrize(("module", "name"), [
    ("keyring.backends.SecretService", "Secret Service"),
    ("keyring.backends.macOS", "macOS Keychain"),
    ("keyring.backends.Windows", "Windows Credential Manager"),
    ("keyring.backends.kwallet", "KWallet"),
])
def test_known_backends_have_friendly_names(store: SecretStore, module: str, name: str) -> None:
    lookalike = type("Keyring", (MemoryKeyring,), {"__module__": module})
    keyring.set_keyring(lookalike())

    assert store.backend_name() == name


def test_lookup_order_env_then_keyring_then_file(memory: MemoryKeyring, store: SecretStore,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    keyring.set_keyring(fail.Keyring())
    store.set(SOURCE, "from-file", allow_file=True)
    keyring.set_keyring(memory)
    assert store.get(SOURCE) == "from-file"

    memory.set_password(SERVICE, SOURCE, "from-keyring")
    assert store.get(SOURCE) == "from-keyring"

    monkeypatch.setenv(ENV, "from-env")
    assert store.get(SOURCE) == "from-env"


def test_storing_in_the_keyring_removes_an_old_file_copy(memory: MemoryKeyring,
                                                         store: SecretStore) -> None:
    keyring.set_keyring(fail.Keyring())
    store.set(SOURCE, "old", allow_file=True)
    keyring.set_keyring(memory)

    store.set(SOURCE, SECRET)

    assert not secret_file(store).exists()
    assert store.get(SOURCE) == SECRET


def test_a_locked_keyring_is_explained_and_the_file_still_read(store: SecretStore) -> None:
    keyring.set_keyring(fail.Keyring())
    store.set(SOURCE, SECRET, allow_file=True)
    keyring.set_keyring(LockedKeyring())

    assert store.get(SOURCE) == SECRET  # the keyring failed: the opt-in file answers
    with pytest.raises(SourceError) as caught:
        store.set(SOURCE, SECRET)
    assert caught.value.kind is ErrorKind.NO_KEYRING
    assert "refused" in str(caught.value)
    assert SECRET not in str(caught.value)
    store.delete(SOURCE)  # logged, not raised
    assert not secret_file(store).exists()


# -- without a keyring -------------------------------------------------------------------------

@pytest.mark.parametrize("backend", [fail.Keyring(), null.Keyring(), EmptyChainer()],
                         ids=["fail", "null", "empty-chainer"])
def test_fail_null_and_empty_backends_are_no_keyring(store: SecretStore,
                                                     backend: keyring.backend.KeyringBackend
                                                     ) -> None:
    keyring.set_keyring(backend)

    assert not store.has_keyring()
    assert store.backend_name() == "none"
    assert store.get(SOURCE) is None


@pytest.mark.usefixtures("no_keyring")
def test_set_without_keyring_refuses_and_names_the_alternatives(store: SecretStore) -> None:
    with pytest.raises(SourceError) as caught:
        store.set(SOURCE, SECRET)

    message = str(caught.value)
    assert caught.value.kind is ErrorKind.NO_KEYRING
    assert "no system keyring" in message
    assert "Secret Service" in message and "GNOME Keyring" in message and "KWallet" in message
    assert "--password-file" in message and "0600" in message and "NOT encrypted" in message
    assert ENV in message
    assert SECRET not in message
    assert not secret_file(store).exists()
    assert not (store.fallback_dir / "secrets").exists()


@pytest.mark.usefixtures("no_keyring")
def test_password_file_is_private_and_opt_in(store: SecretStore,
                                             caplog: pytest.LogCaptureFixture) -> None:
    where = store.set(SOURCE, SECRET, allow_file=True)

    path = secret_file(store)
    assert where == f"file: {path}"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert path.read_text() == SECRET + "\n"
    assert store.get(SOURCE) == SECRET
    assert "not encrypted" in caplog.text
    assert not list(path.parent.glob(".*"))  # no temporary file left behind

    store.set(SOURCE, "second", allow_file=True)  # replacing works too
    assert store.get(SOURCE) == "second"

    store.delete(SOURCE)
    assert not path.exists()
    assert store.get(SOURCE) is None


@pytest.mark.usefixtures("no_keyring")
def test_a_password_file_others_can_read_is_made_private(store: SecretStore) -> None:
    store.set(SOURCE, SECRET, allow_file=True)
    path = secret_file(store)
    path.chmod(0o644)

    assert store.get(SOURCE) == SECRET
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


@pytest.mark.usefixtures("no_keyring")
def test_environment_works_without_keyring(store: SecretStore,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV, SECRET)

    assert store.get(SOURCE) == SECRET


# -- names and ids -----------------------------------------------------------------------------

@pytest.mark.parametrize(("source_id", "variable"), [
    ("work", "MICROAPP_CALDAV_PASSWORD_WORK"),
    ("work-cal", "MICROAPP_CALDAV_PASSWORD_WORK_CAL"),
    ("Team.Cal_2", "MICROAPP_CALDAV_PASSWORD_TEAM_CAL_2"),
])
def test_environment_variable_names(source_id: str, variable: str) -> None:
    assert env_var(source_id) == variable


@pytest.mark.usefixtures("memory")
@pytest.mark.parametrize("bad_id", ["../escape", "a/b", "", ".hidden", "x" * 65])
def test_unsafe_source_ids_are_refused(store: SecretStore, bad_id: str) -> None:
    for call in (lambda: store.get(bad_id), lambda: store.set(bad_id, SECRET, allow_file=True),
                 lambda: store.delete(bad_id)):
        with pytest.raises(SourceError) as caught:
            call()
        assert caught.value.kind is ErrorKind.CONFIG
    assert not store.fallback_dir.exists()


@pytest.mark.usefixtures("memory")
def test_an_empty_password_is_refused(store: SecretStore) -> None:
    with pytest.raises(SourceError) as caught:
        store.set(SOURCE, "")
    assert caught.value.kind is ErrorKind.CONFIG
