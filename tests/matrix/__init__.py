"""The access matrix, one file per app: each module of this package defines ROUTES (how to reach each of its
routes in the permission world) and MATRIX (the status each persona must get). tests/test_access_matrix.py
merges them and fails when a route of Cartable has no entry."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass

from tests.world import PERSONAS, World

EVERYONE = ("anon", *PERSONAS)
LOGGED_IN = PERSONAS
STAFF_WITH_SECOND_FACTOR = ("tom", "tess", "vera", "paul", "ada", "xavier", "bruno")


@dataclass(frozen=True)
class Route:
    url: Callable[[World], str]
    method: str = "get"


def expect(default: int, **statuses: int) -> dict[str, int]:
    unknown = set(statuses) - set(EVERYONE)
    assert not unknown, f"unknown personas {unknown}"
    return {name: statuses.get(name, default) for name in EVERYONE}


def logged_in(status: int, anon: int = 302, **others: int) -> dict[str, int]:
    return expect(status, anon=anon, **others)


def console(ada: int, root: int | None = None, **others: int) -> dict[str, int]:
    """School A's console: its ADML and the platform admin only; everyone else 404, as if it did not exist."""
    return expect(404, anon=302, ada=ada, root=ada if root is None else root, **others)


def collect() -> tuple[dict[str, Route], dict[str, dict[str, int]]]:
    """Every module's ROUTES and MATRIX merged; a route named twice is an error."""
    routes: dict[str, Route] = {}
    matrix: dict[str, dict[str, int]] = {}
    for module_info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        for name in module.ROUTES:
            assert name not in routes, f"{name} is in two matrix modules"
        routes.update(module.ROUTES)
        matrix.update(module.MATRIX)
    return routes, matrix
