"""Links other apps add to the lessons of the week pages ("classe virtuelle"…).

A service is a layer above the timetable, which therefore never imports it (tests/test_import_layers.py): the
service registers a provider here from its `portal.py`, as tiles and widgets are registered in
cartable.portal.registry. A provider gets the user and the lessons a page shows (already within what the user
may see) and returns, by lesson `uid`, the links to show under each; it should cost at most a query or two
for the whole week (or none, from cached facts), whatever the number of lessons.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cartable.timetable.queries import Lesson


@dataclass(frozen=True)
class LessonLink:
    url: str
    label: str
    # A short line beside the link ("ouverte à 9 h 50"), and words read out after it to say which lesson.
    detail: str = ""


type Provider = Callable[[Any, Sequence[Lesson]], Mapping[str, Sequence[LessonLink]]]

_providers: dict[str, Provider] = {}


def register(code: str, provider: Provider) -> None:
    _providers[code] = provider


def links_for(user: Any, lessons: Sequence[Lesson]) -> dict[str, list[LessonLink]]:
    """Every registered provider's links, by lesson uid, in the providers' code order."""
    found: dict[str, list[LessonLink]] = defaultdict(list)
    if not lessons:
        return {}
    for code in sorted(_providers):
        for uid, links in _providers[code](user, lessons).items():
            found[uid].extend(links)
    return dict(found)
