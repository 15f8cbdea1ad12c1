"""Sessions and homework for the cahier de textes tests, written through the actions like a teacher would."""

from __future__ import annotations

import datetime as dt

from django.test import RequestFactory
from django.utils import timezone

from cartable.homework import actions
from cartable.homework.models import Entry
from tests.world import World


def session(
    world: World,
    *,
    teacher: str = "tom",
    group=None,
    subject=None,
    day: dt.date | None = None,
    start: dt.time | None = None,
    content: str = "Les fractions : définition et exemples.",
    homework: list[tuple[str, dt.date]] | None = None,
    visible_from: dt.datetime | None = None,
) -> Entry:
    group = group or world.class_6a
    day = day or timezone.localdate()
    if subject is None and teacher == "tom":
        subject = world.maths
    return actions.create_entry(
        world.fresh_user(teacher),
        actions.EntryInput(
            group_id=group.pk,
            subject_id=subject.pk if subject is not None else None,
            date=day,
            start_time=start,
            content=content,
            visible_from=visible_from,
            homework=[actions.HomeworkInput(instructions=text, due_date=due) for text, due in homework or []],
        ),
    )


def french_5b(world: World):
    from cartable.directory.models import Subject

    return Subject.objects.get(school=world.school_a, code="FRANC")


def request_for(world: World, name: str):
    request = RequestFactory().get("/")
    request.user = world.fresh_user(name)
    return request
