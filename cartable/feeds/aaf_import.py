"""The AAF 2D importer's actions: map feed records onto the directory and write them in batches.

Keyed on `ENTPersonJointure` (people) and `ENTStructureJointure` / UAI (schools). Rows are compared before
they are written, so importing the same feed twice writes nothing the second time. Delta feeds apply
`modifyRequest`s (only the attributes they carry change) and turn a `deleteRequest` into a departure
(`left_at`, like the lifecycle of full feeds: nothing is deleted). Records that cannot be
imported are rejected with a reason in the report and the import goes on; a file that is not well-formed XML
is rejected as a whole (its records are rolled back to a savepoint) and the other files are still imported.
"""

from __future__ import annotations

import copy
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import islice
from pathlib import Path
from xml.etree.ElementTree import ParseError

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from cartable.accounts.models import User
from cartable.accounts.usernames import base_username
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
from cartable.feeds import history
from cartable.feeds.aaf import Record, files_in_order, read_records
from cartable.feeds.models import FeedImport
from cartable.feeds.report import ImportReport, ProgressBar

BATCH = 1000
LOGIN_WINDOW = 3

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


UNKNOWN_PERSON = "personne inconnue de l'annuaire : modification impossible"
UNKNOWN_DELETED = "personne inconnue de l'annuaire : suppression ignorée"

FEED_KINDS = frozenset({GroupKind.CLASS, GroupKind.TEACHING})


def logins_among(candidates: list[str]) -> set[str]:
    """Which of these logins exist (on PostgreSQL one array parameter, not thousands of placeholders)."""
    if connection.vendor != "postgresql":
        return set(User.objects.filter(username__in=candidates).values_list("username", flat=True))
    table, column = User._meta.db_table, User._meta.get_field("username").column or "username"
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {quote(column)} FROM {quote(table)} WHERE {quote(column)} = ANY(%s)",  # noqa: S608
            [candidates],
        )
        return {row[0] for row in cursor.fetchall()}


ANALYZE_AFTER = 2000  # rows written before the first refresh of the statistics


def refresh_statistics() -> None:
    """Fresh planner statistics for the directory tables (PostgreSQL). The import runs in one
    transaction, which autovacuum cannot see into: without this, once a table has grown by tens of
    thousands of rows, lookups by key become sequential scans. ANALYZE counts the transaction's own rows."""
    if connection.vendor != "postgresql":
        return
    models = (User, Person, Membership, Enrolment, Guardianship, TeachingAssignment, Group, Subject)
    tables = ", ".join(connection.ops.quote_name(model._meta.db_table) for model in models)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {tables}")


class KeySet:
    """A set of join keys kept as sorted 64-bit hashes, 8 bytes a key: an académie's worth of people
    fits in a few megabytes, so the importer's memory stays flat whatever the feed's size. (Two keys with
    the same hash, one chance in 10^9 for a million people, would only make a departed person look seen.)"""

    def __init__(self) -> None:
        self.hashes = array("q")
        self.sorted_upto = 0

    def add(self, key: str) -> None:
        self.hashes.append(hash(key))

    def update(self, keys: Iterable[str]) -> None:
        self.hashes.extend(hash(key) for key in keys)

    def __contains__(self, key: str) -> bool:
        if self.sorted_upto != len(self.hashes):
            self.hashes = array("q", sorted(set(self.hashes)))
            self.sorted_upto = len(self.hashes)
        h = hash(key)
        i = bisect_left(self.hashes, h)
        return i < len(self.hashes) and self.hashes[i] == h


@dataclass(slots=True)
class Known:
    """A person a modification names, as the directory has them: id and schools per profile."""

    pk: int
    schools: dict[str, list[int]] = field(default_factory=dict)
    functions: dict[tuple[int, str], list[str]] = field(default_factory=dict)


@dataclass(slots=True)
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


PERSON_FIELDS = ("first_name", "last_name", "birth_date", "ine")
GUARDIAN_FIELDS = ("relationship", "legal_guardian", "financial", "contact")
GroupKey = tuple[int, str]  # (school id, name)
SubjectKey = tuple[int, str]  # (school id, code)


@dataclass(slots=True)
class PersonRow:
    """One person record once mapped, with the links it asks for (resolved to ids).

    A full record sets everything; a modification sets only the `fields` it carries and replaces only the
    links of the group kinds it names (`group_kinds`, `teaching_kinds`).
    """

    record: Record
    jointure: str
    first_name: str = ""
    last_name: str = ""
    birth_date: date | None = None
    ine: str = ""
    fields: tuple[str, ...] = PERSON_FIELDS
    known: Known | None = None
    # (school id, profile) → functions (None: keep the functions the membership has)
    memberships: dict[tuple[int, str], list[str] | None] = field(default_factory=dict)
    groups: set[GroupKey] = field(default_factory=set)
    group_kinds: frozenset[str] = FEED_KINDS
    # (group id, subject id or None)
    teaching: set[tuple[GroupKey, SubjectKey | None]] = field(default_factory=set)
    teaching_kinds: frozenset[str] = FEED_KINDS
    guardians: list[PendingGuardian] = field(default_factory=list)


class AafImport:
    def __init__(self, report: ImportReport, progress: ProgressBar | None = None) -> None:
        self.report = report
        self.progress = progress
        self.load()
        self.subject_names: dict[str, str] = {}  # national subject code → name (MatiereEducNat)
        self.password = make_password(None)
        self.relatives_seen = KeySet()
        # For the account lifecycle: every person key of the feed (rejected records too) and its schools.
        self.people_seen = KeySet()
        self.feed_school_ids: set[int] = set()
        # The schools the people records name: their cached facts are read again after the import.
        self.schools_written: set[int] = set()
        self.unreadable_files = 0
        self.records_read = 0
        self.analyzed_at = 0

    def load(self) -> None:
        """What is looked up for every record, read once (and again after a file was rolled back)."""
        self.schools: dict[str, School] = {}
        self.schools_by_pk: dict[int, School] = {}
        for school in School.objects.all():
            self._index_school(school)
        self.year = SchoolYear.objects.filter(is_current=True).first()
        # Ids only: what stays in memory for the whole import is a few bytes per class and subject.
        self.groups: dict[GroupKey, int] = (
            {
                (school_id, name): pk
                for pk, school_id, name in Group.objects.filter(year=self.year).values_list(
                    "pk", "school_id", "name"
                )
            }
            if self.year
            else {}
        )
        self.subjects: dict[SubjectKey, int] = {}
        self.pending_groups: dict[GroupKey, str] = {}
        self.pending_subjects: dict[SubjectKey, str] = {}
        self.subject_schools: set[int] = set()

    # -- files ---------------------------------------------------------------------------------------------

    def run(self, directory: Path) -> None:
        files = files_in_order(directory)
        sizes = [path.stat().st_size for _family, path in files]
        if self.progress is not None:
            self.progress.start(sum(sizes))
        done = 0
        for (family, path), size in zip(files, sizes, strict=True):
            counts = copy.deepcopy(self.report.counts)
            rejections = len(self.report.rejections)
            try:
                with transaction.atomic():
                    self.import_file(family, path, done)
            except ParseError as error:
                # Nothing of a broken file is kept, in the database or in the report.
                self.report.counts = counts
                del self.report.rejections[rejections:]
                self.load()
                self.unreadable_files += 1
                self.report.reject("file", path.name, "", f"fichier XML illisible : {error}")
            done += size
        if self.progress is not None:
            self.progress.finish(self.records_read)

    def reader(self, path: Path, offset: int) -> Iterator[Record]:
        if self.progress is None:
            yield from read_records(path)
            return
        progress = self.progress
        for record in read_records(
            path, lambda position: progress.update(offset + position, self.records_read)
        ):
            self.records_read += 1
            yield record

    def import_file(self, family: str, path: Path, offset: int = 0) -> None:
        records = self.reader(path, offset)
        if family == "EtabEducNat":
            for record in records:
                self.import_school(record, path.name)
        elif family == "MatiereEducNat":
            for record in records:
                if record.operation == "delete":
                    # A subject stays while classes are taught it: the directory keeps it.
                    self.report.unchanged("subject_code")
                    continue
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
            }[family]
            kind = {"Eleve": "student", "PersRelEleve": "relative", "PersEducNat": "staff"}[family]
            for chunk in batched(records):
                known = self.known_people(
                    [key for r in chunk if r.operation == "modify" and (key := r.key())]
                )
                rows = [
                    row
                    for record in chunk
                    if record.operation != "delete"
                    and (row := self.checked(mapper, kind, record, path.name, known))
                ]
                self.create_pending()
                self.write_people(kind, rows, path.name)
                if self.report.writes >= max(ANALYZE_AFTER, 2 * self.analyzed_at):
                    # The tables doubled since the planner last looked: a few times per import.
                    refresh_statistics()
                    self.analyzed_at = self.report.writes
                deleted = [record for record in chunk if record.operation == "delete"]
                if deleted:
                    self.delete_people(kind, deleted, path.name)

    def known_people(self, keys: list[str]) -> dict[str, Known]:
        """The people these modifications name, with their schools (two queries, none without keys)."""
        if not keys:
            return {}
        known = {
            key: Known(pk=pk)
            for key, pk in Person.objects.filter(aaf_jointure__in=keys)
            .order_by()
            .values_list("aaf_jointure", "pk")
        }
        by_pk = {k.pk: k for k in known.values()}
        for person_id, school_id, profile, functions in Membership.objects.filter(
            person_id__in=list(by_pk)
        ).values_list("person_id", "school_id", "profile", "functions"):
            by_pk[person_id].schools.setdefault(profile, []).append(school_id)
            by_pk[person_id].functions[(school_id, profile)] = sorted(functions or [])
        return known

    def checked(
        self, mapper, kind: str, record: Record, file: str, known: dict[str, Known]
    ) -> PersonRow | None:
        jointure = record.key()
        if jointure:
            # Seen, even if rejected below: a record the feed still carries is not a person who left.
            self.people_seen.add(jointure)
        else:
            self.report.reject(kind, file, record.id, MISSING_JOINTURE)
            return None
        row = PersonRow(record=record, jointure=jointure)
        if record.operation == "modify":
            row.known = known.get(jointure)
            if row.known is None:
                self.report.reject(kind, file, record.id, UNKNOWN_PERSON)
                return None
            # Only what the modification carries changes; a name is never blanked.
            fields = []
            if record.first("givenName"):
                fields.append("first_name")
            if record.first("sn") or record.first("ENTPersonNomPatro"):
                fields.append("last_name")
            if record.has("ENTPersonDateNaissance"):
                fields.append("birth_date")
            if record.first("ENTEleveINE"):
                fields.append("ine")
            row.fields = tuple(fields)
        try:
            row.birth_date = parse_date(record.first("ENTPersonDateNaissance"))
        except ValueError:
            self.report.reject(
                kind,
                file,
                record.id,
                f"date de naissance invalide : {record.first('ENTPersonDateNaissance')}",
            )
            return None
        row.first_name = record.first("givenName")
        row.last_name = record.first("sn") or record.first("ENTPersonNomPatro")
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
        self.schools_by_pk[school.pk] = school

    def school(self, key: str) -> School | None:
        return self.schools.get(key) if key else None

    def import_school(self, record: Record, file: str) -> None:
        jointure = record.key("ENTStructureJointure")
        uai = (record.first("ENTStructureUAI") or record.first("ENTEtablissementUAI")).upper()
        if record.operation == "delete":
            # Closing a school is a decision for the platform administrators, not for a feed line.
            self.report.reject("school", file, record.id, "suppression d'établissement non appliquée")
            return
        if not jointure and not uai:
            self.report.reject("school", file, record.id, MISSING_JOINTURE)
            return
        school = self.school(jointure) or self.school(uai)
        if record.operation == "modify" and school is None:
            self.report.reject("school", file, record.id, "établissement inconnu : modification impossible")
            return
        if (record.operation == "add" or uai) and not (
            len(uai) == 8 and uai[:7].isdigit() and uai[7].isalpha()
        ):
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
        if record.operation == "modify":
            carried = {
                "uai": uai,
                "name": record.first("ENTStructureNomCourant"),
                "kind": record.has("ENTStructureTypeStruct"),
                "city": record.has("l"),
                "academy": record.has("ENTServAcAcademie"),
            }
            fields = {name: value for name, value in fields.items() if carried.get(name)}
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

    def subject(self, school: School, code: str) -> SubjectKey:
        """The key of a school's subject; a new one is created with the batch (create_pending)."""
        key = (school.pk, code)
        if key not in self.subjects:
            if school.pk not in self.subject_schools:
                # First subject of this school: read all of them at once.
                self.subject_schools.add(school.pk)
                for pk, found in Subject.objects.filter(school=school).values_list("pk", "code"):
                    self.subjects[(school.pk, found)] = pk
            if key not in self.subjects:
                self.pending_subjects.setdefault(key, self.subject_names.get(code, code))
        return key

    def group(self, school: School, name: str, kind: str) -> GroupKey | None:
        """The key of this year's class or group; a new one is created with the batch (create_pending)."""
        if self.year is None:
            return None
        key = (school.pk, name)
        if key not in self.groups:
            self.pending_groups.setdefault(key, kind)
        return key

    def create_pending(self) -> None:
        """The classes, groups and subjects a batch of records named for the first time, in one go each."""
        if self.pending_groups and self.year is not None:
            created = Group.objects.bulk_create(
                [
                    Group(school_id=school_id, year=self.year, name=name, kind=kind)
                    for (school_id, name), kind in self.pending_groups.items()
                ],
                batch_size=BATCH,
            )
            for group in created:
                self.groups[(group.school_id, group.name)] = group.pk
                self.report.created("class" if group.kind == GroupKind.CLASS else "group")
        self.pending_groups.clear()
        if self.pending_subjects:
            subjects = Subject.objects.bulk_create(
                [
                    Subject(school_id=school_id, code=code, name=name)
                    for (school_id, code), name in self.pending_subjects.items()
                ],
                batch_size=BATCH,
            )
            for subject in subjects:
                self.subjects[(subject.school_id, subject.code)] = subject.pk
            self.report.created("subject", len(subjects))
        self.pending_subjects.clear()

    def linked_school(self, structure: str, fallback: School | None) -> School | None:
        """The school a `structureId$…` link names; links to a structure absent from the feed fall back to
        the person's own school (feeds in the wild carry ids of structures they do not describe)."""
        return self.school(structure) or fallback

    def known_school(self, row: PersonRow, *profiles: str) -> School | None:
        """For a modification that does not name the school: the one the person already belongs to."""
        if row.known is None:
            return None
        for profile in profiles:
            for pk in row.known.schools.get(profile, []):
                if school := self.schools_by_pk.get(pk):
                    return school
        return None

    # -- mapping people ------------------------------------------------------------------------------------

    def map_student(self, row: PersonRow, file: str) -> str:
        record = row.record
        full = record.operation == "add"
        attached = record.values("ENTPersonStructRattach") + record.values("ENTEleveStructRattachId")
        school = next((s for key in attached if (s := self.school(key))), None)
        if school is not None:
            row.memberships[(school.pk, Profile.STUDENT)] = []
        elif full or attached:
            return "établissement de rattachement inconnu : " + (
                ", ".join(record.values("ENTPersonStructRattach")) or "aucun"
            )
        else:
            school = self.known_school(row, Profile.STUDENT)
        row.ine = record.first("ENTEleveINE")[:11]
        kinds = set()
        for attr, kind in (("ENTEleveClasses", GroupKind.CLASS), ("ENTEleveGroupes", GroupKind.TEACHING)):
            if not full and not record.has(attr):
                continue
            kinds.add(kind)
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
                    row.groups.add(group)
        row.group_kinds = frozenset(kinds)
        if school is None:
            if record.has("ENTElevePersRelEleve"):
                return "élève rattaché à aucun établissement connu : responsables non importés"
            return ""
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
        full = record.operation == "add"
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
        ens = any(v.split("$")[1:2] == ["ENS"] for v in record.values("ENTPersonFonctions"))
        if full or record.has("ENTPersonProfils"):
            teacher = "National_ENS" in record.values("ENTPersonProfils") or ens
        else:
            teacher = ens or (row.known is not None and Profile.TEACHER in row.known.schools)
        profile = Profile.TEACHER if teacher else Profile.PERSONNEL
        if schools:
            keep_functions = not full and not record.has("ENTPersonFonctions")
            for pk in schools:
                row.memberships[(pk, profile)] = None if keep_functions else sorted(functions.get(pk, []))
            home: School | None = next(iter(schools.values()))
        elif full or record.has("ENTPersonStructRattach", "ENTPersonFonctions"):
            return "personnel rattaché à aucun établissement connu"
        else:
            home = self.known_school(row, Profile.TEACHER, Profile.PERSONNEL)
        classes = record.values("ENTAuxEnsClassesMatieres")
        kinds = set()
        for attr, kind in (
            ("ENTAuxEnsClassesMatieres", GroupKind.CLASS),
            ("ENTAuxEnsGroupesMatieres", GroupKind.TEACHING),
        ):
            if full or record.has(attr):
                kinds.add(kind)
        row.teaching_kinds = frozenset(kinds)
        for value in classes + record.values("ENTAuxEnsGroupesMatieres"):
            structure, _, rest = value.partition("$")
            name, _, subject_code = rest.partition("$")
            target = self.linked_school(structure, home)
            if not name or target is None:
                continue
            if self.year is None:
                self.report.reject("teaching_assignment", file, record.id, NO_CURRENT_YEAR)
                continue
            kind = GroupKind.CLASS if value in classes else GroupKind.TEACHING
            group = self.group(target, name, kind)
            subject = self.subject(target, subject_code) if subject_code else None
            if group is not None:
                row.teaching.add((group, subject))
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
        # Plain tuples, not model instances: most people of a feed are unchanged and cost one tuple each.
        existing: dict[str, tuple] = {
            values[1]: values
            for values in Person.objects.filter(aaf_jointure__in=list(unique))
            .order_by()
            .values_list("pk", "aaf_jointure", "left_at", *PERSON_FIELDS)
        }
        ids = {key: values[0] for key, values in existing.items()}
        returning = [values[0] for values in existing.values() if values[2] is not None]
        if returning:
            # Back before the purge: the same account and data, updated below like everyone's.
            self.report.updated("reactivated", actions.reactivate_people(returning))
        new_rows = [row for key, row in unique.items() if key not in existing]
        changed = []
        for key, values in existing.items():
            row = unique[key]
            current = dict(zip(PERSON_FIELDS, values[3:], strict=True))
            wanted = {name: getattr(row, name) for name in row.fields}
            if "ine" in wanted:
                wanted["ine"] = row.ine or current["ine"]
            if any(current[name] != value for name, value in wanted.items()):
                changed.append(Person(pk=values[0], **{**current, **wanted}))
        if changed:
            Person.objects.bulk_update(changed, list(PERSON_FIELDS), batch_size=BATCH)
        self.report.updated(kind, len(changed))
        self.report.unchanged(kind, len(existing) - len(changed))
        if new_rows:
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
                self.taken_logins(new_rows),
                self.password,
                BATCH,
            )
            ids.update({p.aaf_jointure: p.pk for p in people})
            self.report.created(kind, len(people))
        self.write_memberships({ids[k]: r.memberships for k, r in unique.items()})
        if kind == "relative":
            self.relatives_seen.update(unique)
        if kind == "student":
            links = []
            for key, row in unique.items():
                for link in row.guardians:
                    link.student_id = ids[key]
                    links.append(link)
            self.write_guardians(links)
            self.write_links(
                Enrolment,
                "student_id",
                "group_id",
                {
                    ids[k]: ({self.groups[g] for g in r.groups}, r.group_kinds)
                    for k, r in unique.items()
                    if r.group_kinds
                },
                "enrolment",
            )
        if kind == "staff":
            self.write_teaching(
                {
                    ids[k]: (
                        {(self.groups[g], self.subjects[c] if c else None) for g, c in r.teaching},
                        r.teaching_kinds,
                    )
                    for k, r in unique.items()
                    if r.teaching_kinds
                }
            )

    def taken_logins(self, rows: list[PersonRow]) -> set[str]:
        """The logins already taken among those these people may get (prenom.nom, prenom.nom2, …), read
        window by window: memory does not grow with the number of accounts."""
        pending = {base_username(row.first_name, row.last_name) for row in rows}
        taken: set[str] = set()
        start, size = 1, LOGIN_WINDOW
        while pending:
            window = range(start, start + size)
            candidates = [base if n == 1 else f"{base}{n}" for base in pending for n in window]
            found = logins_among(candidates)
            taken |= found
            pending = {b for b in pending if all((b if n == 1 else f"{b}{n}") in found for n in window)}
            start += size
            size *= 4  # the few names shared by many people are looked up in wider windows
        return taken

    def delete_people(self, kind: str, records: list[Record], file: str) -> None:
        """A `deleteRequest`: the person has left (left_at, no login); their data stay until the purge."""
        keys = {record.key(): record for record in records if record.key()}
        found = dict(
            Person.objects.filter(aaf_jointure__in=list(keys))
            .order_by()
            .values_list("aaf_jointure", "left_at")
        )
        for record in records:
            if not record.key():
                self.report.reject(kind, file, record.id, MISSING_JOINTURE)
            elif record.key() not in found:
                self.report.reject(kind, file, record.id, UNKNOWN_DELETED)
        gone = [key for key, left_at in found.items() if left_at is None]
        self.report.unchanged("deactivated", len(found) - len(gone))
        if gone:
            ids = Person.objects.filter(aaf_jointure__in=gone).values_list("pk", flat=True)
            self.report.updated("deactivated", actions.deactivate_people(list(ids), timezone.now()))

    def write_memberships(self, wanted: dict[int, dict[tuple[int, str], list[str] | None]]) -> None:
        """Create the memberships asked for and update their functions (None: leave them as they are)."""
        current = {
            (person_id, school_id, profile): (pk, functions)
            for pk, person_id, school_id, profile, functions in Membership.objects.filter(
                person_id__in=[pk for pk, links in wanted.items() if links]
            ).values_list("pk", "person_id", "school_id", "profile", "functions")
        }
        to_create: list[tuple[int, int, str, list[str]]] = []
        to_update = []
        for person_id, links in wanted.items():
            for (school_id, profile), functions in links.items():
                self.schools_written.add(school_id)
                found = current.get((person_id, school_id, profile))
                if found is None:
                    to_create.append((person_id, school_id, profile, functions or []))
                elif functions is not None and sorted(found[1] or []) != functions:
                    to_update.append(Membership(pk=found[0], functions=functions))
        actions.copy_rows(Membership, ["person_id", "school_id", "profile", "functions"], to_create)
        Membership.objects.bulk_update(to_update, ["functions"], batch_size=BATCH)
        self.report.created("membership", len(to_create))
        self.report.updated("membership", len(to_update))

    def write_links(
        self, model, owner: str, target: str, wanted: dict[int, tuple[set[int], frozenset[str]]], kind: str
    ) -> None:
        """Make each owner's links to this year's feed groups of the given kinds exactly the wanted ones
        (manual groups, and the kinds a modification does not name, stay)."""
        if self.year is None or not wanted:
            return
        rows = model.objects.filter(
            **{f"{owner}__in": list(wanted)},
            group__year=self.year,
            group__kind__in=list(FEED_KINDS),
        ).values_list("pk", owner, target, "group__kind")
        have: dict[tuple[int, int], int] = {}
        stale = []
        for pk, o, t, group_kind in rows:
            if t in wanted[o][0]:
                have[(o, t)] = pk
            elif group_kind in wanted[o][1]:
                stale.append(pk)
        new = [(o, t) for o, (targets, _kinds) in wanted.items() for t in targets if (o, t) not in have]
        actions.copy_rows(model, [owner, target], new)
        if stale:
            model.objects.filter(pk__in=stale).delete()
        self.report.created(kind, len(new))
        self.report.updated(kind, len(stale))
        self.report.unchanged(kind, len(have))

    def write_teaching(self, wanted: dict[int, tuple[set[tuple[int, int | None]], frozenset[str]]]) -> None:
        if self.year is None or not wanted:
            return
        rows = TeachingAssignment.objects.filter(
            teacher_id__in=list(wanted),
            group__year=self.year,
            group__kind__in=list(FEED_KINDS),
        ).values_list("pk", "teacher_id", "group_id", "subject_id", "group__kind")
        have = set()
        stale = []
        for pk, t, g, s, group_kind in rows:
            if (g, s) in wanted[t][0]:
                have.add((t, g, s))
            elif group_kind in wanted[t][1]:
                stale.append(pk)
        new = [(t, g, s) for t, (links, _kinds) in wanted.items() for g, s in links if (t, g, s) not in have]
        actions.copy_rows(TeachingAssignment, ["teacher_id", "group_id", "subject_id"], new)
        if stale:
            TeachingAssignment.objects.filter(pk__in=stale).delete()
        self.report.created("teaching_assignment", len(new))
        self.report.updated("teaching_assignment", len(stale))
        self.report.unchanged("teaching_assignment", len(have))

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

    # -- guardianships, with each batch of pupils (their relatives came first) -----------------------------

    def write_guardians(self, links: list[PendingGuardian]) -> None:
        for chunk in batched(links):
            # A relative is someone of this feed's PersRelEleve files or already a relative: a link to any
            # other person with that id (the sample feeds link a pupil to their own id) is not a guardian.
            wanted = {p.relative for p in chunk}
            seen = {key for key in wanted if key in self.relatives_seen}
            relatives = dict(
                Person.objects.filter(aaf_jointure__in=wanted & seen)
                .order_by()
                .values_list("aaf_jointure", "pk")
            )
            relatives.update(
                Person.objects.filter(aaf_jointure__in=wanted - seen, memberships__profile=Profile.RELATIVE)
                .order_by()
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
            memberships: dict[int, dict[tuple[int, str], list[str] | None]] = {}
            for link in known:
                memberships.setdefault(relatives[link.relative], {})[(link.school_id, Profile.RELATIVE)] = []
            self.write_memberships(memberships)
            have = {
                (values[1], values[2]): values
                for values in Guardianship.objects.filter(
                    relative_id__in=[relatives[link.relative] for link in known],
                    student_id__in=[link.student_id for link in known],
                ).values_list("pk", "relative_id", "student_id", *GUARDIAN_FIELDS)
            }
            to_create: dict[tuple[int, int], tuple] = {}
            to_update = []
            for link in known:
                fields = {
                    "relationship": link.relationship,
                    "legal_guardian": link.legal_guardian,
                    "financial": link.financial,
                    "contact": link.contact,
                }
                pair = (relatives[link.relative], link.student_id)
                current = have.get(pair)
                if current is None:
                    # A relative named twice for the same pupil: the last link wins.
                    to_create[pair] = (*pair, *fields.values())
                elif current[3:] != tuple(fields.values()):
                    to_update.append(Guardianship(pk=current[0], **fields))
                else:
                    self.report.unchanged("guardianship")
            actions.copy_rows(
                Guardianship,
                ["relative_id", "student_id", "relationship", "legal_guardian", "financial", "contact"],
                to_create.values(),
            )
            Guardianship.objects.bulk_update(
                to_update, ["relationship", "legal_guardian", "financial", "contact"], batch_size=BATCH
            )
            self.report.created("guardianship", len(to_create))
            self.report.updated("guardianship", len(to_update))


def import_aaf(
    directory: Path,
    *,
    dry_run: bool = False,
    delta: bool = False,
    force: bool = False,
    progress: ProgressBar | None = None,
) -> ImportReport:
    """Import every AAF 2D file of `directory`; with `dry_run`, everything is rolled back at the end.

    A full feed (not `delta`) is the whole truth for its schools: their people missing from it are
    deactivated (account lifecycle, rule C5). A delta feed only changes the people it names. A full feed
    identical to the last import is not read again unless `force` (cartable.feeds.history).
    """
    source = FeedImport.Source.AAF_DELTA if delta else FeedImport.Source.AAF
    paths = [path for _family, path in files_in_order(directory)]
    digest = history.feed_digest(paths)
    previous = None if delta else history.previous_identical_import(source, digest)
    if previous is not None and not (dry_run or force):
        return history.report_of_identical(previous)
    report = ImportReport()
    with transaction.atomic():
        importer = AafImport(report, progress)
        importer.run(directory)
        if not delta and not dry_run:
            importer.deactivate_missing()
        if report.writes:
            # The schools the feed describes and those its people records name, with everyone in them.
            versions.bump_imported_schools(importer.feed_school_ids | importer.schools_written)
        if dry_run:
            transaction.set_rollback(True)
        elif report.writes or previous is None:
            # A forced re-read that changed nothing leaves the history (and the database) as it was.
            history.record_import(source, digest, len(paths), report)
    return report
