"""Who may manage an account (issue 10, item 1): an ADML only an account whose schools are all theirs.

Marie is a parent in school A (Alice) and in school B (Léo). A new code, a reset, blocking or a new address
from Ada's console would open school B to Ada (and the other way round for Bruno): neither may do any of it,
in the console, through a forged request, an import or a bulk reset. The platform admin may.
"""

import pytest
from django.contrib.auth import authenticate
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from cartable.accounts import actions as accounts
from cartable.accounts.models import User
from cartable.console import actions
from cartable.console.access import (
    belongs_only_to,
    can_manage_account,
    manageable_accounts,
    management_refusal,
)
from cartable.console.models import AdminAction
from cartable.directory import actions as directory
from cartable.directory.models import Profile
from cartable.lib.errors import Refused
from cartable.notifications.tests.conftest import text_of
from cartable.portal.models import CorrectionRequest
from tests.world import PASSWORD

ACCOUNT_ROUTES = (
    "person_block",
    "person_unblock",
    "person_code",
    "person_reset",
    "person_objection",
    "person_objection_withdraw",
)


def fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)


def console_url(world, school, name, *args):
    return reverse(f"console:{name}", args=[getattr(world, school).uai, *args])


def test_the_rule_as_a_predicate(world):
    users = world.users
    assert can_manage_account(users["ada"], users["alice"])
    assert can_manage_account(users["bruno"], users["zoe"])
    # Marie belongs to both schools: neither school's ADML alone, but the platform admin.
    assert not can_manage_account(users["ada"], users["marie"])
    assert not can_manage_account(users["bruno"], users["marie"])
    assert can_manage_account(users["root"], users["marie"])
    # Nobody manages their own account from the console, and no ADML the platform admin's.
    assert not can_manage_account(users["ada"], users["ada"])
    assert not can_manage_account(users["root"], users["root"])
    assert not can_manage_account(users["ada"], users["root"])
    # Not an ADML at all: nobody.
    assert not can_manage_account(users["paul"], users["alice"])
    assert manageable_accounts(users["ada"], [users["alice"], users["marie"], users["marc"]]) == [
        users["alice"],
        users["marc"],
    ]
    assert belongs_only_to(users["alice"], {world.school_a.pk})
    assert not belongs_only_to(users["marie"], {world.school_a.pk})
    assert belongs_only_to(users["marie"], {world.school_a.pk, world.school_b.pk})


def test_an_admin_of_both_schools_may_manage_marie(world):
    directory.add_membership(world.people["ada"], world.school_b, Profile.PERSONNEL, ["adml"])
    assert can_manage_account(fresh(world.users["ada"]), world.users["marie"])


def test_a_guardian_reaches_the_school_of_their_child_even_without_a_profile_there(world):
    # Gino is a parent in school A only; he becomes Zoé's guardian (school B) without a profile in B.
    directory.link_guardian(world.people["gino"], world.people["zoe"])
    assert not can_manage_account(world.users["ada"], world.users["gino"])
    refusal = management_refusal(world.users["ada"], world.users["gino"])
    assert refusal is not None and [s.name for s in refusal.other_schools] == ["Collège Lumière"]


@pytest.mark.parametrize(
    ("admin", "school", "other"),
    [("ada", "school_a", "Collège Lumière"), ("bruno", "school_b", "Collège Jean Moulin")],
)
def test_marie_is_read_only_in_each_schools_console(world, client, admin, school, other):
    marie = world.people["marie"]
    CorrectionRequest.objects.create(person=marie, school=getattr(world, school), message="Mon nom")
    world.login(client, admin)
    page = client.get(console_url(world, school, "person", marie.pk)).text
    assert f"aussi rattachée à l’établissement {other}" in page
    assert "administrateur de la plateforme" in page
    for name in (*ACCOUNT_ROUTES, "person_edit", "person_family"):
        assert console_url(world, school, name, marie.pk) not in page, name
    for name in (*ACCOUNT_ROUTES, "person_edit", "person_family"):
        response = client.post(
            console_url(world, school, name, marie.pk),
            {"last_name": "Pirate", "first_name": "Marie", "email": "evil@example.test"},
            follow=True,
        )
        assert response.status_code == 200, name
        assert f"aussi rattachée à l’établissement {other}" in response.text, name
    user = fresh(world.users["marie"])
    assert not user.is_blocked and not user.activation_code_hash
    assert user.email == "marie@example.test"
    assert authenticate(username="marie.martin", password=PASSWORD) is not None
    assert fresh(world.users["marie"]).person.last_name == "Martin"
    assert not AdminAction.objects.exclude(kind=AdminAction.Kind.VIEW).filter(target=user).exists()


def test_forged_calls_to_the_actions_are_refused(world):
    ada, marie = world.users["ada"], world.users["marie"]
    for act in (
        actions.block_account,
        actions.unblock_account,
        actions.new_activation_code,
        actions.reset_account,
        actions.record_objection,
        actions.withdraw_objection,
    ):
        with pytest.raises(PermissionDenied):
            act(ada, world.school_a, marie)
        with pytest.raises(PermissionDenied):
            act(world.users["bruno"], world.school_b, marie)
    assert actions.codes_for_letters(ada, world.school_a, [marie]) == {}
    user = fresh(marie)
    assert not user.is_blocked and user.has_usable_password() and not user.activation_code_hash


def test_the_platform_admin_may_act_on_marie(world, client):
    world.login(client, "root")
    marie = world.people["marie"]
    client.post(console_url(world, "school_a", "person_block", marie.pk))
    assert fresh(world.users["marie"]).is_blocked
    client.post(console_url(world, "school_b", "person_unblock", marie.pk))
    client.post(console_url(world, "school_b", "person_reset", marie.pk))
    user = fresh(world.users["marie"])
    assert not user.is_blocked and not user.has_usable_password() and user.activation_code_hash


# --- A new code on an activated account is a reset, told to the owner ---------------------------------


def test_a_new_code_for_an_activated_account_is_refused_even_forged(world, client):
    bob = world.people["bob"]
    with pytest.raises(Refused):
        actions.new_activation_code(world.users["ada"], world.school_a, bob.user)
    world.login(client, "ada")
    response = client.post(console_url(world, "school_a", "person_code", bob.pk))
    assert response["Location"] == console_url(world, "school_a", "person_reset", bob.pk)
    user = fresh(bob.user)
    assert user.is_activated and not user.activation_code_hash
    assert authenticate(username="bob.durand", password=PASSWORD) is not None


def test_reset_says_what_it_does_ends_password_and_sessions_and_tells_the_owner(
    world, client, client_factory, django_capture_on_commit_callbacks, run_tasks
):
    bob = world.people["bob"]
    bob_client = world.login(client_factory(), "bob")
    world.login(client, "ada")
    page = client.get(console_url(world, "school_a", "person", bob.pk)).text
    assert "Réinitialiser le compte" in page and "Nouveau code d’activation" not in page
    confirm = client.get(console_url(world, "school_a", "person_reset", bob.pk)).text
    assert "cessera de fonctionner" in confirm and "déconnectée de partout" in confirm
    assert "bob@example.test" in confirm
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(console_url(world, "school_a", "person_reset", bob.pk), follow=True)
    assert "Le compte est réinitialisé" in response.text
    assert authenticate(username="bob.durand", password=PASSWORD) is None
    assert bob_client.get("/")["Location"].startswith("/auth/login")
    assert AdminAction.objects.filter(target=bob.user, kind=AdminAction.Kind.RESET_PASSWORD).exists()
    assert mail.outbox == []  # sent by the worker, after the reset committed
    run_tasks()
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["bob@example.test"]
    assert sent.subject == "Cartable : votre compte a été réinitialisé"
    assert "bob.durand" in sent.body and "Collège Jean Moulin" in sent.body
    assert "ne fonctionne plus" in sent.body and "prévenez l’établissement" in sent.body
    code = response.text.split('id="fresh-code">')[1].split("<")[0]
    assert accounts.check_activation_code(fresh(bob.user), code)
    assert code not in sent.body


def test_reset_without_an_address_sends_nothing_and_says_so(
    world, client, django_capture_on_commit_callbacks, run_tasks
):
    User.objects.filter(pk=world.users["bob"].pk).update(email="")
    bob = world.people["bob"]
    world.login(client, "ada")
    confirm = client.get(console_url(world, "school_a", "person_reset", bob.pk)).text
    assert "pas d’adresse électronique" in confirm
    with django_capture_on_commit_callbacks(execute=True):
        client.post(console_url(world, "school_a", "person_reset", bob.pk))
    run_tasks()
    assert mail.outbox == []


def test_the_reset_notice_is_in_the_owners_language(
    world, client, django_capture_on_commit_callbacks, run_tasks
):
    User.objects.filter(pk=world.users["bob"].pk).update(language="en")
    world.login(client, "ada")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(console_url(world, "school_a", "person_reset", world.people["bob"].pk))
    run_tasks()
    assert mail.outbox[0].subject == "Cartable: your account has been reset"


# --- The bulk reset of pupils ---------------------------------------------------------------------------


def test_bulk_reset_leaves_a_pupil_of_two_schools_to_the_platform_admin(world, client):
    # Alice also has a profile of pupil in school B.
    directory.add_membership(world.people["alice"], world.school_b, Profile.STUDENT)
    url = reverse("console:pupils_reset", args=[world.school_a.uai])
    world.login(client, "ada")
    confirm = client.post(url, {"classe": world.class_6a.pk}).text
    assert "1 élève de la classe 6A sera déconnecté" in confirm
    assert "Alice MARTIN" in confirm and "établissement que vous n’administrez pas" in confirm
    done = client.post(url, {"classe": world.class_6a.pk, "confirm": "1"}, follow=True).text
    assert "1 compte n’a pas été réinitialisé" in done
    assert authenticate(username="alice.martin", password=PASSWORD) is not None
    assert authenticate(username="bob.durand", password=PASSWORD) is None

    result = actions.reset_pupil_passwords(world.users["root"], world.school_a, world.class_6a)
    assert (result.reset, result.skipped) == (2, 0)
    assert authenticate(username="alice.martin", password=PASSWORD) is None


def test_the_reset_notice_reaches_a_real_mail_server(
    world, client, smtp, django_capture_on_commit_callbacks, run_tasks
):
    world.login(client, "ada")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(console_url(world, "school_a", "person_reset", world.people["gino"].pk))
    run_tasks()
    assert [m["To"] for m in smtp.messages] == ["gino@example.test"]
    assert "gino.petit" in text_of(smtp.messages[0])
