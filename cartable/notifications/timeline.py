"""Timeline entries as the pages show them: the sentence is written now, in the reader's language."""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass
from typing import Any

from django.templatetags.static import static
from django.urls import reverse

from cartable.notifications import access, counts
from cartable.notifications.kinds import KINDS
from cartable.notifications.models import Notification

HOME_SIZE = 6


@dataclass(frozen=True)
class Row:
    """What the cache keeps of a notification: plain values, no sentence (it depends on the language)."""

    pk: int
    mine: bool
    unread: bool
    kind: str
    data: dict
    url: str
    created_at: datetime.datetime
    about: str  # first name of the child it is about, for a guardian's entries; "" otherwise


@dataclass(frozen=True)
class Entry:
    """A timeline line ready for the templates (plain attributes: the home page renders several each time)."""

    pk: int
    mine: bool
    unread: bool
    text: str
    label: str
    icon_url: str
    link: str  # where the line leads ("" for none): through "open" for my own, which marks it read
    read_url: str
    created_at: datetime.datetime
    about: str


# URLs of the icons and of the notification routes, worked out once per process.
_icons: dict[str, str] = {}


def icon_url(icon: str) -> str:
    if icon not in _icons:
        _icons[icon] = static(f"cartable/icons/{icon}.svg")
    return _icons[icon]


@functools.cache
def _route(name: str) -> str:
    # reverse() once with a placeholder, then plain string formatting per entry.
    return reverse(name, args=[987654321]).replace("987654321", "{}")


def row(notification: Notification, me: int) -> Row:
    event = notification.event
    about = event.about.first_name if event.about is not None and event.about_id != me else ""
    return Row(
        pk=notification.pk,
        mine=notification.recipient_id == me,
        unread=notification.recipient_id == me and notification.read_at is None,
        kind=event.kind,
        data=event.data,
        url=event.url,
        created_at=notification.created_at,
        about=about,
    )


def entry(item: Row) -> Entry:
    kind = KINDS.get(item.kind)
    if kind is None:
        # A kind whose app is not installed here: still listed, without its sentence.
        text, label, icon = item.kind, item.kind, "app"
    else:
        text, label, icon = kind.text(item.data), str(kind.label), kind.icon
    if not item.url:
        link = ""
    elif item.mine:
        link = _route("notifications:open").format(item.pk)
    else:
        link = item.url
    return Entry(
        pk=item.pk,
        mine=item.mine,
        unread=item.unread,
        text=text,
        label=label,
        icon_url=icon_url(icon),
        link=link,
        read_url=_route("notifications:read").format(item.pk),
        created_at=item.created_at,
        about=item.about,
    )


def entries(notifications: list[Notification], me: int) -> list[Entry]:
    return [entry(row(n, me)) for n in notifications]


def home_rows(user: Any, me: int, child_id: int | None, child_ids: list[int]) -> list[Row]:
    """The latest entries of the home widget: one query, cached until the notifications of me or of the
    children shown change."""
    people = [me, *([child_id] if child_id is not None else child_ids)]

    def compute() -> list[Row]:
        return [row(n, me) for n in access.timeline(user, child_id)[:HOME_SIZE]]

    return counts.cached(f"home:{me}:{child_id or 0}", people, compute)
