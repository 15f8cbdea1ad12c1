"""Every write the portal makes (house rule 1)."""

from django.core.exceptions import PermissionDenied
from django.db import transaction

from cartable.directory.models import Membership, Person, School
from cartable.portal.models import CorrectionRequest


@transaction.atomic
def request_correction(person: Person, school: School, message: str) -> CorrectionRequest:
    """Right of rectification (rule C9): the request reaches the admin of a school the person belongs to."""
    if not Membership.objects.filter(person=person, school=school).exists():
        raise PermissionDenied
    return CorrectionRequest.objects.create(person=person, school=school, message=message.strip())
