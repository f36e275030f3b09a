"""Where CalDAV passwords live: the OS keyring, never settings.toml.

A password is looked up, in this order, in

1. the environment: ``MICROAPP_CALDAV_PASSWORD_<ID>`` (the source id in upper case, every
   character other than A–Z and 0–9 replaced by ``_``), for scripts, containers and CI;
2. the OS keyring (Secret Service / GNOME Keyring / KWallet, macOS Keychain, Windows
   Credential Manager) through ``keyring``, under the service name :data:`SERVICE` and the
   source id;
3. a file the user explicitly opted into (``--password-file``) where no keyring exists:
   ``<config dir>/secrets/<source id>``, readable only by the user (mode 0600) but *not*
   encrypted.

Nothing here logs or raises with a password in it.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import stat
from pathlib import Path

import keyring
import keyring.backend
import keyring.errors
from keyring.backends import chainer, fail, null

from microapp.core.sources import ErrorKind, SourceError, valid_source_id

SERVICE = "microapp"
ENV_PREFIX = "MICROAPP_CALDAV_PASSWORD_"
SECRETS_SUBDIR = "secrets"

# The same rule settings.py applies to source ids: safe as a file name, never "." or "..".

# Friendly names for the backends keyring ships with (by module name, see backend_name).
_BACKEND_NAMES = {
    "keyring.backends.SecretService": "Secret Service",
    "keyring.backends.libsecret": "Secret Service (libsecret)",
    "keyring.backends.kwallet": "KWallet",
    "keyring.backends.macOS": "macOS Keychain",
    "keyring.backends.Windows": "Windows Credential Manager",
}

log = logging.getLogger(__name__)


def env_var(source_id: str) -> str:
    """The environment variable that may hold ``source_id``'s password."""
    return ENV_PREFIX + re.sub(r"[^A-Za-z0-9]", "_", source_id).upper()


def _check_id(source_id: str) -> None:
    if not valid_source_id(source_id):
        raise SourceError(f"{source_id!r} is not a valid calendar source id.", ErrorKind.CONFIG)


def _real_backends(backend: keyring.backend.KeyringBackend) -> list[keyring.backend.KeyringBackend]:
    """The backends that can actually keep a password (a chainer's members, or itself)."""
    members = list(backend.backends) if isinstance(backend, chainer.ChainerBackend) else [backend]
    return [b for b in members if not isinstance(b, fail.Keyring | null.Keyring)]


def _describe(backend: keyring.backend.KeyringBackend) -> str:
    module = type(backend).__module__
    return _BACKEND_NAMES.get(module) or str(getattr(backend, "name", "")) or type(backend).__name__


class SecretStore:
    """Passwords of CalDAV sources, by source id."""

    def __init__(self, fallback_dir: Path) -> None:
        """``fallback_dir`` is the profile's config folder; opt-in password files go to its
        ``secrets/`` subfolder."""
        self.fallback_dir = Path(fallback_dir)

    # -- which keyring -----------------------------------------------------------------------

    def _backend(self) -> keyring.backend.KeyringBackend:
        # Asked every time rather than kept: keyring.set_keyring() (tests, a user's
        # keyringrc) changes the answer.
        return keyring.get_keyring()

    def has_keyring(self) -> bool:
        """True when a real keyring backend exists (not keyring's "fail" or "null" stand-ins,
        nor a chainer with nothing to chain)."""
        try:
            return bool(_real_backends(self._backend()))
        except Exception:  # a broken keyring install must not break the app
            log.warning("The keyring backend could not be loaded", exc_info=True)
            return False

    def backend_name(self) -> str:
        """A name for the user: "Secret Service", "macOS Keychain", … or "none"."""
        try:
            backends = _real_backends(self._backend())
        except Exception:
            return "none"
        if not backends:
            return "none"
        return ", ".join(dict.fromkeys(_describe(b) for b in backends))

    # -- the opt-in file ---------------------------------------------------------------------

    def file_path(self, source_id: str) -> Path:
        _check_id(source_id)
        return self.fallback_dir / SECRETS_SUBDIR / source_id

    def _read_file(self, source_id: str) -> str | None:
        path = self.file_path(source_id)
        try:
            mode = stat.S_IMODE(path.stat().st_mode)
            if mode & 0o077:
                log.warning("The password file %s is readable by others (mode %o); "
                            "making it private", path, mode)
                path.chmod(0o600)
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except OSError as exc:
            log.warning("The password file %s cannot be read: %s", path, exc.strerror)
            return None
        password = text.rstrip("\r\n")
        return password or None

    def _write_file(self, source_id: str, password: str) -> Path:
        path = self.file_path(source_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(OSError):
            path.parent.chmod(0o700)
        temp = path.with_name(f".{path.name}.tmp")
        temp.unlink(missing_ok=True)
        # Created private from the first byte (no window where the file is world-readable).
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(password + "\n")
            os.replace(temp, path)
        except BaseException:
            temp.unlink(missing_ok=True)
            raise
        path.chmod(0o600)
        return path

    # -- the API -----------------------------------------------------------------------------

    def get(self, source_id: str) -> str | None:
        """The password for ``source_id``: from the environment, else the keyring, else the
        opt-in file; None when there is none anywhere."""
        _check_id(source_id)
        from_env = os.environ.get(env_var(source_id))
        if from_env:
            return from_env
        if self.has_keyring():
            try:
                password = self._backend().get_password(SERVICE, source_id)
            except Exception as exc:  # locked, unreachable, broken: try the file
                log.warning("The keyring (%s) could not be read: %s",
                            self.backend_name(), type(exc).__name__)
                password = None
            if password:
                return password
        return self._read_file(source_id)

    def set(self, source_id: str, password: str, *, allow_file: bool = False) -> str:
        """Keep ``password`` for ``source_id``; returns where it went: ``"keyring: <backend>"``
        or ``"file: <path>"``.

        Without a keyring it raises :class:`SourceError` (``NO_KEYRING``) unless
        ``allow_file`` — the user's explicit ``--password-file`` — permits a private,
        unencrypted file.
        """
        _check_id(source_id)
        if not password:
            raise SourceError("The password is empty.", ErrorKind.CONFIG)
        problem = None
        if self.has_keyring():
            try:
                self._backend().set_password(SERVICE, source_id, password)
            except Exception as exc:  # any refusal: explain, maybe use the file
                problem = f"the keyring ({self.backend_name()}) refused it ({type(exc).__name__})"
            else:
                self._remove_file(source_id)  # the keyring copy now wins; leave no stale copy
                return f"keyring: {self.backend_name()}"
        if not allow_file:
            raise SourceError(self.no_keyring_message(source_id, problem), ErrorKind.NO_KEYRING)
        path = self._write_file(source_id, password)
        log.warning("The password for %s is stored in %s: readable only by you, but not "
                    "encrypted", source_id, path)
        return f"file: {path}"

    def delete(self, source_id: str) -> None:
        """Forget ``source_id``'s password in the keyring and the opt-in file (not the
        environment, which is not ours to change). Nothing stored is not an error."""
        _check_id(source_id)
        if self.has_keyring():
            try:
                self._backend().delete_password(SERVICE, source_id)
            except keyring.errors.PasswordDeleteError:
                pass  # there was none
            except Exception as exc:  # forgetting must not fail the caller
                log.warning("The keyring (%s) could not delete the password for %s: %s",
                            self.backend_name(), source_id, type(exc).__name__)
        self._remove_file(source_id)

    def _remove_file(self, source_id: str) -> None:
        try:
            self.file_path(source_id).unlink(missing_ok=True)
        except OSError as exc:
            log.warning("The password file for %s could not be removed: %s",
                        source_id, exc.strerror)

    def no_keyring_message(self, source_id: str, problem: str | None = None) -> str:
        """What to do when there is nowhere safe to keep a password (one paragraph)."""
        why = problem or "no system keyring is available"
        return (
            f"The password for {source_id!r} cannot be stored: {why}. Either "
            "(1) install or unlock a Secret Service keyring (e.g. GNOME Keyring or KWallet) "
            "and try again, "
            "(2) rerun with --password-file to keep it in "
            f"{self.fallback_dir / SECRETS_SUBDIR / source_id}, readable only by you "
            "(mode 0600) but NOT encrypted, or "
            f"(3) set {env_var(source_id)} in the environment."
        )
