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
from cartable.directory.models import STAFF_PROFILES, Membership, Person, School
from cartable.gar.models import AssignmentManager
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
