"""Correction requests (rule C9), apps switched per profile, and the school's second-factor setting."""

import pytest
from django.urls import reverse

from cartable.accounts.mfa import mfa_required_for
from cartable.directory.models import Profile, School
from cartable.portal.models import AppSwitch, CorrectionRequest
from cartable.portal.registry import PortalApp, registry


@pytest.fixture
def open_requests(world):
    return {
        "alice": CorrectionRequest.objects.create(
            person=world.people["alice"], school=world.school_a, message="Mon prénom s'écrit Alicia."
        ),
        "zoe": CorrectionRequest.objects.create(
            person=world.people["zoe"], school=world.school_b, message="Ma date de naissance est fausse."
        ),
    }


def test_lists_the_schools_open_requests_only(world, client, url_a, open_requests):
    world.login(client, "ada")
    page = client.get(url_a("corrections")).text
    assert "Alicia" in page and "Ma date de naissance" not in page


def test_answer_a_request(world, client, url_a, open_requests):
    world.login(client, "ada")
    request = open_requests["alice"]
    prefix = f"r{request.pk}"
    response = client.post(
        url_a("correction_answer", request.pk),
        {f"{prefix}-status": "done", f"{prefix}-answer": "C'est corrigé."},
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == CorrectionRequest.Status.DONE
    assert request.answer == "C'est corrigé." and request.handled_by == world.users["ada"]
    assert "Alicia" not in client.get(url_a("corrections")).text.split("Demandes traitées")[0]


def test_an_answer_is_required_and_kept_on_error(world, client, url_a, open_requests):
    world.login(client, "ada")
    request = open_requests["alice"]
    prefix = f"r{request.pk}"
    response = client.post(
        url_a("correction_answer", request.pk), {f"{prefix}-status": "rejected", f"{prefix}-answer": ""}
    )
    assert response.status_code == 400
    assert "has-error" in response.text
    assert f'value="rejected" required id="id_{prefix}-status_1" checked' in response.text
    request.refresh_from_db()
    assert request.status == CorrectionRequest.Status.OPEN


def test_bruno_answers_in_school_b_only(world, client, open_requests):
    world.login(client, "bruno")
    request = open_requests["alice"]
    url = reverse("console:correction_answer", args=[world.school_b.uai, request.pk])
    assert (
        client.post(url, {f"r{request.pk}-status": "done", f"r{request.pk}-answer": "x"}).status_code == 404
    )


@pytest.fixture
def test_app():
    app = PortalApp(
        code="cantine",
        name="Cantine",
        url_name="portal:home",
        icon="🍽",
        profiles=frozenset({Profile.STUDENT, Profile.RELATIVE}),
    )
    registry.register_app(app)
    yield app
    registry.apps.pop(app.code, None)


def test_switch_an_app_off_for_a_profile(world, client, url_a, test_app):
    world.login(client, "ada")
    page = client.get(url_a("apps")).text
    assert 'name="cantine:Student"' in page and 'name="cantine:Relative"' in page
    assert 'name="cantine:Teacher"' not in page  # the app is not made for teachers
    response = client.post(url_a("apps"), {"cantine:Relative": "on"})
    assert response.status_code == 302
    stored = dict(
        AppSwitch.objects.filter(school=world.school_a, app_code="cantine").values_list("profile", "enabled")
    )
    assert stored == {Profile.STUDENT: False, Profile.RELATIVE: True}
    assert not AppSwitch.objects.filter(school=world.school_b).exists()
    client.post(url_a("apps"), {"cantine:Relative": "on", "cantine:Student": "on"})
    assert AppSwitch.objects.get(school=world.school_a, app_code="cantine", profile=Profile.STUDENT).enabled


def test_second_factor_setting(world, client, url_a):
    world.login(client, "ada")
    assert mfa_required_for(world.users["tom"])
    response = client.post(url_a("settings"), {})
    assert response.status_code == 302
    assert not School.objects.get(pk=world.school_a.pk).mfa_required_for_staff
    assert School.objects.get(pk=world.school_b.pk).mfa_required_for_staff
    client.post(url_a("settings"), {"mfa_required_for_staff": "on"})
    assert School.objects.get(pk=world.school_a.pk).mfa_required_for_staff
