"""The provisioning API (cartable.directory.bulk): one transaction, one version bump when something was
written, the trace of accounts an admin creates, and the account lifecycle — for every importer."""

import ast
import datetime as dt
from pathlib import Path

import pytest
from django.contrib.auth.hashers import make_password

from cartable.access import policy
from cartable.accounts.models import User
from cartable.console.models import AdminAction
from cartable.directory import bulk, versions
from cartable.directory.bulk import ImportedPerson, NewGuardianship, NewMembership
from cartable.directory.models import Enrolment, Guardianship, Membership, Person, Profile, TeachingAssignment

pytestmark = pytest.mark.django_db


@pytest.fixture
def bumps(monkeypatch):
    """The version bumps of the block, by kind: the schools written to, the people who left or came back,
    the whole platform."""
    counted: list[tuple[str, list[int]]] = []
    monkeypatch.setattr(
        versions, "bump_imported_schools", lambda ids: counted.append(("schools", sorted(ids)))
    )
    monkeypatch.setattr(
        versions, "bump_people_everywhere", lambda ids: counted.append(("people", sorted(ids)))
    )
    monkeypatch.setattr(versions, "bump_platform", lambda: counted.append(("platform", [])))
    return counted


def test_a_whole_family_is_provisioned_in_one_block_with_one_bump(world, bumps):
    school, group = world.school_a, world.class_6a
    with bulk.provisioning() as directory:
        pupil, mother = directory.create_people(
            [
                ImportedPerson("Zoé", "Martin", "zoe-1"),
                ImportedPerson("Anne", "Martin", "anne-1", email="a@x.fr"),
            ],
            set(),
            make_password(None),
        )
        assert (
            directory.add_memberships(
                [
                    NewMembership(pupil.pk, school.pk, Profile.STUDENT),
                    NewMembership(mother.pk, school.pk, Profile.RELATIVE),
                ]
            )
            == 2
        )
        assert directory.enrol([(pupil.pk, group.pk)]) == 1
        assert directory.link_guardians([NewGuardianship(mother.pk, pupil.pk, relationship="mère")]) == 1
        assert directory.assign_teaching([(world.person("tess").pk, group.pk, None)]) == 1
    assert bumps == [("schools", [school.pk])]  # the school written to, not the platform
    assert pupil.user.username == "zoe.martin" and User.objects.get(pk=mother.user_id).email == "a@x.fr"
    assert Enrolment.objects.filter(student=pupil, group=group).exists()
    link = Guardianship.objects.get(relative=mother, student=pupil)
    assert (link.relationship, link.legal_guardian, link.financial, link.contact) == (
        "mère",
        True,
        False,
        True,
    )
    assert TeachingAssignment.objects.filter(teacher=world.person("tess"), group=group).exists()
    assert Membership.objects.get(person=pupil).functions == []


def test_nothing_written_means_no_bump_and_a_failure_writes_nothing(world, bumps):
    with bulk.provisioning() as directory:
        directory.enrol([])
        directory.update_people([], ["first_name"])
        directory.deactivate([], dt.datetime(2027, 1, 1, tzinfo=dt.UTC))
        assert not directory.wrote
    assert bumps == []

    with pytest.raises(RuntimeError), bulk.provisioning() as directory:
        directory.create_people([ImportedPerson("Léa", "Durand", "lea-1")], set(), make_password(None))
        raise RuntimeError
    assert not Person.objects.filter(aaf_jointure="lea-1").exists()


def test_accounts_an_admin_creates_are_traced_in_the_schools_console(world):
    ada = world.person("ada").user
    with bulk.provisioning(school=world.school_a, actor=ada) as directory:
        (person,) = directory.create_people([ImportedPerson("Léa", "Durand", "")], set(), make_password(None))
    trace = AdminAction.objects.get(target_id=person.user_id)
    assert (trace.school, trace.actor, trace.kind) == (world.school_a, ada, AdminAction.Kind.CREATE)
    # A feed (no admin acting) leaves no such trace: the import itself is recorded (feeds.history).
    with bulk.provisioning() as directory:
        (other,) = directory.create_people(
            [ImportedPerson("Noé", "Petit", "noe-1")], set(), make_password(None)
        )
    assert not AdminAction.objects.filter(target_id=other.user_id).exists()


def test_leaving_and_coming_back_through_the_provisioning(world):
    alice = world.person("alice")
    before = (
        versions.current(versions.person_key(alice.pk)),
        versions.current(versions.school_key(world.school_a.pk)),
    )
    with bulk.provisioning() as directory:
        assert directory.deactivate([alice.pk], dt.datetime(2027, 1, 1, tzinfo=dt.UTC)) == 1
        assert directory.deactivate([alice.pk], dt.datetime(2027, 2, 1, tzinfo=dt.UTC)) == 0
    user = User.objects.get(pk=alice.user_id)
    assert not user.is_active
    assert Person.objects.get(pk=alice.pk).left_at == dt.datetime(2027, 1, 1, tzinfo=dt.UTC)
    # Her cached facts, and her school's, were invalidated: pickers no longer show her.
    after = (
        versions.current(versions.person_key(alice.pk)),
        versions.current(versions.school_key(world.school_a.pk)),
    )
    assert after[0] != before[0] and after[1] != before[1]
    assert alice.pk not in set(
        policy.people_visible_to(world.person("tom").user).values_list("pk", flat=True)
    )
    with bulk.provisioning() as directory:
        assert directory.reactivate([alice.pk]) == 1
    assert User.objects.get(pk=alice.user_id).is_active and Person.objects.get(pk=alice.pk).left_at is None


# --- the importers write the directory only through the provisioning API --------------------------------

FEEDS = Path(__file__).resolve().parents[2] / "feeds"
IMPORTERS = [*sorted((FEEDS / "aaf_import").glob("*.py")), *sorted((FEEDS / "csv_import").glob("*.py"))]
IMPORTERS.append(FEEDS / "onde_import.py")
DIRECTORY_TABLES = {
    "User",
    "School",
    "SchoolYear",
    "Group",
    "Subject",
    "Person",
    "Membership",
    "Enrolment",
    "TeachingAssignment",
    "Guardianship",
}
WRITES = {"create", "bulk_create", "bulk_update", "update", "delete", "get_or_create", "update_or_create"}


def _root_name(node: ast.AST) -> str | None:
    while isinstance(node, ast.Attribute | ast.Call | ast.Subscript):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def test_the_importers_write_no_directory_table_themselves():
    assert len(IMPORTERS) > 5
    offending = []
    for path in IMPORTERS:
        for node in ast.walk(ast.parse(path.read_text())):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            method = node.func.attr
            if method == "save" or method == "copy_rows":
                offending.append(f"{path.name}:{node.lineno} {method}()")
            elif method in WRITES and _root_name(node.func) in DIRECTORY_TABLES:
                offending.append(f"{path.name}:{node.lineno} {_root_name(node.func)}….{method}()")
    assert not offending, offending
