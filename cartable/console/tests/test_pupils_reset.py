"""The ADML's bulk reset of a school's pupils' passwords, after hijacked accounts (console:pupils_reset):
who may, what it changes, what it leaves alone, what it costs."""

import pytest
from django.contrib.auth.hashers import make_password
from django.urls import reverse

from cartable.accounts import actions as accounts
from cartable.accounts.models import User
from cartable.communication.models import CommunicationChange
from cartable.communication.tests.test_queries import crowd
from cartable.console import actions
from cartable.console.models import AdminAction
from cartable.directory.models import Profile

pytestmark = pytest.mark.django_db


def reset_url(world):
    return reverse("console:pupils_reset", args=[world.school_a.uai])


def test_the_page_costs_the_same_with_more_pupils(world, as_user, django_assert_max_num_queries):
    for size in (0, 60):
        if size:
            crowd(world, world.class_6a, size)
        browser = as_user("ada")
        browser.get(reset_url(world))  # warm the shared cache as an earlier visit would
        with django_assert_max_num_queries(6):
            assert browser.get(reset_url(world)).status_code == 200


def test_reset_of_one_class(world, as_user):
    alice_before = User.objects.get(pk=world.alice.pk)
    alice_browser = as_user("alice")
    carl_browser = as_user("carl")
    ada = as_user("ada")
    response = ada.post(reset_url(world), {"classe": world.class_6a.pk})
    assert "2 élèves de la classe 6A seront déconnectés" in response.content.decode()
    response = ada.post(reset_url(world), {"classe": world.class_6a.pk, "confirm": "1"})
    assert response.status_code == 302
    assert (
        response["Location"]
        == reverse("console:letters", args=[world.school_a.uai]) + f"?classe={world.class_6a.pk}"
    )
    alice = User.objects.get(pk=world.alice.pk)
    assert not alice.has_usable_password()
    assert alice.session_generation == alice_before.session_generation + 1
    assert alice.activation_code_hash and alice.activation_code_hash != alice_before.activation_code_hash
    assert not alice.is_activated  # so the letters page prints her letter
    # Her sessions ended; Carl (5B) and the parents keep theirs.
    assert alice_browser.get("/").status_code == 302
    assert carl_browser.get("/").status_code == 200
    assert User.objects.get(pk=world.marie.pk).has_usable_password()
    assert (
        AdminAction.objects.filter(kind=AdminAction.Kind.RESET_PASSWORD, school=world.school_a).count() == 2
    )
    letters = ada.get(reverse("console:letters", args=[world.school_a.uai]), {"classe": world.class_6a.pk})
    assert "Alice MARTIN" in letters.content.decode()


def test_reset_of_every_pupil_of_the_school_leaves_the_other_school_alone(world, as_user):
    zoe_before = User.objects.get(pk=world.zoe.pk)
    as_user("ada").post(reset_url(world), {"classe": "", "confirm": "1"})
    for name in ("alice", "bob", "carl"):
        assert not User.objects.get(pk=world.users[name].pk).has_usable_password(), name
    zoe = User.objects.get(pk=world.zoe.pk)
    assert zoe.password == zoe_before.password
    assert zoe.session_generation == zoe_before.session_generation
    assert zoe.activation_code_hash == zoe_before.activation_code_hash
    leo = User.objects.get(pk=world.leo.pk)
    assert leo.has_usable_password()
    for name in ("tom", "marie", "ada"):
        assert User.objects.get(pk=world.users[name].pk).has_usable_password(), name
    change = CommunicationChange.objects.get(school=world.school_a)
    assert change.kind == CommunicationChange.Kind.PUPILS_RESET and change.detail == "3"


def test_new_code_activates_the_account(world):
    actions.reset_pupil_passwords(world.ada, world.school_a, world.class_6a)
    alice = User.objects.get(pk=world.alice.pk)
    code = accounts.issue_activation_code(alice)  # as printing her letter does
    assert accounts.check_activation_code(alice, code)
    accounts.activate_account(alice, "Nouveau-Mot-De-Passe-2026!")
    assert User.objects.get(pk=alice.pk).is_activated


def test_reset_of_another_schools_class_is_refused(world, as_user):
    response = as_user("ada").post(reset_url(world), {"classe": world.class_6c.pk, "confirm": "1"})
    assert response.status_code == 400
    assert "Sélectionnez un choix valide" in response.content.decode()
    assert User.objects.get(pk=world.zoe.pk).has_usable_password()


def test_reset_never_touches_an_account_the_admin_may_not_manage(world):
    """A pupil who is also the ADML of the school (a test account, say) is skipped by another ADML."""
    from cartable.directory import actions as directory

    directory.add_membership(world.person("ada"), world.school_a, Profile.STUDENT)
    result = actions.reset_pupil_passwords(world.ada, world.school_a)
    assert result.skipped == 1  # her own account
    assert User.objects.get(pk=world.ada.pk).has_usable_password()


def test_reset_page_for_bruno_is_404(world, as_user):
    User.objects.filter(pk=world.alice.pk).update(password=make_password("x"))
    assert as_user("bruno").post(reset_url(world), {"confirm": "1"}).status_code == 404
    assert User.objects.get(pk=world.alice.pk).has_usable_password()


def test_bulk_reset_costs_the_same_for_3_or_63_pupils(world, django_assert_max_num_queries):
    with django_assert_max_num_queries(20) as small:
        actions.reset_pupil_passwords(world.ada, world.school_a)
    crowd(world, world.class_6a, 60)
    with django_assert_max_num_queries(len(small.captured_queries)):
        result = actions.reset_pupil_passwords(world.ada, world.school_a)
    assert result.reset == 63
