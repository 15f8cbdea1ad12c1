"""The nightly maintenance, run by the background worker: personal data of accounts closed more than
ACCOUNT_PURGE_DAYS ago are deleted (rule C5) and traces older than TRACE_RETENTION_DAYS go (rule C8).
It queues itself again for the next night; `manage.py plan_daily_tasks` queues the first run (make run
does it; in production run it once at each deployment — running it twice queues nothing more)."""

from __future__ import annotations

import datetime
import logging
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.tasks import task
from django.utils import timezone

logger = logging.getLogger(__name__)

MAINTENANCE_TIME = datetime.time(3, 0)  # Paris time: nobody is at school


def next_night(now: datetime.datetime) -> datetime.datetime:
    zone = ZoneInfo(settings.TIME_ZONE)
    local = now.astimezone(zone)
    moment = datetime.datetime.combine(local.date(), MAINTENANCE_TIME, tzinfo=zone)
    return moment if moment > local else moment + datetime.timedelta(days=1)


def maintenance_queued() -> bool:
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(
        task_path=nightly_maintenance.module_path, status__in=["READY", "RUNNING"]
    ).exists()


def plan_nightly_maintenance(now: datetime.datetime | None = None) -> bool:
    """Queue the next nightly run unless one is already waiting; True when this call queued it."""
    if maintenance_queued():
        return False
    moment = next_night(now or timezone.now())
    transaction.on_commit(lambda: nightly_maintenance.using(run_after=moment).enqueue())
    return True


@task()
def nightly_maintenance() -> dict[str, int]:
    from cartable.access.actions import purge_old_changes
    from cartable.accounts.actions import purge_old_traces
    from cartable.console.actions import purge_old_admin_actions
    from cartable.directory.actions import purge_expired_accounts
    from cartable.notifications.actions import purge_old_notifications

    purged = purge_expired_accounts(timezone.now(), days=settings.ACCOUNT_PURGE_DAYS)
    done = {
        "anonymized": purged.anonymized,
        "deleted": purged.deleted,
        "login_traces": purge_old_traces(),
        "admin_traces": purge_old_admin_actions() + purge_old_changes(),
        "notifications": purge_old_notifications(),
    }
    logger.info("nightly maintenance: %s", done)
    # This run is still RUNNING while it plans the next one: queue it directly.
    moment = next_night(timezone.now() + datetime.timedelta(minutes=1))
    transaction.on_commit(lambda: nightly_maintenance.using(run_after=moment).enqueue())
    return done
