"""The GAR export: files valid against the GAR's schemas (2D and 1D), what each holds about whom, the opaque
identifiers, what the purge forgets, and the export's cost for a collège of ~1,000 pupils."""

from __future__ import annotations

import datetime as dt
import tarfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cartable.accounts.models import User
from cartable.directory import actions as directory
from cartable.directory.models import (
    Enrolment,
    Group,
    GroupKind,
    Membership,
    Person,
    Profile,
    School,
    SchoolKind,
    Subject,
    TeachingAssignment,
)
from cartable.gar import actions, export, lifecycle
from cartable.gar.models import AssignmentManager, GarIdentity
from cartable.gar.tests.helpers import NS_1D, assert_valid, files_by_type, texts
from tests.world import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(module_world):
    return module_world


NOW = dt.datetime(2026, 12, 3, 2, 0, tzinfo=dt.UTC)


def _export(tmp_path: Path, uai: str | None = None) -> dict[str, Path]:
    return files_by_type(export.export(tmp_path, "CARTABLE", NOW, uai))


def _ido(person: Person) -> str:
    return GarIdentity.objects.get(person=person).ido


def test_the_second_degree_files_are_valid_and_say_who_is_who(world: World, tmp_path):
    files = _export(tmp_path)
    assert set(files) == {"Etab", "Eleve", "Enseignant", "Groupe", "RespAff"}
    assert files["Eleve"].name == "ENT_CARTABLE_Complet_20261203_020000_Eleve_0000.xml"
    trees = {kind: assert_valid(path, "GAR-ENT.xsd") for kind, path in files.items()}

    etab = trees["Etab"]
    assert texts(etab, "//men:GAREtab/men:GARStructureUAI") == ["0690002B", "0750001A"]
    assert ("0750001A", "10010012110") in zip(
        texts(etab, "//men:GARMEF/men:GARStructureUAI"),
        texts(etab, "//men:GARMEF/men:GARMEFCode"),
        strict=True,
    )
    assert "Mathématiques" in texts(etab, "//men:GARMatiere/men:GARMatiereLibelle")

    pupils = trees["Eleve"]
    alice = _ido(world.person("alice"))
    assert sorted(texts(pupils, "//men:GAREleve/men:GARPersonIdentifiant")) == sorted(
        _ido(world.person(name)) for name in ("alice", "bob", "carl", "leo", "zoe")
    )
    node = f"//men:GAREleve[men:GARPersonIdentifiant='{alice}']"
    assert texts(pupils, f"{node}/men:GARPersonNom") == ["Martin"]
    assert texts(pupils, f"{node}/men:GARPersonProfils/men:GARPersonProfil") == ["National_elv"]
    assert texts(pupils, f"{node}/men:GARPersonEtab") == ["0750001A"]
    assert texts(pupils, f"{node}/men:GARPersonDateNaissance") == ["2015-03-14"]
    assert texts(pupils, f"//men:GARPersonMEF[men:GARPersonIdentifiant='{alice}']/men:GARMEFCode") == [
        "10010012110"
    ]
    # Tom teaches maths in 6A: Alice follows maths.
    assert texts(
        pupils, f"//men:GAREleveEnseignement[men:GARPersonIdentifiant='{alice}']/men:GARMatiereCode"
    ) == ["MATHS"]

    staff = trees["Enseignant"]
    profiles = {
        name: texts(
            staff,
            f"//men:GAREnseignant[men:GARPersonIdentifiant='{_ido(world.person(name))}']"
            "/men:GARPersonProfils/men:GARPersonProfil",
        )
        for name in ("tom", "tess", "vera", "paul", "ada", "xavier", "bruno")
    }
    assert profiles == {
        "tom": ["National_ens"],
        "tess": ["National_ens"],
        "vera": ["National_evs"],
        "paul": ["National_dir"],
        "ada": ["National_eta"],
        "xavier": ["National_ens"],
        "bruno": ["National_eta"],
    }

    groups = trees["Groupe"]
    assert texts(groups, "//men:GARGroupe[men:GARGroupeCode='6A']/men:GARGroupeStatut") == ["DIVISION"]
    assert alice in texts(groups, "//men:GARPersonGroupe[men:GARGroupeCode='6A']/men:GARPersonIdentifiant")
    tom = _ido(world.person("tom"))
    assert texts(
        groups, f"//men:GAREnsClasseMatiere[men:GARPersonIdentifiant='{tom}']/men:GARMatiereCode"
    ) == ["MATHS"]
    assert texts(trees["RespAff"], "//men:GARRespAff") == []


def test_nobody_is_named_by_a_login_or_an_aaf_identifier_and_parents_are_not_exported(world, tmp_path):
    Person.objects.filter(pk=world.person("alice").pk).update(aaf_jointure="AAF-ALICE-1")
    files = _export(tmp_path)
    everything = "".join(path.read_text(encoding="utf-8") for path in files.values())
    for name in ("alice", "tom", "ada"):
        assert world.users[name].username not in everything
        assert f"{name}@example.test" not in everything
    assert "AAF-ALICE-1" not in everything
    for parent in ("marie", "marc", "beatrice", "gino", "zack"):
        assert _ido_or_none(world.person(parent)) is None
    assert "Béatrice" not in everything


def _ido_or_none(person: Person) -> str | None:
    return GarIdentity.objects.filter(person=person).values_list("ido", flat=True).first()


def test_the_ido_is_random_and_stable_from_one_export_to_the_next(world, tmp_path):
    _export(tmp_path / "first")
    first = dict(GarIdentity.objects.values_list("person_id", "ido"))
    _export(tmp_path / "second")
    assert dict(GarIdentity.objects.values_list("person_id", "ido")) == first
    assert len(set(first.values())) == len(first)
    assert all(len(ido) == 32 and int(ido, 16) >= 0 for ido in first.values())


def test_one_school_only(world, tmp_path):
    files = _export(tmp_path, world.school_b.uai)
    trees = {kind: assert_valid(path, "GAR-ENT.xsd") for kind, path in files.items()}
    assert texts(trees["Etab"], "//men:GAREtab/men:GARStructureUAI") == ["0690002B"]
    assert sorted(texts(trees["Eleve"], "//men:GAREleve/men:GARPersonIdentifiant")) == sorted(
        [_ido(world.person("leo")), _ido(world.person("zoe"))]
    )


def test_people_who_left_are_not_exported(world, tmp_path):
    directory.deactivate_people([world.person("alice").pk], timezone.now())
    files = _export(tmp_path)
    tree = assert_valid(files["Eleve"], "GAR-ENT.xsd")
    assert _ido_or_none(world.person("alice")) is None
    assert len(texts(tree, "//men:GAREleve")) == 4


def test_the_responsable_d_affectation_is_in_the_respaff_file(world, tmp_path):
    actions.add_assignment_manager(world.users["ada"], world.school_a, world.person("tess"))
    files = _export(tmp_path)
    tree = assert_valid(files["RespAff"], "GAR-ENT.xsd")
    tess = _ido(world.person("tess"))
    assert texts(tree, "//men:GARRespAff/men:GARPersonIdentifiant") == [tess]
    assert texts(tree, "//men:GARRespAff/men:GARPersonMail") == ["tess@example.test"]
    assert texts(tree, "//men:GARRespAff/men:GARRespAffEtab") == ["0750001A"]
    # No longer on the school's staff (she moved to school B only): not exported any more.
    Membership.objects.filter(person=world.person("tess"), school=world.school_a).delete()
    tree = assert_valid(_export(tmp_path / "again")["RespAff"], "GAR-ENT.xsd")
    assert texts(tree, "//men:GARRespAff") == []


def _ecole(world: World) -> tuple[School, Person, Person]:
    school = School.objects.create(uai="0330003C", name="École du Port", kind=SchoolKind.PRIMARY)
    cp = Group.objects.create(school=school, year=world.year, name="CP", level="CP")
    cm2 = Group.objects.create(school=school, year=world.year, name="CM2", level="1111")
    pupil = directory.create_person(
        directory.NewPerson(
            first_name="Inès",
            last_name="Garcia",
            school=school,
            profile=Profile.STUDENT,
            groups=[cp],
            birth_date=dt.date(2020, 4, 1),
        )
    )
    directory.create_person(
        directory.NewPerson(
            first_name="Noé", last_name="Henry", school=school, profile=Profile.STUDENT, groups=[cm2]
        )
    )
    teacher = directory.create_person(
        directory.NewPerson(first_name="Julie", last_name="Masson", school=school, profile=Profile.TEACHER)
    )
    directory.create_person(  # an ATSEM: the first-degree GAR does not serve other personnel
        directory.NewPerson(first_name="Sylvie", last_name="Blanc", school=school, profile=Profile.PERSONNEL)
    )
    directory.assign_teaching(teacher, cp, None)
    return school, pupil, teacher


def test_the_first_degree_files_follow_the_1d_schema(world, tmp_path):
    _school, pupil, teacher = _ecole(world)
    files = _export(tmp_path)
    assert {"Etab_1D", "Eleve_1D", "Enseignant_1D", "Groupe_1D", "RespAff_1D", "Eleve"} <= set(files)
    assert files["Eleve_1D"].name == "ENT_CARTABLE_1D_Complet_20261203_020000_Eleve_0000.xml"
    trees = {kind: assert_valid(files[f"{kind}_1D"], "GAR-ENT-1D.xsd") for kind in export.FILE_TYPES}
    assert texts(trees["Etab"], "//men:GAREtab/men:GARStructureUAI", NS_1D) == ["0330003C"]
    assert texts(trees["Eleve"], "//men:GAREleve/men:GARPersonNom", NS_1D) == ["Garcia", "Henry"]
    # A level given as its MEFSTAT4 code is kept; "CP" has no checked code yet: no MEFSTAT4 row for it.
    assert texts(trees["Eleve"], "//men:GARPersonMEFSTAT4/men:GARMEFSTAT4Code", NS_1D) == ["1111"]
    assert texts(trees["Enseignant"], "//men:GAREnseignant/men:GARPersonNom", NS_1D) == ["Masson"]
    in_cp = "//men:GARPersonGroupe[men:GARGroupeCode='CP']/men:GARPersonIdentifiant"
    assert sorted(texts(trees["Groupe"], in_cp, NS_1D)) == sorted([_ido(pupil), _ido(teacher)])
    # The collèges are still in the second degree's files, not in these.
    assert "0750001A" not in files["Eleve_1D"].read_text(encoding="utf-8")


def test_the_command_writes_the_archive_and_its_md5(world, tmp_path, settings):
    import hashlib

    call_command("export_gar", str(tmp_path), "--school", world.school_a.uai)
    archives = list(tmp_path.glob("ENT_CARTABLE_Complet_*.tar.gz"))
    assert len(archives) == 1
    md5 = (tmp_path / f"{archives[0].name}.md5").read_text(encoding="ascii")
    assert md5 == f"{hashlib.md5(archives[0].read_bytes()).hexdigest()}  {archives[0].name}\n"
    with tarfile.open(archives[0]) as tar:
        names = sorted(tar.getnames())
    assert [name.split("_")[-2] for name in names] == sorted(export.FILE_TYPES)


def test_the_purge_forgets_the_ido_and_the_function(world, tmp_path):
    actions.add_assignment_manager(world.users["ada"], world.school_a, world.person("tess"))
    _export(tmp_path)
    tess = world.person("tess")
    assert GarIdentity.objects.filter(person=tess).exists()
    directory.deactivate_people([tess.pk], timezone.now() - dt.timedelta(days=200))
    directory.purge_expired_accounts(timezone.now())
    assert not GarIdentity.objects.filter(person=tess).exists()
    assert not AssignmentManager.objects.filter(person=tess).exists()
    assert GarIdentity.objects.filter(person=world.person("alice")).exists()
    assert lifecycle.PERSONAL_DATA[GarIdentity].value == "forgotten"


# --- Cost ------------------------------------------------------------------------------------------------


def _big_college(world: World, pupils: int = 1000) -> School:
    """A collège of `pupils` pupils in 32 classes, 40 teachers each teaching 4 classes, 10 subjects; written
    in bulk (the directory's actions make one person at a time)."""
    school = School.objects.create(uai="0130004D", name="Grand collège", kind=SchoolKind.SECONDARY)
    subjects = Subject.objects.bulk_create(
        [Subject(school=school, code=f"S{n}", name=f"Matière {n}") for n in range(10)]
    )
    classes = Group.objects.bulk_create(
        [
            Group(school=school, year=world.year, name=f"{level}{n}", level=level, kind=GroupKind.CLASS)
            for level in ("6e", "5e", "4e", "3e")
            for n in range(8)
        ]
    )
    users = User.objects.bulk_create([User(username=f"grand.{n}", password="!") for n in range(pupils + 40)])
    people = Person.objects.bulk_create(
        [Person(user=user, first_name=f"Prénom{n}", last_name="Nombreux") for n, user in enumerate(users)]
    )
    pupils_, teachers = people[:pupils], people[pupils:]
    Membership.objects.bulk_create(
        [Membership(person=p, school=school, profile=Profile.STUDENT) for p in pupils_]
        + [Membership(person=p, school=school, profile=Profile.TEACHER) for p in teachers]
    )
    Enrolment.objects.bulk_create(
        [Enrolment(student=person, group=classes[n % len(classes)]) for n, person in enumerate(pupils_)]
    )
    TeachingAssignment.objects.bulk_create(
        [
            TeachingAssignment(
                teacher=teacher, group=classes[(n * 4 + k) % len(classes)], subject=subjects[n % 10]
            )
            for n, teacher in enumerate(teachers)
            for k in range(4)
        ]
    )
    return school


def test_a_college_of_a_thousand_pupils_costs_a_fixed_number_of_queries(world, tmp_path):
    school = _big_college(world)
    with CaptureQueriesContext(connection) as first:
        files = _export(tmp_path / "first", school.uai)
    # School, memberships, classes, enrolments, teaching, subjects, managers; IDOs read, made, read again.
    assert len(first) == 10, [q["sql"][:80] for q in first.captured_queries]
    tree = assert_valid(files["Eleve"], "GAR-ENT.xsd")
    assert len(texts(tree, "//men:GAREleve")) == 1000
    with CaptureQueriesContext(connection) as second:
        _export(tmp_path / "second", school.uai)
    assert len(second) == 8  # every IDO known: read once
