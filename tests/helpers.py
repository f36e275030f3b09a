"""Helpers for tests: a clock you can move by hand, a keyring that lives in memory."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import keyring.backend
import keyring.errors

DEFAULT_ZONE = ZoneInfo("Europe/Berlin")


class FakeClock:
    """Satisfies :class:`microapp.core.clock.Clock`; time moves only when a test moves it."""

    def __init__(self, start: datetime | None = None, zone: ZoneInfo = DEFAULT_ZONE) -> None:
        self._zone = zone
        self._now = (start or datetime(2026, 3, 10, 9, 0, tzinfo=zone)).astimezone(zone)

    def now(self) -> datetime:
        return self._now

    def zone(self) -> ZoneInfo:
        return self._zone

    def set(self, instant: datetime) -> None:
        self._now = instant.astimezone(self._zone)

    def advance(self, **delta: float) -> datetime:
        # Real elapsed time (through UTC), not wall-clock arithmetic: DST nights are 23 or 25 h.
        self._now = (self._now.astimezone(UTC) + timedelta(**delta)).astimezone(self._zone)
        return self._now

    def move_to_zone(self, zone: ZoneInfo) -> None:
        """The user travels: same instant, another zone."""
        self._zone = zone
        self._now = self._now.astimezone(zone)


class MemoryKeyring(keyring.backend.KeyringBackend):
    """A keyring in a dict, behaving like a real backend (deleting a missing password raises):
    tests never touch the user's own keyring."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if (service, username) not in self.passwords:
            raise keyring.errors.PasswordDeleteError("not found")
        del self.passwords[(service, username)]
