"""Read helpers about the directory that several pages share; each is one query whatever the data size."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Prefetch, QuerySet

from cartable.directory.models import Enrolment, Group, GroupKind, Membership, Person, TeachingAssignment


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


def teachers_of(group_ids: Iterable[int]) -> dict[int, list[TeachingAssignment]]:
    """Group id -> its teaching assignments (teacher and subject), teachers sorted by name."""
    teams: dict[int, list[TeachingAssignment]] = {}
    assignments = (
        TeachingAssignment.objects.filter(group_id__in=list(group_ids))
        .select_related("teacher", "subject")
        .order_by("subject__name", "teacher__last_name", "teacher__first_name")
    )
    for assignment in assignments:
        teams.setdefault(assignment.group_id, []).append(assignment)
    return teams


def with_directory_facts(people: QuerySet[Person]) -> QuerySet[Person]:
    """People with their memberships (and schools) and this year's classes, in two extra queries in all."""
    return people.prefetch_related(
        Prefetch(
            "memberships", queryset=Membership.objects.select_related("school").order_by("school__name")
        ),
        Prefetch("enrolments", queryset=current_class_enrolments(), to_attr="class_enrolments"),
    )
