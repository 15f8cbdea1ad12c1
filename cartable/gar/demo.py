"""Demo data of the GAR app: the demo collège's documentalist is its responsable d'affectation, so that
`manage.py export_gar` on the demo gives a RespAff file with someone in it. Demo accounts have no email
address; the documentalist gets one at the reserved .localhost domain (nothing is ever sent there). Only the
demo pair of schools gets content (see cartable.homework.demo)."""

from __future__ import annotations

from cartable.directory.models import STAFF_PROFILES, Function, Membership, School, SchoolKind
from cartable.gar.models import AssignmentManager


def _manager_of(school: School) -> None:
    if AssignmentManager.objects.filter(school=school).exists():
        return
    staff = Membership.objects.filter(
        school=school, profile__in=STAFF_PROFILES, person__left_at__isnull=True
    ).select_related("person__user")
    membership = next(
        (m for m in staff.order_by("person_id") if m.has_function(Function.DOCUMENTALIST)), None
    )
    if membership is None:
        return
    user = membership.person.user
    if not user.email:
        user.email = f"{user.username}@cartable.localhost"
        user.save(update_fields=["email"])
    AssignmentManager.objects.create(school=school, person=membership.person)


def seed_demo(plan) -> None:
    """Idempotent: a school with a responsable d'affectation already is left as it is."""
    if plan.schools > 2:
        return
    for school in School.objects.filter(kind=SchoolKind.SECONDARY).order_by("uai"):
        _manager_of(school)
