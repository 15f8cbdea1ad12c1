"""Django's admin (for the platform admin) is reached only through Cartable's login and second factor."""

import pytest
from django.test import Client

from tests.world import PASSWORD

pytestmark = pytest.mark.django_db

PEOPLE = "/django-admin/directory/person/"


def test_a_platform_admin_without_the_second_factor_sees_no_pupil(world):
    client = world.login(Client(), "root", verified=False)
    response = client.get(PEOPLE)
    assert response.status_code == 302
    assert response["Location"] == "/auth/mfa?next=%2Fdjango-admin%2Fdirectory%2Fperson%2F"


def test_the_platform_admin_with_the_second_factor_gets_in(world):
    client = world.login(Client(), "root")
    assert client.get(PEOPLE).status_code == 200


def test_the_admin_login_form_checks_no_password(world):
    """Django's own form would be an unthrottled, untraced way to guess the ADMC's password."""
    client = Client()
    response = client.post(
        "/django-admin/login/?next=/django-admin/", {"username": "root", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == "/auth/login?next=%2Fdjango-admin%2F"
    assert "_auth_user_id" not in client.session


def test_the_admin_login_sends_anonymous_people_to_cartable_login(client):
    response = client.get("/django-admin/login/?next=https://evil.example/")
    assert response["Location"] == "/auth/login?next=%2Fdjango-admin%2F"


@pytest.mark.parametrize("name", ["ada", "alice"])
def test_school_people_find_no_admin_login(world, name):
    client = world.login(Client(), name)
    assert client.get("/django-admin/login/").status_code == 404
