"""The directory's version number, and the shared cache of facts read from the directory.

Every write to the directory (people, memberships, enrolments, teaching assignments, guardianships,
classes, subjects, school years) calls `bump()`. A cached fact is stored with the version that was
current when it was read, and is used only while that version is still the current one: after a
write, every fact is read again from the database. Nothing is ever deleted, and one key per fact
(not per version) keeps the cache from filling up with old entries.

Order matters. A reader reads the version *before* the database; a writer bumps *after* its data is
visible. A reader that read the old version may store the old facts, but with the old version, so
nobody uses them. The bump is done at once (a write outside a transaction is already visible, and
tests run inside one) and again when the transaction commits (a reader in between may have stored
pre-commit facts with the intermediate version).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

from django.core.cache import cache
from django.db import transaction

KEY = "directory:version"
# Cached facts also expire on their own: a person who stops coming leaves nothing behind.
FACTS_TIMEOUT = 3600


def _fresh_start() -> int:
    """A random starting point: if the counter is lost (evicted, flushed), facts stored with the old
    numbers are never used again, because the new numbers do not meet them."""
    return secrets.randbits(48)


def _started() -> int:
    cache.add(KEY, _fresh_start(), timeout=None)
    version = cache.get(KEY)
    return _fresh_start() if version is None else int(version)


def current() -> int:
    version = cache.get(KEY)
    return _started() if version is None else int(version)


def _increment() -> None:
    try:
        cache.incr(KEY)
    except ValueError:
        cache.set(KEY, _fresh_start(), timeout=None)


def bump() -> None:
    """Call after any directory write; harmless when the transaction rolls back (facts are reread)."""
    _increment()
    transaction.on_commit(_increment)


def cached[T](key: str, load: Callable[[], T], timeout: int = FACTS_TIMEOUT) -> T:
    """The fact stored under `key` if it was read at the current directory version, else `load()`.

    One round trip to the cache when the fact is there. `load()` must return built-in types only
    (tuples, dicts, sets, numbers, strings): no model or class to unpickle after a release.
    """
    key = f"directory:{key}"
    found = cache.get_many([KEY, key])
    version = found.get(KEY)
    version = _started() if version is None else int(version)
    entry = found.get(key)
    if entry is not None and entry[0] == version:
        return entry[1]
    value = load()
    cache.set(key, (version, value), timeout)
    return value
