"""The access matrix: every route of Cartable × every persona of the permission world → expected status.

The entries live in tests/matrix/, one module per app. A new route without an entry fails
`test_every_route_is_in_the_matrix`. Staff log in with their second factor verified (the second-factor step
itself is tested in the accounts and console tests).

The world is written once for the module; each route's test runs in its own savepoint, rolled back after it
(see `module_world` in the root conftest.py).
"""

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from cartable.accounts.models import User
from tests.matrix import EVERYONE, collect

ROUTES, MATRIX = collect()


@pytest.fixture
def world(module_world):
    return module_world


def route_names(patterns=None, namespace: str = "") -> set[str]:
    names: set[str] = set()
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue  # Django's own admin, for the ADMC: guarded by is_staff, tested below.
            prefix = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= route_names(pattern.url_patterns, prefix)
        elif isinstance(pattern, URLPattern):
            names.add(f"{namespace}{pattern.name}")
    return names


def test_every_route_is_in_the_matrix():
    routes = route_names()
    assert routes - set(MATRIX) == set(), "routes without an access-matrix entry"
    assert set(MATRIX) - routes == set(), "matrix entries for routes that no longer exist"
    assert set(ROUTES) == set(MATRIX)


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_STYLE = re.compile(r"\sstyle=", re.IGNORECASE)


@pytest.mark.django_db
@pytest.mark.parametrize("route_name", sorted(MATRIX))
def test_route_answers_each_persona_as_expected(world, route_name):
    route = ROUTES[route_name]
    observed = {}
    for name in EVERYONE:
        client = Client()
        if name != "anon":
            world.login(client, name)
        response = getattr(client, route.method)(route.url(world))
        observed[name] = response.status_code
        if response.status_code == 200 and response.get("Content-Type", "").startswith("text/html"):
            html = response.content.decode()
            assert not INLINE_SCRIPT.search(html), f"inline script on {route_name}"
            assert not INLINE_STYLE.search(html), f"inline style on {route_name}"
        # Undo what a POST did (blocking, new codes) so that the next persona meets the same world.
        User.objects.filter(blocked_at__isnull=False).update(blocked_at=None)
    assert observed == MATRIX[route_name]


@pytest.mark.django_db
def test_django_admin_is_for_the_platform_admin_only(world):
    for name in EVERYONE:
        client = Client()
        if name != "anon":
            world.login(client, name)
        status = client.get("/django-admin/").status_code
        assert status == (200 if name == "root" else 302), name
