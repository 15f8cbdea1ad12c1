"""Read helpers of the news pages and of the home widget (the same few queries whatever the data)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from cartable.lib import facts
from cartable.news import access, versions
from cartable.news.models import News, NewsAttachment

WIDGET_ITEMS = 5
# How many news still to come or current each school's cached list keeps: more than a widget ever shows.
CACHED_PER_SCHOOL = 60


def with_details(news: QuerySet[News]) -> QuerySet[News]:
    """News with their school, author, image and files: two more queries for the page."""
    return news.select_related("school", "author", "image", "image_web").prefetch_related(
        Prefetch("attachments", queryset=NewsAttachment.objects.select_related("stored")),
        "classes",
    )


@dataclass(frozen=True)
class Line:
    """One news item of the home widget, as kept in the shared cache."""

    pk: int
    title: str
    summary: str
    publish_at: dt.datetime
    pinned: bool
    school_name: str


def _school_rows(school_id: int) -> tuple[tuple, ...]:
    """The school's news still to come or current, with their audience: from the shared cache until a write
    to the school's news or the next publication or expiry date (two queries otherwise)."""

    def load() -> tuple[tuple, float | None]:
        now = timezone.now()
        rows = list(
            News.objects.filter(Q(expire_at__isnull=True) | Q(expire_at__gt=now), school_id=school_id)
            .select_related("school")
            .prefetch_related("classes")
            .order_by("publish_at", "pk")[:CACHED_PER_SCHOOL]
        )
        changes = [n.publish_at for n in rows if n.publish_at > now]
        changes += [n.expire_at for n in rows if n.expire_at is not None]
        value = tuple(
            (
                n.pk,
                n.title,
                n.summary[:200],
                n.publish_at.timestamp(),
                n.expire_at.timestamp() if n.expire_at is not None else None,
                n.pinned,
                n.audience,
                (n.for_pupils, n.for_relatives, n.for_staff),
                tuple(sorted(g.pk for g in n.classes.all())),
                n.school.name,
            )
            for n in rows
        )
        return value, min(changes).timestamp() if changes else None

    return facts.cached_until(f"news:school:{school_id}", [versions.school_key(school_id)], load)


def widget_lines(user: Any) -> list[Line]:
    """The current news that concern the user and their children: no query while the caches are warm."""
    reach = access.reach_of(user)
    publishing = access.publishing_schools(user)
    now = timezone.now().timestamp()
    lines = []
    for school_id in sorted(reach.profiles):
        for pk, title, summary, start, end, pinned, audience, flags, classes, school in _school_rows(
            school_id
        ):
            if start > now or (end is not None and end <= now):
                continue
            if school_id in publishing or reach.concerns(school_id, audience, flags, classes):
                when = dt.datetime.fromtimestamp(start, tz=dt.UTC)
                lines.append(Line(pk, title, summary, when, pinned, school))
    lines.sort(key=lambda line: (not line.pinned, -line.publish_at.timestamp(), -line.pk))
    return lines


def widget(request, child) -> dict | None:
    lines = widget_lines(request.user)
    if not lines and not access.publishing_schools(request.user):
        return None
    return {
        "lines": lines[:WIDGET_ITEMS],
        "more": len(lines) > WIDGET_ITEMS,
        "several_schools": len({line.school_name for line in lines}) > 1,
    }
