"""The attributes an application may receive, named as the SDET (schéma directeur des ENT, its annex on the
directory's attributes) and the AAF name them, so that the publishers' CAS clients (Pronote, Moodle's CAS
plugin…) find what they already read. An application receives only those its registration lists (data
minimisation, RGPD art. 5): the same values whatever the protocol.

Values are about the schools where the person may use the application only: a teacher of school A who also
teaches in school B gets only A's UAI from an application that only school A enabled.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cartable.access.policy import current_enrolments, current_teaching_assignments
from cartable.directory.models import GroupKind, Guardianship, Membership, Person, Profile

# The SDET's national profiles (ENTPersonProfils).
NATIONAL_PROFILES = {
    Profile.STUDENT: "National_ELV",
    Profile.RELATIVE: "National_TUT",
    Profile.TEACHER: "National_ENS",
    Profile.PERSONNEL: "National_EVS",
    Profile.GUEST: "National_COL",
}
# A member of staff's function, where it says more than the profile.
NATIONAL_FUNCTIONS = {"direction": "National_DIR", "documentalist": "National_DOC"}


@dataclass(frozen=True)
class Subject:
    """Who the attributes are about, read once for all the attributes of one answer."""

    user: Any
    person: Person | None
    memberships: list[Membership]
    # (uai, name, kind) of the pupil's classes and groups, of the teacher's
    classes: list[tuple[str, str, str]]
    taught: list[tuple[str, str, str]]


def subject_for(user: Any, school_ids: list[int]) -> Subject:
    person = Person.objects.filter(user_id=user.pk).first()
    if person is None:
        return Subject(user, None, [], [], [])
    memberships = list(
        Membership.objects.filter(person=person, school_id__in=school_ids).select_related("school")
    )
    fields = ("group__school__uai", "group__name", "group__kind")
    classes = list(
        current_enrolments().filter(student=person, group__school_id__in=school_ids).values_list(*fields)
    )
    taught = list(
        current_teaching_assignments()
        .filter(teacher=person, group__school_id__in=school_ids)
        .values_list(*fields)
        .distinct()
    )
    return Subject(user, person, memberships, classes, taught)


def _profiles(s: Subject) -> list[str]:
    values: list[str] = []
    for m in s.memberships:
        values.append(NATIONAL_PROFILES.get(Profile(m.profile), "National_COL"))
        values.extend(NATIONAL_FUNCTIONS[f] for f in m.functions or [] if f in NATIONAL_FUNCTIONS)
    return sorted(set(values))


def _uais(s: Subject) -> list[str]:
    return sorted({m.school.uai for m in s.memberships})


def _pupil_classes(s: Subject) -> list[str]:
    return [f"{uai}${name}" for uai, name, kind in s.classes if kind == GroupKind.CLASS]


def _pupil_groups(s: Subject) -> list[str]:
    return [f"{uai}${name}" for uai, name, kind in s.classes if kind != GroupKind.CLASS]


def _teacher_classes(s: Subject) -> list[str]:
    return sorted({f"{uai}${name}" for uai, name, kind in s.taught if kind == GroupKind.CLASS})


def _teacher_groups(s: Subject) -> list[str]:
    return sorted({f"{uai}${name}" for uai, name, kind in s.taught if kind != GroupKind.CLASS})


def _classes(s: Subject) -> list[str]:
    return sorted({name for _uai, name, kind in s.classes + s.taught if kind == GroupKind.CLASS})


def _children(s: Subject) -> list[str]:
    """A legal guardian's children enrolled in the schools of the answer (their names)."""
    if s.person is None:
        return []
    school_ids = {m.school_id for m in s.memberships}
    rows = Guardianship.objects.filter(
        relative=s.person,
        legal_guardian=True,
        student__memberships__school_id__in=school_ids,
        student__memberships__profile=Profile.STUDENT,
    ).values_list("student__first_name", "student__last_name")
    return sorted({f"{first} {last}" for first, last in rows})


def _one(value: str) -> list[str]:
    return [value] if value else []


@dataclass(frozen=True)
class Attribute:
    name: str
    label: str | Promise
    values: Callable[[Subject], list[str]]


CATALOGUE: dict[str, Attribute] = {
    a.name: a
    for a in (
        Attribute("uid", _("Identifiant de connexion"), lambda s: [s.user.username]),
        Attribute("ENTPersonProfils", _("Profils (National_ELV, National_ENS…)"), _profiles),
        Attribute("ENTPersonStructRattach", _("UAI des établissements"), _uais),
        Attribute(
            "ENTPersonJointure",
            _("Identifiant AAF (jointure)"),
            lambda s: _one(s.person.aaf_jointure if s.person else ""),
        ),
        Attribute("sn", _("Nom"), lambda s: _one(s.person.last_name if s.person else "")),
        Attribute("givenName", _("Prénom"), lambda s: _one(s.person.first_name if s.person else "")),
        Attribute(
            "displayName",
            _("Nom affiché"),
            lambda s: _one(f"{s.person.first_name} {s.person.last_name}" if s.person else s.user.username),
        ),
        Attribute("mail", _("Adresse électronique"), lambda s: _one(s.user.email)),
        Attribute("classes", _("Classes (noms)"), _classes),
        Attribute("ENTEleveClasses", _("Classes de l’élève (UAI$classe)"), _pupil_classes),
        Attribute("ENTEleveGroupes", _("Groupes de l’élève (UAI$groupe)"), _pupil_groups),
        Attribute("ENTAuxEnsClasses", _("Classes de l’enseignant (UAI$classe)"), _teacher_classes),
        Attribute("ENTAuxEnsGroupes", _("Groupes de l’enseignant (UAI$groupe)"), _teacher_groups),
        Attribute("children", _("Enfants du responsable (dans ces établissements)"), _children),
    )
}
# What a new registration offers ticked: enough to find the person and their school, nothing more.
DEFAULT = ["uid", "ENTPersonProfils", "ENTPersonStructRattach"]


def released(user: Any, names: tuple[str, ...] | list[str], school_ids: list[int]) -> dict[str, list[str]]:
    """The values of the listed attributes (unknown names are skipped), about those schools only."""
    wanted = [CATALOGUE[name] for name in names if name in CATALOGUE]
    if not wanted:
        return {}
    subject = subject_for(user, school_ids)
    return {attribute.name: attribute.values(subject) for attribute in wanted}
