"""The AAF 2D importer (cartable.feeds.aaf_import): schools, subjects, classes and groups."""

from __future__ import annotations

from django.contrib.auth.hashers import make_password

from cartable.directory.bulk import Provisioning
from cartable.directory.models import (
    Group,
    GroupKind,
    School,
    SchoolKind,
    SchoolYear,
    Subject,
)
from cartable.feeds.aaf import Record
from cartable.feeds.aaf_import.rows import (
    BATCH,
    MISSING_JOINTURE,
    PRIMARY_TYPES,
    GroupKey,
    KeySet,
    PersonRow,
    SubjectKey,
)
from cartable.feeds.report import ImportReport, ProgressBar


class AafSchools:
    """The importer's state, and the schools, subjects, classes and groups it meets."""

    def __init__(
        self, directory: Provisioning, report: ImportReport, progress: ProgressBar | None = None
    ) -> None:
        self.directory = directory  # every directory write goes through it (cartable.directory.bulk)
        self.report = report
        self.progress = progress
        self.load()
        self.subject_names: dict[str, str] = {}  # national subject code → name (MatiereEducNat)
        self.password = make_password(None)
        self.relatives_seen = KeySet()
        # For the account lifecycle: every person key of the feed (rejected records too) and its schools.
        self.people_seen = KeySet()
        self.feed_school_ids: set[int] = set()
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
            school = self.directory.create_school(**fields)
            self.report.created("school")
        elif any(getattr(school, name) != value for name, value in fields.items()):
            for name, value in fields.items():
                setattr(school, name, value)
            self.directory.update_school(school, list(fields))
            self.report.updated("school")
        else:
            self.report.unchanged("school")
        self._index_school(school)
        self.feed_school_ids.add(school.pk)
        self.directory.concerns_schools([school.pk])

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
            created = self.directory.create_groups(
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
            subjects = self.directory.create_subjects(
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
