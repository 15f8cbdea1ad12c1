"""Directory facts in the shared cache: never used after a write that changed them."""

import pytest
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse

from cartable.access import policy
from cartable.accounts.models import User
from cartable.directory import actions as directory
from cartable.directory import versions
from cartable.directory.models import Function, Guardianship, Profile

pytestmark = pytest.mark.django_db


def fresh(user: User) -> User:
    """The user as the next request loads it: a new object, without the per-request facts."""
    return User.objects.get(pk=user.pk)


def test_a_fact_is_loaded_once_while_the_directory_is_unchanged():
    loads = []

    def load():
        loads.append(1)
        return ("facts", len(loads))

    assert versions.cached("test", load) == ("facts", 1)
    assert versions.cached("test", load) == ("facts", 1)
    versions.bump_platform()
    assert versions.cached("test", load) == ("facts", 2)
    assert len(loads) == 2


def test_a_lost_counter_does_not_bring_old_facts_back():
    versions.cached("test", lambda: "old")
    cache.delete(versions.PLATFORM_KEY)  # evicted or flushed
    assert versions.cached("test", lambda: "new") == "new"


def test_a_write_during_a_load_leaves_the_loaded_facts_unused():
    # The reader read the version, then a writer bumped it before the reader stored what it read.
    def load_while_someone_writes():
        versions.bump_platform()
        return "read before the write"

    versions.cached("test", load_while_someone_writes)
    assert versions.cached("test", lambda: "read after the write") == "read after the write"


def test_the_version_moves_again_when_the_transaction_commits(django_capture_on_commit_callbacks):
    start = versions.current()
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        versions.bump_platform()
        # At once, for writes outside a transaction and for this transaction's own reads...
        inside = versions.current()
        assert inside != start
    # ...and after the commit, for readers that stored pre-commit facts in between.
    assert len(callbacks) == 1
    assert versions.current() not in (start, inside)


def test_viewer_facts_follow_guardianships(world):
    marie = world.users["marie"]
    tess = world.people["tess"]
    assert not policy.is_guardian_of(fresh(marie), world.people["carl"])
    directory.link_guardian(world.people["marie"], world.people["carl"])
    assert policy.is_guardian_of(fresh(marie), world.people["carl"])
    # Revoking the legal guardianship takes effect on the next request too.
    directory.link_guardian(world.people["marie"], world.people["carl"], legal_guardian=False)
    assert not policy.is_guardian_of(fresh(marie), world.people["carl"])
    assert not policy.teaches(fresh(world.users["tess"]), world.class_6a)
    directory.assign_teaching(tess, world.class_6a, world.maths)
    assert policy.teaches(fresh(world.users["tess"]), world.class_6a)


def test_viewer_facts_follow_memberships_and_enrolments(world):
    tess = world.users["tess"]
    assert not policy.admin_of(fresh(tess), world.school_a)
    directory.add_membership(world.people["tess"], world.school_a, Profile.TEACHER, [Function.ADML])
    assert policy.admin_of(fresh(tess), world.school_a)
    assert not policy.staff_of(fresh(tess), world.school_b)
    directory.add_membership(world.people["tess"], world.school_b, Profile.TEACHER)
    assert policy.staff_of(fresh(tess), world.school_b)

    carl = world.users["carl"]
    assert not policy.same_class(fresh(carl), world.people["alice"])
    directory.enrol(world.people["carl"], world.class_6a)
    assert policy.same_class(fresh(carl), world.people["alice"])


def test_viewer_facts_of_a_new_person(world):
    new = directory.create_person(
        directory.NewPerson(
            first_name="Nina", last_name="Neuve", school=world.school_a, profile=Profile.STUDENT
        )
    )
    assert policy.viewer_for(fresh(new.user)).class_ids == frozenset()
    directory.enrol(new, world.class_5b)
    assert policy.viewer_for(fresh(new.user)).class_ids == {world.class_5b.pk}


def test_platform_admin_flag_is_read_from_the_account_each_time(world):
    tess = world.users["tess"]
    assert not policy.is_platform_admin(fresh(tess))
    User.objects.filter(pk=tess.pk).update(is_superuser=True)
    assert policy.is_platform_admin(fresh(tess))


def test_an_edit_in_the_django_admin_bumps_the_version(client, world):
    link = Guardianship.objects.get(relative=world.people["marie"], student=world.people["alice"])
    marie = world.users["marie"]
    assert policy.is_guardian_of(fresh(marie), world.people["alice"])
    world.login(client, "root")
    response = client.post(reverse("admin:directory_guardianship_delete", args=[link.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not policy.is_guardian_of(fresh(marie), world.people["alice"])


def test_cached_facts_hold_built_in_types_only(world):
    from unittest import mock

    from django.core.cache import caches

    backend = caches["default"]
    stored = {}
    real_set = backend.set

    def spy(key, value, timeout=None):
        stored[key] = value
        real_set(key, value, timeout)

    marie = fresh(world.users["marie"])
    with mock.patch.object(backend, "set", spy):
        policy.viewer_for(marie)
    [(_keys, _numbers, _expires, facts)] = [
        value for key, value in stored.items() if key.endswith(f":directory:viewer:{marie.pk}")
    ]

    def builtin(value) -> bool:
        if isinstance(value, dict):
            return all(builtin(k) and builtin(v) for k, v in value.items())
        if isinstance(value, tuple | list | set | frozenset):
            return all(builtin(v) for v in value)
        return value is None or type(value) in (int, str, bool)

    assert builtin(facts)


def test_a_write_in_one_school_leaves_the_other_schools_facts_cached(world, django_assert_num_queries):
    """Linking a guardian in school A renews the facts of the people concerned; a user of school B keeps
    hers (no query), and so does a user of school A the write does not concern."""
    xavier = fresh(world.users["xavier"])  # a teacher of school B only
    policy.viewer_for(xavier)
    assert policy.viewer_for(xavier).school_ids == {world.school_b.pk}
    directory.link_guardian(world.people["tom"], world.people["bob"])
    with django_assert_num_queries(1):  # the account only: the facts are still current
        policy.viewer_for(fresh(world.users["xavier"]))
    # The guardian's own facts are read again.
    assert policy.is_guardian_of(fresh(world.users["tom"]), world.people["bob"])
    # A class of school A changes: the pupil's facts are read again, school B's teacher's are not.
    directory.enrol(world.people["carl"], world.class_5b)
    assert world.class_5b.pk in policy.viewer_for(fresh(world.users["carl"])).group_ids
    with django_assert_num_queries(1):
        policy.viewer_for(fresh(world.users["xavier"]))


def test_a_rules_edit_in_one_school_keeps_the_other_schools_rules(world, django_assert_num_queries):
    from cartable.communication import actions as communication_actions
    from cartable.communication import rules as communication

    communication.allowed_cells([world.school_a.pk, world.school_b.pk])
    fewer = set(communication.DEFAULT_RULES) - {next(iter(sorted(communication.DEFAULT_RULES)))}
    communication_actions.save_rules(world.ada, world.school_a, fewer)
    with django_assert_num_queries(0):
        communication.rules_of(world.school_b)
    with django_assert_num_queries(1):
        communication.rules_of(world.school_a)
