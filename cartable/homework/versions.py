"""Version numbers of the cahier de textes, so that the home widget costs no query (see cartable.lib.facts).

Each class or group has a version, bumped by every write to its sessions and homework (and when a session
prepared ahead becomes visible); each pupil has one for their done ticks. A cached list is used only while
the versions it was read at are current, on the day it was read, and before the next session prepared
ahead opens.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from cartable.lib import facts


def group_key(group_id: int) -> str:
    return f"homework:group:{group_id}"


def done_key(pupil_id: int) -> str:
    return f"homework:done:{pupil_id}"


def bump_groups(group_ids: Iterable[int]) -> None:
    facts.bump(group_key(group_id) for group_id in set(group_ids))


def bump_done(pupil_id: int) -> None:
    facts.bump([done_key(pupil_id)])


def cached[T, B](
    key: str,
    version_keys: list[str],
    load: Callable[[], tuple[T, float | None]],
    build: Callable[[T], B] = facts.as_is,
) -> B:
    """The value under `key` if read at the current versions of `version_keys` and not past its own expiry;
    else `load()`, which returns the value (built-in types only) and when it stops being true (a
    timestamp, or None); `build` turns it into what the pages use (shared: never change it)."""
    return facts.cached_until(f"homework:{key}", version_keys, load, build)


# What the cached to-do lists are read from. Visas are not in them: they are read from the database each time
# (signing one locks sessions, which only the actions check).
facts.covers("homework:", ["homework.Entry", "homework.Homework", "homework.HomeworkDone"])
