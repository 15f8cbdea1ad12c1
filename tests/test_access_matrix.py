"""The access matrix: every route of Cartable × every persona of the permission world → expected status.

A new route without an entry here fails `test_every_route_is_in_the_matrix`. Staff log in with their
second factor verified (the second-factor step itself is tested in the accounts and console tests).
"""

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from cartable.accounts.models import User
from tests.access_routes import ROUTES
from tests.world import PERSONAS

EVERYONE = ("anon", *PERSONAS)
LOGGED_IN = PERSONAS
STAFF_WITH_SECOND_FACTOR = ("tom", "tess", "vera", "paul", "ada", "xavier", "bruno")


def expect(default: int, **statuses: int) -> dict[str, int]:
    unknown = set(statuses) - set(EVERYONE)
    assert not unknown, f"unknown personas {unknown}"
    return {name: statuses.get(name, default) for name in EVERYONE}


def logged_in(status: int, anon: int = 302, **others: int) -> dict[str, int]:
    return expect(status, anon=anon, **others)


def console(ada: int, root: int | None = None, **others: int) -> dict[str, int]:
    """School A's console: its ADML and the platform admin only; everyone else 404, as if it did not exist."""
    return expect(404, anon=302, ada=ada, root=ada if root is None else root, **others)


MATRIX: dict[str, dict[str, int]] = {
    "healthz": expect(200),
    "accounts:login": expect(302, anon=200),
    "accounts:logout": expect(405),
    "accounts:activate": expect(200),
    # Step 2 needs a valid code from step 1 in the same session.
    "accounts:activate_password": expect(302),
    "accounts:welcome": logged_in(200),
    # The world has accepted the charter already: the page sends them on.
    "accounts:charter": expect(302),
    # Staff whose session passed the second factor are sent on; others may enrol.
    "accounts:mfa": logged_in(200, **dict.fromkeys((*STAFF_WITH_SECOND_FACTOR, "root"), 302)),
    "accounts:mfa_recovery_codes": expect(302),
    "accounts:mfa_recovery_reset": expect(405),
    "accounts:sessions": logged_in(200),
    "accounts:end_all_sessions": expect(405),
    "accounts:password_change": logged_in(200),
    "accounts:password_reset": expect(200),
    "accounts:password_reset_done": expect(200),
    "accounts:password_reset_complete": expect(200),
    "accounts:password_reset_confirm": expect(302),
    # Ada and Bruno are sent to their own school; root chooses among all.
    "console:home": console(ada=302, root=200, bruno=302),
    "console:school_year": console(ada=404, root=200),
    "console:school": console(ada=302),
    "console:people": console(ada=200),
    "console:person_new": console(ada=200),
    "console:pupil_options": console(ada=200),
    "console:person": console(ada=200),
    "console:person_logins": console(ada=200),
    "console:person_block": console(ada=302),
    "console:person_unblock": console(ada=302),
    "console:person_code": console(ada=302),
    "console:person_reset": console(ada=302),
    "console:letters": console(ada=200),
    "console:corrections": console(ada=200),
    # An answer with no status chosen is refused with a message.
    "console:correction_answer": console(ada=400),
    "console:apps": console(ada=200),
    "console:settings": console(ada=200),
    "directory:search": logged_in(200),
    # Carl's profile (pupil of 5B): himself, his guardian, his teacher Tess, the school-wide staff, the ADMC.
    "directory:person": expect(
        404, anon=302, carl=200, gino=200, tess=200, vera=200, paul=200, ada=200, root=200
    ),
    "portal:home": logged_in(200),
    "portal:me": logged_in(200),
    "portal:preferences": logged_in(200),
    "portal:charter": expect(200),
    "portal:notice": expect(200),
}


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
