"""The access policy in the permission world: who sees whom (rule C1)."""

import pytest

from cartable.access import policy

pytestmark = pytest.mark.django_db


def visible(world, name):
    return {p.pk for p in policy.people_visible_to(world.users[name])}


def ids(world, *names):
    return {world.people[n].pk for n in names}


def test_pupil_sees_self_teachers_guardians_and_front_desk(world):
    seen = visible(world, "alice")
    assert ids(world, "alice", "tom", "marie", "marc", "vera", "paul") <= seen
    # Not: classmates, other pupils, other families, a teacher who does not teach her, other schools.
    assert not seen & ids(
        world, "bob", "carl", "gino", "beatrice", "tess", "zoe", "zack", "xavier", "leo", "ada"
    )


def test_guardian_sees_both_children_across_schools_and_their_circles(world):
    seen = visible(world, "marie")
    assert ids(world, "marie", "alice", "leo", "marc", "tom", "xavier", "vera", "paul") <= seen
    assert not seen & ids(world, "bob", "beatrice", "carl", "gino", "tess", "zoe", "zack", "bruno")


def test_teacher_sees_colleagues_taught_pupils_and_their_guardians_only(world):
    seen = visible(world, "tom")
    assert (
        ids(world, "tom", "tess", "vera", "paul", "ada", "alice", "bob", "marie", "marc", "beatrice") <= seen
    )
    assert not seen & ids(world, "carl", "gino", "zoe", "zack", "xavier", "leo", "bruno")


def test_teacher_who_does_not_teach_6a_sees_none_of_its_pupils(world):
    seen = visible(world, "tess")
    assert not seen & ids(world, "alice", "bob", "marie", "marc", "beatrice")
    assert ids(world, "carl", "gino") <= seen


def test_school_wide_staff_see_their_whole_school_and_nothing_else(world):
    for name in ("vera", "paul", "ada"):
        seen = visible(world, name)
        assert ids(world, "alice", "bob", "carl", "gino", "marie", "tess") <= seen
        assert not seen & ids(world, "zoe", "zack", "xavier", "leo", "bruno")


def test_platform_admin_sees_everyone(world):
    assert ids(world, "alice", "zoe", "bruno") <= visible(world, "root")


def test_predicates(world):
    u, p = world.users, world.people
    assert policy.is_guardian_of(u["marc"], p["alice"]) and not policy.is_guardian_of(u["marc"], p["bob"])
    assert policy.teaches(u["tom"], world.class_6a) and not policy.teaches(u["tess"], world.class_6a)
    assert policy.teaches(u["tom"], p["alice"]) and not policy.teaches(u["tom"], p["carl"])
    assert policy.same_class(u["alice"], p["bob"]) and not policy.same_class(u["alice"], p["carl"])
    assert policy.staff_of(u["tom"], world.school_a) and not policy.staff_of(u["tom"], world.school_b)
    assert policy.admin_of(u["ada"], world.school_a) and not policy.admin_of(u["ada"], world.school_b)
    assert policy.admin_of(u["root"], world.school_b)
    assert not policy.admin_of(u["paul"], world.school_a)
    assert policy.is_self(u["bob"], p["bob"]) and not policy.is_self(u["bob"], p["alice"])
    assert policy.can_view_person(u["alice"], p["tom"]) and not policy.can_view_person(u["alice"], p["bob"])
    assert not policy.can_view_person(u["alice"], p["carl"])


def test_viewer_facts_are_read_once_per_user_object(world, django_assert_num_queries):
    user = world.users["marie"]
    policy.viewer_for(user)
    with django_assert_num_queries(0):
        policy.is_guardian_of(user, world.people["alice"])
        policy.staff_of(user, world.school_a)
