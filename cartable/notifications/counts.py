"""Cheap reads for every page: the unread count of the header and the home timeline, from the shared cache.

Each person has a stamp in the cache, dropped whenever their notifications change (publish, mark read); the
cached answers carry the stamps they were computed under, so a dropped stamp makes them stale at once."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any

from django.core.cache import cache

TIMEOUT = 3600


def _stamp_key(person_id: int) -> str:
    return f"notifications:stamp:{person_id}"


def stamps(person_ids: list[int]) -> list[str]:
    keys = [_stamp_key(pk) for pk in person_ids]
    found = cache.get_many(keys)
    missing = {key: str(time.time_ns()) for key in keys if key not in found}
    if missing:
        cache.set_many(missing, TIMEOUT)
        found |= missing
    return [found[key] for key in keys]


def _unread_key(person_id: int) -> str:
    return f"notifications:unread:{person_id}"


def changed(person_ids: Iterable[int]) -> None:
    """These people's notifications changed: their cached counts and timelines are stale."""
    keys = [key for pk in person_ids for key in (_stamp_key(pk), _unread_key(pk))]
    if keys:
        cache.delete_many(keys)


def unread_for(user: Any) -> int:
    """The user's unread count, read once per request (the header and the home widget both show it)."""
    memo = getattr(user, "_cartable_unread", None)
    if memo is None:
        from cartable.access.policy import viewer_for

        person_id = viewer_for(user).person_id
        memo = unread_count(person_id) if person_id is not None else 0
        user._cartable_unread = memo
    return memo


def unread_count(person_id: int) -> int:
    """One cache read; on a miss one count on the partial index of unread notifications."""
    from cartable.notifications.models import Notification

    key = _unread_key(person_id)
    count = cache.get(key)
    if count is None:
        count = Notification.objects.filter(recipient_id=person_id, read_at__isnull=True).count()
        cache.set(key, count, TIMEOUT)
    return count


def cached[T](name: str, person_ids: list[int], compute: Callable[[], T]) -> T:
    """`compute()` cached under the stamps of `person_ids` (the people whose notifications it reads)."""
    key = f"notifications:{name}:" + ":".join(stamps(person_ids))
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, TIMEOUT)
    return value
