"""Tracing the reads of a pupil's records by staff (rule C8), for every service: see `models.RecordRead`."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from cartable.access.models import RECORD_LABELS, RecordRead
from cartable.directory.models import Person


def describe(what: str, label: Any) -> str:
    """Name a kind of record (`"<app>.<record>"`) for the pages listing the reads; returns the code, so a
    service writes `RECORD = reads.describe("attendance.record", _("Assiduité"))` once."""
    RECORD_LABELS[what] = label
    return what


def trace_reads(reader: Any, school_id: int, pupil_ids: Iterable[int], what: str) -> None:
    """`reader` opened `what` about each of these pupils of the school (one row each, one query for all: a
    class's record or an export names every pupil it shows)."""
    now = timezone.now()
    RecordRead.objects.bulk_create(
        [
            RecordRead(school_id=school_id, reader=reader, pupil_id=pupil_id, what=what[:40], at=now)
            for pupil_id in dict.fromkeys(pupil_ids)
        ]
    )


def reads_of(pupil: Person) -> QuerySet[RecordRead]:
    """Who opened this pupil's records, latest first."""
    return RecordRead.objects.filter(pupil=pupil).select_related("reader").order_by("-at", "-pk")


def purge_old_reads(now: datetime | None = None) -> int:
    """Kept as long as the login traces (TRACE_RETENTION_DAYS), then deleted."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.TRACE_RETENTION_DAYS)
    deleted, _by_model = RecordRead.objects.filter(at__lt=cutoff).delete()
    return deleted
