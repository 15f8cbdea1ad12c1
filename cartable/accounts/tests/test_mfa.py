"""Rule C6: staff enrol a TOTP authenticator (QR code + recovery codes), then give a code before any page
(the account gate, cartable.accounts.mfa; tests/test_second_factor_gate.py checks every route)."""

import base64
import re
from datetime import timedelta

import pyotp
import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from cartable.accounts.tests.helpers import text

pytestmark = pytest.mark.django_db


def code_for(device) -> str:
    return pyotp.TOTP(base64.b32encode(device.bin_key).decode()).now()


def test_staff_without_a_device_are_sent_to_enrolment_then_back(world, client):
    TOTPDevice.objects.filter(user=world.users["tom"]).delete()
    world.login(client, "tom", verified=False)
    response = client.get("/emploi-du-temps/?semaine=2026-09-07")
    assert response.status_code == 302
    assert response.url == f"{reverse('accounts:mfa')}?next=%2Femploi-du-temps%2F%3Fsemaine%3D2026-09-07"


def test_staff_with_an_unverified_session_are_asked_a_code(world, client):
    world.login(client, "tom", verified=False)
    assert client.get("/notifications/").url.startswith(reverse("accounts:mfa"))
    world.login(client, "tom")
    assert client.get("/notifications/").status_code == 200


def test_pupils_and_guardians_pass_without_a_second_factor(world, client):
    for name in ("alice", "marie"):
        world.login(client, name)
        assert client.get("/notifications/").status_code == 200, name


def test_anonymous_requests_are_left_to_the_login_check(world, client):
    assert client.get("/notifications/").url.startswith(reverse("accounts:login"))


def enrol_page(client, next_url="/"):
    return client.get(reverse("accounts:mfa"), {"next": next_url})


def shown_secret(page) -> str:
    """The secret as the page shows it for typing by hand, without its spaces."""
    match = re.search(r'<code class="code secret">([A-Z2-7 ]+)</code>', text(page))
    assert match is not None
    return match.group(1).replace(" ", "")


def code_of(secret: str) -> str:
    return pyotp.TOTP(secret).now()


def test_enrolment_shows_a_qr_code_and_the_secret_then_confirms(world, client):
    tom = world.users["tom"]
    TOTPDevice.objects.filter(user=tom).delete()
    world.login(client, "tom", verified=False)

    page = enrol_page(client, "/annuaire/")
    assert 'class="qr-code"' in text(page)
    secret = shown_secret(page)
    # A reload shows the same secret (the phone may already have scanned it); nothing is in the database.
    assert shown_secret(enrol_page(client)) == secret
    assert not TOTPDevice.objects.filter(user=tom).exists()

    response = client.post(reverse("accounts:mfa"), {"code": code_of(secret), "next": "/annuaire/"})
    assert response.status_code == 302
    assert response.url == f"{reverse('accounts:mfa_recovery_codes')}?next=%2Fannuaire%2F"
    device = TOTPDevice.objects.get(user=tom)
    assert device.confirmed
    assert base64.b32encode(device.bin_key).decode() == secret
    assert client.session["otp_device_id"] == device.persistent_id

    codes_page = client.get(response.url)
    codes = re.findall(r'<code class="code">([a-z0-9-]+)</code>', text(codes_page))
    assert len(codes) == 10
    assert StaticToken.objects.filter(device__user=tom).count() == 10
    # Shown once only.
    assert client.get(response.url).status_code == 302
    assert client.get("/annuaire/").status_code == 200


def test_showing_the_enrolment_page_writes_nothing_but_the_session(world, client):
    TOTPDevice.objects.filter(user=world.users["tom"]).delete()
    world.login(client, "tom", verified=False)
    with CaptureQueriesContext(connection) as queries:
        assert enrol_page(client).status_code == 200
        assert enrol_page(client).status_code == 200
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
        and "django_session" not in q["sql"]
    ]
    assert writes == []


def test_each_session_gets_its_own_secret_and_only_its_own_works(world):
    """Secret fixation: a secret seen in another session (a shared computer, over a shoulder) is no use."""
    TOTPDevice.objects.filter(user=world.users["tom"]).delete()
    mine = world.login(Client(), "tom", verified=False)
    theirs = world.login(Client(), "tom", verified=False)
    my_secret, their_secret = shown_secret(enrol_page(mine)), shown_secret(enrol_page(theirs))
    assert my_secret != their_secret

    refused = theirs.post(reverse("accounts:mfa"), {"code": code_of(my_secret)})
    assert refused.status_code == 200 and "ne correspond pas" in text(refused)
    assert not TOTPDevice.objects.filter(user=world.users["tom"]).exists()

    assert mine.post(reverse("accounts:mfa"), {"code": code_of(my_secret)}).status_code == 302
    # Confirming ends the account's other sessions and keeps this one, now verified.
    assert theirs.get("/").url == f"{reverse('accounts:login')}?ended=1"
    assert mine.get("/").status_code == 200


def test_a_new_attempt_in_a_new_session_gets_a_new_secret(world):
    TOTPDevice.objects.filter(user=world.users["tom"]).delete()
    first = world.login(Client(), "tom", verified=False)
    old_secret = shown_secret(enrol_page(first))
    first.post(reverse("accounts:logout"))
    again = world.login(Client(), "tom", verified=False)
    assert shown_secret(enrol_page(again)) != old_secret


def test_wrong_enrolment_code_is_refused(world, client):
    TOTPDevice.objects.filter(user=world.users["tom"]).delete()
    world.login(client, "tom", verified=False)
    secret = shown_secret(enrol_page(client))
    for wrong in ("000000", "²²²²²²"):
        response = client.post(reverse("accounts:mfa"), {"code": wrong})
        assert response.status_code == 200
        assert not TOTPDevice.objects.filter(user=world.users["tom"]).exists()
    assert "ne correspond pas" in text(client.post(reverse("accounts:mfa"), {"code": "000000"}))
    # The same secret stays on the page: the phone that scanned it is still right.
    assert shown_secret(enrol_page(client)) == secret


def confirmed_device_with_codes(world, client, name="paul") -> tuple[TOTPDevice, list[str]]:
    """Enrol `name` through the pages and return the device and the recovery codes shown."""
    TOTPDevice.objects.filter(user=world.users[name]).delete()
    world.login(client, name, verified=False)
    secret = shown_secret(enrol_page(client))
    response = client.post(reverse("accounts:mfa"), {"code": code_of(secret)})
    device = TOTPDevice.objects.get(user=world.users[name])
    # Enrolling ended the account's other sessions: later logins of the world stamp the new generation.
    world.users[name].refresh_from_db()
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
    _device, codes = confirmed_device_with_codes(world, client)
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

    secret = shown_secret(enrol_page(client, "/annuaire/"))
    confirmed = client.post(reverse("accounts:mfa"), {"code": code_of(secret), "next": "/annuaire/"})
    codes_page = client.get(confirmed.url)
    assert 'href="/annuaire/"' in text(codes_page)
    assert client.get(reverse("directory:search")).status_code == 200


def test_a_pupil_reaches_the_directory_without_a_second_factor(world, client):
    world.login(client, "alice")
    assert client.get(reverse("directory:search")).status_code == 200
