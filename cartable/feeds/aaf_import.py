"""The AAF 2D importer's actions: map feed records onto the directory and write them in batches.

Keyed on `ENTPersonJointure` (people) and `ENTStructureJointure` / UAI (schools). Rows are compared before
they are written, so importing the same feed twice writes nothing the second time. Records that cannot be
imported are rejected with a reason in the report and the import goes on; a file that is not well-formed XML
is rejected as a whole (its records are rolled back to a savepoint) and the other files are still imported.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import islice
from pathlib import Path
from xml.etree.ElementTree import ParseError

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from cartable.accounts.models import User
from cartable.directory import actions, versions
from cartable.directory.models import (
    Enrolment,
    Function,
    Group,
    GroupKind,
    Guardianship,
    Membership,
    Person,
    Profile,
    School,
    SchoolKind,
    SchoolYear,
    Subject,
    TeachingAssignment,
)
from cartable.feeds.aaf import Record, files_in_order, read_records
from cartable.feeds.report import ImportReport

BATCH = 1000

MISSING_JOINTURE = "identifiant de jointure manquant"
NO_CURRENT_YEAR = "aucune année scolaire en cours : classes et groupes non importés"

# AAF function codes (second field of ENTPersonFonctions) → Cartable functions.
FUNCTIONS = {
    "DIR": Function.DIRECTION,
    "EDU": Function.VIE_SCOLAIRE,
    "DOC": Function.DOCUMENTALIST,
    "ADF": Function.ADMINISTRATIVE,
}
PRIMARY_TYPES = {"ECOLE", "EP", "EE", "EM", "E.E.PU", "E.M.PU", "E.P.PU", "EEPU", "EMPU", "EPPU"}


def parse_date(text: str) -> date | None:
    """dd/mm/yyyy → date; raises ValueError when malformed."""
    return datetime.strptime(text, "%d/%m/%Y").date() if text else None


def batched[T](items: Iterable[T], size: int = BATCH) -> Iterator[list[T]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


@dataclass
class PendingGuardian:
    relative: str
    student_id: int
    school_id: int
    relationship: str
    legal_guardian: bool
    financial: bool
    contact: bool
    file: str
    record: str


@dataclass
class PersonRow:
    """One person record once mapped, with the links it asks for (resolved to ids)."""

    record: Record
    first_name: str
    last_name: str
    birth_date: date | None = None
    ine: str = ""
    # (school id, profile) → functions
    memberships: dict[tuple[int, str], list[str]] = field(default_factory=dict)
    groups: set[int] = field(default_factory=set)
    # (group id, subject id or None)
    teaching: set[tuple[int, int | None]] = field(default_factory=set)
    guardians: list[PendingGuardian] = field(default_factory=list)

    @property
    def jointure(self) -> str:
        return self.record.first("ENTPersonJointure")


class AafImport:
    def __init__(self, report: ImportReport) -> None:
        self.report = report
        self.load()
        self.subject_names: dict[str, str] = {}  # national subject code → name (MatiereEducNat)
        self.usernames: set[str] | None = None
        self.password = make_password(None)
        self.pending_guardians: list[PendingGuardian] = []
        self.relatives_seen: set[str] = set()
        # For the account lifecycle: every person key of the feed (rejected records too) and its schools.
        self.people_seen: set[str] = set()
        self.feed_school_ids: set[int] = set()
        self.unreadable_files = 0

    def load(self) -> None:
        """What is looked up for every record, read once (and again after a file was rolled back)."""
        self.schools: dict[str, School] = {}
        for school in School.objects.all():
            self._index_school(school)
        self.year = SchoolYear.objects.filter(is_current=True).first()
        self.groups: dict[tuple[int, str], Group] = (
            {(g.school_id, g.name): g for g in Group.objects.filter(year=self.year)} if self.year else {}
        )
        self.subjects: dict[tuple[int, str], Subject] = {}

    # -- files ---------------------------------------------------------------------------------------------

    def run(self, directory: Path) -> None:
        for family, path in files_in_order(directory):
            counts = copy.deepcopy(self.report.counts)
            rejections = len(self.report.rejections)
            pending = len(self.pending_guardians)
            try:
                with transaction.atomic():
                    self.import_file(family, path)
            except ParseError as error:
                # Nothing of a broken file is kept, in the database or in the report.
                self.report.counts = counts
                del self.report.rejections[rejections:]
                del self.pending_guardians[pending:]
                self.load()
                self.unreadable_files += 1
                self.report.reject("file", path.name, "", f"fichier XML illisible : {error}")
        self.apply_guardians()

    def import_file(self, family: str, path: Path) -> None:
        records = read_records(path)
        if family == "EtabEducNat":
            for record in records:
                self.import_school(record, path.name)
        elif family == "MatiereEducNat":
            for record in records:
                code = record.first("ENTMatJointure") or record.id
                self.subject_names[code] = record.first("ENTLibelleMatiere") or code
                self.report.unchanged("subject_code")
        elif family == "MefEducNat":
            # Levels (MEF) are not stored yet: they are read and counted.
            for _record in records:
                self.report.unchanged("level")
        else:
            mapper = {
                "Eleve": self.map_student,
                "PersRelEleve": self.map_relative,
                "PersEducNat": self.map_staff,
            }
            kind = {"Eleve": "student", "PersRelEleve": "relative", "PersEducNat": "staff"}[family]
            for chunk in batched(records):
                rows = [
                    row for record in chunk if (row := self.checked(mapper[family], kind, record, path.name))
                ]
                self.write_people(kind, rows, path.name)

    def checked(self, mapper, kind: str, record: Record, file: str) -> PersonRow | None:
        if jointure := record.first("ENTPersonJointure"):
            # Seen, even if rejected below: a record the feed still carries is not a person who left.
            self.people_seen.add(jointure)
        if record.operation != "add":
            # Delta feeds come later: such records are reported, not silently dropped.
            self.report.reject(kind, file, record.id, "modification ou suppression non prise en charge")
            return None
        if not record.first("ENTPersonJointure"):
            self.report.reject(kind, file, record.id, MISSING_JOINTURE)
            return None
        try:
            birth_date = parse_date(record.first("ENTPersonDateNaissance"))
        except ValueError:
            self.report.reject(
                kind,
                file,
                record.id,
                f"date de naissance invalide : {record.first('ENTPersonDateNaissance')}",
            )
            return None
        row = PersonRow(
            record=record,
            first_name=record.first("givenName"),
            last_name=record.first("sn") or record.first("ENTPersonNomPatro"),
            birth_date=birth_date,
        )
        reason = mapper(row, file)
        if reason:
            self.report.reject(kind, file, record.id, reason)
            return None
        return row

    # -- schools and subjects ------------------------------------------------------------------------------

    def _index_school(self, school: School) -> None:
        if school.aaf_jointure:
            self.schools[school.aaf_jointure] = school
        self.schools[school.uai] = school

    def school(self, key: str) -> School | None:
        return self.schools.get(key) if key else None

    def import_school(self, record: Record, file: str) -> None:
        jointure = record.first("ENTStructureJointure")
        uai = (record.first("ENTStructureUAI") or record.first("ENTEtablissementUAI")).upper()
        if not jointure and not uai:
            self.report.reject("school", file, record.id, MISSING_JOINTURE)
            return
        if not (len(uai) == 8 and uai[:7].isdigit() and uai[7].isalpha()):
            self.report.reject("school", file, record.id, f"UAI invalide : {uai!r}")
            return
        type_struct = record.first("ENTStructureTypeStruct").upper()
        primary = type_struct in PRIMARY_TYPES or type_struct.startswith("ECOLE")
        fields = {
            "uai": uai,
            "aaf_jointure": jointure,
            "name": record.first("ENTStructureNomCourant") or uai,
            "kind": SchoolKind.PRIMARY if primary else SchoolKind.SECONDARY,
            "city": record.first("l"),
            "academy": record.first("ENTServAcAcademie"),
        }
        school = self.school(jointure) or self.school(uai)
        if school is None:
            school = School.objects.create(**fields)
            self.report.created("school")
        elif any(getattr(school, name) != value for name, value in fields.items()):
            for name, value in fields.items():
                setattr(school, name, value)
            school.save(update_fields=list(fields))
            self.report.updated("school")
        else:
            self.report.unchanged("school")
        self._index_school(school)
        self.feed_school_ids.add(school.pk)

    def subject(self, school: School, code: str) -> Subject:
        key = (school.pk, code)
        if key not in self.subjects:
            found = Subject.objects.filter(school=school, code=code).first()
            if found is None:
                found = Subject.objects.create(
                    school=school, code=code, name=self.subject_names.get(code, code)
                )
                self.report.created("subject")
            self.subjects[key] = found
        return self.subjects[key]

    def group(self, school: School, name: str, kind: str) -> Group | None:
        if self.year is None:
            return None
        key = (school.pk, name)
        if key not in self.groups:
            self.groups[key] = Group.objects.create(school=school, year=self.year, name=name, kind=kind)
            self.report.created("class" if kind == GroupKind.CLASS else "group")
        return self.groups[key]

    def linked_school(self, structure: str, fallback: School | None) -> School | None:
        """The school a `structureId$…` link names; links to a structure absent from the feed fall back to
        the person's own school (feeds in the wild carry ids of structures they do not describe)."""
        return self.school(structure) or fallback

    # -- mapping people ------------------------------------------------------------------------------------

    def map_student(self, row: PersonRow, file: str) -> str:
        record = row.record
        school = next(
            (
                s
                for key in record.values("ENTPersonStructRattach") + record.values("ENTEleveStructRattachId")
                if (s := self.school(key))
            ),
            None,
        )
        if school is None:
            return "établissement de rattachement inconnu : " + (
                ", ".join(record.values("ENTPersonStructRattach")) or "aucun"
            )
        row.ine = record.first("ENTEleveINE")[:11]
        row.memberships[(school.pk, Profile.STUDENT)] = []
        for attr, kind in (("ENTEleveClasses", GroupKind.CLASS), ("ENTEleveGroupes", GroupKind.TEACHING)):
            for value in record.values(attr):
                structure, _, name = value.partition("$")
                target = self.linked_school(structure, school)
                if not name or target is None:
                    continue
                if self.year is None:
                    self.report.reject("enrolment", file, record.id, NO_CURRENT_YEAR)
                    continue
                group = self.group(target, name, kind)
                if group is not None:
                    row.groups.add(group.pk)
        for value in record.values("ENTElevePersRelEleve"):
            parts = (value.split("$") + [""] * 6)[:6]
            relative, relationship, financial, legal, contact, _payment = parts
            if relative:
                row.guardians.append(
                    PendingGuardian(
                        relative=relative,
                        student_id=0,  # known once the pupil is written
                        school_id=school.pk,
                        relationship=relationship,
                        legal_guardian=legal == "1",
                        financial=financial == "1",
                        contact=contact == "1",
                        file=file,
                        record=record.id,
                    )
                )
        return ""

    def map_relative(self, row: PersonRow, file: str) -> str:
        # Relatives belong to the schools of their children: memberships come with the guardianships.
        return ""

    def map_staff(self, row: PersonRow, file: str) -> str:
        record = row.record
        schools: dict[int, School] = {}
        for key in record.values("ENTPersonStructRattach"):
            if school := self.school(key):
                schools[school.pk] = school
        functions: dict[int, list[str]] = {}
        for value in record.values("ENTPersonFonctions"):
            structure, _, rest = value.partition("$")
            code = rest.split("$", 1)[0]
            if school := self.school(structure):
                schools[school.pk] = school
                function = FUNCTIONS.get(code)
                if function and function not in functions.setdefault(school.pk, []):
                    functions[school.pk].append(function)
        if not schools:
            return "personnel rattaché à aucun établissement connu"
        profiles = record.values("ENTPersonProfils")
        teacher = "National_ENS" in profiles or any(
            v.split("$")[1:2] == ["ENS"] for v in record.values("ENTPersonFonctions")
        )
        profile = Profile.TEACHER if teacher else Profile.PERSONNEL
        for pk in schools:
            row.memberships[(pk, profile)] = sorted(functions.get(pk, []))
        home = next(iter(schools.values()))
        for value in record.values("ENTAuxEnsClassesMatieres") + record.values("ENTAuxEnsGroupesMatieres"):
            structure, _, rest = value.partition("$")
            name, _, subject_code = rest.partition("$")
            target = self.linked_school(structure, home)
            if not name or target is None:
                continue
            if self.year is None:
                self.report.reject("teaching_assignment", file, record.id, NO_CURRENT_YEAR)
                continue
            kind = (
                GroupKind.CLASS if value in record.values("ENTAuxEnsClassesMatieres") else GroupKind.TEACHING
            )
            group = self.group(target, name, kind)
            subject = self.subject(target, subject_code) if subject_code else None
            if group is not None:
                row.teaching.add((group.pk, subject.pk if subject else None))
        return ""

    # -- writing people ------------------------------------------------------------------------------------

    def write_people(self, kind: str, rows: list[PersonRow], file: str) -> None:
        unique: dict[str, PersonRow] = {}
        for row in rows:
            if row.jointure in unique:
                self.report.reject(
                    kind, file, row.record.id, "identifiant de jointure en double dans le flux"
                )
            else:
                unique[row.jointure] = row
        if not unique:
            return
        existing = {p.aaf_jointure: p for p in Person.objects.filter(aaf_jointure__in=list(unique))}
        returning = [p.pk for p in existing.values() if p.left_at is not None]
        if returning:
            # Back before the purge: the same account and data, updated below like everyone's.
            self.report.updated("reactivated", actions.reactivate_people(returning))
        new_rows = [row for key, row in unique.items() if key not in existing]
        changed = []
        for key, person in existing.items():
            row = unique[key]
            wanted = {
                "first_name": row.first_name,
                "last_name": row.last_name,
                "birth_date": row.birth_date,
                "ine": row.ine or person.ine,
            }
            if any(getattr(person, name) != value for name, value in wanted.items()):
                for name, value in wanted.items():
                    setattr(person, name, value)
                changed.append(person)
        if changed:
            Person.objects.bulk_update(changed, ["first_name", "last_name", "birth_date", "ine"])
        self.report.updated(kind, len(changed))
        self.report.unchanged(kind, len(existing) - len(changed))
        if new_rows:
            if self.usernames is None:
                self.usernames = set(User.objects.values_list("username", flat=True))
            people = actions.bulk_create_people(
                [
                    actions.ImportedPerson(
                        first_name=row.first_name,
                        last_name=row.last_name,
                        jointure=row.jointure,
                        birth_date=row.birth_date,
                        ine=row.ine,
                    )
                    for row in new_rows
                ],
                self.usernames,
                self.password,
                BATCH,
            )
            existing.update({p.aaf_jointure: p for p in people})
            self.report.created(kind, len(people))
        ids = {key: existing[key].pk for key in unique}
        self.write_memberships({ids[k]: r.memberships for k, r in unique.items()})
        if kind == "relative":
            self.relatives_seen.update(unique)
        if kind == "student":
            for key, row in unique.items():
                for link in row.guardians:
                    link.student_id = ids[key]
                    self.pending_guardians.append(link)
            self.write_links(
                Enrolment,
                "student_id",
                "group_id",
                {ids[k]: r.groups for k, r in unique.items()},
                "enrolment",
            )
        if kind == "staff":
            self.write_teaching({ids[k]: r.teaching for k, r in unique.items()})

    def write_memberships(self, wanted: dict[int, dict[tuple[int, str], list[str]]]) -> None:
        current = {
            (m.person_id, m.school_id, m.profile): m
            for m in Membership.objects.filter(person_id__in=[pk for pk, links in wanted.items() if links])
        }
        to_create, to_update = [], []
        for person_id, links in wanted.items():
            for (school_id, profile), functions in links.items():
                membership = current.get((person_id, school_id, profile))
                if membership is None:
                    to_create.append(
                        Membership(
                            person_id=person_id, school_id=school_id, profile=profile, functions=functions
                        )
                    )
                elif sorted(membership.functions) != functions:
                    membership.functions = functions
                    to_update.append(membership)
        Membership.objects.bulk_create(to_create, batch_size=BATCH)
        Membership.objects.bulk_update(to_update, ["functions"], batch_size=BATCH)
        self.report.created("membership", len(to_create))
        self.report.updated("membership", len(to_update))

    def write_links(self, model, owner: str, target: str, wanted: dict[int, set[int]], kind: str) -> None:
        """Make each owner's links to this year's feed groups exactly `wanted` (manual groups stay)."""
        if self.year is None:
            return
        rows = model.objects.filter(
            **{f"{owner}__in": list(wanted)},
            group__year=self.year,
            group__kind__in=[GroupKind.CLASS, GroupKind.TEACHING],
        ).values_list("pk", owner, target)
        have: dict[tuple[int, int], int] = {(o, t): pk for pk, o, t in rows}
        want = {(o, t) for o, targets in wanted.items() for t in targets}
        stale = [pk for key, pk in have.items() if key not in want]
        new = [model(**{owner: o, target: t}) for o, t in want if (o, t) not in have]
        model.objects.bulk_create(new, batch_size=BATCH)
        if stale:
            model.objects.filter(pk__in=stale).delete()
        self.report.created(kind, len(new))
        self.report.updated(kind, len(stale))
        self.report.unchanged(kind, len(want) - len(new))

    def write_teaching(self, wanted: dict[int, set[tuple[int, int | None]]]) -> None:
        if self.year is None:
            return
        rows = TeachingAssignment.objects.filter(
            teacher_id__in=list(wanted),
            group__year=self.year,
            group__kind__in=[GroupKind.CLASS, GroupKind.TEACHING],
        ).values_list("pk", "teacher_id", "group_id", "subject_id")
        have = {(t, g, s): pk for pk, t, g, s in rows}
        want = {(t, g, s) for t, links in wanted.items() for g, s in links}
        stale = [pk for key, pk in have.items() if key not in want]
        new = [
            TeachingAssignment(teacher_id=t, group_id=g, subject_id=s)
            for t, g, s in want
            if (t, g, s) not in have
        ]
        TeachingAssignment.objects.bulk_create(new, batch_size=BATCH)
        if stale:
            TeachingAssignment.objects.filter(pk__in=stale).delete()
        self.report.created("teaching_assignment", len(new))
        self.report.updated("teaching_assignment", len(stale))
        self.report.unchanged("teaching_assignment", len(want) - len(new))

    # -- account lifecycle ---------------------------------------------------------------------------------

    def deactivate_missing(self) -> None:
        """After a full feed: people of the feed's schools who are no longer in it have left.

        Only AAF keys count (ONDE people have theirs, "onde:…"), and someone also attached to a school
        this feed does not describe stays: another feed still carries them.
        """
        if not self.feed_school_ids:
            return
        if self.unreadable_files:
            self.report.reject("deactivated", "", "", "fichier illisible : aucun compte désactivé")
            return
        outside = Membership.objects.exclude(school_id__in=self.feed_school_ids).values("person_id")
        candidates = (
            Person.objects.filter(left_at__isnull=True, memberships__school_id__in=self.feed_school_ids)
            .exclude(aaf_jointure="")
            .exclude(aaf_jointure__startswith="onde:")
            .exclude(pk__in=outside)
            .values_list("pk", "aaf_jointure")
            .distinct()
        )
        gone = [pk for pk, key in candidates.iterator() if key not in self.people_seen]
        for chunk in batched(gone):
            self.report.updated("deactivated", actions.deactivate_people(chunk, timezone.now()))

    # -- guardianships, once every person is known --------------------------------------------------------

    def apply_guardians(self) -> None:
        for chunk in batched(self.pending_guardians):
            # A relative is someone of this feed's PersRelEleve files or already a relative: a link to any
            # other person with that id (the sample feeds link a pupil to their own id) is not a guardian.
            wanted = {p.relative for p in chunk}
            relatives = dict(
                Person.objects.filter(aaf_jointure__in=wanted & self.relatives_seen).values_list(
                    "aaf_jointure", "pk"
                )
            )
            relatives.update(
                Person.objects.filter(
                    aaf_jointure__in=wanted - self.relatives_seen, memberships__profile=Profile.RELATIVE
                )
                .distinct()
                .values_list("aaf_jointure", "pk")
            )
            known = []
            for link in chunk:
                if link.relative not in relatives:
                    self.report.reject(
                        "guardianship",
                        link.file,
                        link.record,
                        f"responsable {link.relative} inconnu (absent des fichiers PersRelEleve)",
                    )
                else:
                    known.append(link)
            self.write_memberships(
                {relatives[link.relative]: {(link.school_id, Profile.RELATIVE): []} for link in known}
            )
            have = {
                (g.relative_id, g.student_id): g
                for g in Guardianship.objects.filter(
                    relative_id__in=[relatives[link.relative] for link in known],
                    student_id__in=[link.student_id for link in known],
                )
            }
            to_create, to_update = [], []
            for link in known:
                fields = {
                    "relationship": link.relationship,
                    "legal_guardian": link.legal_guardian,
                    "financial": link.financial,
                    "contact": link.contact,
                }
                current = have.get((relatives[link.relative], link.student_id))
                if current is None:
                    to_create.append(
                        Guardianship(
                            relative_id=relatives[link.relative], student_id=link.student_id, **fields
                        )
                    )
                elif any(getattr(current, name) != value for name, value in fields.items()):
                    for name, value in fields.items():
                        setattr(current, name, value)
                    to_update.append(current)
                else:
                    self.report.unchanged("guardianship")
            Guardianship.objects.bulk_create(to_create, batch_size=BATCH)
            Guardianship.objects.bulk_update(
                to_update, ["relationship", "legal_guardian", "financial", "contact"], batch_size=BATCH
            )
            self.report.created("guardianship", len(to_create))
            self.report.updated("guardianship", len(to_update))


def import_aaf(directory: Path, *, dry_run: bool = False, delta: bool = False) -> ImportReport:
    """Import every AAF 2D file of `directory`; with `dry_run`, everything is rolled back at the end.

    A full feed (not `delta`) is the whole truth for its schools: their people missing from it are
    deactivated (account lifecycle, rule C5).
    """
    report = ImportReport()
    with transaction.atomic():
        importer = AafImport(report)
        importer.run(directory)
        if not delta and not dry_run:
            importer.deactivate_missing()
        if report.writes:
            versions.bump()
        if dry_run:
            transaction.set_rollback(True)
    return report
