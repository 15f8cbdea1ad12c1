"""Version numbers of the news, so that the home widget costs no query (see cartable.lib.facts): each
school's list of news still to come or current is kept under `news:school:<id>`, bumped by every write to
that school's news, and used until the next publication or expiry date it holds passes."""

from __future__ import annotations

from collections.abc import Iterable

from cartable.lib import facts


def school_key(school_id: int) -> str:
    return f"news:school:{school_id}"


def bump_schools(school_ids: Iterable[int]) -> None:
    facts.bump(school_key(pk) for pk in set(school_ids))


facts.covers("news:", ["news.News", "news.NewsAttachment"])
