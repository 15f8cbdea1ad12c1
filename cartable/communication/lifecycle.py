"""The communication rules in a person's lifecycle (cartable.lib.lifecycle): traces of changes to the
communication rules go after TRACE_RETENTION_DAYS (rule C8)."""

from __future__ import annotations

from datetime import datetime

from cartable.communication.actions import purge_old_changes
from cartable.communication.models import CommunicationChange, SendingPause
from cartable.lib.lifecycle import Fate

PERSONAL_DATA = {
    CommunicationChange: Fate.TRACE,
    # A kill-switch in force names who set it.
    SendingPause: Fate.RECORD,
}


def nightly(now: datetime) -> dict[str, int]:
    return {"admin_traces": purge_old_changes(now)}
