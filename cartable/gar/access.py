"""Who may be made a "responsable d'affectation" of a school, and who is one (cartable.gar).

The console's page about it is the school's ADML's (and the platform admin's), reached through
`console_view`: being that school's admin is the whole rule (policy.admin_of). Within the school, the people
offered are the members of its staff still there (a teacher or another personnel); another school's person,
a pupil or a parent answers 404."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from cartable.access import policy
from cartable.directory.models import STAFF_PROFILES, Function, Membership, Person, School
from cartable.gar.models import (
    MEDIACENTRE_PROFILES,
    AssignmentManager,
    Favourite,
    GarIdentity,
    SchoolResource,
)
from cartable.lib.params import int_or_404


def can_set_managers(user: Any, school: School) -> bool:
    """May name and remove the school's responsables d'affectation: its ADML, or the platform admin."""
    return policy.admin_of(user, school)


def staff_of(school: School) -> QuerySet[Person]:
    """The school's staff still there, each once: the people a responsable d'affectation is chosen among."""
    return Person.objects.filter(
        left_at__isnull=True,
        pk__in=Membership.objects.filter(school=school, profile__in=STAFF_PROFILES).values("person_id"),
    )


def staff_member_of_school_or_404(school: School, raw_id: Any) -> Person:
    person = staff_of(school).select_related("user").filter(pk=int_or_404(raw_id)).first()
    if person is None:
        raise Http404
    return person


def managers_of(school: School) -> QuerySet[AssignmentManager]:
    return AssignmentManager.objects.filter(school=school).select_related("person__user", "set_by")


def manager_of_school_or_404(school: School, raw_id: Any) -> AssignmentManager:
    manager = managers_of(school).filter(pk=int_or_404(raw_id)).first()
    if manager is None:
        raise Http404
    return manager


# --- The Médiacentre ----------------------------------------------------------------------------------------
# Who uses it: pupils, teachers and other staff, in each school where they hold one of those profiles (the
# GAR serves them, not parents). Who keeps the school's own links: its documentalist, direction and ADML.
# Another school's link, or a link not shown to one's profile, answers 404.

LINK_KEEPER_FUNCTIONS = (Function.DOCUMENTALIST, Function.DIRECTION, Function.ADML)


def mediacentre_school_ids(user: Any) -> frozenset[int]:
    """The schools whose Médiacentre the user opens (no query: the cached viewer)."""
    return policy.viewer_for(user).schools_with_profile(*MEDIACENTRE_PROFILES)


def uses_mediacentre(user: Any) -> bool:
    return bool(mediacentre_school_ids(user))


def link_keeping_school_ids(user: Any) -> frozenset[int]:
    return policy.viewer_for(user).schools_with_function(*LINK_KEEPER_FUNCTIONS)


def can_keep_links(user: Any, school: School) -> bool:
    return school.pk in link_keeping_school_ids(user)


def mediacentre_schools(user: Any) -> list[School]:
    ids = mediacentre_school_ids(user)
    return list(School.objects.filter(pk__in=ids).order_by("name")) if ids else []


def link_keeping_school_or_404(user: Any, uai: Any) -> School:
    ids = link_keeping_school_ids(user)
    school = School.objects.filter(pk__in=ids, uai=str(uai)).first() if ids else None
    if school is None:
        raise Http404
    return school


def links_of(school: School) -> QuerySet[SchoolResource]:
    return SchoolResource.objects.filter(school=school).select_related("created_by")


def link_of_school_or_404(school: School, raw_id: Any) -> SchoolResource:
    link = links_of(school).filter(pk=int_or_404(raw_id)).first()
    if link is None:
        raise Http404
    return link


def links_visible_to(user: Any, schools: list[School]) -> list[SchoolResource]:
    """The links of these schools (the user's Médiacentre schools) shown to a profile the user holds there:
    one query; the profiles are compared here (a few dozen links a school)."""
    viewer = policy.viewer_for(user)
    links = SchoolResource.objects.filter(school__in=schools).select_related("school")
    return [
        link
        for link in links
        if viewer.has_profile(link.school_id, *[p for p in link.profiles if p in MEDIACENTRE_PROFILES])
    ]


def visible_link_or_404(user: Any, raw_id: Any) -> SchoolResource:
    pk = int_or_404(raw_id)
    ids = mediacentre_school_ids(user)
    link = SchoolResource.objects.select_related("school").filter(pk=pk, school_id__in=ids).first()
    viewer = policy.viewer_for(user)
    if link is None or not viewer.has_profile(
        link.school_id, *[p for p in link.profiles if p in MEDIACENTRE_PROFILES]
    ):
        raise Http404
    return link


def mediacentre_school_or_404(user: Any, uai: Any) -> School:
    ids = mediacentre_school_ids(user)
    school = School.objects.filter(pk__in=ids, uai=str(uai)).first() if ids else None
    if school is None:
        raise Http404
    return school


def identity_of(user: Any) -> str | None:
    """The user's IDO, or None while no export has named them to the GAR yet."""
    person_id = policy.viewer_for(user).person_id
    if person_id is None:
        return None
    return GarIdentity.objects.filter(person_id=person_id).values_list("ido", flat=True).first()


def favourites_of(user: Any) -> QuerySet[Favourite]:
    person_id = policy.viewer_for(user).person_id
    return Favourite.objects.filter(person_id=person_id) if person_id else Favourite.objects.none()
