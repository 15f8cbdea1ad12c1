"""The history of feed imports, and how an unchanged full feed is recognised without reading it again.

Reading 100,000 persons only to find that nothing changed costs most of a first import. A full AAF feed whose
files are byte for byte those of the last import is skipped, provided nothing else has touched the directory
through an import since (no delta, ONDE or console import after it) and the school year is still the same
(after a rollover the same feed must fill the new year). `import_aaf --force` reads it anyway.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path

from django.db.models import Q

from cartable.directory.models import SchoolYear
from cartable.feeds.models import FeedImport, ImportJob
from cartable.feeds.report import ImportReport


def feed_digest(paths: list[Path]) -> str:
    """sha256 over every file's name, size and content, in reading order."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(f"{path.name}\0{path.stat().st_size}\0".encode())
        with path.open("rb") as stream:
            digest.update(hashlib.file_digest(stream, "sha256").digest())
    return digest.hexdigest()


def previous_identical_import(source: str, digest: str) -> FeedImport | None:
    """The last import, when it was this very feed and nothing was imported after it in this school year."""
    last = FeedImport.objects.select_related("year").first()
    year = SchoolYear.objects.filter(is_current=True).first()
    if last is None or last.source != source or last.digest != digest or year is None or last.year != year:
        return None
    console_import_since = ImportJob.objects.filter(
        Q(started_at__gte=last.imported_at) | Q(finished_at__gte=last.imported_at)
    ).exists()
    return None if console_import_since else last


def report_of_identical(previous: FeedImport) -> ImportReport:
    """What importing the same feed again amounts to: everything that was there is unchanged."""
    report = ImportReport(identical_to=previous.imported_at.isoformat())
    for kind, counts in previous.counts.items():
        report.unchanged(
            kind, counts.get("created", 0) + counts.get("updated", 0) + counts.get("unchanged", 0)
        )
        report.counts[kind].rejected = counts.get("rejected", 0)
    return report


def record_import(source: str, digest: str, files: int, report: ImportReport) -> FeedImport:
    return FeedImport.objects.create(
        source=source,
        digest=digest,
        files=files,
        counts=report.as_dict()["counts"],
        year=SchoolYear.objects.filter(is_current=True).first(),
    )


def imported_since(year: SchoolYear | None, since: datetime) -> bool:
    """Has a feed been imported for `year`, or a spreadsheet import run in the console, since `since`?
    Until then a rollover to `year` may be undone (cartable.directory.actions.undo_school_year)."""
    return (
        FeedImport.objects.filter(year=year).exists()
        or FeedImport.objects.filter(imported_at__gte=since).exists()
        or ImportJob.objects.filter(Q(started_at__gte=since) | Q(finished_at__gte=since)).exists()
    )
