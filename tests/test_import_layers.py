"""Layers that do not import upwards (ARCHITECTURE.md, "Layers").

Every module of Cartable outside tests and migrations is read with `ast`; every import counts, at the top of
the module or inside a function (a function-local import is the usual way to hide a cycle), except those under
`if TYPE_CHECKING:`, which never run. A module may import its own app and the layers below; never a layer
above, nor another app of its own layer.

Pages (views, urls, an app's portal.py registrations, demo data, commands, template tags) are the top of every
app: nothing imports them but Django (urls.py, AppConfig.ready, settings) and the conventions of the
registries (`lib.lifecycle.app_modules`), so they may use any app's non-page modules without making a cycle.
They may not import another app's page, and only urls.py imports a view: the code two pages share lives in a
non-page module (console/decorators.py, portal/children.py, portal/contact.py).

`python -m tests.test_import_layers` prints the function-local imports of another app and the pairs of apps
importing each other, the two figures this test brought to zero.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CARTABLE = ROOT / "cartable"

# From the bottom up. A module belongs to the layer of the longest prefix naming it.
LAYERS: list[tuple[str, ...]] = [
    ("cartable.lib",),
    # The user model and the making of usernames: the directory creates the accounts of the people it imports.
    ("cartable.accounts.models", "cartable.accounts.usernames"),
    ("cartable.directory",),
    ("cartable.access",),  # the access policy
    # What the directory's own pages show of a person, built on the policy.
    ("cartable.directory.access",),
    ("cartable.communication",),  # who may write to whom, kill-switches
    ("cartable.accounts",),  # login, activation, passwords, second factor
    # The registry every app's portal.py fills, and the app switches each school sets by profile: what the
    # notifications ask before telling anyone about a switched-off app.
    ("cartable.portal.registry", "cartable.portal.switches", "cartable.portal.models"),
    ("cartable.notifications",),
    ("cartable.portal",),  # home, widgets, app switches, preferences
    ("cartable.console",),  # the school admin console
    # The national exchanges (the directory feeds in, the GAR out) and the files.
    ("cartable.feeds", "cartable.files", "cartable.gar"),
    ("cartable.timetable",),
    # The services, side by side: none imports another.
    (
        "cartable.messaging",
        "cartable.homework",
        "cartable.news",
        "cartable.blog",
        "cartable.liaison",
        "cartable.albums",
        "cartable.sso",
        "cartable.visio",
    ),
]

# The project's own wiring, above every app: settings, the root urls, the servers' entry points.
PROJECT = ("cartable.settings", "cartable.urls", "cartable.wsgi", "cartable.asgi")

PAGE_FILES = {"views", "urls", "portal", "demo", "apps", "admin", "context_processors"}
PAGE_FOLDERS = {"management", "templatetags"}
# Modules that urls.py routes to under another name than views.py.
PAGE_MODULES = {"cartable.console.pupil_accounts", "cartable.accounts.admin_site", "cartable.sso.saml_views"}


@dataclass(frozen=True)
class Allowed:
    importer: str  # a module, or a prefix ending in "." for every module under it
    imported: str  # the same
    reason: str


# Imports that go up on purpose: a registry each layer fills. Keep it short, with a reason each.
ALLOWED: list[Allowed] = []

# Modules that find other modules by name at run time, out of the reach of this test: the conventions
# <app>.lifecycle and <app>.demo, walked in INSTALLED_APPS order.
DYNAMIC_IMPORTS = {
    "cartable.lib.lifecycle": "finds each app's lifecycle.py and demo.py by convention (importlib)",
}


def module_name(path: Path) -> str:
    name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
    return name.removesuffix(".__init__")


def sources() -> list[Path]:
    return [
        path
        for path in sorted(CARTABLE.rglob("*.py"))
        if not {"tests", "migrations"} & set(path.relative_to(CARTABLE).parts)
    ]


def app_of(module: str) -> str:
    parts = module.split(".")
    return ".".join(parts[:2])


def is_page(module: str) -> bool:
    if module in PAGE_MODULES or module in PROJECT:
        return True
    parts = module.split(".")
    if len(parts) < 3 or parts[1] == "lib":
        return False
    return parts[-1] in PAGE_FILES or parts[-1].endswith("_urls") or bool(PAGE_FOLDERS & set(parts[2:]))


def layer_of(module: str) -> int:
    best, found = -1, -1
    for index, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best:
                best, found = len(prefix), index
    if found < 0:
        raise AssertionError(f"{module} is in no layer: add its app to LAYERS")
    return found


def _type_checking_only(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


@dataclass(frozen=True)
class Import:
    path: Path
    line: int
    importer: str
    imported: str  # the module named, or module.name when the name is a module itself
    in_function: bool


def _imported_modules(node: ast.Import | ast.ImportFrom, importer: str) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level:  # relative: resolved against the importing package
        base = importer.split(".")[: -node.level]
        module = ".".join([*base, node.module] if node.module else base)
    else:
        module = node.module or ""
    names = [module]
    # `from cartable.access import policy` imports the module cartable.access.policy.
    for alias in node.names:
        candidate = f"{module}.{alias.name}"
        if (CARTABLE.parent / Path(*candidate.split("."))).with_suffix(".py").exists() or (
            CARTABLE.parent / Path(*candidate.split("."))
        ).is_dir():
            names.append(candidate)
    if len(names) > 1:
        names.remove(module)
    return names


def _visit(path: Path, importer: str, node: ast.AST, in_function: bool, found: list[Import]) -> None:
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.If) and _type_checking_only(child):
            for other in child.orelse:
                _visit(path, importer, other, in_function, found)
            continue
        if isinstance(child, ast.Import | ast.ImportFrom):
            for name in _imported_modules(child, importer):
                if name == "cartable" or name.startswith("cartable."):
                    found.append(Import(path, child.lineno, importer, name, in_function))
        inside = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
        _visit(path, importer, child, inside, found)


@cache
def imports() -> tuple[Import, ...]:
    found: list[Import] = []
    for path in sources():
        _visit(path, module_name(path), ast.parse(path.read_text(encoding="utf-8")), False, found)
    return tuple(found)


def _matches(pattern: str, module: str) -> bool:
    return module.startswith(pattern) if pattern.endswith(".") else module == pattern


def _allowed(found: Import) -> bool:
    return any(_matches(a.importer, found.importer) and _matches(a.imported, found.imported) for a in ALLOWED)


def _where(found: Import) -> str:
    return f"{found.path.relative_to(ROOT)}:{found.line}: {found.importer} imports {found.imported}"


def upward_imports() -> list[str]:
    offending = []
    for found in imports():
        importer, imported = found.importer, found.imported
        if imported == "cartable" or _allowed(found):
            continue
        if is_page(imported) and importer not in PROJECT:
            # Only Django reaches a page: urls.py its own app's views, AppConfig.ready its portal.py, a
            # command its app's demo data. Never a page of another app, and a view only from urls.py.
            same_app = app_of(importer) == app_of(imported)
            a_view = imported.endswith(".views") or imported in PAGE_MODULES
            if not same_app or not is_page(importer) or (a_view and not importer.endswith("urls")):
                offending.append(_where(found) + " (a page: move what it shares to another module)")
            continue
        if is_page(importer):
            continue
        mine, theirs = layer_of(importer), layer_of(imported)
        if theirs > mine or (theirs == mine and app_of(importer) != app_of(imported)):
            offending.append(_where(found))
    return offending


def test_no_module_imports_a_layer_above_its_own():
    assert upward_imports() == []


def test_every_app_has_a_layer():
    apps = {module_name(path.parent) for path in CARTABLE.glob("*/apps.py")}
    assert {app for app in apps if not any(app in layer for layer in LAYERS)} == set()


def test_modules_found_by_name_at_run_time_are_the_known_ones():
    dynamic = set()
    for path in sources():
        text = path.read_text(encoding="utf-8")
        if re.search(r"\bimport_module\(|__import__\(", text):
            dynamic.add(module_name(path))
    assert dynamic == set(DYNAMIC_IMPORTS)


def test_the_allow_list_is_still_needed():
    used = {
        a for a in ALLOWED for found in imports() if _allowed(found) and _matches(a.importer, found.importer)
    }
    assert used == set(ALLOWED)


def test_this_test_sees_function_local_imports():
    """The detector itself: a function-local import of another app is seen and placed."""
    found = [i for i in imports() if i.importer == "cartable.lib.lifecycle"]
    assert found == [] or all(i.imported.startswith("cartable.lib") for i in found)
    assert layer_of("cartable.accounts.models") < layer_of("cartable.directory.models")
    assert layer_of("cartable.accounts.mfa") > layer_of("cartable.access.policy")
    assert is_page("cartable.messaging.views") and not is_page("cartable.messaging.access")


def _unit(module: str) -> str:
    """The app, or the part of an app with a layer of its own (accounts' user model, portal's registry)."""
    prefixes = [prefix for layer in LAYERS for prefix in layer if module.startswith(prefix)]
    return max(prefixes, key=len, default=app_of(module))


def mutual_pairs(unit=app_of, pages: bool = True) -> set[tuple[str, str]]:
    edges: dict[str, set[str]] = defaultdict(set)
    for i in imports():
        if unit(i.importer) != unit(i.imported) and (pages or not is_page(i.importer)):
            edges[unit(i.importer)].add(unit(i.imported))
    return {(a, b) for a in edges for b in edges[a] if a < b and a in edges.get(b, set())}


def figures() -> tuple[list[Import], set[tuple[str, str]]]:
    """(function-local imports of another app, pairs of apps importing each other, pages included)."""
    local = [
        i
        for i in imports()
        if i.in_function and app_of(i.importer) != app_of(i.imported) and app_of(i.importer) not in PROJECT
    ]
    return local, mutual_pairs()


def test_no_two_layers_import_each_other():
    assert mutual_pairs(_unit, pages=False) == set()


def test_no_function_imports_another_app():
    """An import of another app inside a function hides a cycle or an upward reach: at the top of the module,
    where this test sees it, or through a registry."""
    local, _ = figures()
    assert [_where(found) for found in local] == []


if __name__ == "__main__":
    local, mutual = figures()
    print(f"function-local imports of another app: {len(local)}")
    for found in local:
        print("   ", _where(found))
    print(f"pairs of apps importing each other, pages included: {len(mutual)} {sorted(mutual)}")
    layered = mutual_pairs(_unit, pages=False)
    print(f"pairs of layers importing each other, pages apart: {len(layered)} {sorted(layered)}")
