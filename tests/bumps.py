"""The check that every action bumps the version keys of the cached models it writes (house rule 2: no
signals, so nothing bumps on its own).

Each public function of every `cartable/<app>/actions.py` module is wrapped for the test: while it runs,
the statements writing a table (INSERT, UPDATE, DELETE) and the version keys bumped (cartable.lib.facts.bump)
are recorded; when it returns, each covered model it wrote (cartable.lib.facts.covers) must have had a key of
its family bumped, else the test calling the action fails. An action that raises is not checked: its
transaction rolls back.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.apps import apps
from django.db import connection

from cartable.lib import facts

ROOT = Path(__file__).resolve().parents[1]
WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)


class Unbumped(AssertionError):
    pass


class _Span:
    def __init__(self) -> None:
        self.tables: set[str] = set()
        self.bumped: list[str] = []


_spans: list[_Span] = []
# Whether a test is checking: a module imported during a test may keep a guarded action (`from … import
# action`) and call it in a later test that does not check, where the bumps are not recorded.
_checking = [False]


def _record_write(execute, sql, params, many, context):
    result = execute(sql, params, many, context)
    if _spans:
        found = WRITE.match(sql)
        # An update or delete that changed no row (the value was already there) needs no bump. (An insert
        # returning its id reports no row count before its row is fetched: it always counts.)
        inserted = sql.lstrip()[:6].upper() == "INSERT"
        if found and (inserted or getattr(context.get("cursor"), "rowcount", -1) != 0):
            for span in _spans:
                span.tables.add(found.group(1))
    return result


def covered_tables() -> dict[str, tuple[str, tuple[str, ...]]]:
    """table -> (model label, prefixes) for every model a version key covers."""
    tables = {}
    for label, prefixes in facts.covered_models().items():
        model = apps.get_model(label)
        tables[model._meta.db_table] = (label, prefixes)
    return tables


def check(span: _Span, name: str) -> None:
    missing = []
    for table, (label, prefixes) in covered_tables().items():
        if table in span.tables and not any(key.startswith(prefixes) for key in span.bumped):
            missing.append(f"{label} (bump a key starting with {' or '.join(prefixes)})")
    if missing:
        raise Unbumped(
            f"{name} writes {', '.join(missing)} without bumping its version: cached facts outlive it."
        )


def guarded(function: Callable[..., Any], name: str) -> Callable[..., Any]:
    @functools.wraps(function)
    def action(*args: Any, **kwargs: Any) -> Any:
        if not _checking[0]:
            return function(*args, **kwargs)
        span = _Span()
        _spans.append(span)
        try:
            with connection.execute_wrapper(_record_write):
                result = function(*args, **kwargs)
        finally:
            _spans.remove(span)
        check(span, name)
        return result

    action.__guarded__ = True  # type: ignore[attr-defined]
    return action


def action_modules() -> list[str]:
    """The actions modules of the installed apps (a folder on disk that no setting installs is left out)."""
    return sorted(
        f"{config.name}.actions"
        for config in apps.get_app_configs()
        if config.name.startswith("cartable.") and (Path(config.path) / "actions.py").exists()
    )


def public_actions(module: Any) -> Iterator[tuple[str, Callable[..., Any]]]:
    for name, value in vars(module).items():
        if name.startswith("_") or not inspect.isfunction(value) or value.__module__ != module.__name__:
            continue
        yield name, value


@contextmanager
def bumps_checked(monkeypatch) -> Iterator[None]:
    original_bump = facts.bump

    def bump(keys, *, at_once: bool = True) -> None:
        keys = list(keys)
        for span in _spans:
            span.bumped.extend(keys)
        original_bump(keys, at_once=at_once)

    monkeypatch.setattr(facts, "bump", bump)
    for module, name, action in _guarded_actions():
        monkeypatch.setattr(module, name, action)
    _checking[0] = True
    try:
        yield
    finally:
        _checking[0] = False


_guarded: list[tuple[Any, str, Callable[..., Any]]] = []


def _guarded_actions() -> list[tuple[Any, str, Callable[..., Any]]]:
    """Every public action and its guarded version, found and wrapped once per test process (the wrapping
    is the same for every test; each test's monkeypatch puts the originals back)."""
    if not _guarded:
        for module_name in action_modules():
            module = importlib.import_module(module_name)
            for name, function in public_actions(module):
                _guarded.append((module, name, guarded(function, f"{module_name}.{name}")))
    return _guarded
