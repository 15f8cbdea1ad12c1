"""The spreadsheet import (cartable.feeds.csv_import): what the import would do, without writing anything."""

from __future__ import annotations

from dataclasses import dataclass

from cartable.feeds.csv_import.columns import (
    Kind,
)
from cartable.feeds.csv_import.known import (
    _guardian_key,
    _known_guardians,
    _known_pupils,
    _known_staff,
    _match_guardian,
)
from cartable.feeds.csv_import.lines import (
    Line,
    read_lines,
    school_facts,
)
from cartable.feeds.models import ImportJob
from cartable.feeds.tabular import Table

PREVIEW_ROWS = 20


# --- Preview -----------------------------------------------------------------------------------------


@dataclass
class Preview:
    lines: list[Line]
    shown: list[Line]  # the first rows, then every other row with an error
    will_create: int  # people
    will_update: int  # people already known (possibly unchanged)
    rejected: int


def preview(job: ImportJob, table: Table) -> Preview:
    """What the import would do, without writing anything: a constant number of queries."""
    facts = school_facts(job.school, job.kind)
    lines = read_lines(job, table, facts)
    good = [line for line in lines if line.ok]
    if job.kind == Kind.PUPILS:
        known = _known_pupils(job.school, good)
        existing = sum(1 for line in good if known.get(line.identity))
        new = len(good) - existing
    elif job.kind == Kind.STAFF:
        known = _known_staff(job.school)
        existing = sum(1 for line in good if known.get(line.identity))
        new = len(good) - existing
    else:
        # A guardian on several rows (several children) is one person.
        by_pupil, by_email = _known_guardians(job.school, good)
        found: dict[tuple, bool] = {}
        for line in good:
            key = _guardian_key(line)
            found[key] = found.get(key, False) or _match_guardian(line, by_pupil, by_email) is not None
        existing = sum(found.values())
        new = len(found) - existing
    shown = lines[:PREVIEW_ROWS] + [line for line in lines[PREVIEW_ROWS:] if not line.ok][:200]
    return Preview(
        lines=lines,
        shown=shown,
        will_create=new,
        will_update=existing,
        rejected=len(lines) - len(good),
    )
