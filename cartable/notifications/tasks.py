"""Background work of the notifications: emails of a new event, what waited for the end of the quiet hours,
and the daily digest (which queues itself again for the next morning)."""

from __future__ import annotations

import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.tasks import task
from django.utils import translation

from cartable.accounts import reset_links
from cartable.accounts.forms import PasswordResetForm
from cartable.notifications import delivery
from cartable.notifications.models import DigestRun


@task()
def deliver_event(event_id: int) -> int:
    """Queued by `publish` once the event's transaction has committed."""
    return delivery.deliver_event(event_id)


@task()
def flush_people(person_ids: list[int], digest: bool) -> int:
    """Queued with run_after = the end of these people's quiet hours."""
    return delivery.flush(person_ids, digest=digest)


@task()
def daily_digest(day: str) -> int:
    """Queued with run_after = the digest time of `day`; sends, then queues the next day's."""
    when = datetime.date.fromisoformat(day)
    if DigestRun.objects.filter(day=when, sent_at__isnull=False).exists():
        delivery.plan_digest()
        return 0
    return delivery.run_digest(when)


@task()
def send_password_reset(email: str, language: str) -> None:
    """The password reset email, sent by the worker: the request answers at once whether the address
    belongs to an account or not, so its timing tells nothing (accounts queues this after throttling)."""
    with translation.override(language):
        form = PasswordResetForm({"email": email})
        if not form.is_valid():
            return
        site = urlsplit(settings.SITE_URL)
        form.save(
            domain_override=site.netloc,
            use_https=site.scheme == "https",
            subject_template_name=reset_links.SUBJECT_TEMPLATE,
            email_template_name=reset_links.EMAIL_TEMPLATE,
            extra_email_context=reset_links.email_context(),
        )
