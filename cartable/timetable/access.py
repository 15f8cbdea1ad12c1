"""Who sees which timetable and who may change it, built on the one access policy (cartable.access.policy).

- a pupil: their own week, and the week page of their classes and groups;
- a guardian: each child's week (legal guardians only), and the pages of their children's classes;
- a teacher: their own week, the pages of the classes and groups they teach, the rooms of their school;
- direction and vie scolaire: every class, group and room of their school; they edit courses and changes;
- the school's ENT admin (ADML) and the platform admin import a timetable from the console.
Anything else answers 404 (house rule 3): a class, a room or a course of another school does not exist.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from cartable.access import policy
from cartable.access.policy import current_enrolments, viewer_for
from cartable.directory.models import STAFF_PROFILES, Function, Group, Profile, School
from cartable.lib.params import int_or_404
from cartable.timetable.models import CalendarToken, Course, CourseException, Room, TimeSlot

MANAGING_FUNCTIONS = (Function.DIRECTION, Function.VIE_SCOLAIRE)


def managed_school_ids(user: Any) -> frozenset[int]:
    """Schools where the user edits the timetable: direction and vie scolaire."""
    return viewer_for(user).schools_with_function(*MANAGING_FUNCTIONS)


def can_manage(user: Any, school: School | int) -> bool:
    school_id = school if isinstance(school, int) else school.pk
    return school_id in managed_school_ids(user)


def school_wide_ids(user: Any) -> frozenset[int]:
    """Schools where the user sees every class's and room's timetable."""
    return viewer_for(user).schools_with_function(*policy.SCHOOL_WIDE_FUNCTIONS)


def groups_visible_to(user: Any) -> QuerySet[Group]:
    """Classes and groups of the current year whose week page the user may open."""
    viewer = viewer_for(user)
    current = Group.objects.filter(year__is_current=True)
    if viewer.is_platform_admin:
        return current
    q = Q(pk__in=viewer.group_ids) | Q(pk__in=viewer.taught_group_ids)
    if viewer.child_ids:
        q |= Q(pk__in=current_enrolments().filter(student_id__in=viewer.child_ids).values("group_id"))
    wide = school_wide_ids(user)
    if wide:
        q |= Q(school_id__in=wide)
    return current.filter(q)


def group_or_404(user: Any, group_id: Any) -> Group:
    group = groups_visible_to(user).select_related("school").filter(pk=int_or_404(group_id)).first()
    if group is None:
        raise Http404
    return group


def rooms_visible_to(user: Any) -> QuerySet[Room]:
    """Rooms of the schools where the user is a teacher or staff member (a room's week shows no pupil)."""
    viewer = viewer_for(user)
    if viewer.is_platform_admin:
        return Room.objects.all()
    schools = viewer.schools_with_profile(*STAFF_PROFILES) | school_wide_ids(user)
    return Room.objects.filter(school_id__in=schools)


def room_or_404(user: Any, room_id: Any) -> Room:
    room = rooms_visible_to(user).select_related("school").filter(pk=int_or_404(room_id)).first()
    if room is None:
        raise Http404
    return room


def managed_school_or_404(user: Any, uai: str) -> School:
    school = School.objects.filter(uai=uai).first()
    if school is None or not can_manage(user, school):
        raise Http404
    return school


def managed_course_or_404(user: Any, course_id: Any) -> Course:
    course = (
        Course.objects.filter(pk=int_or_404(course_id), school_id__in=managed_school_ids(user))
        .select_related("school", "subject", "room", "year")
        .first()
    )
    if course is None:
        raise Http404
    return course


def managed_exception_or_404(user: Any, exception_id: Any) -> CourseException:
    found = (
        CourseException.objects.filter(
            pk=int_or_404(exception_id), course__school_id__in=managed_school_ids(user)
        )
        .select_related("course__school")
        .first()
    )
    if found is None:
        raise Http404
    return found


def managed_slot_or_404(user: Any, slot_id: Any) -> TimeSlot:
    slot = TimeSlot.objects.filter(pk=int_or_404(slot_id), school_id__in=managed_school_ids(user)).first()
    if slot is None:
        raise Http404
    return slot


def has_own_timetable(user: Any) -> bool:
    """Pupils and teachers have a week of their own (guardians see their children's)."""
    viewer = viewer_for(user)
    if viewer.person_id is None:
        return False
    return bool(viewer.schools_with_profile(Profile.STUDENT, Profile.TEACHER)) or bool(
        viewer.taught_group_ids
    )


def own_token_or_404(user: Any, token_id: Any) -> CalendarToken:
    token = CalendarToken.objects.filter(pk=int_or_404(token_id), user_id=user.pk).first()
    if token is None:
        raise Http404
    return token
