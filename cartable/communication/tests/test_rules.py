"""The communication rules in the permission world: who can and who cannot write to whom, with the defaults
and with the options a school may switch on."""

import pytest
from django.utils import timezone

from cartable.communication import actions
from cartable.communication import rules as communication
from cartable.communication.models import Audience, Scope
from cartable.communication.rules import can_write, reachable_people, writable_among
from cartable.communication.tests.conftest import CLASSMATES, GUARDIANS_OF_THE_CLASS
from cartable.directory.models import Profile
from tests.world import PERSONAS

pytestmark = pytest.mark.django_db


def reachable(world, name: str) -> set[str]:
    ids = set(reachable_people(world.users[name]).values_list("pk", flat=True))
    return {n for n, person in world.people.items() if person.pk in ids}


def writes(world, writer: str, target: str) -> bool:
    return bool(can_write(world.users[writer], world.person(target)))


SCHOOL_A = {"alice", "bob", "carl", "marie", "marc", "beatrice", "gino", "tom", "tess", "vera", "paul", "ada"}
SCHOOL_B = {"leo", "zoe", "zack", "xavier", "bruno", "marie"}


# --- Defaults ----------------------------------------------------------------------------------------------


def test_pupils_write_to_their_teachers_only(world):
    assert reachable(world, "alice") == {"tom"}
    assert reachable(world, "carl") == {"tess"}
    assert reachable(world, "zoe") == {"xavier"}


def test_alice_writes_to_tom_not_to_bob_nor_to_other_teachers(world):
    assert writes(world, "alice", "tom")
    assert not writes(world, "alice", "bob")
    assert not writes(world, "alice", "tess")
    assert not writes(world, "alice", "vera")


def test_pupils_of_school_a_cannot_write_to_school_b(world):
    for pupil in ("alice", "bob", "carl"):
        assert not reachable(world, pupil) & (SCHOOL_B - SCHOOL_A)
    assert not writes(world, "alice", "zoe")
    assert not writes(world, "alice", "xavier")


def test_guardians_write_to_their_childrens_teachers_vie_scolaire_and_direction(world):
    assert reachable(world, "beatrice") == {"tom", "vera", "paul"}
    assert reachable(world, "gino") == {"tess", "vera", "paul"}
    assert writes(world, "marie", "tom")
    assert not writes(world, "marie", "tess")  # she does not teach Alice
    assert not writes(world, "marie", "beatrice")  # not unless the school allows it


def test_marie_reaches_the_teachers_of_each_child_in_each_school(world):
    # Léo is in school B: his teacher and the direction of school B (none here), never school B's parents.
    assert reachable(world, "marie") == {"tom", "vera", "paul", "xavier"}


def test_guardians_of_6a_cannot_write_to_guardians_of_5b(world, allow):
    allow(world.school_a, GUARDIANS_OF_THE_CLASS)
    assert not writes(world, "beatrice", "gino")
    assert not writes(world, "gino", "marie")


def test_zack_writes_to_nobody_in_school_a(world):
    assert not reachable(world, "zack") & SCHOOL_A - {"marie"}
    assert reachable(world, "zack") == {"xavier"}
    for name in SCHOOL_A - SCHOOL_B:
        assert not writes(world, "zack", name), name


def test_teachers_and_staff_write_to_everyone_in_their_school(world):
    for name in ("tom", "tess", "vera", "paul", "ada"):
        assert reachable(world, name) == SCHOOL_A - {name}, name
    assert reachable(world, "xavier") == SCHOOL_B - {"xavier"}
    assert reachable(world, "bruno") == SCHOOL_B - {"bruno"}


def test_tom_writes_to_any_parent_of_his_school(world):
    for parent in ("marie", "marc", "beatrice", "gino"):
        assert writes(world, "tom", parent), parent
    assert not writes(world, "tom", "zack")


def test_nobody_writes_to_themselves(world):
    for name in PERSONAS:
        if name == "root":
            continue
        assert name not in reachable(world, name)
        assert not writes(world, name, name)


def test_platform_admin_without_a_profile_writes_to_nobody(world):
    assert not reachable_people(world.root).exists()
    assert not can_write(world.root, world.person("alice"))


def test_a_person_who_left_is_unreachable(world):
    bob = world.person("bob")
    bob.left_at = timezone.now()
    bob.save(update_fields=["left_at"])
    assert "bob" not in reachable(world, "tom")
    verdict = can_write(world.tom, bob)
    assert not verdict
    assert "quitté" in str(verdict.reason)


# --- Options of the school -------------------------------------------------------------------------------


def test_classmates_only_if_the_school_allows(world, allow):
    assert not writes(world, "alice", "bob")
    allow(world.school_a, CLASSMATES)
    assert writes(world, "alice", "bob")
    assert writes(world, "bob", "alice")
    assert not writes(world, "alice", "carl")  # 5B is not her class
    assert not writes(world, "alice", "zoe")


def test_guardians_of_the_class_only_if_the_school_allows(world, allow):
    assert not writes(world, "marie", "beatrice")
    allow(world.school_a, GUARDIANS_OF_THE_CLASS)
    assert writes(world, "marie", "beatrice")
    assert writes(world, "beatrice", "marc")
    assert not writes(world, "marie", "gino")


def test_other_schools_only_if_a_rule_says_so(world, allow):
    assert not writes(world, "tom", "xavier")
    allow(world.school_a, (Profile.TEACHER.value, Audience.TEACHERS.value, Scope.OTHER_SCHOOLS.value))
    assert writes(world, "tom", "xavier")
    assert not writes(world, "tom", "zoe")
    assert not writes(world, "xavier", "tom")  # school B decides for its own people


def test_a_school_may_close_a_default(world):
    rules = set(communication.rules_of(world.school_a))
    rules.discard((Profile.STUDENT.value, Audience.TEACHERS.value, Scope.CLASS.value))
    actions.save_rules(world.ada, world.school_a, rules)
    assert reachable(world, "alice") == set()
    verdict = can_write(world.alice, world.person("tom"))
    assert not verdict
    assert "n’est pas activée" in str(verdict.reason)
    assert reachable(world, "zoe") == {"xavier"}  # school B keeps its defaults


def test_edited_rules_take_effect_at_once(world, allow, django_assert_num_queries):
    alice = world.alice
    assert not writable_among(alice, [world.person("bob").pk])
    allow(world.school_a, CLASSMATES)
    # The same user object (the same request): the rules are read again from the shared cache.
    assert writable_among(alice, [world.person("bob").pk]) == {world.person("bob").pk}
    actions.reset_rules(world.ada, world.school_a)
    assert not writable_among(alice, [world.person("bob").pk])


# --- The verdict and the one-query answers agree ----------------------------------------------------------


@pytest.mark.parametrize("options", [(), (CLASSMATES, GUARDIANS_OF_THE_CLASS)])
def test_can_write_agrees_with_reachable_people_for_every_pair(world, allow, options):
    if options:
        allow(world.school_a, *options)
    people = [n for n in PERSONAS if n != "root"]
    for writer in people:
        ids = writable_among(world.users[writer], [world.person(n).pk for n in people])
        for target in people:
            verdict = can_write(world.users[writer], world.person(target))
            assert verdict.allowed == (world.person(target).pk in ids), (writer, target, verdict.reason)


def test_the_verdict_names_the_rule(world):
    verdict = can_write(world.marie, world.person("tom"))
    assert verdict.rule == (world.school_a.pk, Profile.RELATIVE, Audience.TEACHERS, Scope.CLASS)
    assert "Parent → Enseignants, dans la classe" in str(verdict.reason)
    assert world.school_a.name in str(verdict.reason)
    verdict = can_write(world.tom, world.person("marie"))
    assert verdict.rule == (world.school_a.pk, Profile.TEACHER, Audience.GUARDIANS, Scope.SCHOOL)
    refused = can_write(world.zack, world.person("tom"))
    assert not refused and refused.rule is None
    assert "Parent → Enseignants, dans les autres établissements" in str(refused.reason)
    assert "n’est pas activée" in str(refused.reason)
