"""What an import did per entity kind (created, updated, unchanged, rejected), and why it rejected records."""

from __future__ import annotations

import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TextIO


@dataclass(frozen=True)
class Rejection:
    file: str
    record: str
    reason: str


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0


@dataclass
class ImportReport:
    counts: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    rejections: list[Rejection] = field(default_factory=list)
    # Set when the feed was not read again: identical to the one imported at that moment (ISO date).
    identical_to: str = ""

    def created(self, kind: str, n: int = 1) -> None:
        self.counts[kind].created += n

    def updated(self, kind: str, n: int = 1) -> None:
        self.counts[kind].updated += n

    def unchanged(self, kind: str, n: int = 1) -> None:
        self.counts[kind].unchanged += n

    def reject(self, kind: str, file: str, record: str, reason: str) -> None:
        self.counts[kind].rejected += 1
        self.rejections.append(Rejection(file=file, record=record, reason=reason))

    @property
    def writes(self) -> int:
        return sum(c.created + c.updated for c in self.counts.values())

    def as_dict(self) -> dict:
        summary = {
            "counts": {kind: vars(c) for kind, c in sorted(self.counts.items())},
            "rejections": [vars(r) for r in self.rejections],
        }
        if self.identical_to:
            summary["identical_to"] = self.identical_to
        return summary


class ProgressBar:
    """A one-line progress bar for imports run on a terminal: share of the input read, records, rate.

    Written to stderr and redrawn at most every `interval` seconds; `for_terminal` gives None when the
    output is not a terminal (a pipe, a log file, `--json`), so nothing else has to check.
    """

    WIDTH = 30

    def __init__(self, stream: TextIO, label: str, interval: float = 0.2) -> None:
        self.stream = stream
        self.label = label
        self.interval = interval
        self.total = 0
        self.started = time.monotonic()
        self.drawn = 0.0

    @classmethod
    def for_terminal(cls, label: str, *, json_output: bool = False) -> ProgressBar | None:
        if json_output or not (sys.stdout.isatty() and sys.stderr.isatty()):
            return None
        return cls(sys.stderr, label)

    def start(self, total: int) -> None:
        self.total = max(total, 1)
        self.started = time.monotonic()

    def update(self, done: int, records: int, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self.drawn < self.interval:
            return
        self.drawn = now
        share = min(done / self.total, 1.0) if self.total else 1.0
        filled = int(share * self.WIDTH)
        elapsed = max(now - self.started, 1e-6)
        self.stream.write(
            f"\r{self.label} [{'#' * filled}{'.' * (self.WIDTH - filled)}] {share:4.0%}"
            f"  {records} enregistrements  {records / elapsed:.0f}/s"
        )
        self.stream.flush()

    def finish(self, records: int) -> None:
        self.update(self.total, records, force=True)
        self.stream.write("\n")
        self.stream.flush()
