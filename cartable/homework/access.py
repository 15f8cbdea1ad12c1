"""Who may read and write which cahier de textes, built on the one access policy (cartable.access.policy).

- A teacher reads the cahier of the classes and groups they teach this year, and writes in it for the
  subjects they teach there.
- A pupil reads the cahier of their own classes and groups; a legal guardian that of their children's.
  Neither sees a session prepared ahead before its visibility date.
- The direction reads every class's and group's cahier of its school and signs it (visa); vie scolaire reads
  it. Both also see what is prepared ahead (the record is inspected as it stands).
Anything else answers 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from cartable.access import policy
from cartable.access.policy import current_enrolments, current_teaching_assignments
from cartable.directory.models import Function, Group, Subject
from cartable.homework.models import Entry, EntryAttachment, Homework, Visa
from cartable.lib.params import int_or_404

READERS_OF_THE_SCHOOL = (Function.DIRECTION, Function.VIE_SCOLAIRE)


def inspecting_schools(user: Any) -> frozenset[int]:
    """Schools whose whole cahier de textes the user may read (direction, vie scolaire)."""
    return policy.viewer_for(user).schools_with_function(*READERS_OF_THE_SCHOOL)


def directed_schools(user: Any) -> frozenset[int]:
    """Schools where the user signs the cahier de textes (direction)."""
    return policy.viewer_for(user).schools_with_function(Function.DIRECTION)


def groups_visible_to(user: Any) -> QuerySet[Group]:
    """Every current class and group whose cahier the user may open."""
    viewer = policy.viewer_for(user)
    q = Q(pk__in=viewer.taught_group_ids) | Q(pk__in=viewer.group_ids)
    if viewer.child_ids:
        q |= Q(pk__in=current_enrolments().filter(student_id__in=viewer.child_ids).values("group_id"))
    schools = inspecting_schools(user)
    if schools:
        q |= Q(school_id__in=schools)
    return Group.objects.filter(q, year__is_current=True)


def sees_prepared_entries(user: Any, group: Group) -> bool:
    """Teachers of the group and the school's direction and vie scolaire see sessions before they open."""
    return policy.teaches(user, group) or group.school_id in inspecting_schools(user)


def can_sign(user: Any, group: Group) -> bool:
    """The direction of the group's school signs its cahier (visa)."""
    return group.school_id in directed_schools(user)


def reads_as_inspector(user: Any, group: Group) -> bool:
    return group.school_id in inspecting_schools(user)


def group_or_404(user: Any, group_id: Any) -> Group:
    group = groups_visible_to(user).select_related("school", "year").filter(pk=int_or_404(group_id)).first()
    if group is None:
        raise Http404
    return group


def entries_visible_to(user: Any, group: Group) -> QuerySet[Entry]:
    """The sessions of a group the user may read (the group itself must be readable: see above)."""
    entries = Entry.objects.filter(group=group)
    if not sees_prepared_entries(user, group):
        entries = entries.filter(Q(visible_from__isnull=True) | Q(visible_from__lte=timezone.now()))
    return entries


def visible_entries_q(prefix: str = "") -> Q:
    now = timezone.now()
    return Q(**{f"{prefix}visible_from__isnull": True}) | Q(**{f"{prefix}visible_from__lte": now})


# --- Writing -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Teaching:
    """A (class or group, subject) the teacher may write sessions for."""

    group_id: int
    group_name: str
    subject_id: int | None
    subject_name: str
    school_id: int

    @property
    def key(self) -> str:
        return f"{self.group_id}-{self.subject_id or 0}"

    @property
    def label(self) -> str:
        return f"{self.group_name} — {self.subject_name}" if self.subject_name else self.group_name


def teachings_of(user: Any) -> list[Teaching]:
    """What the user teaches this year, one row per (group, subject): one query, none for non-teachers.

    A teaching assignment without a subject is a primary class teacher's ("polyvalent"): they teach every
    subject of their school to that class, so each subject is offered (one more query, only for them)."""
    viewer = policy.viewer_for(user)
    if not viewer.taught_group_ids or viewer.person_id is None:
        return []
    rows = (
        current_teaching_assignments()
        .filter(teacher_id=viewer.person_id)
        .order_by("group__name", "subject__name")
        .values_list("group_id", "group__name", "subject_id", "subject__name", "group__school_id")
    )
    seen: dict[str, Teaching] = {}
    every_subject: list[tuple[int, str, int]] = []
    for group_id, group_name, subject_id, subject_name, school_id in rows:
        if subject_id is None:
            every_subject.append((group_id, group_name, school_id))
            continue
        teaching = Teaching(group_id, group_name, subject_id, subject_name or "", school_id)
        seen.setdefault(teaching.key, teaching)
    if every_subject:
        subjects = list(
            Subject.objects.filter(school_id__in={school for _g, _n, school in every_subject})
            .order_by("name")
            .values_list("pk", "name", "school_id")
        )
        for group_id, group_name, school_id in every_subject:
            offered: list[tuple[int | None, str]] = [
                (pk, name) for pk, name, school in subjects if school == school_id
            ] or [(None, "")]
            for offered_id, offered_name in offered:
                teaching = Teaching(group_id, group_name, offered_id, offered_name, school_id)
                seen.setdefault(teaching.key, teaching)
    return sorted(seen.values(), key=lambda t: (t.group_name, t.subject_name))


def teaching_for(user: Any, group_id: int, subject_id: int | None) -> Teaching | None:
    return next(
        (t for t in teachings_of(user) if t.group_id == group_id and t.subject_id == subject_id), None
    )


def own_entry_or_404(user: Any, entry_id: Any) -> Entry:
    """An entry the user wrote, in a group they still teach: anyone else's id answers 404."""
    viewer = policy.viewer_for(user)
    entry = (
        Entry.objects.select_related("group", "subject", "school")
        .filter(pk=int_or_404(entry_id), author_id=viewer.person_id, group_id__in=viewer.taught_group_ids)
        .first()
        if viewer.person_id is not None
        else None
    )
    if entry is None:
        raise Http404
    return entry


def last_visa_date(group_id: int) -> Any:
    return Visa.objects.filter(group_id=group_id).order_by("-date").values_list("date", flat=True).first()


def is_locked(entry: Entry) -> bool:
    """Signed by the direction: a visa dated on or after the session."""
    return Visa.objects.filter(group_id=entry.group_id, date__gte=entry.date).exists()


# --- Homework to do ----------------------------------------------------------------------------------


def homework_visible_in(group_ids: frozenset[int] | list[int]) -> QuerySet[Homework]:
    """Homework of classes and groups that their pupils may see now."""
    return Homework.objects.filter(entry__group_id__in=list(group_ids)).filter(visible_entries_q("entry__"))


def homework_to_tick_or_404(user: Any, homework_id: Any) -> Homework:
    """Homework of the pupil's own classes and groups that they may see now (only pupils tick homework
    done): anyone else's, or anyone else asking, answers 404."""
    viewer = policy.viewer_for(user)
    if not policy.is_pupil(user) or viewer.person_id is None:
        raise Http404
    found = homework_visible_in(viewer.group_ids).filter(pk=int_or_404(homework_id)).first()
    if found is None:
        raise Http404
    return found


def attachment_or_404(user: Any, attachment_id: Any) -> EntryAttachment:
    """A file of a session the user may read (its class's or group's cahier, the session visible to them)."""
    found = (
        EntryAttachment.objects.select_related("stored", "entry").filter(pk=int_or_404(attachment_id)).first()
    )
    if found is None:
        raise Http404
    group = group_or_404(user, found.entry.group_id)
    if not entries_visible_to(user, group).filter(pk=found.entry_id).exists():
        raise Http404
    return found
