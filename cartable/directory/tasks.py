"""The nightly maintenance, run by the background worker: every app's `nightly()` hook
(cartable.lib.lifecycle) — personal data of accounts closed more than ACCOUNT_PURGE_DAYS ago are deleted
(rule C5), traces older than TRACE_RETENTION_DAYS go (rule C8), old notifications go.
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

from cartable.lib import lifecycle

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
    # Each app's nightly work, found by convention (cartable.lib.lifecycle): the directory's purge first.
    done = lifecycle.run_nightly(timezone.now())
    logger.info("nightly maintenance: %s", done)
    # This run is still RUNNING while it plans the next one: queue it directly.
    moment = next_night(timezone.now() + datetime.timedelta(minutes=1))
    transaction.on_commit(lambda: nightly_maintenance.using(run_after=moment).enqueue())
    return done
