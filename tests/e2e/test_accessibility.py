"""Accessibility in the browser, on a phone's width (360 px): axe-core (from the npm registry, installed by
`make test` into tests/e2e/axe) finds no serious or critical violation on the main page of every app, for a
parent, a teacher and the school's ENT admin; the keyboard lands on the first error after a failed submit; the
focus ring shows; the timetable import page does not scroll sideways."""

from __future__ import annotations

import json
import os
from datetime import date, time
from pathlib import Path

import pytest

from cartable.messaging.tests.helpers import send, world_message
from cartable.timetable.models import Course, Room, TimetableSettings
from tests.e2e.conftest import log_in
from tests.matrix import collect
from tests.world import PASSWORD

AXE = Path(__file__).resolve().parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"
WIDTH = 360
ROUTES, MATRIX = collect()

# The main page of every app each persona reaches, by route name (addresses from the access matrix).
EVERY_APP = [
    "portal:home",
    "messaging:inbox",
    "messaging:compose",
    "messaging:message",
    "timetable:week",
    "timetable:index",
    "homework:index",
    "homework:todo",
    "liaison:index",
    "liaison:mot",
    "notifications:list",
    "notifications:preferences",
    "directory:search",
    "portal:me",
    "portal:preferences",
    "accounts:sessions",
    "news:index",
    "news:detail",
    "blog:group",
    "albums:index",
    "albums:detail",
    "albums:photo",
    "visio:index",
    "visio:detail",
]
PERSONAS = {
    "marie": [*EVERY_APP, "liaison:family_mot_new"],  # a parent with a child in each school
    # A teacher, second factor verified: the lesson form instead of the pupils' to-do list.
    "tom": [
        *(name for name in EVERY_APP if name != "homework:todo"),
        "homework:entry_new",
        "blog:post_new",
        "liaison:mot_new",
        "albums:new",
        "visio:new",
    ],
    "ada": [  # the collège's ENT admin: the console and the apps it holds
        "portal:home",
        "console:people",
        "console:apps",
        "console:settings",
        "communication:rules",
        "communication:kill_switch",
        "feeds:import_upload",
        "timetable:import",
        "news:new",
        "news:public_settings",
        "albums:consents",
        "gar:managers",
    ],
    "anon": [
        "accounts:login",
        "accounts:activate",
        "accounts:password_reset",
        "portal:notice",
        "news:public",
    ],
}


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE.exists():
        if os.environ.get("CARTABLE_E2E"):
            pytest.fail(f"axe-core is missing ({AXE}): `make test` installs it with npm")
        pytest.skip("axe-core is not installed (make axe, which needs npm): accessibility check skipped")
    return AXE.read_text()


@pytest.fixture
def phone(browser, live_server, settings):
    """A page 360 px wide, as on a small phone."""
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    settings.LANGUAGE_COOKIE_SECURE = False
    context = browser.new_context(
        base_url=live_server.url, locale="fr-FR", viewport={"width": WIDTH, "height": 780}
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def some_school_life(world) -> None:
    """What the pages show on an ordinary day: a message each way, lessons in the week."""
    world_message(world)
    send(world, "marie", to=["tom"], subject="Absence de mardi", body="Alice sera absente mardi.")
    TimetableSettings.objects.create(school=world.school_a, zone="C", week_a_monday=date(2026, 11, 2))
    room = Room.objects.create(school=world.school_a, name="101")
    for weekday, start in ((0, 8), (1, 10), (3, 14)):
        course = Course.objects.create(
            school=world.school_a,
            year=world.year,
            subject=world.maths,
            room=room,
            weekday=weekday,
            start=time(start),
            end=time(start + 1),
        )
        course.groups.add(world.class_6a)
        course.teachers.add(world.person("tom"))


def serious_violations(page, axe_source: str) -> list[str]:
    page.evaluate(axe_source)
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} — "
        + json.dumps([node["target"] for node in violation["nodes"][:5]], ensure_ascii=False)
        for violation in result["violations"]
        if violation["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("persona", sorted(PERSONAS))
def test_main_pages_have_no_serious_accessibility_violation_on_a_phone(
    world, phone, live_server, axe_source, persona
):
    some_school_life(world)
    log_in(phone, live_server, world, persona)
    found = {}
    for route_name in PERSONAS[persona]:
        assert MATRIX[route_name][persona] == 200, f"{persona} does not reach {route_name}"
        response = phone.goto(ROUTES[route_name].url(world))
        assert response.status == 200, route_name
        violations = serious_violations(phone, axe_source)
        if violations:
            found[route_name] = violations
    assert not found, json.dumps(found, ensure_ascii=False, indent=1)


def test_the_keyboard_lands_on_the_first_error_after_a_failed_submit(world, phone, live_server):
    log_in(phone, live_server, world, "alice")
    phone.goto("/auth/password/change")
    phone.get_by_label("Mot de passe actuel").fill(PASSWORD)
    phone.get_by_label("Nouveau mot de passe").fill("court")
    phone.get_by_label("Confirmez le mot de passe").fill("autre")
    phone.get_by_role("button", name="Changer mon mot de passe").click()
    phone.wait_for_load_state()
    focused = phone.evaluate("document.activeElement.name")
    invalid = phone.evaluate("document.querySelector('[aria-invalid=true]').name")
    assert focused == invalid
    assert focused != "current_password"
    # The error is read with the field.
    described = phone.evaluate(
        "document.activeElement.getAttribute('aria-describedby').split(' ')"
        ".map(id => document.getElementById(id) && document.getElementById(id).textContent).join(' ')"
    )
    assert described.strip()


def test_the_focus_ring_shows_around_what_the_keyboard_reaches(world, phone, live_server):
    log_in(phone, live_server, world, "marie")
    phone.goto("/")
    phone.keyboard.press("Tab")  # the skip link
    phone.keyboard.press("Tab")  # the header's first link, on the blue header
    style = phone.evaluate(
        "(() => { const s = getComputedStyle(document.activeElement);"
        " return [s.outlineStyle, s.outlineWidth, s.boxShadow]; })()"
    )
    assert style[0] == "solid"
    assert style[1] == "3px"
    assert "255, 191, 71" in style[2]  # the yellow halo, visible on the blue header


def test_the_timetable_import_page_does_not_scroll_sideways_on_a_phone(world, phone, live_server):
    log_in(phone, live_server, world, "ada")
    phone.goto(ROUTES["timetable:import"].url(world))
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= WIDTH, f"the page is {width} px wide"
