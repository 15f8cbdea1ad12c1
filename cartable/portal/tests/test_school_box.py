"""The "Mon établissement" box of the home page: the direction, vie scolaire and ENT admin find there the
school's pages each of them may use (visas, reported messages, kill-switch, timetable, settings)."""

import pytest
from django.urls import reverse

from cartable.directory import actions as directory
from cartable.directory.models import Function, Profile

pytestmark = pytest.mark.django_db

HOME = "/"


def home(client, world, name) -> str:
    world.login(client, name)
    return client.get(HOME).content.decode()


def href(url: str) -> str:
    return f'href="{url}"'


def test_the_principals_home_leads_to_visas_reports_timetable_and_settings(client, world):
    uai = world.school_a.uai
    html = home(client, world, "paul")
    assert "Mon établissement" in html
    assert href(reverse("homework:visas")) in html and "Viser les cahiers de textes" in html
    assert href(reverse("messaging:reports")) in html
    assert href(reverse("communication:kill_switch", args=[uai])) in html
    assert href(reverse("timetable:manage")) in html
    # The settings he may change: the timetable's calendar. The console's settings are the ENT admin's.
    assert href(reverse("timetable:manage_school", args=[uai]) + "#settings-title") in html
    assert href(reverse("console:settings", args=[uai])) not in html
    # Every link opens for him.
    for url in (
        reverse("homework:visas"),
        reverse("messaging:reports"),
        reverse("communication:kill_switch", args=[uai]),
        reverse("timetable:manage_school", args=[uai]),
    ):
        assert client.get(url).status_code == 200, url


def test_a_principal_who_is_also_the_ent_admin_gets_the_schools_settings(client, world):
    directory.add_membership(
        world.people["paul"], world.school_a, Profile.PERSONNEL, [Function.DIRECTION, Function.ADML]
    )
    html = home(client, world, "paul")
    assert href(reverse("console:settings", args=[world.school_a.uai])) in html
    assert "Réglages de l’établissement" in html or "Réglages de l&#x27;établissement" in html


def test_the_cpe_reads_the_cahiers_without_signing(client, world):
    html = home(client, world, "vera")
    assert href(reverse("homework:visas")) in html and "Viser les cahiers de textes" not in html
    assert href(reverse("communication:kill_switch", args=[world.school_a.uai])) in html


def test_the_ent_admin_finds_the_kill_switch_and_the_settings(client, world):
    html = home(client, world, "ada")
    assert href(reverse("communication:kill_switch", args=[world.school_a.uai])) in html
    assert href(reverse("console:settings", args=[world.school_a.uai])) in html
    assert href(reverse("homework:visas")) not in html  # not hers


@pytest.mark.parametrize("name", ["alice", "marie", "tom", "tess", "root"])
def test_nobody_else_has_the_box(client, world, name):
    assert "Mon établissement" not in home(client, world, name)


def test_the_box_costs_no_query_once_the_directory_is_read(client, world, django_assert_max_num_queries):
    world.login(client, "paul")
    client.get(HOME)
    # As for every staff member: the session, the user and the second-factor device.
    with django_assert_max_num_queries(4):
        client.get(HOME)
