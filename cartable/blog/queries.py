"""Read helpers of the class blog's home widget: the latest posts of my classes, of the classes I teach and
of my children's classes (no query while the caches are warm, one per class otherwise)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from cartable.blog import access, versions
from cartable.blog.models import Post, Status
from cartable.lib import facts

WIDGET_ITEMS = 5


@dataclass(frozen=True)
class Line:
    """One post of the home widget."""

    pk: int
    title: str
    published_at: dt.datetime
    group_id: int
    group_name: str


def _latest_of(group_id: int) -> tuple[tuple, ...]:
    """The class's latest published posts, from the shared cache until a write to its posts."""

    def load() -> tuple[tuple, ...]:
        rows = (
            Post.objects.filter(group_id=group_id, status=Status.PUBLISHED, published_at__isnull=False)
            .order_by("-published_at", "-pk")
            .values_list("pk", "title", "published_at", "group__name")[:WIDGET_ITEMS]
        )
        return tuple((pk, title, when.timestamp(), name) for pk, title, when, name in rows if when)

    return facts.cached(versions.group_key(group_id), [versions.group_key(group_id)], load)


def widget_lines(user: Any, child_id: int | None = None) -> list[Line]:
    lines = [
        Line(pk, title, dt.datetime.fromtimestamp(when, tz=dt.UTC), group_id, name)
        for group_id in sorted(access.widget_group_ids(user, child_id))
        for pk, title, when, name in _latest_of(group_id)
    ]
    lines.sort(key=lambda line: (-line.published_at.timestamp(), -line.pk))
    return lines


def widget(request: Any, child: Any) -> dict | None:
    """Home: nothing for someone without a class of their own, taught, or of a child's."""
    group_ids = access.widget_group_ids(request.user, child.pk if child is not None else None)
    if not group_ids:
        return None
    lines = widget_lines(request.user, child.pk if child is not None else None)
    return {
        "lines": lines[:WIDGET_ITEMS],
        "several_classes": len({line.group_id for line in lines}) > 1,
    }
