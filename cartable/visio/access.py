"""Who sees, opens and joins which virtual class, built on the one access policy (cartable.access.policy).

- A teacher schedules virtual classes for the classes and groups they teach this year, sees and manages
  their own, and joins them as moderator.
- A pupil sees those of their classes and groups, and joins them as a participant while they are open (from
  settings.BBB_OPEN_MINUTES_BEFORE minutes before the start to the end, unless the teacher ended it).
- A legal guardian sees those of their children's classes and groups, but does not join: a virtual class is a
  lesson, the pupil's own (rule C1: the other pupils' faces, voices and words are not theirs to hear), and
  the child joins from their own account. Seeing it lets the parent make sure the child is ready.
Anything else answers 404, another class's pupil included.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import Http404

from cartable.access.policy import current_enrolments, viewer_for
from cartable.directory.models import Group, Profile
from cartable.lib.params import int_or_404
from cartable.visio.models import VirtualClass


def classes_visible_to(user: Any) -> QuerySet[VirtualClass]:
    """The virtual classes the user may see: their own as teacher, their classes' as pupil, their
    children's as legal guardian."""
    viewer = viewer_for(user)
    if viewer.person_id is None:
        return VirtualClass.objects.none()
    q = Q(teacher_id=viewer.person_id)
    if viewer.group_ids:
        q |= Q(group_id__in=viewer.group_ids)
    if viewer.child_ids:
        q |= Q(group_id__in=current_enrolments().filter(student_id__in=viewer.child_ids).values("group_id"))
    return VirtualClass.objects.filter(q)


def class_or_404(user: Any, raw_id: Any) -> VirtualClass:
    found = (
        classes_visible_to(user)
        .select_related("group", "teacher", "school")
        .filter(pk=int_or_404(raw_id))
        .first()
    )
    if found is None:
        raise Http404
    return found


def uses_virtual_classes(user: Any) -> bool:
    """Teachers, pupils and guardians, whom the app is made for (no query): anyone else gets 404, as when
    the school switched the app off for them (cartable.portal.switches)."""
    held = {profile for profiles in viewer_for(user).profiles.values() for profile in profiles}
    return bool(held & {Profile.STUDENT, Profile.RELATIVE, Profile.TEACHER})


def taught_groups(user: Any) -> QuerySet[Group]:
    """The classes and groups the user teaches this year: those they may schedule a virtual class for."""
    viewer = viewer_for(user)
    return Group.objects.filter(pk__in=viewer.taught_group_ids, year__is_current=True)


def schedules(user: Any) -> bool:
    """Teachers (of at least one class or group this year) schedule virtual classes: no query."""
    return bool(viewer_for(user).taught_group_ids)


def is_moderator(user: Any, virtual_class: VirtualClass) -> bool:
    person_id = viewer_for(user).person_id
    return person_id is not None and virtual_class.teacher_id == person_id


def is_attendee(user: Any, virtual_class: VirtualClass) -> bool:
    return virtual_class.group_id in viewer_for(user).group_ids


def can_manage(user: Any, virtual_class: VirtualClass) -> bool:
    """Its teacher ends or cancels it."""
    return is_moderator(user, virtual_class)


def can_join(user: Any, virtual_class: VirtualClass, now: dt.datetime) -> bool:
    """Its teacher and the pupils of its class or group, while it is open (guardians do not join)."""
    return (is_moderator(user, virtual_class) or is_attendee(user, virtual_class)) and virtual_class.is_open(
        now, settings.BBB_OPEN_MINUTES_BEFORE
    )


def may_join_some_day(user: Any, virtual_class: VirtualClass) -> bool:
    """Whether the user is one who joins it when it is open (a guardian only sees it)."""
    return is_moderator(user, virtual_class) or is_attendee(user, virtual_class)
