"""Communication rules: who may write to whom, and why. Messaging (and any service that lets people write to
each other) asks here and nowhere else.

    reachable_people(user)   -> the people the user may write to (recipient pickers, forged-POST checks)
    can_write(user, person)  -> Verdict: allowed or not, and the rule that decided (the ADML's checker)
    writable_among(user, ids) -> the subset of these person ids the user may write to (one query, for sending
                                to 2,000 recipients at once)
    may_send(user)           -> Verdict: False while a kill-switch stops this user's profile from sending
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cartable.access import policy
from cartable.directory.models import Person


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    reason: str | Promise  # the rule that allowed it, or why not, in words an ADML understands

    def __bool__(self) -> bool:
        return self.allowed


def reachable_people(user: Any) -> QuerySet[Person]:
    """Everyone the user may write to, never themselves."""
    viewer = policy.viewer_for(user)
    if viewer.person_id is None:
        return Person.objects.none()
    return policy.people_visible_to(user).exclude(pk=viewer.person_id)


def can_write(user: Any, person: Person | int) -> Verdict:
    person_id = person if isinstance(person, int) else person.pk
    if reachable_people(user).filter(pk=person_id).exists():
        return Verdict(True, _("Cette personne fait partie de l’annuaire visible."))
    return Verdict(False, _("Aucune règle ne permet d’écrire à cette personne."))


def writable_among(user: Any, person_ids: Iterable[int]) -> set[int]:
    wanted = set(person_ids)
    if not wanted:
        return set()
    return set(reachable_people(user).filter(pk__in=wanted).values_list("pk", flat=True))


def may_send(user: Any) -> Verdict:
    return Verdict(True, _("L’envoi de messages est ouvert."))
