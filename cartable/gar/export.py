"""The directory as the GAR reads it: the XML files of its "ENT → GAR" exchange, one set for the second degree
(collèges and lycées, schema GAR-ENT.xsd, namespace http://data.education.fr/ns/gar) and one for the first
degree (écoles, GAR-ENT-1D.xsd, namespace …/gar/1d), each checked against its schema before it is written.

Each set has five files, named as the GAR names them (ENT_<source>[_1D]_Complet_<stamp>_<Type>_0000.xml):
- Etab: the schools (UAI, name) and, for the second degree, the MEFs and subjects (matières) used in each;
- Eleve: the pupils, their MEF (second degree) or MEFSTAT4 (first degree), and in the second degree the
  subjects taught in their classes and groups (GAREleveEnseignement);
- Enseignant: the staff the GAR serves — teachers (National_ens), documentalists (National_doc) and, in the
  second degree, the direction (National_dir), vie scolaire (National_evs) and other personnel (National_eta);
- Groupe: the classes (DIVISION) and teaching groups (GROUPE) of the current year, who is in them, and in the
  second degree which teacher teaches which subject there;
- RespAff: the responsables d'affectation named by each school's ADML (cartable.gar.actions).

People are named by their IDO only (cartable.gar.models.GarIdentity), never a login nor an AAF identifier.
Nobody who has left is exported; parents and guests are not (the GAR does not serve them). Reading the
directory costs the same handful of queries for one école or for every school of the platform
(`load`: schools, memberships, classes and groups, enrolments, teaching, subjects, managers, identities)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from pathlib import Path

from lxml import etree
from lxml.builder import ElementMaker

from cartable.directory.models import (
    Enrolment,
    Function,
    Group,
    GroupKind,
    Membership,
    Profile,
    School,
    SchoolKind,
    Subject,
    TeachingAssignment,
)
from cartable.gar import actions
from cartable.gar.levels import mef_2d, mefstat4_1d
from cartable.gar.models import AssignmentManager

SCHEMAS = Path(__file__).resolve().parent / "schemas"


@dataclass(frozen=True)
class Degree:
    kind: str
    namespace: str
    schema: str
    version: str
    infix: str  # in the files' names


SECOND = Degree(SchoolKind.SECONDARY, "http://data.education.fr/ns/gar", "GAR-ENT.xsd", "1.7", "")
FIRST = Degree(SchoolKind.PRIMARY, "http://data.education.fr/ns/gar/1d", "GAR-ENT-1D.xsd", "1.4", "_1D")
DEGREES = (SECOND, FIRST)

# File types, in the order of the GAR's own exports.
FILE_TYPES = ("Etab", "Eleve", "Enseignant", "Groupe", "RespAff")

ELEVE = "National_elv"
ENSEIGNANT = "National_ens"
DOCUMENTALISTE = "National_doc"
DIRECTION = "National_dir"
VIE_SCOLAIRE = "National_evs"
PERSONNEL = "National_eta"
EXPORTED_GROUP_KINDS = (GroupKind.CLASS, GroupKind.TEACHING)


class InvalidExport(Exception):
    """A file failed its schema: it is not written, nothing is delivered."""


@cache
def schema(degree: Degree) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMAS / degree.schema)))


@dataclass
class Person:
    pk: int
    first_name: str
    last_name: str
    birth_date: date | None
    profiles: list[tuple[str, str]] = field(default_factory=list)  # (UAI, GAR profile)

    @property
    def schools(self) -> list[str]:
        return sorted({uai for uai, _ in self.profiles})


@dataclass
class GroupRow:
    pk: int
    uai: str
    name: str
    kind: str
    level: str


@dataclass
class Snapshot:
    """What the export reads, for the schools of one degree."""

    schools: list[School]
    pupils: dict[int, Person]
    staff: dict[int, Person]
    groups: dict[int, GroupRow]
    enrolments: list[tuple[int, int]]  # (pupil, group)
    teaching: list[tuple[int, int, int | None]]  # (teacher, group, subject)
    subjects: dict[int, tuple[str, str, str]]  # id: (UAI, code, name)
    managers: list[tuple[int, str, str, str, str]]  # (person, UAI, last name, first name, email)
    ido: dict[int, str]


def _staff_profile(degree: Degree, profile: str, functions: Iterable[str]) -> str | None:
    """The GAR's profile of a member of staff (profils d'accédant of the SDET); None for one the GAR of this
    degree does not serve."""
    functions = set(functions or ())
    if Function.DOCUMENTALIST in functions:
        return DOCUMENTALISTE
    if profile == Profile.TEACHER:
        return ENSEIGNANT
    if degree is FIRST:
        return None
    if Function.DIRECTION in functions:
        return DIRECTION
    if Function.VIE_SCOLAIRE in functions:
        return VIE_SCOLAIRE
    return PERSONNEL


def load(degree: Degree, schools: list[School]) -> Snapshot:
    uai_of = {school.pk: school.uai for school in schools}
    pupils: dict[int, Person] = {}
    staff: dict[int, Person] = {}
    rows = Membership.objects.filter(
        school__in=schools,
        person__left_at__isnull=True,
        profile__in=(Profile.STUDENT, Profile.TEACHER, Profile.PERSONNEL),
    ).values_list(
        "person_id",
        "school_id",
        "profile",
        "functions",
        "person__first_name",
        "person__last_name",
        "person__birth_date",
    )
    for person_id, school_id, profile, functions, first, last, born in rows.order_by(
        "person_id", "school_id"
    ):
        uai = uai_of[school_id]
        if profile == Profile.STUDENT:
            pupil = pupils.setdefault(person_id, Person(person_id, first, last, born))
            pupil.profiles.append((uai, ELEVE))
            continue
        gar_profile = _staff_profile(degree, profile, functions)
        if gar_profile is None:
            continue
        member = staff.setdefault(person_id, Person(person_id, first, last, born))
        if (uai, gar_profile) not in member.profiles:
            member.profiles.append((uai, gar_profile))

    groups = {
        pk: GroupRow(pk, uai_of[school_id], name, kind, level)
        for pk, school_id, name, kind, level in Group.objects.filter(
            school__in=schools, year__is_current=True, kind__in=EXPORTED_GROUP_KINDS
        )
        .order_by("school_id", "name")
        .values_list("pk", "school_id", "name", "kind", "level")
    }
    in_year = {"group__school__in": schools, "group__year__is_current": True}
    enrolments = [
        (pupil, group)
        for pupil, group in Enrolment.objects.filter(**in_year).values_list("student_id", "group_id")
        if pupil in pupils and group in groups
    ]
    teaching: list[tuple[int, int, int | None]] = [
        (teacher, group, subject)
        for teacher, group, subject in TeachingAssignment.objects.filter(**in_year).values_list(
            "teacher_id", "group_id", "subject_id"
        )
        if teacher in staff and group in groups
    ]
    subjects = {
        pk: (uai_of[school_id], code, name)
        for pk, school_id, code, name in Subject.objects.filter(school__in=schools).values_list(
            "pk", "school_id", "code", "name"
        )
    }
    managers = [
        (person_id, uai_of[school_id], last, first, email)
        for person_id, school_id, last, first, email in AssignmentManager.objects.filter(school__in=schools)
        .order_by("person_id", "school_id")
        .values_list(
            "person_id", "school_id", "person__last_name", "person__first_name", "person__user__email"
        )
        # Only while they are staff of that school, still there, with an address to write to.
        if person_id in staff and uai_of[school_id] in staff[person_id].schools and email
    ]
    ido = actions.ensure_identities(None, [*pupils, *staff])
    return Snapshot(schools, pupils, staff, groups, enrolments, teaching, subjects, managers, ido)


class Writer:
    """Builds one degree's documents from a snapshot, in the order its schema's sequences ask."""

    def __init__(self, degree: Degree, snap: Snapshot) -> None:
        self.degree = degree
        self.snap = snap
        self.E = ElementMaker(namespace=degree.namespace, nsmap={"men": degree.namespace})
        self.group_mefs: dict[int, tuple[str, str] | None] = {
            pk: self._mef(group.level) for pk, group in snap.groups.items()
        }

    def _mef(self, level: str) -> tuple[str, str] | None:
        if self.degree is FIRST:
            code = mefstat4_1d(level)
            return (code, code) if code else None
        mef = mef_2d(level)
        return (mef.code, mef.label) if mef else None

    def root(self, kind: str, *children: etree._Element) -> etree._Element:
        return self.E(f"GAR-ENT-{kind}", *children, Version=self.degree.version)

    def identity(self, element: str, person: Person, extra: list[etree._Element]) -> etree._Element:
        E = self.E
        return E(
            element,
            E.GARPersonIdentifiant(self.snap.ido[person.pk]),
            *[E.GARPersonProfils(E.GARStructureUAI(uai), E.GARPersonProfil(p)) for uai, p in person.profiles],
            E.GARPersonNom(person.last_name),
            E.GARPersonPrenom(person.first_name),
            E.GARPersonAutresPrenoms(person.first_name),
            E.GARPersonStructRattach(person.schools[0]),
            *[E.GARPersonEtab(uai) for uai in person.schools],
            *extra,
        )

    # --- Etab ---------------------------------------------------------------------------------------------

    def etab(self) -> etree._Element:
        E, snap = self.E, self.snap
        children = [
            E.GAREtab(E.GARStructureUAI(s.uai), E.GARStructureNomCourant(s.name)) for s in snap.schools
        ]
        if self.degree is SECOND:
            mefs = sorted(
                {(snap.groups[pk].uai, *mef) for pk, mef in self.group_mefs.items() if mef is not None}
            )
            children += [
                E.GARMEF(E.GARStructureUAI(uai), E.GARMEFCode(code), E.GARMEFLibelle(label))
                for uai, code, label in mefs
            ]
            children += [
                E.GARMatiere(E.GARStructureUAI(uai), E.GARMatiereCode(code), E.GARMatiereLibelle(name))
                for uai, code, name in sorted(snap.subjects.values())
            ]
        return self.root("Etab", *children)

    # --- Eleve --------------------------------------------------------------------------------------------

    def eleve(self) -> etree._Element:
        E, snap = self.E, self.snap
        people = sorted(snap.pupils.values(), key=lambda p: p.pk)
        children = [
            self.identity(
                "GAREleve",
                pupil,
                [E.GARPersonDateNaissance(pupil.birth_date.isoformat())] if pupil.birth_date else [],
            )
            for pupil in people
        ]
        mefs: set[tuple[str, int, str]] = set()
        for pupil, group in snap.enrolments:
            mef = self.group_mefs[group]
            if mef is not None and snap.groups[group].kind == GroupKind.CLASS:
                mefs.add((snap.groups[group].uai, pupil, mef[0]))
        children += self._person_mefs(mefs)
        if self.degree is SECOND:
            subjects_of_group: dict[int, set[int]] = defaultdict(set)
            for _teacher, group, subject in snap.teaching:
                if subject is not None:
                    subjects_of_group[group].add(subject)
            followed: set[tuple[str, int, str]] = set()
            for pupil, group in snap.enrolments:
                for subject in subjects_of_group[group]:
                    uai, code, _name = snap.subjects[subject]
                    followed.add((uai, pupil, code))
            children += [
                E.GAREleveEnseignement(
                    E.GARStructureUAI(uai), E.GARPersonIdentifiant(snap.ido[pupil]), E.GARMatiereCode(code)
                )
                for uai, pupil, code in sorted(followed)
            ]
        return self.root("Eleve", *children)

    def _person_mefs(self, mefs: set[tuple[str, int, str]]) -> list[etree._Element]:
        E, ido = self.E, self.snap.ido
        if self.degree is FIRST:
            return [
                E.GARPersonMEFSTAT4(
                    E.GARStructureUAI(uai), E.GARPersonIdentifiant(ido[pk]), E.GARMEFSTAT4Code(code)
                )
                for uai, pk, code in sorted(mefs)
            ]
        return [
            E.GARPersonMEF(E.GARStructureUAI(uai), E.GARPersonIdentifiant(ido[pk]), E.GARMEFCode(code))
            for uai, pk, code in sorted(mefs)
        ]

    # --- Enseignant ---------------------------------------------------------------------------------------

    def enseignant(self) -> etree._Element:
        snap = self.snap
        children = [
            self.identity("GAREnseignant", member, [])
            for member in sorted(snap.staff.values(), key=lambda p: p.pk)
        ]
        mefs: set[tuple[str, int, str]] = set()
        for teacher, group, _subject in snap.teaching:
            mef = self.group_mefs[group]
            if mef is not None:
                mefs.add((snap.groups[group].uai, teacher, mef[0]))
        children += self._person_mefs(mefs)
        return self.root("Enseignant", *children)

    # --- Groupe -------------------------------------------------------------------------------------------

    def groupe(self) -> etree._Element:
        E, snap = self.E, self.snap
        classes_of_pupil: dict[int, set[int]] = defaultdict(set)
        for pupil, group in snap.enrolments:
            if snap.groups[group].kind == GroupKind.CLASS:
                classes_of_pupil[pupil].add(group)
        # A teaching group belongs to the classes its pupils come from.
        divisions: dict[int, set[str]] = defaultdict(set)
        for pupil, group in snap.enrolments:
            if snap.groups[group].kind != GroupKind.CLASS:
                divisions[group].update(snap.groups[c].name for c in classes_of_pupil[pupil])
        children = []
        for pk, row in snap.groups.items():
            is_class = row.kind == GroupKind.CLASS
            children.append(
                E.GARGroupe(
                    E.GARGroupeCode(row.name),
                    E.GARStructureUAI(row.uai),
                    E.GARGroupeLibelle(row.name),
                    E.GARGroupeStatut("DIVISION" if is_class else "GROUPE"),
                    *[E.GARGroupeDivAppartenance(name) for name in sorted(divisions[pk])],
                )
            )
        members: set[tuple[str, int, str]] = {
            (snap.groups[g].uai, pupil, snap.groups[g].name) for pupil, g in snap.enrolments
        }
        taught: dict[tuple[int, int], set[str]] = defaultdict(set)
        for teacher, group, subject in snap.teaching:
            if self.degree is SECOND and subject is not None:
                taught[(teacher, group)].add(snap.subjects[subject][1])
            else:
                members.add((snap.groups[group].uai, teacher, snap.groups[group].name))
        children += [
            E.GARPersonGroupe(
                E.GARStructureUAI(uai), E.GARPersonIdentifiant(snap.ido[pk]), E.GARGroupeCode(code)
            )
            for uai, pk, code in sorted(members)
        ]
        if self.degree is SECOND:
            for element, statut in (("GAREnsGroupeMatiere", False), ("GAREnsClasseMatiere", True)):
                for (teacher, group), codes in sorted(taught.items()):
                    row = snap.groups[group]
                    if (row.kind == GroupKind.CLASS) != statut:
                        continue
                    children.append(
                        E(
                            element,
                            E.GARStructureUAI(row.uai),
                            E.GARPersonIdentifiant(snap.ido[teacher]),
                            E.GARGroupeCode(row.name),
                            *[E.GARMatiereCode(code) for code in sorted(codes)],
                        )
                    )
        return self.root("Groupe", *children)

    # --- RespAff ------------------------------------------------------------------------------------------

    def resp_aff(self) -> etree._Element:
        E, snap = self.E, self.snap
        by_person: dict[int, tuple[str, str, str, list[str]]] = {}
        for pk, uai, last, first, email in snap.managers:
            by_person.setdefault(pk, (last, first, email, []))[3].append(uai)
        children = [
            E.GARRespAff(
                E.GARPersonIdentifiant(snap.ido[pk]),
                E.GARPersonNom(last),
                E.GARPersonPrenom(first),
                E.GARPersonMail(email),
                *[E.GARRespAffEtab(uai) for uai in schools],
            )
            for pk, (last, first, email, schools) in sorted(by_person.items())
        ]
        return self.root("RespAff", *children)

    def documents(self) -> dict[str, etree._Element]:
        return {
            "Etab": self.etab(),
            "Eleve": self.eleve(),
            "Enseignant": self.enseignant(),
            "Groupe": self.groupe(),
            "RespAff": self.resp_aff(),
        }


def file_name(source: str, degree: Degree, stamp: str, kind: str) -> str:
    return f"ENT_{source}{degree.infix}_Complet_{stamp}_{kind}_0000.xml"


def schools_to_export(uai: str | None = None) -> list[School]:
    schools = School.objects.order_by("uai")
    if uai:
        schools = schools.filter(uai=uai)
    return list(schools)


def export(output_dir: Path, source: str, now: datetime, uai: str | None = None) -> list[Path]:
    """Write the files of every degree that has schools (or of the one school named) into `output_dir`, each
    valid against its schema; returns the paths written. Raises InvalidExport (and writes nothing more)
    when a document fails its schema."""
    stamp = now.strftime("%Y%m%d_%H%M%S")
    schools = schools_to_export(uai)
    output_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for degree in DEGREES:
        of_degree = [school for school in schools if school.kind == degree.kind]
        if not of_degree:
            continue
        documents = Writer(degree, load(degree, of_degree)).documents()
        for kind, root in documents.items():
            checker = schema(degree)
            if not checker.validate(root):
                raise InvalidExport(
                    f"{file_name(source, degree, stamp, kind)}: {checker.error_log.last_error}"
                )
        for kind, root in documents.items():
            path = output_dir / file_name(source, degree, stamp, kind)
            path.write_bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))
            written.append(path)
    return written
