"""For tests about something else than the antivirus (access, pages): files found clean without a daemon,
through the same action that records clamd's verdict."""

from __future__ import annotations

from cartable.files import actions, scanner
from cartable.files.models import StoredFile


def mark_all_clean() -> int:
    pending = list(StoredFile.objects.filter(status=StoredFile.Status.PENDING).values_list("pk", flat=True))
    for pk in pending:
        actions.record_verdict(pk, scanner.Verdict(clean=True))
    return len(pending)
