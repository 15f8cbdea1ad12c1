"""Cheap reads for every page: the unread count of the header and the home timeline (see cartable.lib.facts).

Each person has a version key, bumped whenever their notifications change (publish, mark read); the counts
and timelines are kept under the versions of the people they read."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from cartable.access.policy import viewer_for
from cartable.lib import facts


def stamp_key(person_id: int) -> str:
    return f"notifications:stamp:{person_id}"


def changed(person_ids: Iterable[int]) -> None:
    """These people's notifications changed: their counts and timelines are read again."""
    facts.bump(stamp_key(pk) for pk in person_ids)


def unread_for(user: Any) -> int:
    """The user's unread count, read once per request (the header and the home widget both show it)."""
    memo = getattr(user, "_cartable_unread", None)
    if memo is None:
        person_id = viewer_for(user).person_id
        memo = unread_count(person_id) if person_id is not None else 0
        user._cartable_unread = memo
    return memo


def unread_count(person_id: int) -> int:
    """No query while nothing changed; else one count on the partial index of unread notifications."""
    from cartable.notifications.models import Notification

    return cached(
        f"unread:{person_id}",
        [person_id],
        lambda: Notification.objects.filter(recipient_id=person_id, read_at__isnull=True).count(),
    )


def cached[T, B](
    name: str, person_ids: list[int], compute: Callable[[], T], build: Callable[[T], B] = facts.as_is
) -> B:
    """`compute()` kept under the versions of `person_ids` (the people whose notifications it reads)."""
    return facts.cached(f"notifications:{name}", [stamp_key(pk) for pk in person_ids], compute, build)
