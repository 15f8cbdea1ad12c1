"""Who sees whom in the directory, built on the one access policy (cartable.access.policy).

The people a user may find are `policy.people_visible_to(user)`; anyone else's id answers 404. Of a person
found, the memberships and classes shown are those of the schools the two share (unless the user sees
everything of the person), and the birth date and email only to the person, their guardians, school-wide staff
and the admins of their schools.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from cartable.access import policy
from cartable.directory.models import Group, Guardianship, Membership, Person
from cartable.directory.queries import with_directory_facts
from cartable.lib.params import int_or_404


def people_visible_to(user: Any) -> QuerySet[Person]:
    """Every person `user` may find in the directory (the policy decides: see its docstring)."""
    return policy.people_visible_to(user)


def person_or_404(user: Any, person_id: Any) -> Person:
    """A person the user may see, with their directory facts and account; anyone else answers 404."""
    found = (
        with_directory_facts(people_visible_to(user))
        .select_related("user")
        .filter(pk=int_or_404(person_id))
        .first()
    )
    if found is None:
        raise Http404
    return found


def shown_facts(user: Any, person: Person) -> tuple[list[Membership], list[Group]]:
    """The person's memberships and classes of this year that `user` may be told of: those of the schools
    they share, unless they see everything of the person (policy.schools_shown). Prefetched by
    with_directory_facts: no query."""
    memberships = policy.shown_in_schools(user, person, person.memberships.all(), lambda m: m.school_id)
    classes = policy.shown_in_schools(
        user,
        person,
        [e.group for e in person.class_enrolments],  # type: ignore[attr-defined]
        lambda group: group.school_id,
    )
    return memberships, classes


def can_see_private_details(user: Any, person: Person, memberships: list[Membership]) -> bool:
    """Birth date and email: the person, their guardians, school-wide staff and admins of their schools."""
    if policy.is_self(user, person) or policy.is_guardian_of(user, person) or policy.is_platform_admin(user):
        return True
    return any(
        policy.school_wide_staff_of(user, m.school_id) or policy.admin_of(user, m.school_id)
        for m in memberships
    )


def family_links(user: Any, links: QuerySet[Guardianship], side: str) -> list[Guardianship]:
    """Legal guardianships of the person, keeping only the relatives (or children) `user` may open."""
    links = links.filter(legal_guardian=True, **{f"{side}__in": people_visible_to(user)})
    return list(links.select_related(side).order_by(f"{side}__first_name"))
