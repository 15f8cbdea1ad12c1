"""Who may do what in the school admin console, built on the one access policy (cartable.access.policy).

A school is reached by its UAI; a person, a class or a correction request by its id *inside that school*.
Anything that is not administered by the user, or not part of the school, answers 404 so that the console
reveals neither the existence of other schools' people nor who administers what.
"""

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from cartable.access import policy
from cartable.accounts.models import User
from cartable.directory.models import Function, Group, GroupKind, Membership, Person, Profile, School
from cartable.portal.models import CorrectionRequest


def administered_school_or_404(
    user: Any, uai: str, allowed: Callable[[Any, School], bool] = policy.admin_of
) -> School:
    """The school of the UAI if the user administers it (or passes another check of the policy)."""
    school = School.objects.filter(uai=uai).first()
    if school is None or not allowed(user, school):
        raise Http404
    return school


def people_of(school: School) -> QuerySet[Person]:
    """Everyone holding a profile in the school (a person with two profiles there appears once)."""
    return Person.objects.filter(pk__in=Membership.objects.filter(school=school).values("person_id"))


def person_of_school_or_404(school: School, person_id: int) -> Person:
    person = people_of(school).select_related("user").filter(pk=person_id).first()
    if person is None:
        raise Http404
    return person


def current_classes_of(school: School) -> QuerySet[Group]:
    return Group.objects.filter(school=school, kind=GroupKind.CLASS, year__is_current=True).order_by(
        "level", "name"
    )


def class_of_school_or_404(school: School, group_id: Any) -> Group:
    try:
        group_id = int(group_id)
    except (TypeError, ValueError):
        raise Http404 from None
    group = current_classes_of(school).filter(pk=group_id).first()
    if group is None:
        raise Http404
    return group


def pupils_of(school: School) -> QuerySet[Person]:
    return Person.objects.filter(
        pk__in=Membership.objects.filter(school=school, profile=Profile.STUDENT).values("person_id")
    )


def correction_request_or_404(school: School, request_id: int) -> CorrectionRequest:
    found = CorrectionRequest.objects.filter(school=school, pk=request_id).select_related("person").first()
    if found is None:
        raise Http404
    return found


def can_manage_account(actor: Any, target: User) -> bool:
    """May `actor` block, reset or re-issue a code for `target`'s account?

    Not one's own account (an admin would lock themselves out), and never an account that holds more power
    than the actor: resetting it would hand the actor that account, e.g. the platform admin's or that of the
    ADML of a school the actor does not administer.
    """
    return target in manageable_accounts(actor, [target])


def manageable_accounts(actor: Any, targets: list[User]) -> list[User]:
    """The accounts among `targets` that `actor` may manage (see can_manage_account), in one query at most."""
    others = [t for t in targets if t.pk != getattr(actor, "pk", None)]
    if policy.is_platform_admin(actor):
        return others
    others = [t for t in others if not t.is_platform_admin]
    actor_schools = policy.viewer_for(actor).schools_with_function(Function.ADML)
    administered = schools_administered_by_accounts(others)
    return [t for t in others if administered.get(t.pk, set()) <= actor_schools]


def schools_administered_by_accounts(users: list[User]) -> dict[int, set[int]]:
    """{user id: ids of the schools where they are ADML}, without building each user's whole Viewer."""
    if not users:
        return {}
    held = Membership.objects.filter(person__user__in=users).values_list(
        "person__user_id", "school_id", "functions"
    )
    administered: dict[int, set[int]] = {}
    for user_id, school_id, functions in held:
        if Function.ADML in (functions or []):
            administered.setdefault(user_id, set()).add(school_id)
    return administered
