"""What the pages of the virtual classes and the timetable's week read. Access is cartable.visio.access's."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import QuerySet

from cartable.lib import facts
from cartable.visio import access, versions
from cartable.visio.models import VirtualClass

PAST_DAYS = 7  # the list keeps the virtual classes of the last week under "Terminées"


@dataclass(frozen=True)
class WeekClass:
    """A virtual class as the week pages of the timetable show it."""

    pk: int
    group_id: int
    teacher_id: int | None
    course_id: int | None
    lesson_date: dt.date | None
    starts_at: dt.datetime
    ends_at: dt.datetime
    title: str
    ended: bool

    def during(self, start: dt.datetime, end: dt.datetime) -> bool:
        return self.starts_at < end and start < self.ends_at


def _build(rows: tuple[tuple[Any, ...], ...]) -> tuple[WeekClass, ...]:
    return tuple(WeekClass(*row) for row in rows)


def week_classes(group_ids: Iterable[int], first: dt.date, last: dt.date) -> tuple[WeekClass, ...]:
    """The virtual classes of some classes and groups between two days: one query, then none until one of
    these groups' virtual classes changes (versions)."""
    ids = sorted(set(group_ids))
    if not ids:
        return ()
    zone = ZoneInfo(settings.TIME_ZONE)
    start = dt.datetime.combine(first, dt.time.min, tzinfo=zone)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=zone)

    def load() -> tuple[tuple[Any, ...], ...]:
        rows = (
            VirtualClass.objects.filter(group_id__in=ids, starts_at__lt=end, ends_at__gt=start)
            .order_by("starts_at", "pk")
            .values_list(
                "pk",
                "group_id",
                "teacher_id",
                "course_id",
                "lesson_date",
                "starts_at",
                "ends_at",
                "title",
                "ended_at",
            )
        )
        return tuple((*row[:8], row[8] is not None) for row in rows)

    key = f"visio:week:{','.join(map(str, ids))}:{first.isoformat()}:{last.isoformat()}"
    return facts.cached(key, [versions.group_key(pk) for pk in ids], load, _build)


def listed(user: Any, now: dt.datetime) -> tuple[list[VirtualClass], list[VirtualClass]]:
    """The user's virtual classes still to come or open, and those of the last week that are over: one
    query."""
    since = now - dt.timedelta(days=PAST_DAYS)
    found: QuerySet[VirtualClass] = (
        access.classes_visible_to(user)
        .filter(ends_at__gte=since)
        .select_related("group", "teacher")
        .order_by("starts_at", "pk")
    )
    coming: list[VirtualClass] = []
    over: list[VirtualClass] = []
    for virtual_class in found[:200]:
        (over if virtual_class.is_over(now) else coming).append(virtual_class)
    over.reverse()
    return coming, over
