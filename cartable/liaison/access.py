"""Who reads, writes and signs which mot, built on the one access policy (cartable.access.policy).

- A teacher writes to the families of the classes and groups they teach this year, or of one of their pupils;
  the direction and vie scolaire to any class, group or pupil of their school.
- A mot is read by its author, by the direction and vie scolaire of its school (who follow every mot and its
  table), and by every current legal guardian of a pupil it concerns: both parents see every mot, and each
  may sign for their own children only.
- Only its author edits a mot, and only until a family has signed or replied.
- A mot's files are downloaded by whoever may open the mot.
- A family's mot to a teacher is read by its author and by that teacher.
Anything else answers 404. A pupil does not see the mots: they are addressed to the families.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from cartable.access import policy
from cartable.access.policy import current_enrolments
from cartable.directory.models import Function, Group, Guardianship, Person
from cartable.liaison.models import FamilyMot, Mot, MotAttachment, MotPupil
from cartable.lib.params import int_or_404

SCHOOL_WIDE_WRITERS = (Function.DIRECTION, Function.VIE_SCOLAIRE)


def school_wide_schools(user: Any) -> frozenset[int]:
    """Schools where the user writes to every family and follows every mot (direction, vie scolaire)."""
    return policy.viewer_for(user).schools_with_function(*SCHOOL_WIDE_WRITERS)


def may_write(user: Any) -> bool:
    """Teaches a class this year, or is direction or vie scolaire somewhere (no query)."""
    viewer = policy.viewer_for(user)
    return viewer.person_id is not None and bool(viewer.taught_group_ids or school_wide_schools(user))


# --- Reading -------------------------------------------------------------------------------------------


def mots_visible_to(user: Any) -> QuerySet[Mot]:
    """Every mot the user may open: their own, their school's (direction, vie scolaire), their children's."""
    viewer = policy.viewer_for(user)
    if viewer.person_id is None:
        return Mot.objects.none()
    q = Q(author_id=viewer.person_id)
    schools = school_wide_schools(user)
    if schools:
        q |= Q(school_id__in=schools)
    if viewer.child_ids:
        q |= Q(pk__in=MotPupil.objects.filter(pupil_id__in=viewer.child_ids).values("mot_id"))
    return Mot.objects.filter(q)


def mot_or_404(user: Any, mot_id: Any) -> Mot:
    mot = mots_visible_to(user).select_related("author", "school").filter(pk=int_or_404(mot_id)).first()
    if mot is None:
        raise Http404
    return mot


def manages(user: Any, mot: Mot) -> bool:
    """Sees the table of who signed, reminds, exports and prints: the author, the school's direction and
    vie scolaire."""
    return mot.author_id == policy.viewer_for(user).person_id or mot.school_id in school_wide_schools(user)


def managed_mot_or_404(user: Any, mot_id: Any) -> Mot:
    mot = mot_or_404(user, mot_id)
    if not manages(user, mot):
        raise Http404
    return mot


def editable_mot_or_404(user: Any, mot_id: Any) -> Mot:
    """A mot the user wrote: only its author corrects it (not the direction, who follow it)."""
    mot = mot_or_404(user, mot_id)
    if mot.author_id != policy.viewer_for(user).person_id:
        raise Http404
    return mot


def can_edit(user: Any, mot: Mot) -> bool:
    """Its author, while no family has signed or replied (what they signed must not change under them)."""
    return mot.author_id == policy.viewer_for(user).person_id and not mot.signatures.exists()


def attachment_or_404(user: Any, attachment_id: Any) -> MotAttachment:
    """A file of a mot the user may open (its families, its author, the school's direction and vie
    scolaire)."""
    found = MotAttachment.objects.select_related("stored").filter(pk=int_or_404(attachment_id)).first()
    if found is None:
        raise Http404
    mot_or_404(user, found.mot_id)
    return found


def children_concerned(user: Any, mot: Mot) -> list[MotPupil]:
    """The user's own children that the mot concerns (they sign for these only)."""
    child_ids = policy.viewer_for(user).child_ids
    if not child_ids:
        return []
    return list(
        MotPupil.objects.filter(mot=mot, pupil_id__in=child_ids)
        .select_related("pupil")
        .order_by("pupil__first_name", "pupil__pk")
    )


def legal_guardians(pupil_ids: Any) -> QuerySet[Guardianship]:
    """The current legal guardians of these pupils, those who left excluded: who is asked to sign."""
    return Guardianship.objects.filter(
        student_id__in=pupil_ids, legal_guardian=True, relative__left_at__isnull=True
    )


# --- Writing: whom a writer reaches ------------------------------------------------------------------


def writable_groups(user: Any) -> QuerySet[Group]:
    """The current classes and groups whose families the user may write to."""
    viewer = policy.viewer_for(user)
    q = Q(pk__in=viewer.taught_group_ids)
    schools = school_wide_schools(user)
    if schools:
        q |= Q(school_id__in=schools)
    return Group.objects.filter(q, year__is_current=True)


def writable_pupils(user: Any) -> QuerySet[Person]:
    """The pupils of those classes and groups, still at school."""
    return Person.objects.filter(
        pk__in=current_enrolments().filter(group__in=writable_groups(user)).values("student_id"),
        left_at__isnull=True,
    )


# --- Families' mots to a teacher -------------------------------------------------------------------


def family_mots_visible_to(user: Any) -> QuerySet[FamilyMot]:
    person_id = policy.viewer_for(user).person_id
    if person_id is None:
        return FamilyMot.objects.none()
    return FamilyMot.objects.filter(Q(author_id=person_id) | Q(teacher_id=person_id))


def family_mot_or_404(user: Any, mot_id: Any) -> FamilyMot:
    found = (
        family_mots_visible_to(user)
        .select_related("author", "pupil", "teacher")
        .filter(pk=int_or_404(mot_id))
        .first()
    )
    if found is None:
        raise Http404
    return found


def teachers_of_child(pupil_id: int) -> QuerySet[Person]:
    """The teachers of a pupil's current classes and groups, still at school."""
    return Person.objects.filter(
        pk__in=policy.current_teaching_assignments()
        .filter(group_id__in=current_enrolments().filter(student_id=pupil_id).values("group_id"))
        .values("teacher_id"),
        left_at__isnull=True,
    ).order_by("last_name", "first_name")
