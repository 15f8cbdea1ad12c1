"""The permission world written again by replaying its rows, in one round trip to PostgreSQL.

Building the world through the directory actions takes about 240 queries; most tests build it, so those
round trips were a third of the suite's time. The first build of a test process goes through the actions
(with the bump check of tests/bumps.py, like any test); the statements it writes (INSERT, UPDATE, DELETE) are
recorded with their parameters and the sequences it advanced. Each later build sets those sequences back,
so that every row gets the same id again, and sends the recorded statements as one script: same rows, same
ids, same Python objects (a deep copy of the first world). Dates and times written (creation, activation,
acceptance of the charter, traces) are moved by the time elapsed since the recording, so that a test that
travels in time (time-machine) meets a world written "now", as before.

What the replay does not redo, on purpose: the version bumps of the cached facts, at once or at the commit
(each test has a key space of its own, where no fact is cached yet: `_isolated_cache`, as for
`module_world`). A recording that registered another after-commit callback, or rolled a savepoint back, is
never replayed (its effects would be missed). When a replay cannot write its rows (a test wrote rows first
with the ids the world takes), the sequences are put back where they were and the world is built through the
actions.

PostgreSQL only: on SQLite every build goes through the actions.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, fields, is_dataclass
from typing import Any

from django.db import DatabaseError, connection, transaction
from django.db.models import Model
from django.utils import timezone

from cartable.lib import facts

WRITE = re.compile(r"^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s", re.IGNORECASE)
ROLLED_BACK = re.compile(r"^\s*ROLLBACK", re.IGNORECASE)


@dataclass
class _Recording:
    at: dt.datetime
    statements: list[tuple[str, Any, bool]]
    sequences: dict[str, int | None]  # sequence -> its last value before the first build (None: never used)
    built: Any


# One recording per way of writing (inside the test's transaction or committed) and per settings in force.
_recordings: dict[tuple[bool, str], _Recording | None] = {}


def _sequence_values() -> dict[str, int | None]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT schemaname || '.' || sequencename, last_value FROM pg_sequences")
        return dict(cursor.fetchall())


def _record(build: Callable[[], Any]) -> tuple[Any, _Recording | None]:
    statements: list[tuple[str, Any, bool]] = []
    callbacks: list[Any] = []
    rolled_back: list[str] = []

    def record(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if WRITE.match(sql):
            statements.append((sql, copy.deepcopy(params), many))
        elif ROLLED_BACK.match(sql):
            rolled_back.append(sql)
        return result

    before = _sequence_values()
    at = timezone.now()
    original_on_commit = transaction.on_commit

    def on_commit(func: Callable[[], Any], *args: Any, **kwargs: Any) -> Any:
        if not _renews_versions(func):
            callbacks.append(func)
        return original_on_commit(func, *args, **kwargs)

    transaction.on_commit = on_commit  # type: ignore[assignment]
    try:
        with connection.execute_wrapper(record):
            built = build()
    finally:
        transaction.on_commit = original_on_commit  # type: ignore[assignment]
    if callbacks or rolled_back:
        return built, None
    after = _sequence_values()
    advanced = {name: before.get(name) for name, value in after.items() if value != before.get(name)}
    return built, _Recording(at, statements, advanced, copy.deepcopy(built))


def _renews_versions(func: Callable[[], Any]) -> bool:
    """The callback `cartable.lib.facts.bump` leaves for the commit: it renews version keys again."""
    qualname = getattr(func, "__qualname__", "")
    return getattr(func, "__module__", None) == facts.__name__ and qualname.startswith("bump.")


def _shift(value: Any, delta: dt.timedelta) -> Any:
    if isinstance(value, dt.datetime):
        return value + delta
    if isinstance(value, (list, tuple)):
        return type(value)(_shift(item, delta) for item in value)
    return value


def _shift_objects(built: Any, delta: dt.timedelta) -> None:
    seen: set[int] = set()

    def walk(value: Any) -> None:
        if id(value) in seen:
            return
        seen.add(id(value))
        if isinstance(value, Model):
            for name, attribute in list(value.__dict__.items()):
                if isinstance(attribute, dt.datetime):
                    value.__dict__[name] = attribute + delta
            for related in value._state.fields_cache.values():
                walk(related)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, (list, tuple)):
            for item in value:
                walk(item)
        elif is_dataclass(value) and not isinstance(value, type):
            for field in fields(value):
                walk(getattr(value, field.name))

    walk(built)


def _script(recording: _Recording, delta: dt.timedelta) -> str:
    with connection.cursor() as wrapper:
        return _mogrified(wrapper.cursor, recording, delta)


def _mogrified(cursor: Any, recording: _Recording, delta: dt.timedelta) -> str:
    """psycopg's own cursor quotes each parameter as the server expects (the connection's adapters)."""
    parts = []
    for name, last_value in recording.sequences.items():
        if last_value is None:
            parts.append(cursor.mogrify("SELECT setval(%s, 1, false)", [name]))
        else:
            parts.append(cursor.mogrify("SELECT setval(%s, %s, true)", [name, last_value]))
    for sql, params, many in recording.statements:
        if many:
            parts.extend(cursor.mogrify(sql, _shift(one, delta)) for one in params)
        else:
            parts.append(cursor.mogrify(sql, _shift(params, delta) if params is not None else None))
    return ";\n".join(parts)


def _replay(recording: _Recording) -> Any | None:
    delta = timezone.now() - recording.at
    script = _script(recording, delta)
    names = list(recording.sequences)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT schemaname || '.' || sequencename, last_value FROM pg_sequences "
            "WHERE schemaname || '.' || sequencename = ANY(%s)",
            [names],
        )
        current = dict(cursor.fetchall())
        try:
            with transaction.atomic():
                cursor.execute(script)
        except DatabaseError:
            for name, value in current.items():
                if value is not None:
                    cursor.execute("SELECT setval(%s, %s, true)", [name, value])
            return None
    built = copy.deepcopy(recording.built)
    _shift_objects(built, delta)
    return built


def built_once_then_replayed(build: Callable[[], Any]) -> Any:
    """`build()` the first time (per test process and per way of writing), its rows replayed afterwards."""
    if connection.vendor != "postgresql":
        return build()
    key = (not connection.in_atomic_block, _settings_key())
    if key in _recordings:
        recording = _recordings[key]
        if recording is not None:
            built = _replay(recording)
            if built is not None:
                return built
        return build()
    built, _recordings[key] = _record(build)
    return built


def _settings_key() -> str:
    """The settings in force and the active language: a test that changed one before building its world
    gets a recording of its own, never another test's world (the cache's settings excepted: each test has
    its own key space, which the world's rows do not depend on)."""
    from django.conf import settings
    from django.utils import translation

    values = [translation.get_language() or ""]
    for name in sorted(dir(settings)):
        if name.isupper() and name != "CACHES":
            values.append(f"{name}={getattr(settings, name)!r}")
    return hashlib.sha256("\n".join(values).encode()).hexdigest()
