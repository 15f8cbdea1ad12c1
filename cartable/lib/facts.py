"""Facts read from the database and kept under version numbers: in the shared cache and in each process.

A *version key* ("directory:school:7", "timetable:version", "notifications:stamp:42"…) holds a number in the
shared cache, renewed by every write to what it covers (`bump`). A *fact* is a value read from the
database, kept with the numbers of the version keys it depends on when it was read, and used only while those
numbers are still current: after a write every fact depending on it is read again. Nothing is deleted.

Facts live at two levels:
- the shared cache (Redis) holds them for every process;
- each process also keeps the facts it used lately (LOCAL_SIZE of them), already built into the objects the
  pages use, so an unchanged fact costs neither a round trip nor unpickling.

The version numbers are what must come from the shared cache on every request, since any process may have
written. `VersionsMiddleware` keeps the numbers read during a request, and each page remembers, per user, the
version keys it needed last time: at its first need the page asks for all of them in one round trip. A home
page with six widgets thus costs one round trip to the cache beyond the session.

Order matters. A reader reads the versions *before* the database; a writer bumps *after* its data is visible.
A reader that read an old number may store old facts, but with that old number, so nobody uses them. A bump
is done at once (a write outside a transaction is already visible, and tests run inside one) and again when
the transaction commits (a reader in between may have stored pre-commit facts with the intermediate number).
A lost number (evicted, flushed) starts again from a random point, which old facts never meet.

A fact may depend on version keys that only its value names (the schools of a person's classes): `depends`
gives them, and the fact keeps the list of keys it was read under. Such a fact is read again at once if the
keys its value names were not all read before it (so that none was read after the database).

The shape of a stored fact is what the code of its `load` and `build` make it: its key in the shared cache
carries a fingerprint of the source of their modules (and of this one), so a release that changes them
never meets facts stored by the one before. No format number to remember to change.

Which models each version key covers is declared with `covers()`: a test (tests/test_cached_writes.py) runs
the actions and fails when one writes a covered table without bumping a key of its family.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from typing import Any, cast

from django.contrib.auth import SESSION_KEY
from django.core.cache import cache
from django.db import DatabaseError, transaction

SHARED_TIMEOUT = 3600
LOCAL_SIZE = 20_000  # facts kept per process: a few hundred bytes each
# A fact's details that no version covers (a sender's name in a mailbox summary) are at most this old in
# a process, plus their age in the shared cache.
LOCAL_TIMEOUT = 600
PLAN_SIZE = 20_000  # (user, page) pairs whose version keys are remembered
RENEW_CHUNK = 1000  # version keys dropped per round trip


def _fresh_start() -> int:
    return secrets.randbits(48)


# --- Version numbers, read once per request ------------------------------------------------------------


class _Request:
    """The version numbers a request has read, and the version keys it asked for (its plan for next time)."""

    def __init__(self, plan_key: Callable[[], tuple[Any, ...]]) -> None:
        self.numbers: dict[str, int] = {}
        self.asked: dict[str, None] = {}  # an ordered set
        self.plan_key = plan_key
        self.planned = False


_request: ContextVar[_Request | None] = ContextVar("cartable_facts_request", default=None)
_plans: OrderedDict[tuple[Any, ...], tuple[str, ...]] = OrderedDict()
_plans_lock = threading.Lock()


def _read_shared(keys: list[str]) -> dict[str, int]:
    """The numbers of `keys` in the shared cache, starting any that is missing (one round trip if none is)."""
    found = cache.get_many(keys)
    missing = [key for key in keys if found.get(key) is None]
    for key in missing:
        cache.add(key, _fresh_start(), timeout=None)
    if missing:
        found |= cache.get_many(missing)
    # A cache that keeps nothing (or lost the key again at once) gives a number nothing was stored with.
    return {key: int(found[key]) if found.get(key) is not None else _fresh_start() for key in keys}


def numbers(keys: Iterable[str]) -> tuple[int, ...]:
    """The current numbers of these version keys; within a request, read once, together with the keys the
    same page needed last time."""
    keys = list(keys)
    state = _request.get()
    if state is None:
        found = _read_shared(keys)
        return tuple(found[key] for key in keys)
    missing = [key for key in keys if key not in state.numbers]
    if missing:
        wanted = dict.fromkeys(missing)
        if not state.planned:
            state.planned = True
            with _plans_lock:
                wanted |= dict.fromkeys(k for k in _plans.get(state.plan_key(), ()) if k not in state.numbers)
        state.numbers |= _read_shared(list(wanted))
    state.asked |= dict.fromkeys(keys)
    return tuple(state.numbers[key] for key in keys)


def _renew(keys: list[str]) -> None:
    # Dropping a number is enough: the next reader starts it again from a random point, which no fact was
    # stored with; and it is one round trip per thousand keys (a message to 2,000 guardians: two). Chunks keep
    # the database cache within SQLite's limit of parameters per statement.
    for start in range(0, len(keys), RENEW_CHUNK):
        cache.delete_many(keys[start : start + RENEW_CHUNK])
    state = _request.get()
    if state is not None:
        for key in keys:
            state.numbers.pop(key, None)


def bump(keys: Iterable[str], *, at_once: bool = True) -> None:
    """Call after a write to what these version keys cover; harmless if the transaction rolls back.
    `at_once=False` waits for the commit only: for writes whose own request does not read the facts again."""
    keys = list(dict.fromkeys(keys))
    if not keys:
        return
    if at_once or not transaction.get_connection().in_atomic_block:
        _renew(keys)
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(lambda: _renew(keys))


def bump_from_migration(keys: Iterable[str]) -> None:
    """`bump` for a data migration: the cache may not be reachable yet (the database cache's own table is
    made by a migration), and then it holds nothing to renew."""
    keys = list(keys)
    try:
        with transaction.atomic():
            _renew(keys)
    except DatabaseError:
        pass
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(lambda: _renew(keys))


# --- Which models each version key covers ----------------------------------------------------------------

# model label ("directory.Person") -> the prefixes of the version keys a write to it must bump
_covered: dict[str, tuple[str, ...]] = {}


def covers(prefix: str, model_labels: Iterable[str]) -> None:
    """Declare that facts read from these models are kept under version keys starting with `prefix`: every
    action writing one of them bumps such a key (checked by tests/test_cached_writes.py)."""
    for label in model_labels:
        _covered[label] = (*_covered.get(label, ()), prefix)


def covered_models() -> dict[str, tuple[str, ...]]:
    return dict(_covered)


# --- Facts ---------------------------------------------------------------------------------------------

# key -> (version keys, their numbers, when it stops being used, the built fact)
_local: OrderedDict[str, tuple[tuple[str, ...], tuple[int, ...], float, Any]] = OrderedDict()
_local_lock = threading.Lock()


def _local_get(key: str) -> tuple[tuple[str, ...], tuple[int, ...], float, Any] | None:
    with _local_lock:
        entry = _local.get(key)
        if entry is not None:
            _local.move_to_end(key)
        return entry


def _local_put(key: str, entry: tuple[tuple[str, ...], tuple[int, ...], float, Any]) -> None:
    with _local_lock:
        _local[key] = entry
        _local.move_to_end(key)
        while len(_local) > LOCAL_SIZE:
            _local.popitem(last=False)


def as_is(value: Any) -> Any:
    """The default `build`: the fact as loaded."""
    return value


# --- Fingerprints of the facts' shapes ---------------------------------------------------------------------

_sources: dict[str, str] = {}
_fingerprints: dict[tuple[Any, ...], str] = {}
_fingerprints_lock = threading.Lock()


def _source_digest(filename: str) -> str:
    digest = _sources.get(filename)
    if digest is None:
        try:
            with open(filename, "rb") as source:
                digest = hashlib.sha256(source.read()).hexdigest()
        except OSError:  # no source file (frozen code): the file's name at least
            digest = hashlib.sha256(filename.encode()).hexdigest()
        _sources[filename] = digest
    return digest


def fingerprint(*functions: Callable[..., Any]) -> str:
    """A short digest of the source of the modules defining these functions and of this module: it changes
    whenever the code that gives a fact its shape may have changed. Computed once per function."""
    codes = tuple(getattr(function, "__code__", None) or type(function) for function in functions)
    found = _fingerprints.get(codes)
    if found is None:
        files = {__file__}
        for code in codes:
            files.add(getattr(code, "co_filename", None) or getattr(code, "__module__", "") or "")
        digest = hashlib.sha256()
        for filename in sorted(files):
            digest.update(_source_digest(filename).encode())
        found = digest.hexdigest()[:12]
        with _fingerprints_lock:
            _fingerprints[codes] = found
    return found


# --- Facts ---------------------------------------------------------------------------------------------


def _is_current(keys: tuple[str, ...], stamp: tuple[int, ...], base: list[str]) -> bool:
    return set(base) <= set(keys) and numbers(keys) == stamp


def _usable(shared: Any, now: float) -> bool:
    return (
        isinstance(shared, tuple)
        and len(shared) == 4
        and isinstance(shared[0], tuple)
        and (shared[2] is None or shared[2] > now)
    )


def _load[T](
    base: list[str],
    guess: Iterable[str],
    load: Callable[[], tuple[T, float | None]],
    depends: Callable[[T], Iterable[str]] | None,
) -> tuple[T, float | None, tuple[str, ...] | None, tuple[int, ...]]:
    """Read the fact, its versions read before it. The keys its value names are known only after: if one
    of them was not read before, the fact is read again (at most twice), else it is not stored."""
    wanted = dict.fromkeys([*base, *guess])
    for _attempt in range(3):
        found = dict(zip(wanted, numbers(wanted), strict=True))
        # The numbers this request read already were read before this load too (the page's plan: the keys
        # it needed last time), which spares a second load when the fact is new to every cache.
        state = _request.get()
        if state is not None:
            found = state.numbers | found
        value, expires = load()
        needed = dict.fromkeys([*base, *(depends(value) if depends is not None else ())])
        if needed.keys() <= found.keys():
            keys = tuple(needed)
            return value, expires, keys, tuple(found[key] for key in keys)
        wanted |= needed
    return value, expires, None, ()


def cached_until[T, B](
    key: str,
    version_keys: Iterable[str],
    load: Callable[[], tuple[T, float | None]],
    build: Callable[[T], B] = as_is,
    *,
    depends: Callable[[T], Iterable[str]] | None = None,
    shape: Callable[..., Any] | None = None,
) -> B:
    """The fact under `key`, read at the current numbers of `version_keys` (and of the keys `depends` names
    in its value), built with `build`.

    `load()` reads it from the database and returns it (built-in types only: tuples, dicts, sets, numbers,
    strings, dates — no class to unpickle after a release) with the timestamp at which it stops being true
    (None: never on its own). `build()` turns it into what the pages use; its result is shared by every
    request of the process and must never be changed. `shape` is the function that gives the value its
    shape when it is not `load` itself (see `fingerprint`).
    """
    base = list(version_keys)
    now = time.time()
    entry = _local_get(key)
    if entry is not None and entry[2] > now and _is_current(entry[0], entry[1], base):
        return cast(B, entry[3])
    shared_key = f"facts:{fingerprint(shape or load, build)}:{key}"
    shared = cache.get(shared_key)
    stored = _usable(shared, now)
    if stored and _is_current(shared[0], shared[1], base):
        keys, stamp, expires, value = shared
    else:
        guess = list(shared[0]) if stored else list(entry[0]) if entry is not None else []
        value, expires, found_keys, stamp = _load(base, guess, load, depends)
        if found_keys is None:  # its versions kept moving while it was read: used once, not kept
            return build(value)
        keys = found_keys
        timeout = SHARED_TIMEOUT if expires is None else max(1, min(SHARED_TIMEOUT, int(expires - now)))
        cache.set(shared_key, (keys, stamp, expires, value), timeout)
    built = build(value)
    local_expires = now + LOCAL_TIMEOUT if expires is None else min(expires, now + LOCAL_TIMEOUT)
    _local_put(key, (keys, stamp, local_expires, built))
    return built


def cached[T, B](
    key: str,
    version_keys: Iterable[str],
    load: Callable[[], T],
    build: Callable[[T], B] = as_is,
    *,
    depends: Callable[[T], Iterable[str]] | None = None,
) -> B:
    """`cached_until` for a fact that stays true until one of its versions changes."""
    return cached_until(key, version_keys, lambda: (load(), None), build, depends=depends, shape=load)


# --- Per request ---------------------------------------------------------------------------------------


class VersionsMiddleware:
    """Version numbers are read once per request, and each page's version keys are asked for together.
    Place it after the session middleware."""

    def __init__(self, get_response: Callable[[Any], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        def plan_key() -> tuple[Any, ...]:
            # The user id from the session, not request.user: this may run while the user is being loaded.
            session = getattr(request, "session", None)
            return (session.get(SESSION_KEY) if session is not None else None, request.path_info)

        state = _Request(plan_key)
        token = _request.set(state)
        try:
            return self.get_response(request)
        finally:
            _request.reset(token)
            if state.asked:
                _remember_plan(plan_key(), tuple(state.asked))


def _remember_plan(key: tuple[Any, ...], asked: tuple[str, ...]) -> None:
    with _plans_lock:
        _plans[key] = asked
        _plans.move_to_end(key)
        while len(_plans) > PLAN_SIZE:
            _plans.popitem(last=False)


def forget_local() -> None:
    """Drop this process's copies (for tests that change data behind the actions' back)."""
    with _local_lock:
        _local.clear()
    with _plans_lock:
        _plans.clear()
