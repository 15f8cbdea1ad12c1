"""Query counts: the rules are answered in one or two set-based queries whatever the number of people, and the
console pages cost the same with a class of 2 or of 60."""

import pytest
from django.contrib.auth.hashers import make_password

from cartable.accounts.models import User
from cartable.communication import actions
from cartable.communication import rules as communication
from cartable.communication.rules import can_write, reachable_people, writable_among
from cartable.directory import versions
from cartable.directory.models import Enrolment, Guardianship, Membership, Person, Profile

pytestmark = pytest.mark.django_db


def crowd(world, group, count: int) -> tuple[list[Person], list[Person]]:
    """`count` more pupils in `group`, each with one legal guardian, in a handful of statements."""
    school = group.school
    password = make_password(None)
    tag = f"{group.pk}-{Person.objects.count()}"
    users = User.objects.bulk_create(
        [User(username=f"crowd-{tag}-{i}-{kind}", password=password) for i in range(count) for kind in "pg"]
    )
    people = Person.objects.bulk_create(
        [Person(user=u, first_name=u.username, last_name="Foule") for u in users]
    )
    pupils, guardians = people[0::2], people[1::2]
    Membership.objects.bulk_create(
        [Membership(person=p, school=school, profile=Profile.STUDENT) for p in pupils]
        + [Membership(person=g, school=school, profile=Profile.RELATIVE) for g in guardians]
    )
    Enrolment.objects.bulk_create([Enrolment(student=p, group=group) for p in pupils])
    Guardianship.objects.bulk_create(
        [
            Guardianship(relative=g, student=p, legal_guardian=True)
            for p, g in zip(pupils, guardians, strict=True)
        ]
    )
    versions.bump_platform()
    return pupils, guardians


def test_writable_among_is_one_query_once_the_rules_are_cached(world, django_assert_num_queries):
    _pupils, guardians = crowd(world, world.class_6a, 300)
    tom = User.objects.get(pk=world.tom.pk)
    ids = [g.pk for g in guardians] + [world.person("zack").pk, world.person("gino").pk]
    # Facts of the viewer (per request, shared cache) and the school's rules (shared cache) are read first.
    communication.policy.viewer_for(tom)
    communication.allowed_cells([world.school_a.pk])
    with django_assert_num_queries(1):
        allowed = writable_among(tom, ids)
    assert allowed == {g.pk for g in guardians} | {world.person("gino").pk}


def test_cold_rules_cost_one_more_query(world, django_assert_num_queries):
    marie = world.marie
    communication.policy.viewer_for(marie)
    actions.save_rules(world.ada, world.school_a, set(communication.DEFAULT_RULES))  # bumps the rules version
    with django_assert_num_queries(2):
        writable_among(marie, [world.person("tom").pk])
    with django_assert_num_queries(1):
        writable_among(marie, [world.person("tom").pk])


@pytest.mark.parametrize("name", ["alice", "marie", "tom", "vera"])
def test_reachable_people_is_one_query_whatever_the_size(world, name, django_assert_num_queries):
    user = world.users[name]
    communication.policy.viewer_for(user)
    communication.allowed_cells(communication.policy.viewer_for(user).school_ids)
    with django_assert_num_queries(1):
        small = len(list(reachable_people(user)))
    crowd(world, world.class_6a, 40)
    crowd(world, world.class_5b, 40)
    user = User.objects.get(pk=user.pk)
    communication.policy.viewer_for(user)
    with django_assert_num_queries(1):
        big = len(list(reachable_people(user)))
    assert big >= small


def test_can_write_costs_a_few_queries(world, django_assert_max_num_queries):
    marie = world.marie
    communication.policy.viewer_for(marie)
    communication.allowed_cells(communication.policy.viewer_for(marie).school_ids)
    with django_assert_max_num_queries(8):
        assert can_write(marie, world.person("tom"))


def test_pages_cost_the_same_with_more_pupils(world, as_user, url_a, django_assert_max_num_queries):
    from django.urls import reverse

    checked = f"?qa=foule&qb=leroy&a={world.person('marie').pk}&b={world.person('tom').pk}"
    pinned = {
        url_a("rules"): 6,
        url_a("kill_switch"): 7,
        # Both pickers, then "can A write to B", "can B write to A" and "may A send".
        url_a("checker") + checked: 25,
        reverse("communication:platform"): 6,
    }
    for size in (0, 60):
        if size:
            crowd(world, world.class_6a, size)
        for page, limit in pinned.items():
            browser = as_user("root" if "plateforme" in page else "ada")
            browser.get(page)  # warm the shared cache as an earlier visit would
            with django_assert_max_num_queries(limit):
                assert browser.get(page).status_code == 200
