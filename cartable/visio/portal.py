"""The virtual classes in the portal: the launcher's tile (only when a BigBlueButton server is configured),
and their links on the lessons of the timetable's week pages (cartable.timetable.lesson_links)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cartable.access.policy import viewer_for
from cartable.directory import queries as directory_queries
from cartable.directory.models import Profile
from cartable.portal import switches
from cartable.portal.registry import PortalApp, registry
from cartable.timetable.lesson_links import LessonLink, register
from cartable.timetable.queries import Lesson
from cartable.visio import bbb, queries

APP_CODE = "visio"


def shown(user: Any) -> bool:
    """The tile, once the server is configured (no query)."""
    return bbb.configured()


registry.register_app(
    PortalApp(
        code=APP_CODE,
        name=gettext_lazy("Classes virtuelles"),
        url_name="visio:index",
        icon="visio",
        description=gettext_lazy("Les cours à distance de vos classes, en visioconférence"),
        profiles=frozenset({Profile.STUDENT, Profile.RELATIVE, Profile.TEACHER}),
        order=25,
        visible=shown,
    )
)


def _hours(virtual_class: queries.WeekClass) -> str:
    start = timezone.localtime(virtual_class.starts_at).strftime("%H:%M")
    end = timezone.localtime(virtual_class.ends_at).strftime("%H:%M")
    if virtual_class.ended:
        return _("terminée")
    return _("de %(start)s à %(end)s") % {"start": start, "end": end}


def _matches(virtual_class: queries.WeekClass, lesson: Lesson) -> bool:
    if virtual_class.group_id not in lesson.group_ids:
        return False
    if virtual_class.course_id is not None:
        return virtual_class.course_id == lesson.course_id and virtual_class.lesson_date == lesson.date
    return virtual_class.during(lesson.starts_at, lesson.ends_at)


def lesson_links(user: Any, lessons: Sequence[Lesson]) -> dict[str, list[LessonLink]]:
    """On each lesson: its virtual classes the user may open, and for the teacher giving it, a link to
    schedule one (pre-filled with the lesson). The virtual classes of the week come from a cached fact."""
    viewer = viewer_for(user)
    if viewer.person_id is None or switches.app_code_is_off(user, APP_CODE):
        return {}
    teaching = {lesson.uid for lesson in lessons if viewer.person_id in {t.id for t in lesson.teachers}}
    readable = set(viewer.group_ids)
    for child_id in viewer.child_ids:
        readable.update(directory_queries.groups_of_pupil(child_id))
    group_ids = {g for lesson in lessons for g in lesson.group_ids}
    if not teaching:
        group_ids &= readable
    if not group_ids:
        return {}
    found = queries.week_classes(group_ids, min(ls.date for ls in lessons), max(ls.date for ls in lessons))
    now = timezone.now()
    offer = bbb.configured()
    links: dict[str, list[LessonLink]] = defaultdict(list)
    for lesson in lessons:
        mine = False
        for virtual_class in found:
            if not _matches(virtual_class, lesson):
                continue
            own = virtual_class.teacher_id == viewer.person_id
            mine = mine or own
            if own or virtual_class.group_id in readable:
                links[lesson.uid].append(
                    LessonLink(
                        reverse("visio:detail", args=[virtual_class.pk]),
                        _("Classe virtuelle : %(title)s") % {"title": virtual_class.title},
                        _hours(virtual_class),
                    )
                )
        if offer and not mine and lesson.uid in teaching and not lesson.cancelled and lesson.ends_at > now:
            links[lesson.uid].append(
                LessonLink(
                    f"{reverse('visio:new')}?course={lesson.course_id}&date={lesson.date.isoformat()}",
                    _("Programmer une classe virtuelle"),
                )
            )
    return dict(links)


register(APP_CODE, lesson_links)
