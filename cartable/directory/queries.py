"""Read helpers about the directory that several pages share; each is one query whatever the data size."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, QuerySet

from cartable.directory import versions
from cartable.directory.models import (
    Enrolment,
    Group,
    GroupKind,
    Guardianship,
    Membership,
    Person,
    School,
    SchoolKind,
    TeachingAssignment,
)
from cartable.lib.urls import url_for


def current_class_enrolments() -> QuerySet[Enrolment]:
    """Enrolments in a class (not a group) of the current school year, with the class and its school."""
    return Enrolment.objects.filter(group__kind=GroupKind.CLASS, group__year__is_current=True).select_related(
        "group__school"
    )


def current_classes(person_ids: Iterable[int]) -> dict[int, list[Group]]:
    """Pupil id -> the classes they are in this year."""
    classes: dict[int, list[Group]] = {}
    for enrolment in current_class_enrolments().filter(student_id__in=list(person_ids)):
        classes.setdefault(enrolment.student_id, []).append(enrolment.group)
    return classes


def with_directory_facts(people: QuerySet[Person]) -> QuerySet[Person]:
    """People with their memberships (and schools) and this year's classes, in two extra queries in all."""
    return people.prefetch_related(
        Prefetch(
            "memberships", queryset=Membership.objects.select_related("school").order_by("school__name")
        ),
        Prefetch("enrolments", queryset=current_class_enrolments(), to_attr="class_enrolments"),
    )


# --- Facts for the home page, kept in the shared cache under the versions of the people and schools shown ---


@dataclass(frozen=True)
class PersonName:
    pk: int
    first_name: str
    last_name: str

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name.upper()}"

    @property
    def url(self) -> str:
        return url_for("directory:person", self.pk)


@dataclass(frozen=True)
class TeamMember:
    subject: str  # empty when the assignment names no subject
    teacher: PersonName


@dataclass(frozen=True)
class ClassCard:
    """A class of this school year, its school and its teaching team."""

    pk: int
    name: str
    school_name: str
    team: tuple[TeamMember, ...]
    school_id: int = 0


@dataclass(frozen=True)
class PupilSummary(PersonName):
    """A person with this year's classes (none for adults)."""

    classes: tuple[ClassCard, ...] = ()


@dataclass(frozen=True)
class HomeFacts:
    me: PupilSummary | None  # None for an account without a directory entry (the platform admin)
    children: tuple[PupilSummary, ...]  # legal guardianships, by first then last name


def _class_card_rows(person_ids: list[int]) -> dict[int, tuple]:
    """Pupil id -> their classes this year, each with its school and team (two queries)."""
    enrolments = list(
        current_class_enrolments()
        .filter(student_id__in=person_ids)
        .order_by("group__name", "group_id")
        .values_list("student_id", "group_id", "group__name", "group__school__name", "group__school_id")
    )
    teams: dict[int, list[tuple]] = {}
    if enrolments:
        assignments = (
            TeachingAssignment.objects.filter(group_id__in={row[1] for row in enrolments})
            .order_by("subject__name", "teacher__last_name", "teacher__first_name", "pk")
            .values_list(
                "group_id", "subject__name", "teacher_id", "teacher__first_name", "teacher__last_name"
            )
        )
        for group_id, subject, *teacher in assignments:
            teams.setdefault(group_id, []).append((subject or "", tuple(teacher)))
    classes: dict[int, list[tuple]] = {}
    for student_id, group_id, name, school_name, school_id in enrolments:
        classes.setdefault(student_id, []).append(
            (group_id, name, school_name, tuple(teams.get(group_id, ())), school_id)
        )
    return {student_id: tuple(rows) for student_id, rows in classes.items()}


def _home_facts_row(user_id: int) -> tuple:
    me = Person.objects.filter(user_id=user_id).values_list("pk", "first_name", "last_name").first()
    if me is None:
        return (None, ())
    children = list(
        Guardianship.objects.filter(relative_id=me[0], legal_guardian=True)
        .order_by("student__first_name", "student__last_name", "student_id")
        .values_list("student_id", "student__first_name", "student__last_name")
    )
    classes = _class_card_rows([me[0], *(child[0] for child in children)])
    return (
        (*me, classes.get(me[0], ())),
        tuple((*child, classes.get(child[0], ())) for child in children),
    )


def _summary(row: tuple) -> PupilSummary:
    pk, first_name, last_name, classes = row
    return PupilSummary(
        pk=pk,
        first_name=first_name,
        last_name=last_name,
        classes=tuple(
            ClassCard(
                pk=group_id,
                name=name,
                school_name=school_name,
                team=tuple(TeamMember(subject, PersonName(*teacher)) for subject, teacher in team),
                school_id=school_id,
            )
            for group_id, name, school_name, team, school_id in classes
        ),
    )


def home_facts(user: Any) -> HomeFacts:
    """The user's name and classes, and their children's names and classes: read once per request
    (kept on the user object), from the shared cache while the directory is unchanged, else in four
    queries whatever the number of children, classes and teachers."""
    facts = getattr(user, "_cartable_home_facts", None)
    if facts is None:
        facts = versions.cached(
            f"home:{user.pk}", lambda: _home_facts_row(user.pk), _home_facts_from_rows, depends=_home_keys
        )
        user._cartable_home_facts = facts
    return facts


def _home_keys(rows: tuple) -> list[str]:
    """The keys of the user and of each child, and of the schools of the classes shown (their teams)."""
    me, children = rows
    shown = ([me] if me is not None else []) + list(children)
    return [
        *(versions.person_key(row[0]) for row in shown),
        *sorted({versions.school_key(card[4]) for row in shown for card in row[3]}),
    ]


def _home_facts_from_rows(rows: tuple) -> HomeFacts:
    me, children = rows
    return HomeFacts(
        me=_summary(me) if me is not None else None,
        children=tuple(_summary(child) for child in children),
    )


@dataclass(frozen=True)
class TaughtGroup:
    pk: int
    name: str
    school_name: str
    pupil_count: int
    # A class of an école: its teacher looks after the pupils' passwords (cartable.console.pupil_accounts).
    pupil_accounts: bool = False


def taught_groups(person_id: int) -> tuple[TaughtGroup, ...]:
    """The classes and groups the person teaches this year, with their number of pupils (one query, or
    none while the directory is unchanged)."""

    def load() -> tuple:
        taught = TeachingAssignment.objects.filter(teacher_id=person_id).values("group_id")
        rows = (
            Group.objects.filter(pk__in=taught, year__is_current=True)
            .annotate(pupil_count=Count("enrolments"))
            .order_by("school__name", "name", "pk")
            .values_list("pk", "name", "school__name", "pupil_count", "kind", "school__kind", "school_id")
        )
        return tuple(
            (
                pk,
                name,
                school,
                count,
                kind == GroupKind.CLASS and school_kind == SchoolKind.PRIMARY,
                school_id,
            )
            for pk, name, school, count, kind, school_kind, school_id in rows
        )

    return versions.cached(
        f"taught:{person_id}",
        load,
        _taught_groups,
        keys=[versions.person_key(person_id)],
        depends=lambda rows: sorted({versions.school_key(row[5]) for row in rows}),
    )


def _taught_groups(rows: tuple) -> tuple[TaughtGroup, ...]:
    return tuple(TaughtGroup(*row[:5]) for row in rows)


def groups_of_pupil(person_id: int) -> tuple[int, ...]:
    """A pupil's classes and groups this year, sorted: one query after a directory change, then the shared
    cache (the timetable and homework widgets of a guardian's home ask for the same child). Only this year's
    enrolments count, as in the access policy (access.policy.current_enrolments, a layer above)."""

    def load() -> tuple[tuple[int, int], ...]:
        # Built only when the fact is read again: a queryset costs more than the cached fact itself.
        this_year = Enrolment.objects.filter(group__year__is_current=True, student_id=person_id)
        return tuple(sorted(this_year.values_list("group_id", "group__school_id")))

    return versions.cached(
        f"groups-of-pupil:{person_id}",
        load,
        lambda rows: tuple(group_id for group_id, _school_id in rows),
        keys=[versions.person_key(person_id)],
        depends=lambda rows: sorted({versions.school_key(school_id) for _group_id, school_id in rows}),
    )


def first_class_and_teacher(school: School) -> tuple[Group | None, int | None]:
    """The school's first class of the year (by name) and the id of its first teacher: where the services'
    demo data goes."""
    group = (
        Group.objects.filter(school=school, kind=GroupKind.CLASS, year__is_current=True)
        .order_by("name")
        .first()
    )
    if group is None:
        return None, None
    teacher_id = (
        TeachingAssignment.objects.filter(group=group)
        .order_by("pk")
        .values_list("teacher_id", flat=True)
        .first()
    )
    return group, teacher_id
