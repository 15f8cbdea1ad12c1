"""Version keys of the virtual classes (cartable.lib.facts): one per class or group, bumped by every write to
its virtual classes, so that the timetable's week pages show them without a query once read."""

from __future__ import annotations

from collections.abc import Iterable

from cartable.lib import facts


def group_key(group_id: int) -> str:
    return f"visio:group:{group_id}"


def bump_groups(group_ids: Iterable[int]) -> None:
    facts.bump(group_key(group_id) for group_id in set(group_ids))


facts.covers("visio:", ["visio.VirtualClass"])
