"""Rule C6 over every route of the access matrix: the second factor is asked in one place (the account gate,
cartable.accounts.mfa), so a new route is covered, and tested here, without anyone opting it in.

- Staff of a school that requires it, and the platform admin, who have not given it are sent to the
  second-factor step on every route but the few a session may open before it (logging in and out, the step
  itself, the charter, the information notice, pages opened by a secret token).
- A school admin (ADML) gives it on every admin route even when their school does not require it, while
  the other staff of that school keep their pages, and the admin routes keep answering them "not found".
- The check costs no query for families, nor for staff once the cached facts are warm.
"""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.sessions.backends.cache import SessionStore
from django.test import Client, RequestFactory
from django_otp.middleware import OTPMiddleware
from django_otp.plugins.otp_totp.models import TOTPDevice

from cartable.accounts import mfa
from cartable.console import actions as console
from tests.matrix import EVERYONE, collect

pytestmark = pytest.mark.django_db

ROUTES, MATRIX = collect()


@pytest.fixture
def world(module_world):
    """Written once for the module; each test runs in its own savepoint (the root conftest.py)."""
    return module_world


# What a session that still owes its second factor may open.
OPEN_ROUTES = {
    "healthz",
    "favicon",
    "accounts:login",
    "accounts:logout",
    "accounts:activate",
    "accounts:activate_password",
    # The contact step right after choosing a password (their own address and mobile, nothing about pupils);
    # anyone else is sent on to the welcome page.
    "accounts:activate_contact",
    "accounts:welcome",
    "accounts:charter",
    "accounts:mfa",
    "accounts:mfa_recovery_codes",
    "accounts:mfa_recovery_reset",
    "accounts:password_reset",
    "accounts:password_reset_done",
    "accounts:password_reset_complete",
    "accounts:password_reset_confirm",
    "portal:charter",
    "portal:notice",
    "timetable:feed",
    "notifications:unsubscribe",
}
ADMINS = ("ada", "bruno", "root")
# Admin routes: every persona but the admins is told they do not exist.
ADMIN_ROUTES = sorted(
    name
    for name, statuses in MATRIX.items()
    if all(statuses[persona] == 404 for persona in EVERYONE if persona not in (*ADMINS, "anon"))
)


def test_the_open_routes_and_the_admin_routes_are_routes():
    assert OPEN_ROUTES - set(MATRIX) == set()
    assert "console:people" in ADMIN_ROUTES and "timetable:import" in ADMIN_ROUTES


def sent_to_second_factor(response, url: str) -> bool:
    if response.status_code != 302:
        return False
    location = urlsplit(response["Location"])
    return location.path == "/auth/mfa" and parse_qs(location.query).get("next") == [url]


def visit(client, world, route_name: str):
    route = ROUTES[route_name]
    url = route.url(world)
    return url, getattr(client, route.method)(url)


def test_staff_who_owe_the_second_factor_are_sent_to_it_on_every_route_but_the_open_ones(world):
    TOTPDevice.objects.filter(user=world.users["tess"]).delete()  # never enrolled
    wrong = []
    for name in ("tom", "tess", "vera", "ada", "root"):
        client = world.login(Client(), name, verified=False)
        for route_name in sorted(MATRIX):
            url, response = visit(client, world, route_name)
            if sent_to_second_factor(response, url) == (route_name in OPEN_ROUTES):
                wrong.append((name, route_name, response.status_code))
    assert wrong == [], "routes that do not follow the second-factor rule"


def test_an_admin_gives_it_on_every_admin_route_even_where_the_school_does_not_require_it(world):
    console.set_mfa_required_for_staff(world.ada, world.school_a, False)
    ada = world.login(Client(), "ada", verified=False)
    escaped = []
    for route_name in ADMIN_ROUTES:
        url, response = visit(ada, world, route_name)
        if not sent_to_second_factor(response, url):
            escaped.append((route_name, response.status_code))
    assert escaped == [], "admin routes reached without the second factor"
    # The school's choice holds for her other pages.
    assert ada.get("/").status_code == 200
    assert ada.get("/notifications/").status_code == 200


def test_other_staff_of_that_school_keep_their_pages_and_still_find_no_admin_route(world):
    console.set_mfa_required_for_staff(world.ada, world.school_a, False)
    for name in ("tess", "paul"):
        client = world.login(Client(), name, verified=False)
        assert client.get("/").status_code == 200
        observed = {
            route_name: visit(client, world, route_name)[1].status_code for route_name in ADMIN_ROUTES
        }
        assert observed == {route_name: MATRIX[route_name][name] for route_name in ADMIN_ROUTES}, name


def gate_request(world, name: str, path: str = "/", *, verified: bool = False):
    """A request as the middlewares before the account gate leave it, for a fresh copy of the user (no
    facts kept on it); django-otp's own lookup of a verified session's device is done, as on every
    request whatever the gate."""
    request = RequestFactory().get(path)
    request.session = SessionStore()
    device = world.devices.get(name)
    if verified and device is not None:
        request.session["otp_device_id"] = device.persistent_id
    request.user = world.fresh_user(name)
    OTPMiddleware(lambda r: None)(request)
    assert request.user.is_authenticated
    return request


@pytest.mark.parametrize(
    ("name", "verified", "due"),
    [
        ("marie", False, False),
        ("alice", False, False),
        ("tom", False, True),
        ("tom", True, False),
        ("ada", False, True),
        ("root", False, True),
    ],
)
def test_the_gate_asks_no_query_once_the_facts_are_cached(
    world, name, verified, due, django_assert_num_queries
):
    assert mfa.second_factor_due(gate_request(world, name, verified=verified), pending=False) == due
    request = gate_request(world, name, verified=verified)
    with django_assert_num_queries(0):
        assert mfa.second_factor_due(request, pending=False) == due


def test_a_relaxed_school_is_read_from_the_cache_too(world, django_assert_num_queries):
    console.set_mfa_required_for_staff(world.ada, world.school_a, False)
    assert not mfa.second_factor_due(gate_request(world, "tom"), pending=False)
    request = gate_request(world, "tom")
    with django_assert_num_queries(0):
        assert not mfa.second_factor_due(request, pending=False)
    assert mfa.second_factor_due(gate_request(world, "ada", "/admin-ecole/"), pending=False)
    admin_page = gate_request(world, "ada", "/admin-ecole/")
    with django_assert_num_queries(0):
        assert mfa.second_factor_due(admin_page, pending=False)
