"""A switched-off app is off: its pages answer 404, its widgets, tile and notifications go — for every
switchable app of the registry — and it stays on for the profiles and schools that keep it
(cartable.portal.switches)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import get_resolver, reverse

from cartable.accounts.models import User
from cartable.console.actions import SwitchCell, save_app_switches
from cartable.directory import actions as directory
from cartable.directory.models import Profile
from cartable.notifications.actions import publish
from cartable.notifications.delivery import deliver_event, still_switched_on
from cartable.notifications.kinds import KINDS
from cartable.notifications.models import Notification
from cartable.portal import switches
from cartable.portal.registry import PortalApp, Registry, registry
from cartable.portal.switches import STAYS_ON, uses
from tests.matrix import collect

pytestmark = pytest.mark.django_db

SWITCHABLE = [app.code for app in registry.sorted_apps() if app.switchable]
ROUTES, MATRIX = collect()
# Personas who belong to school A only, to school B only; Marie is a parent in both; Root in none.
IN_A_ONLY = ("alice", "bob", "marc", "beatrice", "tom", "tess", "vera", "paul", "ada", "carl", "gino")
IN_B_ONLY = ("leo", "zoe", "zack", "xavier", "bruno")
KEEPERS = (*IN_B_ONLY, "marie", "root")


@pytest.fixture
def world(module_world):
    """Written once for the module; each test runs in its own savepoint (the root conftest.py)."""
    return module_world


@pytest.fixture(autouse=True)
def _every_app_available(settings):
    """Apps that need a server of their own show their tile once it is configured (the virtual classes'
    BigBlueButton): an address where nothing listens is enough, these tests call no server."""
    settings.BBB_URL = "http://127.0.0.1:9/bigbluebutton"
    settings.BBB_SECRET = "a-secret-for-the-tests-only"


def test_every_app_is_covered():
    # The four services of today; a new switchable app joins these tests without a line of its own.
    assert {"directory", "messaging", "timetable", "homework"} <= set(SWITCHABLE)


def made_for(app: PortalApp) -> list[str]:
    return [p for p in Profile.values if not app.profiles or p in app.profiles]


def switch(school, app: PortalApp, profiles: list[str], *, enabled: bool = False) -> None:
    """As the school's admin does it in the console (which bumps the cached switches)."""
    root = User.objects.get(username="root")
    save_app_switches(root, school, [SwitchCell(app.code, profile, enabled) for profile in profiles])


def namespace(app: PortalApp) -> str:
    return app.url_name.partition(":")[0]


def app_routes(app: PortalApp) -> list[str]:
    """The app's routes that depend on who is logged in (not the public ones, like the calendar feed whose
    token names its owner: tested on its own)."""
    routes = sorted(
        name
        for name in ROUTES
        if name.partition(":")[0] == namespace(app) and MATRIX[name]["anon"] in (302, 404)
    )
    assert routes, f"{app.code}: no route in the access matrix"
    return routes


def status(world, name: str, route_name: str) -> int:
    # One test visits many routes: a block done by an earlier one renewed the persona's sessions.
    world.users[name].refresh_from_db()
    client = Client()
    world.login(client, name)
    route = ROUTES[route_name]
    response = getattr(client, route.method)(route.url(world))
    User.objects.filter(blocked_at__isnull=False).update(blocked_at=None)
    return response.status_code


def stays_on(route_name: str) -> bool:
    """Whether the route's view is marked to stay open when its app is off (switches.stays_on)."""
    ns, _sep, name = route_name.partition(":")
    _prefix, resolver = get_resolver().namespace_dict[ns]
    view = next(p.callback for p in resolver.url_patterns if getattr(p, "name", None) == name)
    return bool(getattr(view, STAYS_ON, False))


@pytest.mark.parametrize("code", SWITCHABLE)
def test_pages_answer_404_where_the_app_is_off(world, code):
    app = registry.apps[code]
    switch(world.school_a, app, made_for(app))
    for route_name in app_routes(app):
        expected = MATRIX[route_name]
        if stays_on(route_name):
            # A duty of the school (reports, the console's import): unchanged.
            for name in IN_A_ONLY:
                assert status(world, name, route_name) == expected[name], (route_name, name)
            continue
        for name in IN_A_ONLY:
            if expected[name] != 404:
                assert status(world, name, route_name) == 404, (route_name, name)


@pytest.mark.parametrize("code", SWITCHABLE)
def test_pages_stay_for_the_schools_and_people_that_keep_the_app(world, code):
    app = registry.apps[code]
    switch(world.school_a, app, made_for(app))
    for route_name in app_routes(app):
        if ROUTES[route_name].method != "get":
            continue
        for name in KEEPERS:
            assert status(world, name, route_name) == MATRIX[route_name][name], (route_name, name)


@pytest.mark.parametrize("code", SWITCHABLE)
def test_off_for_one_profile_leaves_the_others(world, code):
    app = registry.apps[code]
    main = app.url_name
    cast = {
        Profile.STUDENT: "alice",
        Profile.RELATIVE: "marc",
        Profile.TEACHER: "tom",
        Profile.PERSONNEL: "vera",
    }
    for profile in made_for(app):
        if profile not in cast:
            continue
        switch(world.school_a, app, [profile])
        for held, name in cast.items():
            expected = 404 if held == profile else MATRIX[main][name]
            assert status(world, name, main) == expected, (profile, name)
        switch(world.school_a, app, [profile], enabled=True)


def home(world, name: str, **params):
    if name == "marie" and not params:
        # Her first child is Alice of school A: Léo's page is the one school B keeps as it was.
        params = {"enfant": world.people["leo"].pk}
    client = Client()
    world.login(client, name)
    response = client.get(reverse("portal:home"), params)
    assert response.status_code == 200
    return response


def widget_templates(app: PortalApp) -> set[str]:
    return {w.template for w in registry.widgets.values() if w.app_code == app.code}


def shown(response, templates: set[str]) -> set[str]:
    return {t.name for t in response.templates} & templates


def tiles(response) -> set[str]:
    return {entry.app.code for entry in response.context["apps"]}


@pytest.mark.parametrize("code", SWITCHABLE)
def test_home_loses_the_tile_and_widgets(world, code):
    app = registry.apps[code]
    templates = widget_templates(app)
    before = {name: home(world, name) for name in (*IN_A_ONLY, *KEEPERS)}
    had_tile = [name for name, response in before.items() if code in tiles(response)]
    had_widget = [name for name, response in before.items() if shown(response, templates)]
    assert set(had_tile) & set(IN_A_ONLY), f"{code}: nobody in school A has the tile"
    if templates:
        assert set(had_widget) & set(IN_A_ONLY), f"{code}: nobody in school A has a widget"
    switch(world.school_a, app, made_for(app))
    for name in had_tile:
        response = home(world, name)
        if name in IN_A_ONLY:
            assert code not in tiles(response), name
            assert not shown(response, templates), name
        else:
            assert code in tiles(response), name
            assert shown(response, templates) == shown(before[name], templates), name


@pytest.mark.parametrize("code", SWITCHABLE)
def test_notifications_of_the_app_are_not_created(world, code):
    app = registry.apps[code]
    kinds = [kind.code for kind in KINDS.values() if kind.app_code == code]
    if not kinds:
        pytest.skip(f"{code} tells nobody anything")
    p = world.people
    everyone = [p[name] for name in ("alice", "tom", "vera", "marc", "marie", "zoe", "xavier")]
    switch(world.school_a, app, made_for(app))
    for kind in kinds:
        event = publish(kind, recipients=everyone, school=world.school_a, data={})
        told = set(Notification.objects.filter(event=event).values_list("recipient__first_name", flat=True))
        # School A's people are not told; school B's are (this school's switches are not theirs).
        assert told == {"Zoé", "Xavier"}, kind
        # Marie hears of Léo's school (B keeps the app), not of Alice's (A switched it off for parents).
        about_alice = publish(kind, recipients=[p["marie"]], school=world.school_a, about=p["alice"], data={})
        about_leo = publish(kind, recipients=[p["marie"]], school=world.school_b, about=p["leo"], data={})
        assert about_alice is None, kind
        assert Notification.objects.filter(event=about_leo, recipient=p["marie"]).exists(), kind


@pytest.mark.parametrize("code", SWITCHABLE)
def test_notifications_made_before_the_switch_are_not_sent(world, code, mailoutbox, settings):
    kinds = [kind for kind in KINDS.values() if kind.app_code == code]
    if not kinds:
        pytest.skip(f"{code} tells nobody anything")
    settings.NOTIFICATIONS_DIGEST_TIME = "07:30"
    app = registry.apps[code]
    event = publish(
        kinds[0].code, recipients=[world.people["marc"], world.people["zack"]], school=None, data={}
    )
    switch(world.school_a, app, made_for(app))
    pending = list(Notification.objects.filter(event=event).select_related("event"))
    assert {n.recipient_id for n in still_switched_on(pending)} == {world.people["zack"].pk}
    assert event is not None
    deliver_event(event.pk)
    assert all("marc@example.test" not in message.to for message in mailoutbox)


def test_every_kind_of_a_switchable_app_names_its_app():
    # A kind whose code starts with an app's code belongs to it, unless it says why not (reports reach staff).
    told_anyway = {"messaging.reported"}
    for kind in KINDS.values():
        prefix = kind.code.partition(".")[0]
        if prefix in SWITCHABLE and kind.code not in told_anyway:
            assert kind.app_code == prefix, kind.code


def test_preferences_do_not_offer_kinds_of_an_off_app(world):
    app = registry.apps["homework"]
    client = Client()
    world.login(client, "alice")
    field = 'name="kind_homework.added"'
    assert field in client.get(reverse("portal:preferences")).content.decode()
    switch(world.school_a, app, [Profile.STUDENT])
    assert field not in client.get(reverse("portal:preferences")).content.decode()


# --- A guardian's children: the child's school decides ------------------------------------------------


@pytest.mark.parametrize("code", [c for c in SWITCHABLE if registry.apps[c].follows_child])
def test_a_child_of_a_school_that_switched_the_app_off_is_not_shown(world, code):
    app = registry.apps[code]
    switch(world.school_a, app, [Profile.RELATIVE])
    alice, leo = world.people["alice"].pk, world.people["leo"].pk
    client = Client()
    world.login(client, "marie")
    page = reverse(app.url_name)
    # Marie keeps the app through Léo's school, not for Alice.
    assert client.get(page, {"enfant": alice}).status_code == 404
    assert client.get(page, {"enfant": leo}).status_code == 200
    assert client.get(page).status_code == 200
    # On the home page with Alice chosen: no widget of the app, and its tile does not lead to Alice.
    response = home(world, "marie", enfant=alice)
    assert not shown(response, widget_templates(app))
    entry = next(e for e in response.context["apps"] if e.app.code == code)
    assert f"enfant={alice}" not in entry.url
    response = home(world, "marie", enfant=leo)
    assert f"enfant={leo}" in next(e for e in response.context["apps"] if e.app.code == code).url
    # Marc, a parent in school A only, has lost the app.
    marc = Client()
    world.login(marc, "marc")
    assert marc.get(page).status_code == 404


def test_homework_list_offers_only_children_of_schools_keeping_it(world):
    switch(world.school_a, registry.apps["homework"], [Profile.RELATIVE])
    client = Client()
    world.login(client, "marie")
    response = client.get(reverse("homework:todo"))
    assert response.status_code == 200
    assert [c.first_name for c in response.context["children"]] == ["Léo"]


def test_calendar_feed_follows_the_switch(world):
    from cartable.timetable import actions as timetable

    token = timetable.create_calendar_token(world.users["alice"], "téléphone")
    url = reverse("timetable:feed", args=[token])
    assert Client().get(url).status_code == 200
    switch(world.school_a, registry.apps["timetable"], [Profile.STUDENT])
    assert Client().get(url).status_code == 404


# --- The rule, on its own ----------------------------------------------------------------------------


def app_(code: str = "cahier", *profiles: str, switchable: bool = True) -> PortalApp:
    return PortalApp(
        code=code,
        name=code,
        url_name=f"{code}:home",
        icon="",
        profiles=frozenset(profiles),
        switchable=switchable,
    )


def test_the_rule_for_several_profiles_and_schools():
    cahier = app_("cahier", "Student", "Relative", "Teacher")
    teacher_and_parent = [(1, "Teacher"), (1, "Relative")]
    off_for_parents = {(1, "cahier", "Relative")}
    # Still on for the teacher who is also a parent: the app itself, and what reaches them as a teacher…
    assert uses(cahier, teacher_and_parent, off_for_parents)
    assert uses(cahier, teacher_and_parent, off_for_parents, school_id=1)
    # …not what reaches them as a parent in that school.
    assert not uses(cahier, teacher_and_parent, off_for_parents, school_id=1, profiles=("Relative",))
    # A parent in two schools: off in one, on in the other.
    two_schools = [(1, "Relative"), (2, "Relative")]
    assert uses(cahier, two_schools, off_for_parents)
    assert not uses(cahier, two_schools, off_for_parents, school_id=1)
    assert uses(cahier, two_schools, off_for_parents, school_id=2)
    assert not uses(cahier, two_schools, off_for_parents | {(2, "cahier", "Relative")})
    # No profile in the event's school: the person's own schools decide.
    assert uses(cahier, [(2, "Relative")], off_for_parents, school_id=1)
    # Not made for them (a guest), or no school (the platform admin): no switch concerns them.
    assert uses(cahier, [(1, "Guest")], {(1, "cahier", "Guest")})
    assert uses(cahier, [], off_for_parents)
    # An app that is always on.
    assert uses(app_("me", switchable=False), [(1, "Relative")], {(1, "me", "Relative")})


def test_a_namespace_shared_by_two_apps_is_no_app_s():
    apps = Registry()
    apps.register_app(app_("cahier"))
    found = switches.app_of_namespace("cahier", apps)
    assert found is not None and found.code == "cahier"
    assert switches.app_of_namespace("portal", apps) is None
    apps.register_app(PortalApp(code="other", name="", url_name="cahier:other", icon=""))
    assert switches.app_of_namespace("cahier", apps) is None
    fixed = Registry()
    fixed.register_app(app_("me", switchable=False))
    assert switches.app_of_namespace("me", fixed) is None


def test_a_page_costs_no_query_for_the_switches_once_read(world):
    switch(world.school_a, registry.apps["messaging"], [Profile.RELATIVE])
    client = Client()
    world.login(client, "tom")
    client.get(reverse("messaging:inbox"))
    # Directory writes (an import) do not make the switches be read again: they have a version of their own.
    world.add_pupil("Nina", "Nouvelle", world.class_6a)
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("messaging:inbox"))
    assert not [q for q in queries.captured_queries if "portal_appswitch" in q["sql"]]


def test_switching_back_on_restores_the_pages(world):
    app = registry.apps["homework"]
    switch(world.school_a, app, made_for(app))
    assert status(world, "alice", "homework:todo") == 404
    switch(world.school_a, app, made_for(app), enabled=True)
    assert status(world, "alice", "homework:todo") == 200


def test_a_new_pupil_of_a_school_that_switched_the_app_off_does_not_get_it(world):
    app = registry.apps["messaging"]
    switch(world.school_a, app, [Profile.STUDENT])
    newcomer = world.add_pupil("Nina", "Nouvelle", world.class_6a)
    assert switches.app_is_off(newcomer.user, app)
    directory.add_membership(newcomer, world.school_b, Profile.STUDENT)
    newcomer.user.refresh_from_db()
    assert not switches.app_is_off(User.objects.get(pk=newcomer.user_id), app)
