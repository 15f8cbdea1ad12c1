"""The console in a person's lifecycle (cartable.lib.lifecycle): accounts an admin creates in bulk (a
spreadsheet import) are traced; traces of what admins did go after TRACE_RETENTION_DAYS (rule C8)."""

from __future__ import annotations

from datetime import datetime

from cartable.console.actions import purge_old_admin_actions
from cartable.console.models import AdminAction
from cartable.lib.lifecycle import Fate

PERSONAL_DATA = {AdminAction: Fate.TRACE}


def nightly(now: datetime) -> dict[str, int]:
    return {"admin_traces": purge_old_admin_actions(now)}


def trace_created(school, actor, user_ids: list[int]) -> None:
    AdminAction.objects.bulk_create(
        [
            AdminAction(school=school, actor=actor, target_id=user_id, kind=AdminAction.Kind.CREATE)
            for user_id in user_ids
        ]
    )
