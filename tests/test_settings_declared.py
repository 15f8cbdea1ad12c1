"""Every setting is declared once, in cartable/settings.py (or is one of Django's own): no module repeats a
default with `getattr(settings, "X", default)`, which would hide a missing declaration and let two defaults
drift apart."""

import ast
import functools
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted(
    path
    for folder in ("cartable", "bench")
    for path in (ROOT / folder).rglob("*.py")
    if "migrations" not in path.parts
)


def is_settings(node: ast.expr) -> bool:
    return (isinstance(node, ast.Name) and node.id == "settings") or (
        isinstance(node, ast.Attribute) and node.attr == "settings"
    )


@functools.cache  # parsed once for the module's tests (the sources do not change during a run)
def parsed() -> list[tuple[str, ast.AST]]:
    return [(str(path.relative_to(ROOT)), ast.parse(path.read_text(), str(path))) for path in SOURCES]


def test_no_setting_is_read_with_a_default_of_its_own():
    found = []
    for name, tree in parsed():
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in {"getattr", "hasattr"}
                and node.args
                and is_settings(node.args[0])
                and (node.func.id == "hasattr" or len(node.args) + len(node.keywords) > 2)
            ):
                found.append(f"{name}:{node.lineno}")
    assert found == [], f"declare the setting in cartable/settings.py and read settings.X: {found}"


def test_every_setting_read_is_declared():
    missing = []
    for name, tree in parsed():
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and is_settings(node.value)
                and node.attr.isupper()
                and not hasattr(settings, node.attr)
            ):
                missing.append(f"{name}:{node.lineno} settings.{node.attr}")
    assert missing == []


def test_the_scan_sees_the_sources():
    assert any(path.name == "settings.py" for path in SOURCES)
    assert len(SOURCES) > 100
