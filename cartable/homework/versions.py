"""Version numbers of the cahier de textes in the shared cache, so that the home widget costs no query.

Each class or group has a version, bumped by every write to its sessions and homework (and when a session
prepared ahead becomes visible); each pupil has one for their done ticks. A cached list is used only while
the versions it was read at are current, on the day it was read, and before the next session prepared
ahead opens. Same protocol as cartable.directory.versions: bump at once and again on commit.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

TIMEOUT = 3600


def group_key(group_id: int) -> str:
    return f"homework:group:{group_id}"


def done_key(pupil_id: int) -> str:
    return f"homework:done:{pupil_id}"


def _increment(keys: list[str]) -> None:
    for key in keys:
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, secrets.randbits(48), timeout=None)


def bump(keys: Iterable[str]) -> None:
    keys = list(keys)
    _increment(keys)
    transaction.on_commit(lambda: _increment(keys))


def bump_groups(group_ids: Iterable[int]) -> None:
    bump(group_key(group_id) for group_id in set(group_ids))


def bump_done(pupil_id: int) -> None:
    bump([done_key(pupil_id)])


def cached[T](key: str, version_keys: list[str], load: Callable[[], tuple[T, float | None]]) -> T:
    """The value under `key` if read at the current versions of `version_keys` and not past its own expiry;
    else `load()`, which returns the value (built-in types only) and when it stops being true (a
    timestamp, or None). One round trip to the cache when the value is there."""
    full_key = f"homework:{key}"
    found = cache.get_many([*version_keys, full_key])
    missing = [k for k in version_keys if found.get(k) is None]
    for version_key in missing:
        cache.add(version_key, secrets.randbits(48), timeout=None)
    if missing:
        found |= cache.get_many(missing)
    stamp = tuple(found.get(k) for k in version_keys)
    entry = found.get(full_key)
    now = timezone.now().timestamp()
    if entry is not None and entry[0] == stamp and None not in stamp and (entry[1] is None or entry[1] > now):
        return entry[2]
    value, expires = load()
    timeout = TIMEOUT if expires is None else max(1, min(TIMEOUT, int(expires - now)))
    cache.set(full_key, (stamp, expires, value), timeout)
    return value
