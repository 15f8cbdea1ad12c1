"""The timetable's version number, for facts kept in the shared cache (today's lessons on the home page).

Every timetable write (courses, exceptions, settings, imports) calls `bump()`; a cached fact is used only
while both the timetable version and the directory version it was read at are still current (enrolments and
teaching assignments change whose lessons they are). Same protocol as cartable.directory.versions.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

from django.core.cache import cache
from django.db import transaction

from cartable.directory import versions as directory_versions

KEY = "timetable:version"
TIMEOUT = 3600


def _fresh_start() -> int:
    return secrets.randbits(48)


def _increment() -> None:
    try:
        cache.incr(KEY)
    except ValueError:
        cache.set(KEY, _fresh_start(), timeout=None)


def bump() -> None:
    """Call after any timetable write."""
    _increment()
    transaction.on_commit(_increment)


def cached[T](key: str, load: Callable[[], T], timeout: int = TIMEOUT, *, with_directory: bool = True) -> T:
    """The fact under `key` if read at the current timetable version (and directory version, unless
    `with_directory` is False), else `load()`, which must return built-in types only."""
    key = f"timetable:{key}"
    found = cache.get_many([KEY, directory_versions.KEY, key] if with_directory else [KEY, key])
    version = found.get(KEY)
    if version is None:
        cache.add(KEY, _fresh_start(), timeout=None)
        version = cache.get(KEY)
    directory_version = None
    if with_directory:
        directory_version = found.get(directory_versions.KEY)
        if directory_version is None:
            directory_version = directory_versions.current()
    stamp = (version, directory_version)
    entry = found.get(key)
    if entry is not None and entry[0] == stamp and version is not None:
        return entry[1]
    value = load()
    cache.set(key, (stamp, value), timeout)
    return value
