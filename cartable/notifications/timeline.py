"""Timeline entries as the pages show them: the sentence is written now, in the reader's language."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from cartable.notifications import access, counts
from cartable.notifications.kinds import KINDS
from cartable.notifications.models import Notification

HOME_SIZE = 8


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
    row: Row
    text: str
    label: str
    icon: str

    def __getattr__(self, name: str) -> Any:
        return getattr(self.row, name)


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
        return Entry(row=item, text=item.kind, label=item.kind, icon="app")
    return Entry(row=item, text=kind.text(item.data), label=str(kind.label), icon=kind.icon)


def entries(notifications: list[Notification], me: int) -> list[Entry]:
    return [entry(row(n, me)) for n in notifications]


def home_rows(user: Any, me: int, child_id: int | None, child_ids: list[int]) -> list[Row]:
    """The latest entries of the home widget: one query, cached until the notifications of me or of the
    children shown change."""
    people = [me, *([child_id] if child_id is not None else child_ids)]

    def compute() -> list[Row]:
        return [row(n, me) for n in access.timeline(user, child_id)[:HOME_SIZE]]

    return counts.cached(f"home:{me}:{child_id or 0}", people, compute)
