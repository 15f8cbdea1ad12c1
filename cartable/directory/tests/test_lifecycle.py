"""Account lifecycle: people who leave are deactivated, come back, or are purged (rule C5)."""

import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from cartable.access import policy
from cartable.accounts.models import CharterAcceptance, LoginEvent, User
from cartable.directory import actions
from cartable.directory.models import Enrolment, Guardianship, Membership, Person
from cartable.feeds.models import ImageRightsConsent
from cartable.portal.models import CorrectionRequest
from tests.world import PASSWORD

pytestmark = pytest.mark.django_db

START = dt.datetime(2027, 1, 10, 8, 0, tzinfo=dt.UTC)


def log_in(client, username):
    return client.post(reverse("accounts:login"), {"username": username, "password": PASSWORD})


def sent_to_login(response) -> bool:
    return response.status_code == 302 and response.url.startswith(reverse("accounts:login"))


def fresh(person: Person) -> Person:
    return Person.objects.select_related("user").get(pk=person.pk)


def test_a_deactivated_person_cannot_log_in_and_their_sessions_end(world, client):
    alice = world.person("alice")
    generation = alice.user.session_generation
    world.login(client, "alice")
    assert client.get("/").status_code == 200

    assert actions.deactivate_people([alice.pk], START) == 1

    alice = fresh(alice)
    assert alice.left_at == START
    assert not alice.user.is_active
    assert alice.user.session_generation == generation + 1
    assert sent_to_login(client.get("/"))
    client.logout()
    response = log_in(client, alice.user.username)
    assert response.status_code == 401
    assert "_auth_user_id" not in client.session


def test_deactivating_twice_keeps_the_first_date(world):
    alice = world.person("alice")
    actions.deactivate_people([alice.pk], START)
    assert actions.deactivate_people([alice.pk], START + dt.timedelta(days=3)) == 0
    assert fresh(alice).left_at == START


def test_a_deactivated_person_vanishes_from_pickers_but_not_for_themself_or_the_admc(world):
    alice = world.person("alice")
    assert alice in policy.people_visible_to(world.users["tom"])
    assert alice in policy.people_visible_to(world.users["ada"])
    actions.deactivate_people([alice.pk], START)

    for viewer in ("tom", "ada", "paul", "marie", "bob"):
        assert alice not in policy.people_visible_to(world.users[viewer]), viewer
    assert world.person("bob") in policy.people_visible_to(world.users["tom"])
    assert alice in policy.people_visible_to(world.users["alice"])
    assert alice in policy.people_visible_to(world.users["root"])


def test_a_reactivated_person_logs_in_again_and_is_visible_again(world, client):
    alice = world.person("alice")
    actions.deactivate_people([alice.pk], START)
    actions.reactivate_people([alice.pk])

    alice = fresh(alice)
    assert alice.left_at is None
    assert alice.user.is_active
    assert alice in policy.people_visible_to(world.users["tom"])
    response = log_in(client, alice.user.username)
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


# -- purge (rule C5) -----------------------------------------------------------------------------------------


def purge_on(day: int) -> str:
    with time_machine.travel(START + dt.timedelta(days=day, hours=1), tick=False):
        out = StringIO()
        call_command("purge_expired_accounts", stdout=out)
        return out.getvalue()


def test_nothing_is_purged_before_90_days_and_everything_after(world):
    alice = world.person("alice")
    LoginEvent.objects.create(user=alice.user, kind=LoginEvent.Kind.SUCCESS)
    ImageRightsConsent.objects.create(person=alice, granted=True)
    CorrectionRequest.objects.create(person=alice, school=world.school_a, message="Mon prénom")
    TOTPDevice.objects.create(user=alice.user, name="téléphone")
    actions.deactivate_people([alice.pk], START)

    assert "0 comptes anonymisés" in purge_on(89)
    alice = fresh(alice)
    assert alice.first_name == "Alice" and alice.memberships.exists()

    assert "1 comptes anonymisés" in purge_on(91)

    alice = fresh(alice)
    assert (alice.first_name, alice.last_name, alice.birth_date, alice.ine, alice.aaf_jointure) == (
        "Ancien",
        "compte",
        None,
        "",
        "",
    )
    assert str(alice) == "Ancien COMPTE"
    assert alice.user.username == f"ancien-{alice.user_id}"
    assert alice.user.email == "" and not alice.user.has_usable_password() and not alice.user.is_active
    assert not Membership.objects.filter(person=alice).exists()
    assert not Enrolment.objects.filter(student=alice).exists()
    assert not Guardianship.objects.filter(student=alice).exists()
    assert not LoginEvent.objects.filter(user=alice.user).exists()
    assert not CharterAcceptance.objects.filter(user=alice.user).exists()
    assert not ImageRightsConsent.objects.filter(person=alice).exists()
    assert not CorrectionRequest.objects.filter(person=alice).exists()
    assert not TOTPDevice.objects.filter(user=alice.user).exists()
    # Everyone else is untouched, and a second run changes nothing.
    assert Person.objects.get(pk=world.person("bob").pk).memberships.exists()
    assert purge_on(92).startswith("0 comptes anonymisés") and "0 comptes supprimés" in purge_on(92)


def test_a_person_who_objected_is_deleted_entirely(world):
    alice = world.person("alice")
    Person.objects.filter(pk=alice.pk).update(keep_contributions=False)
    actions.deactivate_people([alice.pk], START)

    assert "1 comptes supprimés" in purge_on(91)

    assert not Person.objects.filter(pk=alice.pk).exists()
    assert not User.objects.filter(pk=alice.user_id).exists()
    assert not Guardianship.objects.filter(student_id=alice.pk).exists()


def test_a_person_back_before_the_purge_keeps_everything(world):
    alice = world.person("alice")
    actions.deactivate_people([alice.pk], START)
    with time_machine.travel(START + dt.timedelta(days=60), tick=False):
        actions.reactivate_people([alice.pk])

    purge_on(120)

    alice = fresh(alice)
    assert alice.first_name == "Alice" and alice.user.is_active
    assert alice.memberships.exists() and Guardianship.objects.filter(student=alice).exists()


def test_the_delay_is_never_longer_than_92_days(world, settings):
    alice = world.person("alice")
    actions.deactivate_people([alice.pk], START)
    settings.ACCOUNT_PURGE_DAYS = 92

    assert actions.purge_expired_accounts(START + dt.timedelta(days=93), days=400).anonymized == 1


def test_the_delay_can_be_shortened(world):
    alice = world.person("alice")
    actions.deactivate_people([alice.pk], START)
    with time_machine.travel(START + dt.timedelta(days=31), tick=False):
        out = StringIO()
        call_command("purge_expired_accounts", "--days", "30", stdout=out)
    assert "1 comptes anonymisés" in out.getvalue()
