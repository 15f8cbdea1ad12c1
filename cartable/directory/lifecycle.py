"""The directory's part in a person's lifecycle (cartable.lib.lifecycle): their memberships, enrolments,
teaching assignments and family links go at the purge (the person row itself becomes "Ancien compte",
cartable.directory.actions.purge_expired_accounts); the purge runs every night."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db.models import Q

from cartable.directory import actions
from cartable.directory.models import (
    Enrolment,
    Guardianship,
    Membership,
    Person,
    SchoolYearChange,
    TeachingAssignment,
)
from cartable.lib.lifecycle import Fate, Forgetting

PERSONAL_DATA = {
    # Emptied in place (names, birth date, INE, join key): contributions stay attributed to it.
    Person: Fate.FORGOTTEN,
    Membership: Fate.FORGOTTEN,
    Enrolment: Fate.FORGOTTEN,
    TeachingAssignment: Fate.FORGOTTEN,
    Guardianship: Fate.FORGOTTEN,
    # Who started or undid a school year.
    SchoolYearChange: Fate.RECORD,
}


def forget(people: Forgetting) -> None:
    ids = people.person_ids
    Membership.objects.filter(person_id__in=ids).delete()
    Enrolment.objects.filter(student_id__in=ids).delete()
    TeachingAssignment.objects.filter(teacher_id__in=ids).delete()
    Guardianship.objects.filter(Q(relative_id__in=ids) | Q(student_id__in=ids)).delete()


def nightly(now: datetime) -> dict[str, int]:
    purged = actions.purge_expired_accounts(now, days=settings.ACCOUNT_PURGE_DAYS)
    return {"anonymized": purged.anonymized, "deleted": purged.deleted}


def schedule() -> list[str]:
    from cartable.directory.tasks import plan_nightly_maintenance

    queued = plan_nightly_maintenance()
    return [f"maintenance de nuit {'programmée' if queued else 'déjà programmée'}"]
