"""Which meetings deserve a doorway pause: the user's filters, with the reason for each skip."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from microapp.core.meetings import Meeting, MeetingStatus
from microapp.core.settings import Settings

_WILDCARDS = set("*?[")


def title_matches(title: str, pattern: str) -> bool:
    """Case-insensitive: a pattern with * ? [ ] is a shell-style glob over the whole title;
    plain text matches as whole words anywhere in it ("Focus time" also skips
    "Focus time (blocked)", but not "Refocus timeline")."""
    title_cf, pattern_cf = title.casefold(), pattern.casefold().strip()
    if not pattern_cf:
        return False
    if _WILDCARDS & set(pattern_cf):
        return fnmatch.fnmatchcase(title_cf, pattern_cf)
    return re.search(rf"(?<!\w){re.escape(pattern_cf)}(?!\w)", title_cf) is not None


@dataclass(frozen=True)
class MeetingFilter:
    skip_all_day: bool = True
    skip_cancelled: bool = True
    skip_declined: bool = True
    skip_free: bool = True
    skip_tentative: bool = False
    ignore_titles: tuple[str, ...] = ()
    disabled_calendars: frozenset[str] = frozenset()

    @classmethod
    def from_settings(cls, settings: Settings,
                      disabled: Collection[str] | None = None) -> MeetingFilter:
        if disabled is None:
            disabled = [c.id for c in settings.calendars if not c.enabled]
        return cls(
            skip_all_day=settings.skip_all_day, skip_cancelled=settings.skip_cancelled,
            skip_declined=settings.skip_declined, skip_free=settings.skip_free,
            skip_tentative=settings.skip_tentative, ignore_titles=settings.ignore_titles,
            disabled_calendars=frozenset(disabled),
        )

    def reason(self, meeting: Meeting) -> str | None:
        """Why ``meeting`` gets no pause, in a few words; None when it gets one."""
        if meeting.calendar in self.disabled_calendars:
            return "calendar turned off"
        if self.skip_cancelled and meeting.status is MeetingStatus.CANCELLED:
            return "cancelled"
        if self.skip_all_day and meeting.all_day:
            return "all-day"
        if self.skip_declined and meeting.declined:
            return "declined"
        if self.skip_free and meeting.transparent:
            return "shown as free"
        if self.skip_tentative and meeting.status is MeetingStatus.TENTATIVE:
            return "tentative"
        for pattern in self.ignore_titles:
            if title_matches(meeting.title, pattern):
                return f'title matches "{pattern}"'
        return None

    def keep(self, meeting: Meeting) -> bool:
        return self.reason(meeting) is None

    def apply(self, meetings: Iterable[Meeting]) -> list[Meeting]:
        return [m for m in meetings if self.keep(m)]
