"""Timeline entries as the pages show them: the sentence is written now, in the reader's language."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language, gettext

from cartable.lib.urls import icon_url, url_for
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
    # Written once with the sentence (in the reader's language and the site's time zone), not by template
    # filters on each page: "pour Alice", the time as ISO 8601 and as "3 décembre, 18:05".
    about_label: str
    when_iso: str
    when: str


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
        link = url_for("notifications:open", item.pk)
    else:
        link = item.url
    local = timezone.localtime(item.created_at)
    return Entry(
        pk=item.pk,
        mine=item.mine,
        unread=item.unread,
        text=text,
        label=label,
        icon_url=icon_url(icon),
        link=link,
        read_url=url_for("notifications:read", item.pk),
        created_at=item.created_at,
        about=item.about,
        about_label=gettext("pour %(name)s") % {"name": item.about} if item.about else "",
        when_iso=local.isoformat(),
        when=date_format(local, "j F, H:i"),
    )


def entries(notifications: list[Notification], me: int) -> list[Entry]:
    return [entry(row(n, me)) for n in notifications]


def home_entries(user: Any, me: int, child_id: int | None, child_ids: list[int]) -> tuple[Entry, ...]:
    """The latest entries of the home widget, in the reader's language: one query, then kept until the
    notifications of me or of the children shown change."""
    people = [me, *([child_id] if child_id is not None else child_ids)]

    def compute() -> list[Row]:
        return [row(n, me) for n in access.notifications_visible_to(user, child_id)[:HOME_SIZE]]

    def build(rows: list[Row]) -> tuple[Entry, ...]:
        return tuple(entry(item) for item in rows)

    return counts.cached(f"home:{me}:{child_id or 0}:{get_language()}", people, compute, build)
