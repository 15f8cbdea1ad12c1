"""Every write of cartable.files: store an upload (in quarantine), record the antivirus's verdict, let go of
files nothing uses any more. Services call `store_upload` from their own actions, inside their transaction."""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Iterable

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from cartable.directory.models import Function, Membership, Person
from cartable.files import scanner, sniffing
from cartable.files.models import StoredFile
from cartable.notifications.actions import publish

logger = logging.getLogger(__name__)

INFECTED = "files.infected"


def _storage_name(school_id: int | None) -> str:
    # Random: the stored name reveals nothing of the file and never collides; the real name is in the row.
    return f"files/{school_id or 'platform'}/{timezone.now():%Y/%m}/{secrets.token_hex(16)}"


def store_upload(
    upload: File[bytes], *, owner: Person | None, school_id: int | None, name: str = ""
) -> StoredFile:
    """Stream `upload` to the storage and record it, in quarantine: it is scanned by the antivirus once the
    caller's transaction has committed, and served only when found clean.

    The content is read in chunks twice (checksum and type, then the storage's copy), never whole in
    memory."""
    digest = hashlib.sha256()
    head = b""
    size = 0
    upload.seek(0)
    for chunk in upload.chunks():
        if len(head) < sniffing.HEAD_BYTES:
            head += chunk[: sniffing.HEAD_BYTES - len(head)]
        digest.update(chunk)
        size += len(chunk)
    upload.seek(0)
    stored = StoredFile(
        school_id=school_id,
        owner=owner,
        name=(name or upload.name or "fichier").rsplit("/", 1)[-1][:200],
        size=size,
        content_type=sniffing.content_type(head),
        sha256=digest.hexdigest(),
    )
    stored.file.name = default_storage.save(_storage_name(school_id), upload)
    # Should the caller's transaction roll back, the content stays behind, unreferenced and never served.
    stored.save()
    pk = stored.pk

    def scan_soon() -> None:
        from cartable.files.tasks import scan_file

        scan_file.enqueue(pk)

    transaction.on_commit(scan_soon)
    return stored


def scan_stored_file(pk: int) -> str:
    """Ask the antivirus about a file in quarantine and record its verdict. Returns "clean", "infected",
    "waiting" (clamd unreachable: the file stays in quarantine, tried again by the periodic task), or
    "done" (not in quarantine any more)."""
    stored = StoredFile.objects.filter(pk=pk, status=StoredFile.Status.PENDING).first()
    if stored is None:
        return "done"
    try:
        with default_storage.open(stored.file.name or "", "rb") as handle:
            verdict = scanner.scan(handle)
    except scanner.ScannerUnavailable as error:
        logger.warning("antivirus unavailable, file %s stays in quarantine: %s", pk, error)
        return "waiting"
    except FileNotFoundError:
        logger.error("file %s in quarantine has no content in the storage (%s)", pk, stored.file.name)
        return "waiting"
    return record_verdict(pk, verdict)


@transaction.atomic
def record_verdict(pk: int, verdict: scanner.Verdict) -> str:
    stored = StoredFile.objects.select_for_update().filter(pk=pk, status=StoredFile.Status.PENDING).first()
    if stored is None:
        return "done"  # another worker recorded it first
    stored.scanned_at = timezone.now()
    if verdict.clean:
        stored.status = StoredFile.Status.CLEAN
        stored.save(update_fields=["status", "scanned_at"])
        return "clean"
    content = stored.file.name or ""
    stored.status = StoredFile.Status.INFECTED
    stored.signature = verdict.signature
    stored.file.name = ""
    stored.save(update_fields=["status", "scanned_at", "signature", "file"])
    # The row stays as the trace (who, which school, when, what was found); the content goes for good.
    logger.warning(
        "infected upload: file %s %r (sha256 %s) from person %s in school %s: %s",
        stored.pk,
        stored.name,
        stored.sha256,
        stored.owner_id,
        stored.school_id,
        stored.signature,
    )
    transaction.on_commit(lambda: default_storage.delete(content))
    _tell_about_infection(stored)
    return "infected"


def _tell_about_infection(stored: StoredFile) -> None:
    """The uploader and the school's ADML are told on their timeline (and by email, at once)."""

    recipients: set[int] = {stored.owner_id} if stored.owner_id else set()
    if stored.school_id is not None:
        recipients |= {
            person_id
            for person_id, functions in Membership.objects.filter(school_id=stored.school_id).values_list(
                "person_id", "functions"
            )
            if Function.ADML in set(functions or ())
        }
    publish(
        INFECTED,
        recipients=recipients,
        school=stored.school,
        data={
            "name": stored.name,
            "signature": stored.signature,
            "owner": stored.owner.full_name if stored.owner else "",
        },
    )


def waiting_files() -> QuerySet[StoredFile, int]:
    return (
        StoredFile.objects.filter(status=StoredFile.Status.PENDING)
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)
    )


def scan_waiting(limit: int = 500) -> dict[str, int]:
    """Scan the files still in quarantine (clamd was down, or a task was lost), oldest first; stops at the
    first sign that clamd is still unreachable."""
    done = {"clean": 0, "infected": 0, "waiting": 0}
    for pk in list(waiting_files()[:limit]):
        outcome = scan_stored_file(pk)
        if outcome in done:
            done[outcome] += 1
        if outcome == "waiting" and not scanner.ping():
            break
    return done


def release(stored_ids: Iterable[int]) -> int:
    """Delete the files of `stored_ids` that nothing refers to any more (a message, a session of the cahier…),
    content and row, once the caller's transaction has committed. Returns how many rows went."""
    ids = sorted(set(stored_ids))
    if not ids:
        return 0
    used: set[int] = set()
    for relation in StoredFile._meta.related_objects:
        column = relation.field.name
        used |= set(
            relation.related_model._default_manager.filter(**{f"{column}__in": ids}).values_list(
                f"{column}_id", flat=True
            )
        )
    unused = StoredFile.objects.filter(pk__in=[pk for pk in ids if pk not in used])
    # Infected files stay: they are the trace of what was found.
    unused = unused.exclude(status=StoredFile.Status.INFECTED)
    names = [name for name in unused.values_list("file", flat=True) if name]
    count, _ = unused.delete()

    def delete_contents() -> None:
        for name in names:
            default_storage.delete(name)

    transaction.on_commit(delete_contents)
    return count
