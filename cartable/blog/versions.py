"""Version numbers of the class blogs, so that the home widget « derniers billets » costs no query (see
cartable.lib.facts): each class's latest published posts are kept under `blog:group:<id>`, bumped by every
write to the class's posts."""

from __future__ import annotations

from collections.abc import Iterable

from cartable.lib import facts


def group_key(group_id: int) -> str:
    return f"blog:group:{group_id}"


def bump_groups(group_ids: Iterable[int]) -> None:
    facts.bump(group_key(pk) for pk in sorted(set(group_ids)))


facts.covers("blog:", ["blog.Post"])
