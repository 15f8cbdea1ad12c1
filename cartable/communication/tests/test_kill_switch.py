"""Kill-switches: a school's ADML or the platform admin stops a profile from sending, effective at the next
request of every server process."""

import io

import pytest
from django.core.exceptions import PermissionDenied

from cartable.communication import actions
from cartable.communication.models import CommunicationChange, SendingPause
from cartable.communication.rules import may_send
from cartable.directory.models import Profile

pytestmark = pytest.mark.django_db


def test_sending_is_open_by_default(world):
    for name in ("alice", "marie", "tom", "zoe", "root"):
        assert may_send(world.users[name]), name


def test_school_switch_stops_its_pupils_only(world):
    alice = world.alice
    assert may_send(alice)  # the viewer facts of this user object are now cached
    assert actions.pause_sending(world.ada, world.school_a, Profile.STUDENT)
    verdict = may_send(alice)
    assert not verdict
    assert "Élève" in str(verdict.reason) and world.school_a.name in str(verdict.reason)
    assert not may_send(world.carl)
    assert may_send(world.zoe)  # another school
    assert may_send(world.tom)
    assert may_send(world.marie)
    assert actions.resume_sending(world.ada, world.school_a, Profile.STUDENT)
    assert may_send(alice)


def test_platform_switch_stops_a_profile_everywhere(world):
    actions.pause_sending(world.root, None, Profile.RELATIVE)
    for name in ("marie", "beatrice", "zack"):
        verdict = may_send(world.users[name])
        assert not verdict
        assert "toute la plateforme" in str(verdict.reason)
    assert may_send(world.alice)
    assert may_send(world.xavier)


def test_a_switch_in_one_of_my_schools_stops_me(world):
    # Marie is a parent in both schools: school B stopping parents stops her.
    actions.pause_sending(world.bruno, world.school_b, Profile.RELATIVE)
    assert not may_send(world.marie)
    assert may_send(world.beatrice)


def test_the_state_is_read_from_the_database_every_time(world):
    """Another server process flips the switch: nothing kept in this process' memory or cache hides it."""
    alice = world.alice
    assert may_send(alice)
    SendingPause.objects.create(school=world.school_a, profile=Profile.STUDENT)  # written elsewhere
    assert not may_send(alice)
    SendingPause.objects.all().delete()
    assert may_send(alice)


def test_the_state_is_kept_in_no_cache(world):
    """Nothing about the switches sits in a cache a process could read stale: once the user's facts are known,
    may_send() reads the database and nothing else."""
    from unittest import mock

    from django.core.cache import cache

    alice = world.alice
    may_send(alice)
    stale = AssertionError("may_send must not read a cache")
    with (
        mock.patch.object(cache, "get", side_effect=stale),
        mock.patch.object(cache, "get_many", side_effect=stale),
    ):
        assert may_send(alice)
        SendingPause.objects.create(school=None, profile=Profile.STUDENT)
        assert not may_send(alice)


def test_may_send_costs_one_query(world, django_assert_num_queries):
    alice = world.alice
    may_send(alice)
    with django_assert_num_queries(1):
        may_send(alice)


def test_only_admins_flip_switches(world):
    with pytest.raises(PermissionDenied):
        actions.pause_sending(world.bruno, world.school_a, Profile.STUDENT)
    with pytest.raises(PermissionDenied):
        actions.pause_sending(world.tom, world.school_a, Profile.STUDENT)
    with pytest.raises(PermissionDenied):
        actions.pause_sending(world.ada, None, Profile.STUDENT)  # the platform is the ADMC's
    with pytest.raises(ValueError):
        actions.pause_sending(world.ada, world.school_a, "Pirate")
    assert not SendingPause.objects.exists()


def test_switches_are_traced_and_idempotent(world):
    assert actions.pause_sending(world.ada, world.school_a, Profile.STUDENT)
    assert not actions.pause_sending(world.ada, world.school_a, Profile.STUDENT)
    assert actions.resume_sending(world.ada, world.school_a, Profile.STUDENT)
    assert not actions.resume_sending(world.ada, world.school_a, Profile.STUDENT)
    kinds = list(CommunicationChange.objects.filter(school=world.school_a).values_list("kind", "actor"))
    assert kinds == [
        (CommunicationChange.Kind.RESUMED, world.ada.pk),
        (CommunicationChange.Kind.PAUSED, world.ada.pk),
    ]


def test_old_traces_are_purged(world):
    import datetime as dt

    from django.core.management import call_command
    from django.utils import timezone

    actions.pause_sending(world.ada, world.school_a, Profile.STUDENT)
    actions.resume_sending(world.ada, world.school_a, Profile.STUDENT)
    CommunicationChange.objects.filter(kind=CommunicationChange.Kind.PAUSED).update(
        at=timezone.now() - dt.timedelta(days=400)
    )
    call_command("purge_old_traces", stdout=io.StringIO())
    kept = list(CommunicationChange.objects.values_list("kind", flat=True))
    assert kept == [CommunicationChange.Kind.RESUMED]
