"""Whether a change puts a teacher or a room in two lessons at once.

`find_conflicts` is the one check: every action that places a teacher or a room at a time (a replacement, a
room change, a moved or extra session, a teacher's absence handed to a replacement) asks it before writing,
and the form shows what it found. It costs the same few queries for one session or a whole term of them: the
lessons of the teachers and rooms concerned are expanded once over the dates asked about.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, time

from django.db.models import Q

from cartable.timetable.models import Course, CourseException
from cartable.timetable.queries import Lesson, PersonRef, Status, _courses, _expand, _on_dates

SessionKey = tuple[str, int, date | None]


def session_key(lesson: Lesson) -> SessionKey:
    """What identifies a session across its changes: an extra session by its row, any other by its course
    and usual date (a moved lesson keeps the date it was moved from)."""
    if lesson.status == Status.EXTRA and lesson.exception_id is not None:
        return ("extra", lesson.exception_id, None)
    return ("usual", lesson.course_id, lesson.moved_from or lesson.date)


def usual_session(course_id: int, day: date) -> SessionKey:
    return ("usual", course_id, day)


@dataclass(frozen=True)
class Booking:
    """A session a change is about to hold: on `date` from `start` to `end`, taught by `teacher_ids` (only
    the teachers the change brings) in `room_id` (only a room the change brings). `session` is the session
    it changes, which never collides with itself."""

    date: date
    start: time
    end: time
    teacher_ids: frozenset[int] = frozenset()
    room_id: int | None = None
    session: SessionKey | None = None


@dataclass(frozen=True)
class Conflict:
    """`lesson` already holds `teacher` (or the booking's room, when `teacher` is None) at that time."""

    booking: Booking
    lesson: Lesson
    teacher: PersonRef | None
    # The other lesson belongs to another school (a teacher shared between two schools): its time is
    # shown, not its class or subject, which are that school's business.
    elsewhere: bool


def find_conflicts(school_id: int, bookings: Iterable[Booking]) -> list[Conflict]:
    """The lessons that already hold a booking's teacher or room when it would, sorted by date and time."""
    wanted = [b for b in bookings if b.teacher_ids or b.room_id is not None]
    if not wanted:
        return []
    teacher_ids = sorted(set().union(*(b.teacher_ids for b in wanted)))
    room_ids = sorted({b.room_id for b in wanted if b.room_id is not None})
    first = min(b.date for b in wanted)
    last = max(b.date for b in wanted)
    # Courses whose session on one of these days may hold a teacher or a room: theirs as a rule, or through
    # a change (a replacement, a room change, a session moved there).
    changed = list(
        CourseException.objects.filter(Q(replacement_id__in=teacher_ids) | Q(room_id__in=room_ids))
        .filter(_on_dates(first, last))
        .order_by()
        .values_list("course_id", flat=True)
        .distinct()
    )
    taught = Course.teachers.through.objects.filter(person_id__in=teacher_ids).values("course_id")
    courses = list(_courses(Q(pk__in=taught) | Q(room_id__in=room_ids) | Q(pk__in=changed), first, last))
    by_day: dict[date, list[Lesson]] = {}
    for lesson in _expand(courses, first, last):
        if lesson.status != Status.CANCELLED:
            by_day.setdefault(lesson.date, []).append(lesson)
    found: list[Conflict] = []
    for booking in wanted:
        for lesson in by_day.get(booking.date, []):
            if not (lesson.start < booking.end and booking.start < lesson.end):
                continue
            if booking.session is not None and session_key(lesson) == booking.session:
                continue
            elsewhere = lesson.school_id != school_id
            for teacher in lesson.teachers:
                if teacher.id in booking.teacher_ids:
                    found.append(Conflict(booking, lesson, teacher, elsewhere))
            if booking.room_id is not None and lesson.room_id == booking.room_id:
                found.append(Conflict(booking, lesson, None, elsewhere))
    found.sort(key=lambda c: (c.lesson.date, c.lesson.start, c.lesson.subject, c.teacher is None))
    return found
