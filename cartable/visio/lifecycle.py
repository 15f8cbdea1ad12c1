"""The virtual classes in a person's lifecycle (cartable.lib.lifecycle): a virtual class is the school's
record of a lesson, kept under "Ancien compte" for its teacher; the traces of who joined (rule C8) go at the
purge with the person's account (rule C5), and every night once older than TRACE_RETENTION_DAYS."""

from __future__ import annotations

from datetime import datetime

from cartable.lib.lifecycle import Fate, Forgetting
from cartable.visio.actions import purge_old_joins
from cartable.visio.models import VirtualClass, VirtualClassJoin

PERSONAL_DATA = {
    VirtualClass: Fate.RECORD,
    VirtualClassJoin: Fate.FORGOTTEN,
}


def forget(people: Forgetting) -> None:
    VirtualClassJoin.objects.filter(person_id__in=people.person_ids).delete()


def nightly(now: datetime) -> dict[str, int]:
    return {"visio_join_traces": purge_old_joins(now)}
