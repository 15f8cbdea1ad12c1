"""Reading the cahier de liaison: the table of who signed, what each family still has to sign.

The table of a mot is built in three queries whatever the class's size: the pupils concerned, their legal
guardians, the signatures.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from cartable.access import policy
from cartable.directory import versions as directory_versions
from cartable.directory.models import Person
from cartable.liaison import access, versions
from cartable.liaison.models import Mot, MotPupil, Request, Signature
from cartable.lib import facts

WIDGET_ITEMS = 5


@dataclass
class GuardianLine:
    person: Person
    signature: Signature | None = None


@dataclass
class PupilLine:
    """One pupil of the table: their guardians, who signed, and whether the family is done."""

    pupil: Person
    group_name: str
    guardians: list[GuardianLine] = field(default_factory=list)
    done: bool = False

    @property
    def signatures(self) -> list[Signature]:
        return [line.signature for line in self.guardians if line.signature is not None]

    @property
    def pending_guardians(self) -> list[Person]:
        return [line.person for line in self.guardians if line.signature is None] if not self.done else []


@dataclass
class Table:
    mot: Mot
    lines: list[PupilLine]

    @property
    def done_count(self) -> int:
        return sum(1 for line in self.lines if line.done)

    @property
    def pending_count(self) -> int:
        return len(self.lines) - self.done_count

    def pending_guardian_ids(self) -> list[int]:
        return sorted({person.pk for line in self.lines for person in line.pending_guardians})

    def choice_counts(self) -> list[tuple[str, int]]:
        """How many children each choice of a reply slip got (the latest reply of each child's family)."""
        counts = dict.fromkeys(self.mot.choices or [], 0)
        for line in self.lines:
            latest = max(line.signatures, key=lambda s: s.signed_at, default=None)
            if latest is not None and latest.choice in counts:
                counts[latest.choice] += 1
        return list(counts.items())


def table(mot: Mot, pupil_ids: Any = None) -> Table:
    """Every pupil the mot concerns (or only `pupil_ids`), their legal guardians and their signatures: three
    queries. A guardian who signed and is no longer one still shows with their signature."""
    pupils = MotPupil.objects.filter(mot=mot).select_related("pupil")
    if pupil_ids is not None:
        pupils = pupils.filter(pupil_id__in=pupil_ids)
    rows = list(pupils.order_by("group_name", "pupil__last_name", "pupil__first_name", "pupil__pk"))
    ids = [row.pupil_id for row in rows]
    guardians: dict[int, list[GuardianLine]] = defaultdict(list)
    for guardianship in (
        access.legal_guardians(ids)
        .select_related("relative")
        .order_by("relative__last_name", "relative__first_name", "relative__pk")
    ):
        guardians[guardianship.student_id].append(GuardianLine(guardianship.relative))
    signatures = Signature.objects.filter(mot=mot, pupil_id__in=ids).select_related("guardian")
    for signature in signatures:
        lines = guardians[signature.pupil_id]
        line = next((g for g in lines if g.person.pk == signature.guardian_id), None)
        if line is None:
            lines.append(GuardianLine(signature.guardian, signature))
        else:
            line.signature = signature
    result = []
    for row in rows:
        lines = guardians.get(row.pupil_id, [])
        signed = [line for line in lines if line.signature is not None]
        # Every guardian when the mot asks both, else any one of them.
        done = (bool(lines) and len(signed) == len(lines)) if mot.both_guardians else bool(signed)
        result.append(PupilLine(row.pupil, row.group_name, lines, done=done))
    return Table(mot, result)


def to_sign_q(person_id: int, child_ids: Any) -> Q:
    """The (mot, child) rows a guardian still has to sign: the mot asks and is open, they have not signed
    for that child, and nobody has when one signature is enough."""
    today = timezone.localdate()
    mine = Signature.objects.filter(
        mot_id=OuterRef("mot_id"), pupil_id=OuterRef("pupil_id"), guardian_id=person_id
    )
    anyone = Signature.objects.filter(mot_id=OuterRef("mot_id"), pupil_id=OuterRef("pupil_id"))
    return (
        Q(pupil_id__in=child_ids)
        & ~Q(mot__request=Request.NONE)
        & (Q(mot__deadline__isnull=True) | Q(mot__deadline__gte=today))
        & ~Exists(mine)
        & (Q(mot__both_guardians=True) | ~Exists(anyone))
    )


def to_sign(user: Any, child_id: int | None = None) -> list[MotPupil]:
    """What the guardian still has to sign, soonest deadline first (one query)."""
    viewer = policy.viewer_for(user)
    if viewer.person_id is None or not viewer.child_ids:
        return []
    children = [child_id] if child_id in viewer.child_ids else list(viewer.child_ids)
    return list(
        MotPupil.objects.filter(to_sign_q(viewer.person_id, children))
        .select_related("mot", "pupil")
        .order_by("mot__deadline", "-mot__created_at", "pupil__first_name")
    )


@dataclass(frozen=True)
class ToSignLine:
    mot_id: int
    title: str
    deadline: dt.date | None
    pupil_id: int
    first_name: str


def to_sign_lines(user: Any, child_id: int | None = None) -> tuple[ToSignLine, ...]:
    """The widget's lines (WIDGET_ITEMS and one more, to tell there are more): from the shared cache while
    no mot reached the children and nobody signed for them since, and until midnight (a deadline passes
    then); else one query."""
    viewer = policy.viewer_for(user)
    if viewer.person_id is None or not viewer.child_ids:
        return ()
    children = [child_id] if child_id in viewer.child_ids else sorted(viewer.child_ids)
    today = timezone.localdate()

    def load() -> tuple[tuple, float | None]:
        rows = tuple(
            (
                row.mot_id,
                row.mot.title,
                row.mot.deadline.isoformat() if row.mot.deadline else "",
                row.pupil_id,
                row.pupil.first_name,
            )
            for row in to_sign(user, child_id)[: WIDGET_ITEMS + 1]
        )
        midnight = timezone.make_aware(dt.datetime.combine(today + dt.timedelta(days=1), dt.time()))
        return rows, midnight.timestamp()

    keys = [versions.pupil_key(pk) for pk in children] + [
        directory_versions.person_key(pk) for pk in children
    ]
    key = f"liaison:tosign:{viewer.person_id}:{child_id or 0}:{today.isoformat()}"
    return facts.cached_until(key, keys, load, _to_sign_lines)


def _to_sign_lines(rows: tuple) -> tuple[ToSignLine, ...]:
    return tuple(
        ToSignLine(mot_id, title, dt.date.fromisoformat(deadline) if deadline else None, pupil_id, first_name)
        for mot_id, title, deadline, pupil_id, first_name in rows
    )


def to_sign_widget(request: Any, child: Any) -> dict | None:
    """Home: « mots à signer » for a guardian (no query while nothing changed; none for anyone else)."""
    if not policy.viewer_for(request.user).child_ids:
        return None
    items = to_sign_lines(request.user, child.pk if child is not None else None)
    return {"items": items[:WIDGET_ITEMS], "more": len(items) > WIDGET_ITEMS, "child": child}
