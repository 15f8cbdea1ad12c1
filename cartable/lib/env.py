"""Typed readers for settings taken from the environment (12-factor).

A value that cannot be read stops the start with an error naming the variable (as healthchecks.io does): a
typo such as `SECURE_COOKIES=flase` must not quietly turn a protection off, nor `SESSION_IDLE_TIMEOUT=30m`
surface later as a crash deep in a request. An empty variable counts as unset.
"""

import os
import re
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.exceptions import ImproperlyConfigured

TRUE = frozenset({"1", "true", "yes", "on"})
FALSE = frozenset({"0", "false", "no", "off"})
_WHOLE_NUMBER = re.compile(r"[+-]?[0-9]+")
_TIME_OF_DAY = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]")


def _given(name: str) -> str | None:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return None
    return value


def env_str(name: str, default: str = "") -> str:
    value = _given(name)
    return default if value is None else value


def env_bool(name: str, default: bool = False) -> bool:
    value = _given(name)
    if value is None:
        return default
    word = value.strip().lower()
    if word in TRUE:
        return True
    if word in FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, got {value!r}")


def env_int(name: str, default: int) -> int:
    value = _given(name)
    if value is None:
        return default
    # Only ASCII digits: int() would also take "1_000" or Arabic-Indic digits.
    if not _WHOLE_NUMBER.fullmatch(value.strip()):
        raise ImproperlyConfigured(f"{name} must be a whole number, got {value!r}")
    return int(value.strip())


def env_list(name: str, default: list[str]) -> list[str]:
    value = _given(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_time_of_day(name: str, default: str) -> str:
    """A time of day written "HH:MM" (24 hours), returned as written."""
    value = _given(name)
    if value is None:
        return default
    if not _TIME_OF_DAY.fullmatch(value.strip()):
        raise ImproperlyConfigured(f"{name} must be a time of day written HH:MM, got {value!r}")
    return value.strip()


def env_time_zone(name: str, default: str) -> str:
    """The name of an IANA time zone ("Europe/Paris", "America/Cayenne"), checked against the zone data."""
    value = _given(name)
    if value is None:
        return default
    try:
        ZoneInfo(value.strip())
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ImproperlyConfigured(
            f"{name} must be a time zone name such as Europe/Paris, got {value!r}"
        ) from error
    return value.strip()


def env_port(name: str, default: int) -> int:
    """A TCP port, 1 to 65535."""
    port = env_int(name, default)
    if not 1 <= port <= 65535:
        raise ImproperlyConfigured(f"{name} must be a port number from 1 to 65535, got {port}")
    return port


def env_file(name: str, default: str = "") -> str:
    """The path of a file that must exist and be readable when given (a key, a known hosts file)."""
    value = _given(name)
    if value is None:
        return default
    path = value.strip()
    if not os.path.isfile(path) or not os.access(path, os.R_OK):
        raise ImproperlyConfigured(f"{name} must name a readable file, got {value!r}")
    return path


def env_matching(name: str, default: str, pattern: str, what: str) -> str:
    """A word that must match `pattern` whole (`what` says what is expected, for the error)."""
    value = _given(name)
    if value is None:
        return default
    if not re.fullmatch(pattern, value.strip()):
        raise ImproperlyConfigured(f"{name} must be {what}, got {value!r}")
    return value.strip()


def env_url(name: str, default: str = "") -> str:
    """An http or https address with a host (no query, no fragment), returned without its final slash."""
    value = _given(name)
    if value is None:
        return default
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise ImproperlyConfigured(
            f"{name} must be an http:// or https:// address such as https://example.org/path/, got {value!r}"
        )
    return value.strip().rstrip("/")


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    """One of `choices`, compared without case."""
    value = _given(name)
    if value is None:
        return default
    word = value.strip().lower()
    if word not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {', '.join(choices)}, got {value!r}")
    return word
