"""The GAR export, run by the background worker every night at GAR_EXPORT_TIME (Paris time) when the delivery
is configured (GAR_SFTP_HOST): the files are written in a temporary folder, packed, sent, and the folder is
removed. Each run queues the next; `manage.py plan_daily_tasks` queues the first (cartable.gar.lifecycle)."""

from __future__ import annotations

import datetime
import logging
import tempfile
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.tasks import task
from django.utils import timezone

from cartable.gar import delivery

logger = logging.getLogger(__name__)


def next_run(now: datetime.datetime) -> datetime.datetime:
    zone = ZoneInfo(settings.TIME_ZONE)
    local = now.astimezone(zone)
    hours, minutes = (int(part) for part in settings.GAR_EXPORT_TIME.split(":"))
    moment = datetime.datetime.combine(local.date(), datetime.time(hours, minutes), tzinfo=zone)
    return moment if moment > local else moment + datetime.timedelta(days=1)


def export_queued() -> bool:
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(
        task_path=deliver_gar_export.module_path, status__in=["READY", "RUNNING"]
    ).exists()


def plan_export(now: datetime.datetime | None = None) -> bool:
    """Queue the next delivery unless one is waiting; True when this call queued it."""
    if export_queued():
        return False
    moment = next_run(now or timezone.now())
    transaction.on_commit(lambda: deliver_gar_export.using(run_after=moment).enqueue())
    return True


def run_delivery(now: datetime.datetime) -> list[str]:
    """Export, pack and send; returns the remote paths written."""
    with tempfile.TemporaryDirectory(prefix="cartable-gar-") as folder:
        package = delivery.export_and_pack(Path(folder), now)
        return delivery.send(package)


@task()
def deliver_gar_export() -> list[str]:
    if not delivery.is_configured():
        return []  # the delivery was switched off since: no next run
    # The next night's run is queued first, so that a server down tonight does not stop the deliveries. This
    # run is still RUNNING while it plans the next one: queue it directly.
    moment = next_run(timezone.now() + datetime.timedelta(minutes=1))
    transaction.on_commit(lambda: deliver_gar_export.using(run_after=moment).enqueue())
    sent = run_delivery(timezone.now())
    logger.info("GAR export delivered: %s", sent)
    return sent
