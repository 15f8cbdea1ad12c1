"""Rule C6: staff enrol a TOTP authenticator (QR code + recovery codes), then give a code on guarded pages."""

import base64
import re
from datetime import timedelta

import pyotp
import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from django_otp.middleware import OTPMiddleware
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from cartable.accounts.mfa import staff_mfa_required
from cartable.accounts.tests.helpers import text

pytestmark = pytest.mark.django_db


def code_for(device) -> str:
    return pyotp.TOTP(base64.b32encode(device.bin_key).decode()).now()


def guarded_request(user, device=None):
    """A request as the middlewares leave it: the user, and the second factor when one was given."""
    request = RequestFactory().get("/notes/6A?trimestre=1")
    request.session = SessionStore()
    if device is not None:
        request.session["otp_device_id"] = device.persistent_id
    request.user = user
    OTPMiddleware(lambda r: None)(request)
    return request


@staff_mfa_required
def grades_page(request):
    return HttpResponse("notes")


def test_staff_without_a_device_are_sent_to_enrolment_then_back(world):
    TOTPDevice.objects.filter(user=world.users["tom"]).delete()
    response = grades_page(guarded_request(world.users["tom"]))
    assert response.status_code == 302
    assert response.url == f"{reverse('accounts:mfa')}?next=%2Fnotes%2F6A%3Ftrimestre%3D1"


def test_staff_with_an_unverified_session_are_asked_a_code(world):
    assert grades_page(guarded_request(world.users["tom"])).status_code == 302
    verified = guarded_request(world.users["tom"], world.devices["tom"])
    assert grades_page(verified).status_code == 200


def test_pupils_and_guardians_pass_without_a_second_factor(world):
    for name in ("alice", "marie"):
        assert grades_page(guarded_request(world.users[name])).status_code == 200


def test_anonymous_requests_are_left_to_the_login_check(world):
    assert grades_page(guarded_request(AnonymousUser())).status_code == 200


def enrol_page(client, next_url="/"):
    return client.get(reverse("accounts:mfa"), {"next": next_url})


def test_enrolment_shows_a_qr_code_and_the_secret_then_confirms(world, client):
    tom = world.users["tom"]
    TOTPDevice.objects.filter(user=tom).delete()
    world.login(client, "tom", verified=False)

    page = enrol_page(client, "/annuaire/")
    content = text(page)
    device = TOTPDevice.objects.get(user=tom)
    assert not device.confirmed
    assert 'class="qr-code"' in content
    secret = base64.b32encode(device.bin_key).decode()
    assert secret[:4] + " " + secret[4:8] in content
    # A reload shows the same secret (the phone may already have scanned it).
    assert enrol_page(client).status_code == 200
    assert TOTPDevice.objects.filter(user=tom).count() == 1

    response = client.post(reverse("accounts:mfa"), {"code": code_for(device), "next": "/annuaire/"})
    assert response.status_code == 302
    assert response.url == f"{reverse('accounts:mfa_recovery_codes')}?next=%2Fannuaire%2F"
    device.refresh_from_db()
    assert device.confirmed
    assert client.session["otp_device_id"] == device.persistent_id

    codes_page = client.get(response.url)
    codes = re.findall(r'<code class="code">([a-z0-9-]+)</code>', text(codes_page))
    assert len(codes) == 10
    assert StaticToken.objects.filter(device__user=tom).count() == 10
    # Shown once only.
    assert client.get(response.url).status_code == 302


def test_wrong_enrolment_code_is_refused(world, client):
    TOTPDevice.objects.filter(user=world.users["tom"]).delete()
    world.login(client, "tom", verified=False)
    enrol_page(client)
    response = client.post(reverse("accounts:mfa"), {"code": "000000"})
    assert response.status_code == 200
    assert "ne correspond pas" in text(response)
    assert not TOTPDevice.objects.get(user=world.users["tom"]).confirmed


def confirmed_device_with_codes(world, client, name="paul") -> tuple[TOTPDevice, list[str]]:
    """Enrol `name` through the pages and return the device and the recovery codes shown."""
    TOTPDevice.objects.filter(user=world.users[name]).delete()
    world.login(client, name, verified=False)
    enrol_page(client)
    device = TOTPDevice.objects.get(user=world.users[name])
    response = client.post(reverse("accounts:mfa"), {"code": code_for(device)})
    codes = re.findall(r'<code class="code">([a-z0-9-]+)</code>', text(client.get(response.url)))
    device.refresh_from_db()
    return device, codes


def test_confirmed_device_asks_for_a_code(world, client):
    world.login(client, "tom", verified=False)
    page = client.get(reverse("accounts:mfa"), {"next": "/annuaire/"})
    assert "Code de vérification" in text(page)
    response = client.post(
        reverse("accounts:mfa"), {"code": code_for(world.devices["tom"]), "next": "/annuaire/"}
    )
    assert response.url == "/annuaire/"
    assert client.session["otp_device_id"] == world.devices["tom"].persistent_id


def test_wrong_code_is_refused_then_slowed_down(world, client):
    world.login(client, "tom", verified=False)
    wrong = client.post(reverse("accounts:mfa"), {"code": "000000"})
    assert wrong.status_code == 200
    assert "Code incorrect" in text(wrong)
    assert "otp_device_id" not in client.session

    # Right after a failure the device is locked for a moment, even for the right code.
    locked = client.post(reverse("accounts:mfa"), {"code": code_for(world.devices["tom"])})
    assert locked.status_code == 429
    assert "Trop de codes erronés" in text(locked)

    with time_machine.travel(timezone.now() + timedelta(seconds=5)):
        world.devices["tom"].refresh_from_db()
        response = client.post(reverse("accounts:mfa"), {"code": code_for(world.devices["tom"])})
    assert response.status_code == 302


def test_a_recovery_code_works_once(world, client):
    device, codes = confirmed_device_with_codes(world, client)
    later = type(client)()
    world.login(later, "paul", verified=False)

    response = later.post(reverse("accounts:mfa"), {"code": codes[0].upper()})
    assert response.status_code == 302
    assert later.session["otp_device_id"] != device.persistent_id  # the recovery device
    assert StaticToken.objects.filter(device__user=world.users["paul"]).count() == 9

    again = type(client)()
    world.login(again, "paul", verified=False)
    refused = again.post(reverse("accounts:mfa"), {"code": codes[0]})
    assert refused.status_code == 200
    assert "otp_device_id" not in again.session


def test_verified_users_can_replace_their_recovery_codes(world, client):
    device, codes = confirmed_device_with_codes(world, client)
    response = client.post(reverse("accounts:mfa_recovery_reset"))
    new_codes = re.findall(r'<code class="code">([a-z0-9-]+)</code>', text(client.get(response.url)))
    assert len(new_codes) == 10
    assert not set(new_codes) & set(codes)


def test_an_unverified_session_cannot_replace_recovery_codes(world, client):
    world.login(client, "tom", verified=False)
    response = client.post(reverse("accounts:mfa_recovery_reset"))
    assert response.url.startswith(reverse("accounts:mfa"))
    assert not StaticToken.objects.filter(device__user=world.users["tom"]).exists()


def test_mfa_page_needs_a_login(client, world):
    assert client.get(reverse("accounts:mfa")).url.startswith(reverse("accounts:login"))


def test_the_directory_sends_staff_through_enrolment_and_back(world, client):
    """The whole journey on a real guarded page: directory search lists pupils (rule C6)."""
    tom = world.users["tom"]
    TOTPDevice.objects.filter(user=tom).delete()
    world.login(client, "tom", verified=False)

    response = client.get(reverse("directory:search"))
    assert response.status_code == 302
    assert response.url == f"{reverse('accounts:mfa')}?next=%2Fannuaire%2F"

    enrol_page(client, "/annuaire/")
    device = TOTPDevice.objects.get(user=tom)
    confirmed = client.post(reverse("accounts:mfa"), {"code": code_for(device), "next": "/annuaire/"})
    codes_page = client.get(confirmed.url)
    assert 'href="/annuaire/"' in text(codes_page)
    assert client.get(reverse("directory:search")).status_code == 200


def test_a_pupil_reaches_the_directory_without_a_second_factor(world, client):
    world.login(client, "alice")
    assert client.get(reverse("directory:search")).status_code == 200
