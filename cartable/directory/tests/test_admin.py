"""The Django admin is for the platform admin (ADMC) only; school staff use the console."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group as AuthGroup
from django.urls import reverse

from cartable.directory.models import (
    Enrolment,
    Group,
    Guardianship,
    Membership,
    Person,
    School,
    SchoolYear,
    Subject,
    TeachingAssignment,
)

pytestmark = pytest.mark.django_db

MODELS = [School, SchoolYear, Subject, Group, Person, Membership, Enrolment, TeachingAssignment, Guardianship]


def changelist(model) -> str:
    return reverse(f"admin:directory_{model._meta.model_name}_changelist")


def test_directory_models_are_registered_and_auth_groups_are_not():
    for model in MODELS:
        assert admin.site.is_registered(model), model
    assert not admin.site.is_registered(AuthGroup)


@pytest.mark.parametrize("model", MODELS)
def test_platform_admin_browses_and_searches_every_list(client, world, model):
    world.login(client, "root")
    response = client.get(changelist(model), {"q": "martin"})
    assert response.status_code == 200


def test_person_list_filters_by_profile(client, world):
    world.login(client, "root")
    response = client.get(changelist(Person), {"memberships__profile": "Teacher"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Leroy" in body and "Durand" not in body


def test_person_change_page_opens(client, world):
    world.login(client, "root")
    url = reverse("admin:directory_person_change", args=[world.people["alice"].pk])
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("name", ["ada", "paul", "alice", "marie"])
def test_school_people_cannot_use_the_django_admin(client, world, name):
    world.login(client, name)
    response = client.get(changelist(Person))
    assert response.status_code == 302
    assert "login" in response["Location"]
