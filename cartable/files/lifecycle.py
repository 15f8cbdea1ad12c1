"""Stored files in a person's lifecycle (cartable.lib.lifecycle): a file stays with what it is attached to (a
message, a lesson), whoever uploaded it; the periodic antivirus scan of files still in quarantine is queued by
plan_daily_tasks."""

from __future__ import annotations

from cartable.files.models import StoredFile
from cartable.files.tasks import plan_rescan
from cartable.lib.lifecycle import Fate

PERSONAL_DATA = {
    # The uploader: the file belongs to the message or lesson it is attached to, which decides its fate; the
    # link to the uploader is emptied when their person goes.
    StoredFile: Fate.RECORD,
}


def schedule() -> list[str]:
    queued = plan_rescan()
    return [f"analyse antivirus des fichiers en attente {'programmée' if queued else 'déjà programmée'}"]
