"""A parent keeps their own mobile number (the notifications' one SMS number) and email address up to date
from "Mes données", and may give them during the activation; every change is traced in their history."""

import pytest
from django.contrib.auth.hashers import make_password
from django.core import mail
from django.urls import reverse

from cartable.accounts import actions as accounts
from cartable.accounts.models import LoginEvent, User
from cartable.accounts.tests.helpers import text
from cartable.notifications.models import DeliverySettings
from tests.world import PASSWORD

pytestmark = pytest.mark.django_db

CONTACT = "/me/coordonnees"
NEW_PASSWORD = "Mon-Nouveau-Cartable-2026"


def sms_phone(world, name: str) -> str:
    found = DeliverySettings.objects.filter(person=world.person(name)).first()
    return found.sms_phone if found else ""


def post_contact(client, world, name="marie", **data):
    return client.post(CONTACT, {"email": f"{name}@example.test", **data})


def test_me_shows_the_mobile_number_and_leads_to_the_form(world, client):
    DeliverySettings.objects.create(person=world.person("marie"), sms_phone="+33612345678")
    world.login(client, "marie")
    page = text(client.get(reverse("portal:me")))
    assert "+33612345678" in page
    assert CONTACT in page
    form = text(client.get(CONTACT))
    assert 'value="+33612345678"' in form and 'value="marie@example.test"' in form
    assert 'type="tel"' in form and 'autocomplete="tel"' in form


def test_a_parent_adds_a_mobile_number_without_retyping_the_password(world, client):
    world.login(client, "marie")
    response = post_contact(client, world, sms_phone="06 12 34 56 78")
    assert response.status_code == 302 and response.url == reverse("portal:me")
    # The one SMS number of the notifications, in international form; no second phone field anywhere.
    assert sms_phone(world, "marie") == "+33612345678"
    assert LoginEvent.objects.filter(user=world.marie, kind=LoginEvent.Kind.PHONE_CHANGED).count() == 1
    # The preferences page shows the same number.
    assert 'value="+33612345678"' in text(client.get(reverse("notifications:preferences")))
    # Saving the same number again is no change, and no trace.
    post_contact(client, world, sms_phone="+33 6 12 34 56 78")
    assert LoginEvent.objects.filter(user=world.marie, kind=LoginEvent.Kind.PHONE_CHANGED).count() == 1
    # An empty field removes it.
    post_contact(client, world, sms_phone="")
    assert sms_phone(world, "marie") == ""
    assert LoginEvent.objects.filter(user=world.marie, kind=LoginEvent.Kind.PHONE_CHANGED).count() == 2


@pytest.mark.parametrize("typed", ["01 23 45 67 89", "06 12 34", "+44 7700 900123", "mon numéro"])
def test_a_number_that_is_not_a_french_mobile_gets_a_clear_message(world, client, typed):
    world.login(client, "marie")
    response = post_contact(client, world, sms_phone=typed)
    assert response.status_code == 200
    content = text(response)
    assert "n'est pas un numéro de mobile français" in content
    assert "06 12 34 56 78" in content
    assert f'value="{typed}"' in content  # kept to be corrected
    assert sms_phone(world, "marie") == ""
    assert not LoginEvent.objects.filter(kind=LoginEvent.Kind.PHONE_CHANGED).exists()


def test_a_phone_change_from_the_preferences_is_traced_too(world, client):
    world.login(client, "marie")
    data = {"quiet_enabled": "on", "quiet_start": "20:00", "quiet_end": "07:00", "sms_phone": "0761234567"}
    client.post(reverse("notifications:preferences"), data)
    assert sms_phone(world, "marie") == "+33761234567"
    assert LoginEvent.objects.filter(user=world.marie, kind=LoginEvent.Kind.PHONE_CHANGED).exists()


def test_the_changes_are_in_the_owners_history(world, client, django_capture_on_commit_callbacks):
    world.login(client, "marie")
    with django_capture_on_commit_callbacks(execute=False):
        post_contact(client, world, sms_phone="0612345678", current_password=PASSWORD)
        client.post(CONTACT, {"email": "nouvelle@courriel.test", "current_password": PASSWORD})
    history = text(client.get(reverse("accounts:sessions")))
    assert "Numéro de mobile modifié" in history
    assert "Nouvelle adresse électronique saisie (à confirmer)" in history


def test_nothing_changes_for_another_person(world, client):
    """The form only ever writes the logged-in person's own details."""
    world.login(client, "marie")
    post_contact(client, world, sms_phone="0612345678", person=world.person("marc").pk)
    assert sms_phone(world, "marc") == ""
    assert sms_phone(world, "marie") == "+33612345678"


def test_the_platform_admin_has_an_address_but_no_mobile(world, client):
    world.login(client, "root")
    page = text(client.get(CONTACT))
    assert 'name="email"' in page and 'name="sms_phone"' not in page


def test_anonymous_is_sent_to_log_in(client, world):
    response = client.get(CONTACT)
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))


# The optional step of the activation


def activate(client, world, name="beatrice"):
    user = world.users[name]
    User.objects.filter(pk=user.pk).update(password=make_password(None), activated_at=None)
    code = accounts.issue_activation_code(User.objects.get(pk=user.pk))
    client.post(reverse("accounts:activate"), {"username": user.username, "code": code})
    response = client.post(
        reverse("accounts:activate_password"), {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    # The world has accepted the charter: it sends on to the contact step.
    return client.get(client.get(response.url).url)


def test_the_activation_offers_the_contact_step_after_the_password(
    world, client, run_tasks, django_capture_on_commit_callbacks
):
    page = activate(client, world)
    assert page.status_code == 200
    content = text(page)
    assert "Étape 3 sur 4" in content and "Passer cette étape" in content
    assert 'name="current_password"' not in content  # the password was just chosen
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accounts:activate_contact"),
            {"email": "beatrice.durand@courriel.test", "sms_phone": "07 61 23 45 67"},
        )
    run_tasks()
    assert response.status_code == 302 and response.url == reverse("accounts:welcome")
    assert sms_phone(world, "beatrice") == "+33761234567"
    user = User.objects.get(pk=world.beatrice.pk)
    assert user.pending_email == "beatrice.durand@courriel.test" and user.email == "beatrice@example.test"
    assert [m.to for m in mail.outbox] == [["beatrice.durand@courriel.test"]]
    # The step is over: its address now leads on, and a later change asks for the password.
    assert client.get(reverse("accounts:activate_contact")).url == reverse("accounts:welcome")
    refused = client.post(CONTACT, {"email": "autre@courriel.test"})
    assert refused.status_code == 200 and "Tapez votre mot de passe actuel" in text(refused)


def test_the_step_can_be_skipped_and_then_is_gone(world, client):
    activate(client, world)
    welcome = client.get(reverse("accounts:welcome"))
    assert welcome.status_code == 200
    response = client.post(reverse("accounts:activate_contact"), {"email": "pirate@courriel.test"})
    assert response.status_code == 302 and response.url == reverse("accounts:welcome")
    assert User.objects.get(pk=world.beatrice.pk).pending_email == ""


def test_without_an_activation_the_step_asks_nothing_and_changes_nothing(world, client):
    """An open session (someone else at the keyboard) cannot use the step to skip the password."""
    world.login(client, "marie")
    response = client.post(reverse("accounts:activate_contact"), {"email": "pirate@courriel.test"})
    assert response.status_code == 302 and response.url == reverse("accounts:welcome")
    assert User.objects.get(pk=world.marie.pk).pending_email == ""
