"""The AAF 2D importer (cartable.feeds.aaf_import): mapping people records onto the directory (schools,
profiles, functions, classes, teaching, guardians) before they are written."""

from __future__ import annotations

from cartable.directory.models import (
    GroupKind,
    Profile,
    School,
)
from cartable.feeds.aaf_import.rows import (
    FUNCTIONS,
    NO_CURRENT_YEAR,
    PendingGuardian,
    PersonRow,
)
from cartable.feeds.aaf_import.schools import AafSchools


class AafMapping(AafSchools):
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
