"""What an import did per entity kind (created, updated, unchanged, rejected), and why it rejected records."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field


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
        return {
            "counts": {kind: vars(c) for kind, c in sorted(self.counts.items())},
            "rejections": [vars(r) for r in self.rejections],
        }
