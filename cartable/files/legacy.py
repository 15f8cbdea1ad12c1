"""Bringing files stored before cartable.files under it: used by the data migrations of messaging and homework
(0005), which pass their historical StoredFile model.

Existing files are adopted in quarantine (PENDING), not marked clean: no antivirus ever read them, and calling
them clean would be a claim nobody checked. The periodic task (`scan_waiting_files`, every
FILES_RESCAN_MINUTES) scans them after the deployment; until then they are listed "en cours d'analyse".
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.files.storage import default_storage

from cartable.files import sniffing


def adopt(model: Any, storage_name: str, *, name: str, school_id: int | None, owner_id: int | None) -> Any:
    digest = hashlib.sha256()
    head = b""
    size = 0
    try:
        with default_storage.open(storage_name, "rb") as handle:
            for chunk in iter(lambda: handle.read(64 * 1024), b""):
                if len(head) < sniffing.HEAD_BYTES:
                    head += chunk[: sniffing.HEAD_BYTES - len(head)]
                digest.update(chunk)
                size += len(chunk)
    except (FileNotFoundError, OSError):
        pass  # lost before the migration: kept as a row, never served (its scan finds no content)
    return model.objects.create(
        school_id=school_id,
        owner_id=owner_id,
        file=storage_name,
        name=(name or "fichier")[:200],
        size=size,
        content_type=sniffing.content_type(head) if size else "application/octet-stream",
        sha256=digest.hexdigest(),
        status="pending",
    )
