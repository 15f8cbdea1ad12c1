"""Console pages: the matrix, the checker, the kill-switches, the platform page."""

import pytest
from django.urls import reverse

from cartable.communication import rules as communication
from cartable.communication.models import CommunicationChange, CommunicationRule
from cartable.communication.rules import can_write, may_send
from cartable.communication.tests.conftest import CLASSMATES
from cartable.directory.models import Profile

pytestmark = pytest.mark.django_db


def test_menu_links_in_the_console(world, as_user, url_a):
    html = as_user("ada").get(reverse("console:people", args=[world.school_a.uai])).content.decode()
    assert url_a("rules") in html
    assert url_a("kill_switch") in html
    assert reverse("console:pupils_reset", args=[world.school_a.uai]) in html


# --- Matrix ------------------------------------------------------------------------------------------------


def test_matrix_shows_the_defaults_with_labels(world, as_user, url_a):
    response = as_user("ada").get(url_a("rules"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Votre établissement utilise les règles par défaut." in html
    assert 'name="Relative:teachers:class" id="rule-relativeteachersclass" checked' in html
    assert 'name="Student:pupils:class" id="rule-studentpupilsclass">' in html
    assert (
        '<label for="rule-studentpupilsclass" class="sr-only">Élève vers Élèves, Dans la classe</label>'
        in html
    )
    # The direction is not part of a class: no checkbox there.
    assert 'name="Relative:direction:class"' not in html


def test_saving_the_matrix_applies_at_once_and_is_traced(world, as_user, url_a):
    ada = as_user("ada")
    ticked = {communication.ALL_CELLS[0]} | set(communication.DEFAULT_RULES) | {CLASSMATES}
    response = ada.post(url_a("rules"), {":".join(cell): "on" for cell in ticked})
    assert response.status_code == 302
    assert can_write(world.alice, world.person("bob"))
    assert CommunicationRule.objects.filter(school=world.school_a).count() == len(communication.ALL_CELLS)
    assert CommunicationChange.objects.get(school=world.school_a).kind == CommunicationChange.Kind.RULES_SAVED
    html = ada.get(url_a("rules")).content.decode()
    assert "règles par défaut" not in html.split("<form")[0]
    # Back to the defaults.
    ada.post(url_a("rules"), {"defaults": "1"})
    assert not can_write(world.alice, world.person("bob"))
    assert not CommunicationRule.objects.exists()


def test_unticking_everything_closes_every_rule(world, as_user, url_a):
    as_user("ada").post(url_a("rules"), {})
    assert not communication.reachable_people(world.tom).exists()
    assert not communication.reachable_people(world.alice).exists()
    assert communication.reachable_people(world.xavier).exists()  # school B untouched


def test_bruno_cannot_edit_school_a(world, as_user, url_a):
    response = as_user("bruno").post(url_a("rules"), {})
    assert response.status_code == 404
    assert not CommunicationRule.objects.exists()


# --- Checker -----------------------------------------------------------------------------------------------


def test_checker_searches_people_of_the_school_only(world, as_user, url_a):
    html = as_user("ada").get(url_a("checker"), {"qa": "martin"}).content.decode()
    assert "Alice MARTIN" in html and "Marie MARTIN" in html
    assert "Léo MARTIN" not in html  # school B
    assert "(Élève)" in html


def test_checker_explains_the_rule(world, as_user, url_a):
    ada = as_user("ada")
    query = {"a": world.person("marie").pk, "b": world.person("tom").pk}
    html = ada.get(url_a("checker"), query).content.decode()
    assert "Oui : Marie MARTIN peut écrire à Tom LEROY." in html
    assert "Parent → Enseignants, dans la classe" in html
    html = ada.get(
        url_a("checker"), {"a": world.person("marie").pk, "b": world.person("tess").pk}
    ).content.decode()
    assert "Non : Marie MARTIN ne peut pas écrire à Tess MOREAU." in html
    assert "dans l’établissement" in html


def test_checker_tells_when_sending_is_stopped(world, as_user, url_a):
    from cartable.communication import actions

    actions.pause_sending(world.ada, world.school_a, Profile.STUDENT)
    html = as_user("ada").get(url_a("checker"), {"a": world.person("alice").pk, "b": world.person("tom").pk})
    assert "L’envoi de messages est coupé pour le profil Élève" in html.content.decode()


def test_checker_ignores_people_of_another_school(world, as_user, url_a):
    html = as_user("ada").get(url_a("checker"), {"a": world.person("zoe").pk, "b": world.person("tom").pk})
    assert html.status_code == 200
    assert "Zoé" not in html.content.decode()
    assert "Réponse" not in html.content.decode()


def test_checker_picker_fragment_for_htmx(world, as_user, url_a):
    response = as_user("ada").get(url_a("checker"), {"qb": "tom", "picker": "b"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert 'id="picker-b"' in html and "Tom LEROY" in html
    assert "<html" not in html


# --- Kill-switch pages -------------------------------------------------------------------------------------


def test_kill_switch_asks_then_stops_pupils(world, as_user, url_a):
    ada = as_user("ada")
    assert "Couper l’envoi (Élève)" in ada.get(url_a("kill_switch")).content.decode()
    response = ada.post(url_a("kill_switch"), {"profile": Profile.STUDENT, "action": "pause"})
    assert response.status_code == 200
    assert "Oui, couper l’envoi" in response.content.decode()
    assert may_send(world.alice)
    response = ada.post(url_a("kill_switch"), {"profile": Profile.STUDENT, "action": "pause", "confirm": "1"})
    assert response.status_code == 302
    assert not may_send(world.alice)
    html = ada.get(url_a("kill_switch")).content.decode()
    assert "Rétablir l’envoi (Élève)" in html
    assert "Envoi de messages coupé (Élève)" in html
    ada.post(url_a("kill_switch"), {"profile": Profile.STUDENT, "action": "resume", "confirm": "1"})
    assert may_send(world.alice)


def test_kill_switch_bad_profile_changes_nothing(world, as_user, url_a):
    response = as_user("ada").post(
        url_a("kill_switch"), {"profile": "Pirate", "action": "pause", "confirm": "1"}
    )
    assert response.status_code == 302
    assert may_send(world.alice)


def test_platform_page_for_the_platform_admin(world, as_user):
    url = reverse("communication:platform")
    assert as_user("ada").get(url).status_code == 404
    root = as_user("root")
    assert root.get(url).status_code == 200
    root.post(url, {"profile": Profile.STUDENT, "action": "pause", "confirm": "1"})
    assert not may_send(world.alice) and not may_send(world.zoe)
    # The ADML sees the platform switch, cannot lift it from the school page.
    ada = as_user("ada")
    assert (
        "Coupures décidées pour toute la plateforme"
        in ada.get(reverse("communication:kill_switch", args=[world.school_a.uai])).content.decode()
    )
    ada.post(
        reverse("communication:kill_switch", args=[world.school_a.uai]),
        {"profile": Profile.STUDENT, "action": "resume", "confirm": "1"},
    )
    assert not may_send(world.alice)
