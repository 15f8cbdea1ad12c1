"""Every write of the notifications app. Other apps call `publish` from their own actions."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from cartable.directory.models import Person, School
from cartable.notifications.kinds import KINDS
from cartable.notifications.models import Event, Notification


def _id(value: Person | int) -> int:
    return value if isinstance(value, int) else value.pk


@transaction.atomic
def publish(
    kind: str,
    *,
    recipients: Iterable[Person | int],
    school: School | None = None,
    actor: Person | None = None,
    about: Person | None = None,
    data: dict | None = None,
    url: str = "",
) -> Event | None:
    """Record an event for the people it concerns (never its author), inside the caller's transaction so that
    it exists exactly when the change it tells of does; emails follow once the transaction has committed.

    `recipients` are people (or their ids); `about` the pupil concerned, for guardians; `data` the JSON-able
    parameters the kind's text needs; `url` where the timeline entry leads."""
    if kind not in KINDS:
        raise ValueError(f"unknown event kind {kind!r}: register it with cartable.notifications.kinds")
    recipient_ids = {_id(person) for person in recipients}
    if actor is not None:
        recipient_ids.discard(actor.pk)
    if not recipient_ids:
        return None
    event = Event.objects.create(kind=kind, school=school, actor=actor, about=about, data=data or {}, url=url)
    Notification.objects.bulk_create(
        [
            Notification(event=event, recipient_id=person_id, created_at=event.created_at)
            for person_id in sorted(recipient_ids)
        ]
    )
    return event
