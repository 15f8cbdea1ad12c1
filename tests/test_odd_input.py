"""Odd input on every route never gives a server error (issue 10, item 6).

For each route of the access matrix, as a persona the matrix lets in, a GET and a POST record the names the
view reads from the query string and the form (every `QueryDict` lookup is noted, and the fields of the
page's forms are added). Those names are then sent back with the values people and scripts do type: `²`
(a digit for `str.isdigit`, not for `int`), Arabic-Indic digits, numbers beyond 64 bits or of thousands of
digits, NUL bytes, dates in year 1 or 9999, recipient groups with such numbers… and the numbers in the
address are replaced by such numbers too. Every answer must be below 500.

Each value of SWEEP reaches every name: several names per request, each taking its next value once the view
has read it (a view that answers 404 at its first odd parameter never reads the next one). Hypothesis then
mixes values and names at random. A new view is covered without editing this test, as soon
as it has its entry in the access matrix.
"""

from __future__ import annotations

import re
import threading
from contextlib import contextmanager
from urllib.parse import urlencode

import pytest
from django.http import QueryDict
from django.test import Client
from django.urls import resolve, reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cartable.accounts.models import User
from tests.matrix import EVERYONE, collect

ROUTES, MATRIX = collect()


@pytest.fixture
def world(module_world):
    """Written once for the module; each test runs in its own savepoint (the root conftest.py)."""
    return module_world


# One value of each kind that broke a view once; each is sent to every name of every route. (A NUL byte is
# refused before any view, see test_nul_bytes_are_refused_before_any_view: it is only among the mixed values.)
SWEEP = ["²", "9" * 5000, "99999999999999999999", "9999-12-31", "teachers:²"]
ODD_NUMBERS = [
    "²",
    "١٢",  # Arabic-Indic digits: int() reads them, a database id never has them
    "٣",
    "0",
    "00",
    "-1",
    "+1",
    "1.5",
    "1e3",
    "1_000",
    " 1",
    "1 ",
    "",
    " ",
    "\x00",
    "1\x00",
    "9" * 4301,
    str(2**31),
    str(2**63 - 1),
    str(2**63),
    str(2**64),
    "99999999999999999999",
]
ODD_DATES = [
    "0001-01-01",
    "0001-01-07",
    "9999-12-31",
    "9999-12-27",
    "10000-01-01",
    "2026-02-30",
    "2026-13-01",
    "-2026-01-01",
    "31/12/9999",
    "01/01/0001",
    "9999-12-31T23:59",
    "0001-01-01T00:00",
]
# Multi-part values some views split: recipient groups ("teachers:12"), teachings ("12-0").
PREFIXES = ["teachers:", "parents:", "pupils:", "staff:", "parents-school:", "1-"]
ODD_PATH_NUMBERS = ["0", str(2**63), str(2**64), "99999999999999999999", "9" * 40]

odd_value = st.one_of(
    st.sampled_from(ODD_NUMBERS + ODD_DATES),
    st.builds(lambda prefix, value: prefix + value, st.sampled_from(PREFIXES), st.sampled_from(ODD_NUMBERS)),
    st.text(max_size=12),
)

FIELD_NAME = re.compile(r"<(?:input|select|textarea|button)\b[^>]*\bname=\"([^\"]+)\"")
NOT_SENT = {"csrfmiddlewaretoken"}

_reads = threading.local()


@contextmanager
def recording_reads():
    """Every (QueryDict, key) looked up inside: request.GET, request.POST and the forms bound to them."""
    reads: list[tuple[QueryDict, str]] = []
    _reads.found = reads
    try:
        yield reads
    finally:
        _reads.found = None


def _noting(method):
    def wrapper(self, key, *args, **kwargs):
        found = getattr(_reads, "found", None)
        if found is not None and isinstance(key, str):
            found.append((self, key))
        return method(self, key, *args, **kwargs)

    return wrapper


@pytest.fixture
def noted_reads(monkeypatch):
    for name in ("get", "getlist", "__getitem__", "__contains__"):
        monkeypatch.setattr(QueryDict, name, _noting(getattr(QueryDict, name)))


def persona_for(route_name: str) -> str:
    """Someone the route lets in: the first persona of the matrix who gets the page (200), else a logged-in
    one who is redirected (302) after a POST."""
    statuses = MATRIX[route_name]
    for name in EVERYONE:
        if statuses[name] == 200:
            return name
    for name in EVERYONE[1:]:
        if statuses[name] == 302:
            return name
    return "anon"


class Prober:
    """Sends requests to one route as one persona and notes the names the view reads: from the query string
    for a GET, from the form for a POST. Undoes the blocking a POST may have done, so that the persona stays
    logged in for the next request."""

    def __init__(self, world, route_name: str):
        self.route_name = route_name
        self.persona = persona_for(route_name)
        self.client = Client()
        if self.persona != "anon":
            world.login(self.client, self.persona)
        self.path, _sep, query = ROUTES[route_name].url(world).partition("?")
        self.query = dict(QueryDict(query).items())
        self.path_numbers = [k for k, v in resolve(self.path).kwargs.items() if isinstance(v, int)]

    def send(self, method: str, params: dict[str, str], path: str | None = None) -> set[str]:
        """The names the view read where `params` went; fails on a server error."""
        path = path or self.path
        with recording_reads() as reads:
            if method == "get":
                answer = self.client.get(f"{path}?{urlencode(params)}" if params else path)
            else:
                # Never an empty form: a view reading `request.POST or None` would not bind its form.
                answer = self.client.post(path, params or {"_": "1"})
        User.objects.filter(blocked_at__isnull=False).update(blocked_at=None)
        assert answer.status_code < 500, (self.route_name, self.persona, method, path, params)
        page = answer.status_code == 200 and answer.get("Content-Type", "").startswith("text/html")
        self.last_html = answer.content.decode(errors="replace") if page else ""
        request = answer.wsgi_request
        other = request.POST if method == "get" else request.GET
        return {key for found, key in reads if found is not other} - NOT_SENT

    def names_read(self, method: str) -> list[str]:
        if method == "get":
            return sorted(self.send("get", self.query) | set(self.query))
        return sorted((self.send("post", {}) | set(FIELD_NAME.findall(self.last_html))) - {"_"})

    def with_path_numbers(self, numbers: list[str | None]) -> str:
        match = resolve(self.path)
        kwargs = dict(match.kwargs)
        for key, number in zip(self.path_numbers, numbers, strict=False):
            if number is not None:
                kwargs[key] = number
        return reverse(match.view_name, kwargs=kwargs)


def sweep(prober: Prober, method: str, names: list[str]) -> None:
    """Every value of SWEEP in every name, several names per request: each name takes its next value once
    the view has read it, until every name had them all or the view reads none of those left."""
    pending = {name: list(SWEEP) for name in names}
    while pending:
        read = prober.send(method, {name: values[0] for name, values in pending.items()})
        if not read & set(pending):
            break
        for name in read & set(pending):
            pending[name].pop(0)
            if not pending[name]:
                del pending[name]


@pytest.mark.django_db
@pytest.mark.parametrize("route_name", sorted(MATRIX))
def test_odd_values_never_give_a_server_error(world, noted_reads, route_name):
    prober = Prober(world, route_name)
    methods = ("get", "post") if ROUTES[route_name].method == "get" else ("post",)
    read = {method: prober.names_read(method) for method in methods}
    for method, names in read.items():
        sweep(prober, method, names)
    if prober.path_numbers:
        prober.send(ROUTES[route_name].method, {}, prober.with_path_numbers([str(2**63)] * 3))
    fuzzed = [m for m in methods if read[m]]
    if not fuzzed:
        return

    @settings(
        max_examples=3,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(method=st.sampled_from(fuzzed), data=st.data())
    def mixed(method, data):
        params = data.draw(st.fixed_dictionaries({}, optional=dict.fromkeys(read[method], odd_value)))
        numbers = [
            data.draw(st.one_of(st.none(), st.sampled_from(ODD_PATH_NUMBERS))) for _ in prober.path_numbers
        ]
        prober.send(method, params, prober.with_path_numbers(numbers) if numbers else None)

    mixed()


# --- The inputs reported by the outside review, one by one ------------------------------------------------


def _console(suffix: str):
    return lambda w: f"/admin-ecole/{w.school_a.uai}/{suffix}"


BEYOND_64_BITS = "99999999999999999999"
MESSAGE = {"subject": "Bonjour", "body": "Un mot."}

REPORTED = [
    # (persona, method, address, data, status)
    ("alice", "get", lambda w: "/messagerie/", {"page": "²"}, 200),
    ("alice", "get", lambda w: "/messagerie/", {"page": BEYOND_64_BITS}, 200),
    ("alice", "get", lambda w: "/messagerie/ecrire", {"a": "²"}, 404),
    ("alice", "get", lambda w: "/messagerie/ecrire", {"a": BEYOND_64_BITS}, 404),
    ("alice", "get", lambda w: "/messagerie/ecrire/personnes", {"q": "to", "to": ["²", BEYOND_64_BITS]}, 200),
    ("alice", "post", lambda w: "/messagerie/ecrire", {"to": "²", **MESSAGE}, 200),
    ("alice", "post", lambda w: "/messagerie/ecrire", {"to": BEYOND_64_BITS, **MESSAGE}, 200),
    (
        "alice",
        "post",
        lambda w: "/messagerie/ecrire",
        {"to": BEYOND_64_BITS, "intent": "find", "q": "x"},
        200,
    ),
    ("alice", "post", lambda w: "/messagerie/ecrire", {"reply_to": "²", **MESSAGE}, 404),
    ("alice", "post", lambda w: "/messagerie/ecrire", {"forward_of": BEYOND_64_BITS, **MESSAGE}, 404),
    ("marie", "post", lambda w: "/messagerie/ecrire", {"groups": "teachers:²", **MESSAGE}, 200),
    (
        "marie",
        "post",
        lambda w: "/messagerie/ecrire",
        {"groups": f"teachers:{BEYOND_64_BITS}", **MESSAGE},
        200,
    ),
    ("ada", "get", _console("lettres"), {"person": "²"}, 404),
    ("ada", "get", _console("lettres"), {"person": BEYOND_64_BITS}, 404),
    ("ada", "post", _console("lettres"), {"person": "²"}, 404),
    ("ada", "get", _console("lettres"), {"classe": BEYOND_64_BITS}, 404),
    ("ada", "get", _console("communication/verifier"), {"a": "²"}, 404),
    ("ada", "get", _console("communication/verifier"), {"b": BEYOND_64_BITS}, 404),
    ("ada", "get", _console("personnes/eleves"), {"children": ["²", BEYOND_64_BITS]}, 200),
    (
        "ada",
        "post",
        _console("personnes/nouvelle"),
        {"last_name": "Martin", "first_name": "Léa", "profile": "Relative", "children": BEYOND_64_BITS},
        400,
    ),
    (
        "vera",
        "get",
        lambda w: f"/emploi-du-temps/gestion/{w.school_a.uai}/cours/nouveau",
        {"classe": "²"},
        404,
    ),
    ("alice", "get", lambda w: "/emploi-du-temps/", {"semaine": "9999-12-31"}, 200),
    ("alice", "get", lambda w: f"/cahier-de-textes/classe/{w.class_6a.pk}/", {"semaine": "9999-12-31"}, 200),
    ("marie", "get", lambda w: "/", {"enfant": "²"}, 404),
    ("marie", "get", lambda w: "/notifications/", {"enfant": BEYOND_64_BITS}, 404),
    ("marie", "post", lambda w: "/notifications/tout-lu", {"next": "²"}, 302),
    ("alice", "get", lambda w: "/auth/charter", {"next": "²"}, 302),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("persona", "method", "address", "data", "status"), REPORTED)
def test_the_reported_inputs_answer_404_or_a_form_error(world, persona, method, address, data, status):
    client = Client()
    world.login(client, persona)
    url = address(world)
    answer = client.get(url, data) if method == "get" else client.post(url, data)
    assert answer.status_code == status
    if status == 200 and method == "post" and "to" in data and data.get("intent") != "find":
        assert "Destinataire inconnu." in answer.content.decode()
