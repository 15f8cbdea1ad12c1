"""Writes of the console's spreadsheet import (house rule 1): a job is uploaded, its columns mapped, then
it is started; the background task (cartable.feeds.tasks) runs it batch by batch and records its progress.

Each step checks again that the actor administers the job's school: the views check it too, but an action
must stay safe when a later caller forgets.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cartable.access import policy
from cartable.directory.models import School
from cartable.feeds import csv_import
from cartable.feeds.models import ImportJob
from cartable.feeds.report import ImportReport
from cartable.feeds.tabular import Table, TableError, read_table
from cartable.lib.errors import Refused

logger = logging.getLogger(__name__)

# A file uploaded and never imported is dropped after this long; reports name people, so they go too (C5).
DRAFT_HOURS = 24
REPORT_DAYS = 90


def _require_admin(actor: Any, school: School) -> None:
    if not policy.admin_of(actor, school):
        raise PermissionDenied


def purge_old_jobs(now: datetime | None = None) -> int:
    """Files never imported (after DRAFT_HOURS) and reports older than REPORT_DAYS."""
    now = now or timezone.now()
    deleted, _by_model = ImportJob.objects.filter(
        Q(status=ImportJob.Status.DRAFT, created_at__lt=now - timedelta(hours=DRAFT_HOURS))
        | Q(created_at__lt=now - timedelta(days=REPORT_DAYS))
    ).delete()
    return deleted


@transaction.atomic
def upload(actor: Any, school: School, kind: str, filename: str, content: bytes, table: Table) -> ImportJob:
    """A new job holding the file, with the columns guessed from its headers."""
    _require_admin(actor, school)
    purge_old_jobs()
    return ImportJob.objects.create(
        school=school,
        created_by=actor,
        kind=kind,
        filename=filename[:255],
        content=content,
        size=len(content),
        mapping=csv_import.guess_mapping(kind, table.headers),
        total_rows=len(table.rows),
    )


def job_table(job: ImportJob) -> Table:
    """The job's file, read again (TableError when it is gone or unreadable)."""
    if not job.content:
        raise TableError(_("Le fichier n’est plus disponible : envoyez-le de nouveau."))
    return read_table(bytes(job.content))


def set_mapping(actor: Any, job: ImportJob, mapping: dict[str, int]) -> None:
    _require_admin(actor, job.school)
    if job.status != ImportJob.Status.DRAFT:
        raise PermissionDenied
    job.mapping = mapping
    job.save(update_fields=["mapping"])


@transaction.atomic
def start(actor: Any, job: ImportJob) -> bool:
    """Queue the import (once: a second click, or a second tab, starts nothing). The task is enqueued when
    the transaction commits, so the worker always finds the job queued."""
    _require_admin(actor, job.school)
    started = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.DRAFT).update(
        status=ImportJob.Status.QUEUED
    )
    if not started:
        return False
    job.status = ImportJob.Status.QUEUED
    from cartable.feeds.tasks import run_import

    transaction.on_commit(lambda: run_import.enqueue(job.pk))
    return True


@transaction.atomic
def discard(actor: Any, job: ImportJob) -> None:
    """An upload the ADML gives up before importing it."""
    _require_admin(actor, job.school)
    ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.DRAFT).delete()


def run(job_id: int) -> None:
    """The import itself (in the worker): batch after batch, each written in its own transaction, the progress
    saved after each. The file's content is emptied at the end, whatever happened. The report is written
    in the school's language (French), as the activation letters are."""
    with translation.override(settings.LANGUAGE_CODE):
        _run(job_id)


def _run(job_id: int) -> None:
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.QUEUED).update(
        status=ImportJob.Status.RUNNING, started_at=timezone.now(), processed_rows=0
    )
    if not claimed:
        return  # already run, or gone
    job = ImportJob.objects.select_related("school", "created_by").get(pk=job_id)
    report = ImportReport()
    rows: list[list[Any]] = []
    try:
        if job.created_by is None or not policy.admin_of(job.created_by, job.school):
            raise Refused(_("La personne qui a lancé l’import n’administre plus l’établissement."))
        table = job_table(job)
        facts = csv_import.school_facts(job.school, job.kind)
        if facts.year is None:
            raise TableError(_("Aucune année scolaire en cours : l’import ne peut pas inscrire les élèves."))
        lines = csv_import.read_lines(job, table, facts)
        done = 0
        for batch in csv_import.batches(job, lines):
            for outcome in csv_import.import_batch(job, facts, batch):
                _count(report, job, outcome)
                rows.append(outcome.as_list())
            done += len(batch)
            ImportJob.objects.filter(pk=job.pk).update(
                processed_rows=done, total_rows=len(lines), counts=_counts(report, job)
            )
    except Refused as refusal:  # the file, or who sent it (TableError is a Refused too)
        _finish(job, report, rows, ImportJob.Status.FAILED, str(refusal.reason))
    except Exception:
        logger.exception("import job %s failed", job_id)
        _finish(
            job,
            report,
            rows,
            ImportJob.Status.FAILED,
            _(
                "L’import s’est arrêté sur une erreur inattendue. Ce qui a été importé avant est conservé ; "
                "relancer le même fichier reprend là où il s’est arrêté."
            ),
        )
    else:
        _finish(job, report, rows, ImportJob.Status.DONE, "")


def _count(report: ImportReport, job: ImportJob, outcome: csv_import.Outcome) -> None:
    if outcome.outcome == csv_import.CREATED:
        report.created(job.kind)
    elif outcome.outcome == csv_import.UPDATED:
        report.updated(job.kind)
    elif outcome.outcome == csv_import.UNCHANGED:
        report.unchanged(job.kind)
    else:
        report.reject(job.kind, job.filename, f"{outcome.line} : {outcome.name}", outcome.detail)


def _counts(report: ImportReport, job: ImportJob) -> dict[str, int]:
    return dict(vars(report.counts[job.kind]))


def _finish(job: ImportJob, report: ImportReport, rows: list[list[Any]], status: str, error: str) -> None:
    ImportJob.objects.filter(pk=job.pk).update(
        status=status,
        error=error,
        counts=_counts(report, job),
        report_rows=rows,
        content=b"",
        finished_at=timezone.now(),
    )
