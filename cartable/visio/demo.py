"""Demo virtual class: in the demo collège, the first class's teacher has scheduled one on the class's next
lesson of theirs in the timetable (or tomorrow afternoon when there is none). `make run` has no BigBlueButton
server: the pages list it and say that the server is not configured. Only the demo pair of schools gets
content (see cartable.homework.demo)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from cartable.directory.models import School, SchoolKind
from cartable.directory.queries import first_class_and_teacher
from cartable.timetable.queries import lessons_for_teacher
from cartable.visio import versions
from cartable.visio.models import VirtualClass


def _virtual_class_of(school: School) -> None:
    group, teacher_id = first_class_and_teacher(school)
    if group is None or teacher_id is None or VirtualClass.objects.filter(group=group).exists():
        return
    now = timezone.now()
    today = timezone.localdate()
    lesson = next(
        (
            lesson
            for lesson in lessons_for_teacher(teacher_id, today, today + dt.timedelta(days=14))
            if group.pk in lesson.group_ids and not lesson.cancelled and lesson.starts_at > now
        ),
        None,
    )
    if lesson is not None:
        starts_at, ends_at = lesson.starts_at, lesson.ends_at
        title, course_id, lesson_date = f"{lesson.subject} à distance", lesson.course_id, lesson.date
    else:
        tomorrow = timezone.localtime(now).replace(hour=14, minute=0, second=0, microsecond=0)
        starts_at = tomorrow + dt.timedelta(days=1)
        ends_at = starts_at + dt.timedelta(hours=1)
        title, course_id, lesson_date = "Cours à distance", None, None
    VirtualClass.objects.create(
        school=school,
        group=group,
        teacher_id=teacher_id,
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        course_id=course_id,
        lesson_date=lesson_date,
    )
    versions.bump_groups([group.pk])


def seed_demo(plan) -> None:
    """Idempotent: a class with a virtual class already is left as it is."""
    if plan.schools > 2:
        return
    for school in School.objects.filter(kind=SchoolKind.SECONDARY).order_by("uai"):
        _virtual_class_of(school)
