"""What the Médiacentre page shows a person: their GAR resources in each of their schools, the schools' own
links shown to their profile, their favourites first, filtered by what they searched.

Four queries whatever the number of resources (the person's schools, their IDO, their favourites, the links);
the GAR's lists come from the cache (cartable.gar.resources) or, once per person and school in
GAR_RESOURCES_CACHE_SECONDS, from the GAR."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from cartable.directory.models import School
from cartable.gar import access, resources
from cartable.gar.resources import Resource, fold, search_words

# The type filter's value for the school's own links.
SCHOOL_LINKS = "ETAB"


@dataclass(frozen=True)
class Card:
    school: School
    name: str
    url: str
    favourite: bool
    resource: Resource | None = None  # a GAR resource
    link_id: int | None = None  # one of the school's links
    description: str = ""

    @property
    def key(self) -> str:
        return self.resource.key if self.resource else str(self.link_id)


@dataclass
class Shelf:
    configured: bool
    schools: list[School]
    known: bool = True  # the GAR knows the person (an export named them)
    down: list[School] = field(default_factory=list)  # schools whose list the GAR did not give
    resources: list[Card] = field(default_factory=list)
    links: list[Card] = field(default_factory=list)
    types: list[tuple[str, str]] = field(default_factory=list)
    total: int = 0  # before the search

    @property
    def several_schools(self) -> bool:
        return len(self.schools) > 1

    def thumbnail_origins(self) -> list[str]:
        """Where the cards' thumbnails come from (the page's Content-Security-Policy lets those in)."""
        origins = set()
        for card in self.resources:
            if card.resource and card.resource.thumbnail:
                parts = urlsplit(card.resource.thumbnail)
                origins.add(f"https://{parts.netloc}")
        return sorted(origins)


def _ordered(cards: list[Card]) -> list[Card]:
    return sorted(cards, key=lambda card: (not card.favourite, fold(card.name)))


def shelf_for(user: Any, query: str = "", type_code: str = "", favourites_only: bool = False) -> Shelf:
    schools = access.mediacentre_schools(user)
    shelf = Shelf(configured=resources.is_configured(), schools=schools)
    if not schools:
        return shelf
    favourites = list(access.favourites_of(user).values_list("school_id", "resource_id", "link_id"))
    gar_favourites = {(school, key) for school, key, link in favourites if link is None}
    link_favourites = {link for _school, _key, link in favourites if link is not None}
    words = search_words(query)
    types: dict[str, str] = {}
    # (card, its searchable text, its type), every one before the search
    gar_cards: list[tuple[Card, str, str]] = []
    link_cards: list[tuple[Card, str, str]] = []
    if shelf.configured:
        ido = access.identity_of(user)
        shelf.known = ido is not None
        for school in schools:
            if ido is None:
                break
            try:
                found = resources.resources_for(ido, school.uai)
            except resources.Unavailable:
                shelf.down.append(school)
                continue
            for resource in found:
                if resource.type_code:
                    types.setdefault(resource.type_code, resource.type_name or resource.type_code)
                card = Card(
                    school=school,
                    name=resource.name,
                    url=resource.url,
                    favourite=(school.pk, resource.key) in gar_favourites,
                    resource=resource,
                )
                text = " ".join((resource.name, resource.editor, resource.type_name, *resource.kinds))
                gar_cards.append((card, text, resource.type_code))
    for link in access.links_visible_to(user, schools):
        card = Card(
            school=link.school,
            name=link.title,
            url=link.url,
            favourite=link.pk in link_favourites,
            link_id=link.pk,
            description=link.description,
        )
        link_cards.append((card, f"{link.title} {link.description}", SCHOOL_LINKS))
    if type_code not in types and type_code != SCHOOL_LINKS:
        type_code = ""  # a type no longer in the list (or typed by hand): no filter

    def wanted(card: Card, text: str, card_type: str) -> bool:
        if favourites_only and not card.favourite:
            return False
        if type_code and card_type != type_code:
            return False
        folded = fold(text)
        return all(word in folded for word in words)

    shelf.total = len(gar_cards) + len(link_cards)
    shelf.resources = _ordered([card for card, text, kind in gar_cards if wanted(card, text, kind)])
    shelf.links = _ordered([card for card, text, kind in link_cards if wanted(card, text, kind)])
    shelf.types = sorted(types.items(), key=lambda item: fold(item[1]))
    return shelf


def gar_resource_or_none(user: Any, school: School, key: str) -> Resource | None:
    """The GAR resource `key` if it is in the user's list in this school (from the cache); None otherwise or
    when the GAR does not answer."""
    ido = access.identity_of(user)
    if not ido or not resources.is_configured():
        return None
    try:
        found = resources.resources_for(ido, school.uai)
    except resources.Unavailable:
        return None
    return next((resource for resource in found if resource.key == key), None)
