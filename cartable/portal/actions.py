"""Every write the portal makes (house rule 1)."""

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from cartable.access.policy import viewer_for
from cartable.accounts import actions as accounts
from cartable.directory.models import Membership, School
from cartable.notifications import actions as notifications
from cartable.portal.models import CorrectionRequest


@transaction.atomic
def request_correction(user: Any, school: School, message: str) -> CorrectionRequest:
    """Right of rectification (rule C9): the request reaches the admin of a school the person belongs to."""
    person_id = viewer_for(user).person_id
    if person_id is None or not Membership.objects.filter(person_id=person_id, school=school).exists():
        raise PermissionDenied
    return CorrectionRequest.objects.create(person_id=person_id, school=school, message=message.strip())


@dataclass
class ContactSaved:
    confirmation_sent_to: str = ""  # a new address, waiting for its link to be opened
    email_removed: bool = False
    phone_changed: bool = False


@transaction.atomic
def save_contact_details(
    user: Any, person_id: int | None, *, email: str, phone: str | None, request: Any = None
) -> ContactSaved:
    """The person's own email address and mobile number, each traced in the account's history. A new
    address waits for confirmation (the current one, if any, stays in use); an empty one removes it; the
    mobile number is the notifications' SMS number, the only one Cartable keeps (`phone` None: unchanged).
    Refused when the person asked for too many confirmation emails this hour: nothing is saved."""
    saved = ContactSaved()
    typed = email.strip()
    if typed.lower() == user.email.lower():
        pass  # unchanged (a pending address, if any, stays pending: the page offers to cancel it)
    elif not typed:
        accounts.remove_email(user, request)
        saved.email_removed = True
    elif typed.lower() != user.pending_email.lower():
        accounts.request_email_change(user, typed, request)
        saved.confirmation_sent_to = typed
    if person_id is not None and phone is not None:
        saved.phone_changed = notifications.set_sms_phone(person_id, phone, request)
    return saved
