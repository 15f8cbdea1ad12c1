"""Ids, numbers and dates typed into addresses, query strings and forms: the one parser every view uses.

Anyone can type anything after `?a=`: `²` (a digit for `str.isdigit`, not for `int`), `٣` (an Arabic-Indic
three that `int` reads as 3), a number of 5,000 digits (`int` refuses more than 4,300, and slowly), one beyond
64 bits (PostgreSQL refuses it and SQLite overflows), or the year 9999 (a week later does not exist). What is
not a plain ASCII number from 1 to the largest database id, or a date in the window around the current school
year, answers 404 (or None, for the callers that fall back to a default) instead of a server error.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import BadRequest
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

# The largest id a row may have (PostgreSQL's bigint), and how many digits it takes to write it.
MAX_ID = 2**63 - 1
MAX_DIGITS = len(str(MAX_ID))

# Dates typed by people stay within this many whole years before and after the current school year: far
# enough for any timetable, homework or archive, near enough that counting weeks or days stays cheap.
YEARS_AROUND = 5


def parse_int(value: Any) -> int | None:
    """The whole number from 1 to MAX_ID written in `value` with ASCII digits only, else None. The length
    is checked before `int()` reads it."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value if 1 <= value <= MAX_ID else None
    if not isinstance(value, str) or not 0 < len(value) <= MAX_DIGITS:
        return None
    if not (value.isascii() and value.isdigit()):
        return None
    number = int(value)
    return number if 1 <= number <= MAX_ID else None


def int_or_404(value: Any) -> int:
    """An id from an address, a query string or a form; anything else is a page that does not exist."""
    number = parse_int(value)
    if number is None:
        raise Http404
    return number


def optional_int_or_404(value: Any) -> int | None:
    """None when the parameter is absent or empty, else as int_or_404."""
    if value is None or value == "":
        return None
    return int_or_404(value)


def valid_ints(values: Iterable[Any]) -> list[int]:
    """The values of a multi-valued parameter that are ids, in order, once each; the others are left out
    (a form shown again with its mistakes keeps what was right)."""
    return list(dict.fromkeys(n for n in map(parse_int, values) if n is not None))


def date_window(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The first and last day a person may type: from 1 January of the year the school year five years
    back began, to 31 December of the year the school year five years ahead ends."""
    today = today or timezone.localdate()
    school_year = today.year if today.month >= 9 else today.year - 1
    return dt.date(school_year - YEARS_AROUND, 1, 1), dt.date(school_year + 1 + YEARS_AROUND, 12, 31)


def in_window(day: dt.date, today: dt.date | None = None) -> bool:
    first, last = date_window(today)
    return first <= day <= last


def parse_date(value: Any) -> dt.date | None:
    """The date written `YYYY-MM-DD` (ASCII digits) in `value`, if it is in the window, else None."""
    if not isinstance(value, str) or len(value) != 10 or not value.isascii():
        return None
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        return None
    return day if in_window(day) else None


def date_or_404(value: Any) -> dt.date:
    day = parse_date(value)
    if day is None:
        raise Http404
    return day


def local_url(value: Any, default: str) -> str:
    """Where to go back after a form (`?next=`, a posted `next`): a path of this site, else `default`. Never
    another site (an open redirect), and never a bare word that `redirect()` would take for a route name."""
    if not isinstance(value, str) or not value.startswith("/") or value.startswith(("//", "/\\")):
        return default
    return value if url_has_allowed_host_and_scheme(value, allowed_hosts=None) else default


class RefuseNulBytesMiddleware:
    """A NUL byte (`%00`) in the address, the query string or a form is never typed by a person, and
    PostgreSQL refuses it in any text it compares (a server error, wherever a view searches with it): such
    a request answers 400 before any view or query sees it. Uploaded files are not concerned."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            "\x00" in request.path
            or _has_nul(request.GET)
            or (request.method == "POST" and _has_nul(request.POST))
        ):
            raise BadRequest("NUL byte in the request")
        return self.get_response(request)


def _has_nul(data: QueryDict) -> bool:
    return any("\x00" in key or any("\x00" in value for value in values) for key, values in data.lists())
