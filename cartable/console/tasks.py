"""Background work of the console: telling an account's owner that a school admin reset it."""

from __future__ import annotations

import logging
import smtplib

from django.conf import settings
from django.core.mail import EmailMessage
from django.tasks import task
from django.template.loader import render_to_string
from django.utils import timezone, translation

from cartable.accounts.models import User
from cartable.directory.models import School

logger = logging.getLogger(__name__)


@task()
def tell_owner_of_reset(user_id: int, school_id: int) -> bool:
    """An e-mail to the owner of an account a school's admin has just reset (queued after the reset
    committed): if they did not ask for it, it is how they learn that someone may be taking their account.
    It carries no code and no link: the new code is handed over by the school. False when not sent."""
    user = User.objects.filter(pk=user_id).select_related("person").first()
    school = School.objects.filter(pk=school_id).first()
    if user is None or school is None or not user.email:
        return False
    with translation.override(user.language or settings.LANGUAGE_CODE):
        context = {
            "user": user,
            "name": user.person.full_name if hasattr(user, "person") else user.username,
            "school": school,
            "when": timezone.localtime(),
            "site_url": settings.SITE_URL.rstrip("/"),
        }
        subject = render_to_string("console/email/account_reset_subject.txt", context).strip()
        body = render_to_string("console/email/account_reset.txt", context)
    try:
        EmailMessage(subject=subject, body=body, to=[user.email]).send()
    except (OSError, smtplib.SMTPException):
        # The task is not retried: the reset is done and shown in the console's trace either way.
        logger.exception("account reset notice not sent to user %s", user_id)
        return False
    return True
