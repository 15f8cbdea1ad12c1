"""The person page and the account actions: block, unblock, new activation code, password reset."""

import re

from django.contrib.auth import authenticate

from cartable.accounts import actions as accounts
from cartable.accounts.models import LoginEvent, User
from cartable.directory import actions as directory
from cartable.directory.models import Function, Person, Profile
from tests.world import PASSWORD

CODE = re.compile(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}")


def fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)


def shown_code(html: str) -> str:
    match = re.search(r'id="fresh-code">([^<]+)<', html)
    return match.group(1) if match else ""


def test_person_page_shows_identity_account_family_and_logins(world, client, url_a):
    alice = world.people["alice"]
    accounts.record_login_event(alice.user, LoginEvent.Kind.SUCCESS)
    LoginEvent.objects.create(user=world.users["bob"], kind=LoginEvent.Kind.FAILURE, ip="203.0.113.9")
    world.login(client, "ada")
    page = client.get(url_a("person", alice.pk)).text
    assert "alice.martin" in page and "Actif" in page and "6A" in page
    assert "Marie MARTIN" in page and "Marc MARTIN" in page
    assert "Connexion réussie" in page and "203.0.113.9" not in page


def test_family_from_another_school_is_not_shown(world, client, url_a):
    world.login(client, "ada")
    page = client.get(url_a("person", world.people["marie"].pk)).text
    assert "Alice MARTIN" in page
    assert "Léo MARTIN" not in page


def test_login_history_is_the_persons_own_and_paginated(world, client, url_a):
    alice = world.users["alice"]
    LoginEvent.objects.bulk_create(
        [LoginEvent(user=alice, kind="failure", ip="198.51.100.7") for _ in range(55)]
    )
    LoginEvent.objects.create(user=world.users["bob"], kind="success", ip="203.0.113.9")
    world.login(client, "ada")
    first = client.get(url_a("person_logins", world.people["alice"].pk)).text
    assert first.count("198.51.100.7") == 50 and "203.0.113.9" not in first
    second = client.get(url_a("person_logins", world.people["alice"].pk), {"page": 2}).text
    assert second.count("198.51.100.7") == 5


def test_block_asks_first_then_ends_the_users_sessions(world, client, client_factory, url_a):
    alice_client = world.login(client_factory(), "alice")
    world.login(client, "ada")
    url = url_a("person_block", world.people["alice"].pk)
    confirm = client.get(url)
    assert confirm.status_code == 200 and "déconnectée" in confirm.text
    assert not fresh(world.users["alice"]).is_blocked

    response = client.post(url)
    assert response.status_code == 302
    assert fresh(world.users["alice"]).is_blocked
    ended = alice_client.get("/")
    assert ended.status_code == 302 and ended["Location"].startswith("/auth/login")
    assert authenticate(username="alice.martin", password=PASSWORD) is None

    client.post(url_a("person_unblock", world.people["alice"].pk))
    assert not fresh(world.users["alice"]).is_blocked


def test_an_admin_cannot_block_themselves(world, client, url_a):
    world.login(client, "ada")
    response = client.post(url_a("person_block", world.people["ada"].pk), follow=True)
    assert "votre propre compte" in response.text
    assert not fresh(world.users["ada"]).is_blocked


def test_an_admin_cannot_take_over_a_more_powerful_account(world, client, url_a):
    """Bruno also administers school A: Ada could otherwise reset his password and reach school B."""
    directory.add_membership(world.people["bruno"], world.school_a, Profile.PERSONNEL, [Function.ADML])
    world.login(client, "ada")
    bruno = world.people["bruno"]
    for name in ("person_block", "person_code", "person_reset"):
        response = client.post(url_a(name, bruno.pk), follow=True)
        assert "aussi rattachée à l’établissement Collège Lumière" in response.text, name
    user = fresh(world.users["bruno"])
    assert not user.is_blocked and user.has_usable_password() and not user.activation_code_hash


def test_an_admin_cannot_take_over_the_platform_admin(world, client, url_a):
    root = world.users["root"]
    # The platform admin also holds a profile in school A.
    person = Person.objects.create(user=root, first_name="Rémi", last_name="Root")
    directory.add_membership(person, world.school_a, Profile.PERSONNEL)
    world.login(client, "ada")
    response = client.post(url_a("person_reset", person.pk), follow=True)
    assert "administrateur de la plateforme : vous ne pouvez pas le modifier" in response.text
    assert fresh(root).has_usable_password()


def test_platform_admin_may_block_a_school_admin(world, client, url_a):
    world.login(client, "root")
    client.post(url_a("person_block", world.people["ada"].pk))
    assert fresh(world.users["ada"]).is_blocked


def test_new_code_is_shown_once_and_activates(world, client, url_a):
    bob = world.people["bob"]
    User.objects.filter(pk=bob.user_id).update(activated_at=None)  # the letter was lost before activation
    world.login(client, "ada")
    response = client.post(url_a("person_code", bob.pk), follow=True)
    code = shown_code(response.text)
    assert CODE.fullmatch(code)
    assert accounts.check_activation_code(fresh(bob.user), code)
    again = client.get(url_a("person", bob.pk)).text
    assert code not in again

    second = shown_code(client.post(url_a("person_code", bob.pk), follow=True).text)
    assert not accounts.check_activation_code(fresh(bob.user), code)
    assert accounts.check_activation_code(fresh(bob.user), second)


def test_reset_password_stops_the_old_one_and_gives_a_code(world, client, client_factory, url_a):
    bob_client = world.login(client_factory(), "bob")
    world.login(client, "ada")
    response = client.post(url_a("person_reset", world.people["bob"].pk), follow=True)
    code = shown_code(response.text)
    user = fresh(world.users["bob"])
    assert authenticate(username="bob.durand", password=PASSWORD) is None
    assert accounts.check_activation_code(user, code)
    assert "Non activé" in response.text
    assert bob_client.get("/")["Location"].startswith("/auth/login")


def test_actions_do_nothing_on_get(world, client, url_a):
    world.login(client, "ada")
    for name in ("person_block", "person_reset"):
        assert client.get(url_a(name, world.people["bob"].pk)).status_code == 200
    # Bob has activated his account: no new code beside his password, the page sends to the reset.
    response = client.get(url_a("person_code", world.people["bob"].pk))
    assert response["Location"] == url_a("person_reset", world.people["bob"].pk)
    user = fresh(world.users["bob"])
    assert not user.is_blocked and user.has_usable_password() and not user.activation_code_hash


def test_account_actions_leave_a_trace_seen_by_the_schools_admins(world, client, url_a):
    from cartable.console import actions
    from cartable.console.models import AdminAction

    marie = world.users["marie"]
    # The platform admin acts on Marie from school B's console: school B's business only.
    actions.block_account(world.users["root"], world.school_b, marie)
    actions.unblock_account(world.users["root"], world.school_b, marie)
    gino = world.users["gino"]
    world.login(client, "ada")
    client.post(url_a("person_reset", world.people["gino"].pk))
    kinds = list(
        AdminAction.objects.filter(target__in=[marie, gino]).values_list(
            "school__uai", "actor__username", "kind"
        )
    )
    assert ("0750001A", "ada.lambert", "reset_password") in kinds and ("0690002B", "root", "block") in kinds
    page = client.get(url_a("person", world.people["gino"].pk)).text
    assert "Compte réinitialisé (mot de passe et sessions) — ada.lambert" in page
    assert "root" not in client.get(url_a("person", world.people["marie"].pk)).text


def test_reading_a_person_page_or_login_history_leaves_a_trace(world, client, url_a):
    """Rule C8: who read whose data in the console, and when; shown to the school's admins."""
    from cartable.console.models import AdminAction

    alice = world.people["alice"]
    world.login(client, "ada")
    client.get(url_a("person_logins", alice.pk))
    page = client.get(url_a("person", alice.pk)).text
    reads = list(
        AdminAction.objects.filter(target=alice.user).values_list("school__uai", "actor__username", "kind")
    )
    assert sorted(reads) == [
        ("0750001A", "ada.lambert", "view"),
        ("0750001A", "ada.lambert", "view_logins"),
    ]
    assert "Fiche consultée — ada.lambert" in page
    assert "Historique des connexions consulté — ada.lambert" in page
    # Reads are listed apart: the changes made to the account stay in sight.
    assert "Aucune action enregistrée." in page


def test_a_page_refused_leaves_no_read_trace(world, client):
    from cartable.console.models import AdminAction

    world.login(client, "bruno")
    response = client.get(f"/admin-ecole/{world.school_a.uai}/personnes/{world.people['alice'].pk}")
    assert response.status_code == 404
    assert not AdminAction.objects.exists()
