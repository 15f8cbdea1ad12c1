"""The responsables d'affectation: named by the school's ADML among its staff, in the console. Who may (Ada
for school A, the platform admin) and who may not (Bruno, ADML of school B; a teacher; the direction)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from cartable.accounts.models import User
from cartable.gar import actions
from cartable.gar.models import AssignmentManager

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(module_world):
    return module_world


def _page(world) -> str:
    return reverse("gar:managers", args=[world.school_a.uai])


def test_the_adml_names_a_member_of_staff(world, as_user):
    ada = as_user("ada")
    html = ada.get(_page(world)).content.decode()
    assert '<label for="id_person">Membre du personnel' in html
    tess = world.person("tess")
    assert f'<option value="{tess.pk}">Tess MOREAU</option>' in html
    # Pupils, parents and school B's staff are not offered.
    for other in ("alice", "marie", "xavier"):
        assert f'<option value="{world.person(other).pk}">' not in html
    response = ada.post(_page(world), {"person": tess.pk})
    assert response.status_code == 302
    manager = AssignmentManager.objects.get(school=world.school_a)
    assert (manager.person_id, manager.set_by_id) == (tess.pk, world.users["ada"].pk)
    html = ada.get(_page(world)).content.decode()
    assert "Tess MOREAU est responsable d’affectation GAR." in html
    assert "tess@example.test" in html
    assert f'<option value="{tess.pk}">' not in html  # named already


def test_the_console_menu_links_to_the_page(world, as_user):
    html = as_user("ada").get(reverse("console:people", args=[world.school_a.uai])).content.decode()
    assert _page(world) in html


def test_someone_of_another_school_or_a_pupil_cannot_be_named(world, as_user):
    ada = as_user("ada")
    for other in ("xavier", "alice", "marie"):
        response = ada.post(_page(world), {"person": world.person(other).pk})
        assert response.status_code == 200  # not among the choices: the form says so
        assert "Sélectionnez un choix valide" in response.content.decode()
    assert not AssignmentManager.objects.exists()
    with pytest.raises(PermissionDenied):
        actions.add_assignment_manager(world.users["ada"], world.school_a, world.person("xavier"))


def test_a_person_without_an_email_address_is_refused_with_the_reason(world, as_user):
    User.objects.filter(pk=world.users["tom"].pk).update(email="")
    response = as_user("ada").post(_page(world), {"person": world.person("tom").pk})
    assert response.status_code == 200
    assert "Tom LEROY n’a pas d’adresse électronique" in response.content.decode()
    assert not AssignmentManager.objects.exists()


def test_the_adml_of_another_school_a_teacher_and_the_direction_get_404(world, as_user):
    for name in ("bruno", "tom", "paul", "vera"):
        client = as_user(name)
        assert client.get(_page(world)).status_code == 404, name
        assert client.post(_page(world), {"person": world.person("tess").pk}).status_code == 404, name
    assert not AssignmentManager.objects.exists()
    for name in ("bruno", "tom"):
        with pytest.raises(PermissionDenied):
            actions.add_assignment_manager(world.users[name], world.school_a, world.person("tess"))


def test_removing_a_manager_is_for_the_school_s_adml_only(world, as_user):
    manager = actions.add_assignment_manager(world.users["ada"], world.school_a, world.person("tess"))
    url = reverse("gar:manager_remove", args=[world.school_a.uai, manager.pk])
    assert as_user("bruno").post(url).status_code == 404
    assert as_user("tom").post(url).status_code == 404
    # School B's ADML reaching school A's manager through school B's address: 404 too.
    other = reverse("gar:manager_remove", args=[world.school_b.uai, manager.pk])
    assert as_user("bruno").post(other).status_code == 404
    assert AssignmentManager.objects.filter(pk=manager.pk).exists()
    assert as_user("ada").get(url).status_code == 405
    assert as_user("ada").post(url).status_code == 302
    assert not AssignmentManager.objects.exists()


def test_the_page_costs_the_same_queries_for_one_or_five_managers(world, as_user, django_assert_num_queries):
    ada = as_user("ada")
    actions.add_assignment_manager(world.users["ada"], world.school_a, world.person("tess"))
    ada.get(_page(world))  # the session and the facts are warm
    with django_assert_num_queries(QUERIES):
        assert ada.get(_page(world)).status_code == 200
    for name in ("tom", "vera", "paul", "ada"):
        actions.add_assignment_manager(world.users["ada"], world.school_a, world.person(name))
    ada.get(_page(world))
    with django_assert_num_queries(QUERIES):
        assert ada.get(_page(world)).status_code == 200


QUERIES = 5  # the user, the second factor's device, the school, its managers, its staff
