"""Activation: login + code from the letter → password → charter → information notice → home."""

from datetime import timedelta

import pytest
from django.contrib.auth.hashers import make_password
from django.urls import reverse
from django.utils import timezone

from cartable.accounts import actions
from cartable.accounts.models import CharterAcceptance, LoginEvent, User
from cartable.accounts.tests.helpers import text

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Mon-Nouveau-Cartable-2026"
GENERIC_ERROR = "Identifiant ou code d'activation incorrect, ou code expiré."


def new_account(world, name="bob") -> User:
    """A persona as freshly imported: no password yet, and a code from the letter."""
    user = world.users[name]
    user.password = make_password(None)
    user.activated_at = None
    user.save(update_fields=["password", "activated_at"])
    return user


def submit_code(client, username, code):
    return client.post(reverse("accounts:activate"), {"username": username, "code": code})


def choose_password(client, password=NEW_PASSWORD, again=None):
    return client.post(
        reverse("accounts:activate_password"), {"password1": password, "password2": again or password}
    )


def test_happy_path_from_letter_to_home(world, client):
    user = new_account(world)
    CharterAcceptance.objects.filter(user=user).delete()
    code = actions.issue_activation_code(user)
    # People type codes from paper: lower case, spaces instead of dashes.
    typed = code.lower().replace("-", " ")

    response = submit_code(client, "  Bob.Durand ", typed)
    assert response.status_code == 302
    assert response.url == reverse("accounts:activate_password")

    page = client.get(response.url)
    assert "bob.durand" in text(page)
    assert 'data-strength="password-strength"' in text(page)

    response = choose_password(client)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:charter"))

    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert user.password.startswith("argon2$argon2id$")
    assert user.activated_at is not None
    assert not user.activation_code_hash
    assert LoginEvent.objects.filter(user=user, kind=LoginEvent.Kind.SUCCESS).exists()

    # The user is logged in and meets the charter before anything else.
    charter_page = client.get(response.url)
    assert charter_page.status_code == 200
    assert world.charter.body in text(charter_page)

    accepted = client.post(response.url, {"accept": "on"})
    assert accepted.status_code == 302
    # The optional step: an email address and a mobile number (cartable/portal/tests/test_contact.py).
    assert accepted.url == reverse("accounts:activate_contact")
    assert "Passer cette étape" in text(client.get(accepted.url))

    welcome = client.get(reverse("accounts:welcome"))
    content = text(welcome)
    assert reverse("portal:notice") in content
    assert "Continuer vers l'accueil" in content
    assert actions.has_accepted_current_charter(user)


def test_password_policy_errors_re_render_with_the_login(world, client):
    user = new_account(world)
    submit_code(client, "bob.durand", actions.issue_activation_code(user))

    response = choose_password(client, "court")
    assert response.status_code == 200
    content = text(response)
    assert "Mot de passe trop faible" in content
    assert "bob.durand" in content

    mismatch = choose_password(client, NEW_PASSWORD, NEW_PASSWORD + "x")
    assert "ne sont pas identiques" in text(mismatch)

    user.refresh_from_db()
    assert not user.has_usable_password()
    # Still on step 2: a good password now goes through.
    assert choose_password(client).status_code == 302


def test_expired_code_is_refused_with_the_generic_message(world, client):
    user = new_account(world)
    code = actions.issue_activation_code(user, now=timezone.now() - timedelta(days=365))
    response = submit_code(client, "bob.durand", code)
    assert response.status_code == 400
    assert GENERIC_ERROR in text(response)
    assert reverse("accounts:activate_password") != response.get("Location")


def test_code_works_only_once(world, client, django_user_model):
    user = new_account(world)
    code = actions.issue_activation_code(user)
    submit_code(client, "bob.durand", code)
    choose_password(client)

    other = type(client)()
    response = submit_code(other, "bob.durand", code)
    assert response.status_code == 400
    assert GENERIC_ERROR in text(response)


def test_wrong_code_and_unknown_login_look_the_same(world, client):
    user = new_account(world)
    actions.issue_activation_code(user)

    wrong_code = submit_code(client, "bob.durand", "AAAA-BBBB-CCCC")
    unknown = submit_code(client, "personne.inconnue", "AAAA-BBBB-CCCC")
    assert wrong_code.status_code == unknown.status_code == 400
    assert GENERIC_ERROR in text(wrong_code)
    assert GENERIC_ERROR in text(unknown)


def test_blocked_account_cannot_activate_and_the_codes_holder_is_told_why(world, client):
    user = new_account(world)
    code = actions.issue_activation_code(user)
    actions.block_user(user)
    response = submit_code(client, "bob.durand", code)
    assert response.status_code == 403
    assert "Votre compte est bloqué" in text(response)
    assert reverse("accounts:activate_password") != response.get("Location")
    # A wrong code for the blocked account: the generic answer, nothing revealed.
    wrong = submit_code(client, "bob.durand", "AAAA-BBBB-CCCC")
    assert wrong.status_code == 400
    assert GENERIC_ERROR in text(wrong) and "bloqué" not in text(wrong)


def test_deactivated_account_cannot_activate(world, client):
    user = new_account(world)
    code = actions.issue_activation_code(user)
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert submit_code(client, "bob.durand", code).status_code == 400


def test_deactivation_stops_an_activation_in_progress(world, client):
    user = new_account(world)
    submit_code(client, "bob.durand", actions.issue_activation_code(user))
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert choose_password(client).url == reverse("accounts:activate")
    user.refresh_from_db()
    assert not user.has_usable_password()


def test_password_step_needs_a_code_checked_in_this_session(world, client):
    new_account(world)
    response = choose_password(client)
    assert response.status_code == 302
    assert response.url == reverse("accounts:activate")


def test_a_new_letter_cancels_a_step_2_in_progress(world, client):
    user = new_account(world)
    submit_code(client, "bob.durand", actions.issue_activation_code(user))
    # The school printed a new letter meanwhile: the old code must not carry on.
    actions.issue_activation_code(user)
    response = choose_password(client)
    assert response.status_code == 302
    assert response.url == reverse("accounts:activate")
    user.refresh_from_db()
    assert not user.has_usable_password()


def test_activation_failures_count_toward_the_login_throttle(world, client, settings):
    user = new_account(world)
    code = actions.issue_activation_code(user)
    for _ in range(settings.LOGIN_FAILURES_PER_ACCOUNT):
        assert submit_code(client, "bob.durand", "AAAA-BBBB-CCCC").status_code == 400
    response = submit_code(client, "bob.durand", code)
    assert response.status_code == 429
    assert "Trop de tentatives" in text(response)
    # ... and the login form shares the same counter for this account.
    login = client.post(reverse("accounts:login"), {"username": "bob.durand", "password": "x"})
    assert login.status_code == 429


def test_admin_reset_lets_an_activated_account_choose_again(world, client):
    user = world.users["alice"]
    code = actions.reset_password_by_admin(user)
    submit_code(client, "alice.martin", code)
    assert choose_password(client).status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
