"""The timetable's version number, for facts about it (today's lessons on the home page, the calendars).

Every timetable write (courses, exceptions, settings, imports) calls `bump()`; a fact is used only while the
timetable version it was read at is current, and also the directory's platform and schools versions unless
`with_directory` is False (the school year, a school's academy). See cartable.lib.facts.
"""

from __future__ import annotations

from collections.abc import Callable

from cartable.directory import versions as directory_versions
from cartable.lib import facts

KEY = "timetable:version"

facts.covers(
    "timetable:",
    [
        "timetable.Course",
        "timetable.CourseException",
        "timetable.SchoolHoliday",
        "timetable.TimetableSettings",
    ],
)


def bump() -> None:
    """Call after any timetable write."""
    facts.bump([KEY])


def cached[T, B](
    key: str, load: Callable[[], T], build: Callable[[T], B] = facts.as_is, *, with_directory: bool = True
) -> B:
    """The fact under `key` if read at the current versions, else `load()` (built-in types only); `build`
    turns it into what the pages use (shared by the process's requests: never change it)."""
    version_keys = (
        [KEY, directory_versions.PLATFORM_KEY, directory_versions.SCHOOLS_KEY] if with_directory else [KEY]
    )
    return facts.cached(f"timetable:{key}", version_keys, load, build)
