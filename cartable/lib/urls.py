"""Addresses of named routes worked out once per process.

`reverse()` costs some tens of microseconds, and a home page links to dozens of people and items: the route
is reversed once with placeholder numbers, then each address is plain string formatting.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.templatetags.static import static
from django.urls import get_script_prefix, get_urlconf, reverse

_PLACEHOLDER = 987654320  # + the argument's position: a number no route holds
_patterns: dict[tuple[str, str, str, tuple[str | None, ...]], str] = {}


def url_for(name: str, *args: int) -> str:
    """`reverse(name, args=args)` for routes whose arguments are whole numbers."""
    return _pattern(name, (None,) * len(args)).format(*(int(arg) for arg in args))


def url_format(name: str, *words: str | None) -> Callable[..., str]:
    """For a page listing many objects of one route: the address as a function of its whole numbers, the
    pattern looked up once: None for each whole number, the fixed words of the code as they are (an album
    photo's size, "vignette"; never text a request gave).
    `url_format("albums:photo", None)(pk)`, `url_format("albums:photo_file", None, "vignette")(pk)`."""
    return _pattern(name, words).format


def _pattern(name: str, words: tuple[str | None, ...]) -> str:
    """The route's address as a str.format pattern, {0}, {1}… in place of its whole numbers."""
    key = (get_urlconf() or settings.ROOT_URLCONF, get_script_prefix(), name, words)
    pattern = _patterns.get(key)
    if pattern is None:
        pattern = reverse(
            name, args=[word if word is not None else _PLACEHOLDER + i for i, word in enumerate(words)]
        )
        pattern = pattern.replace("{", "{{").replace("}", "}}")
        numbers = [i for i, word in enumerate(words) if word is None]
        for position, i in enumerate(numbers):
            pattern = pattern.replace(str(_PLACEHOLDER + i), f"{{{position}}}")
        _patterns[key] = pattern
    return pattern


_icons: dict[str, str] = {}


def icon_url(icon: str) -> str:
    """The address of one of Cartable's icons (static/cartable/icons/<icon>.svg)."""
    if icon not in _icons:
        _icons[icon] = static(f"cartable/icons/{icon}.svg")
    return _icons[icon]
