"""The antivirus's work, run by the background worker: each upload is scanned once its transaction has
committed (`scan_file`), and every FILES_RESCAN_MINUTES the files still in quarantine are tried again
(`scan_waiting_files`: clamd was down, or a worker stopped mid-way). Nothing is lost while clamd is down:
the files wait, unserved, and are scanned when it is back. `manage.py plan_daily_tasks` queues the first
periodic run; each run queues the next."""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.tasks import task
from django.utils import timezone

logger = logging.getLogger(__name__)


@task()
def scan_file(stored_id: int) -> str:
    from cartable.files.actions import scan_stored_file

    return scan_stored_file(stored_id)


def rescan_queued() -> bool:
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(
        task_path=scan_waiting_files.module_path, status__in=["READY", "RUNNING"]
    ).exists()


def plan_rescan() -> bool:
    """Queue the next periodic run unless one is already waiting; True when this call queued it."""
    if rescan_queued():
        return False
    moment = timezone.now() + datetime.timedelta(minutes=settings.FILES_RESCAN_MINUTES)
    transaction.on_commit(lambda: scan_waiting_files.using(run_after=moment).enqueue())
    return True


@task()
def scan_waiting_files() -> dict[str, int]:
    from cartable.files.actions import scan_waiting

    done = scan_waiting()
    if any(done.values()):
        logger.info("files in quarantine scanned again: %s", done)
    # This run is still RUNNING while it plans the next one: queue it directly.
    moment = timezone.now() + datetime.timedelta(minutes=settings.FILES_RESCAN_MINUTES)
    transaction.on_commit(lambda: scan_waiting_files.using(run_after=moment).enqueue())
    return done
