"""The directory's version number, and the facts read from the directory (see cartable.lib.facts).

Every write to the directory (people, memberships, enrolments, teaching assignments, guardianships,
classes, subjects, school years) calls `bump()`. A fact read from the directory is used only
while the directory version it was read at is still the current one: after a write, every such fact is read
again from the database.
"""

from __future__ import annotations

from collections.abc import Callable

from cartable.lib import facts

KEY = "directory:version"


def current() -> int:
    return facts.numbers([KEY])[0]


def bump() -> None:
    """Call after any directory write; harmless when the transaction rolls back (facts are reread)."""
    facts.bump([KEY])


def cached[T, B](key: str, load: Callable[[], T], build: Callable[[T], B] = facts.as_is) -> B:
    """The fact under `key` if it was read at the current directory version, else `load()`; `build` turns
    it into what the pages use (kept in the process, shared by every request: never change it).

    `load()` must return built-in types only (tuples, dicts, sets, numbers, strings): no model or class to
    unpickle after a release.
    """
    return facts.cached(f"directory:{key}", [KEY], load, build)
