"""Anyone who enrolled a second factor — required for staff or chosen by a parent — gives its code right
after the password: until then the session reaches nothing but the second-factor step."""

import base64

import pyotp
import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.world import PASSWORD

pytestmark = pytest.mark.django_db


def enrol(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="téléphone", confirmed=True)


def code_for(device: TOTPDevice) -> str:
    return pyotp.TOTP(base64.b32encode(device.bin_key).decode()).now()


def log_in(client, user):
    response = client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return response


def test_a_parent_who_chose_a_second_factor_gives_the_code_before_anything_else(client, world):
    marie = world.users["marie"]
    device = enrol(marie)
    log_in(client, marie)
    mfa = reverse("accounts:mfa")
    for path in (
        "/",
        "/me",
        "/messagerie/",
        reverse("accounts:sessions"),
        reverse("accounts:password_change"),
    ):
        response = client.get(path)
        assert response.status_code == 302 and response.url.startswith(mfa), path
    assert client.get(mfa).status_code == 200

    response = client.post(f"{mfa}?next=/me", {"code": code_for(device)})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert client.get("/me").status_code == 200


def test_a_wrong_code_keeps_the_session_locked(client, world):
    marie = world.users["marie"]
    enrol(marie)
    log_in(client, marie)
    client.post(reverse("accounts:mfa"), {"code": "000000"})
    response = client.get("/")
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:mfa"))


def test_people_without_a_second_factor_log_in_as_before(client, world):
    log_in(client, world.users["bob"])
    assert client.get("/").status_code == 200


def test_staff_with_a_device_are_asked_at_login_too(client, world):
    tom = world.users["tom"]
    log_in(client, tom)
    response = client.get("/")
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:mfa"))
    client.post(reverse("accounts:mfa"), {"code": code_for(world.devices["tom"])})
    assert client.get("/").status_code == 200
