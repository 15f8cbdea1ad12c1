"""Passwords young pupils can type (CNIL 2022: about 50 bits behind throttled logins), the stronger rule for
adults, and a school setting that keeps its pupils on the adults' rule."""

import pytest
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from cartable.accounts import actions
from cartable.accounts.passwords import ADULT_RULE, PUPIL_RULE, CnilPasswordValidator, rule_for, rules_for
from cartable.accounts.tests.helpers import text
from cartable.directory import actions as directory
from cartable.directory.models import Profile

pytestmark = pytest.mark.django_db

# 8 characters of three kinds, and a passphrase of 4 words and 16 characters: enough for a pupil only.
PUPIL_PASSWORD = "Chat2026"
PUPIL_PHRASE = "le chat est gris"


def test_the_two_rules():
    for password in (PUPIL_PASSWORD, PUPIL_PHRASE, "velo-rouge-du-lundi"):
        assert PUPIL_RULE.accepts(password), password
        assert not ADULT_RULE.accepts(password), password
    # Too short, two kinds only, or too few words.
    for password in ("Chat202", "chatchat2026", "un an de plus", "le-chat-noir-dort"[:12]):
        assert not PUPIL_RULE.accepts(password), password
    for password in ("Cartable-2026", "mon chien aime jouer dehors"):
        assert ADULT_RULE.accepts(password) and PUPIL_RULE.accepts(password), password


def test_the_rule_follows_the_persons_profile(world):
    rules = rules_for([world.users[name] for name in ("alice", "zoe", "marie", "tom", "ada", "root")])
    assert rules[world.alice.pk] is PUPIL_RULE
    assert rules[world.zoe.pk] is PUPIL_RULE
    for name in ("marie", "tom", "ada", "root"):
        assert rules[world.users[name].pk] is ADULT_RULE, name


def test_a_pupil_who_is_also_something_else_keeps_the_adult_rule(world):
    # An adult pupil who is also a parent in another school.
    directory.add_membership(world.person("alice"), world.school_b, Profile.RELATIVE)
    assert rule_for(world.alice) is ADULT_RULE


def test_the_school_setting_keeps_its_pupils_on_the_adult_rule(world):
    world.school_a.simple_pupil_passwords = False
    world.school_a.save()
    assert rule_for(world.alice) is ADULT_RULE
    assert rule_for(world.zoe) is PUPIL_RULE  # another school, setting on


def test_the_validator_applies_each_persons_rule(world):
    validator = CnilPasswordValidator()
    validator.validate(PUPIL_PASSWORD, world.alice)
    with pytest.raises(ValidationError) as refused:
        validator.validate(PUPIL_PASSWORD, world.marie)
    assert "12 caractères" in refused.value.messages[0]
    with pytest.raises(ValidationError) as refused:
        validator.validate("chat", world.alice)
    assert "8 caractères" in refused.value.messages[0]
    # No person (a new account being built): the adults' rule.
    with pytest.raises(ValidationError):
        validator.validate(PUPIL_PASSWORD, None)


def activate_with(client, world, name: str, password: str):
    user = world.users[name]
    user.password = make_password(None)
    user.activated_at = None
    user.save(update_fields=["password", "activated_at"])
    code = actions.issue_activation_code(user)
    client.post(reverse("accounts:activate"), {"username": user.username, "code": code})
    return client.post(reverse("accounts:activate_password"), {"password1": password, "password2": password})


def test_a_pupil_activates_with_a_short_password_and_sees_the_pupil_rule(world, client):
    user = world.alice
    user.password = make_password(None)
    user.activated_at = None
    user.save(update_fields=["password", "activated_at"])
    code = actions.issue_activation_code(user)
    client.post(reverse("accounts:activate"), {"username": user.username, "code": code})
    page = text(client.get(reverse("accounts:activate_password")))
    assert "au moins 8 caractères" in page
    assert 'data-min-length="8"' in page and 'data-passphrase-length="16"' in page
    response = client.post(
        reverse("accounts:activate_password"), {"password1": PUPIL_PASSWORD, "password2": PUPIL_PASSWORD}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(PUPIL_PASSWORD)


def test_a_parent_may_not_activate_with_a_pupils_password(world, client):
    response = activate_with(client, world, "marie", PUPIL_PASSWORD)
    assert response.status_code == 200
    assert "Mot de passe trop faible : il faut au moins 12 caractères" in text(response)
    assert 'data-min-length="12"' in text(response)


def test_a_pupil_of_a_school_that_turned_it_off_may_not(world, client):
    world.school_a.simple_pupil_passwords = False
    world.school_a.save()
    response = activate_with(client, world, "bob", PUPIL_PASSWORD)
    assert response.status_code == 200
    assert "au moins 12 caractères" in text(response)


def test_the_pupil_changes_their_password_under_the_pupil_rule(world, client):
    from tests.world import PASSWORD

    world.login(client, "alice")
    response = client.post(
        reverse("accounts:password_change"),
        {"current_password": PASSWORD, "password1": PUPIL_PHRASE, "password2": PUPIL_PHRASE},
    )
    assert response.status_code == 302
    world.alice.refresh_from_db()
    assert world.alice.check_password(PUPIL_PHRASE)


def test_the_school_admin_sets_the_rule_in_the_console(world, client):
    assert world.school_a.simple_pupil_passwords  # on by default
    world.login(client, "ada")
    url = reverse("console:settings", args=[world.school_a.uai])
    page = text(client.get(url))
    assert "Mots de passe plus simples pour les élèves" in page
    client.post(url, {"mfa_required_for_staff": "on"})
    world.school_a.refresh_from_db()
    assert not world.school_a.simple_pupil_passwords
    assert world.school_a.mfa_required_for_staff
    client.post(url, {"mfa_required_for_staff": "on", "simple_pupil_passwords": "on"})
    world.school_a.refresh_from_db()
    assert world.school_a.simple_pupil_passwords
    # Another school's admin cannot.
    world.login(client, "bruno")
    assert client.post(url, {}).status_code == 404
    world.school_a.refresh_from_db()
    assert world.school_a.simple_pupil_passwords
