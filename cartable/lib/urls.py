"""Addresses of named routes worked out once per process.

`reverse()` costs some tens of microseconds, and a home page links to dozens of people and items: the route
is reversed once with placeholder numbers, then each address is plain string formatting.
"""

from __future__ import annotations

from django.conf import settings
from django.templatetags.static import static
from django.urls import get_script_prefix, get_urlconf, reverse

_PLACEHOLDER = 987654320  # + the argument's position: a number no route holds
_patterns: dict[tuple[str, str, str, int], str] = {}


def url_for(name: str, *args: int) -> str:
    """`reverse(name, args=args)` for routes whose arguments are whole numbers."""
    key = (get_urlconf() or settings.ROOT_URLCONF, get_script_prefix(), name, len(args))
    pattern = _patterns.get(key)
    if pattern is None:
        pattern = reverse(name, args=[_PLACEHOLDER + i for i in range(len(args))])
        pattern = pattern.replace("{", "{{").replace("}", "}}")
        for i in range(len(args)):
            pattern = pattern.replace(str(_PLACEHOLDER + i), f"{{{i}}}")
        _patterns[key] = pattern
    return pattern.format(*(int(arg) for arg in args))


_icons: dict[str, str] = {}


def icon_url(icon: str) -> str:
    """The address of one of Cartable's icons (static/cartable/icons/<icon>.svg)."""
    if icon not in _icons:
        _icons[icon] = static(f"cartable/icons/{icon}.svg")
    return _icons[icon]
