"""The access policy in a person's lifecycle (cartable.lib.lifecycle): the trace of who read a pupil's records
is kept TRACE_RETENTION_DAYS (rule C8), deleted with the pupil (C5); a reader's purge leaves the trace
without a name."""

from __future__ import annotations

from datetime import datetime

from cartable.access.models import RecordRead
from cartable.access.reads import purge_old_reads
from cartable.lib.lifecycle import Fate

PERSONAL_DATA = {RecordRead: Fate.TRACE}


def nightly(now: datetime) -> dict[str, int]:
    return {"record_reads": purge_old_reads(now)}
