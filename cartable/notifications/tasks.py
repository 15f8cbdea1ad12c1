"""Background work of the notifications: emails of a new event, what waited for the end of the quiet hours,
and the daily digest (which queues itself again for the next morning)."""

from __future__ import annotations

import datetime

from django.tasks import task

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
