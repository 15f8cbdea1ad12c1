"""What else ends when a person logs out of Cartable. An app above accounts (the single sign-on, telling each
application the session opened) registers a function here from its AppConfig.ready(); Cartable's logout calls
them with the request before the session is emptied. A registry rather than a signal (house rule 2): the
logout says what it does."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest

_hooks: dict[str, Callable[[HttpRequest], object]] = {}


def register(code: str, hook: Callable[[HttpRequest], object]) -> None:
    _hooks[code] = hook


def before_logout(request: HttpRequest) -> None:
    for code in sorted(_hooks):
        _hooks[code](request)
