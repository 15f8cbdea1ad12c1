"""The sessions a teacher fills the cahier de textes for, read from their timetable (cartable.timetable)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

from django.http import Http404
from django.utils import timezone

from cartable.access import policy
from cartable.homework import queries
from cartable.homework.access import Teaching
from cartable.homework.models import Entry
from cartable.lib.params import date_or_404, int_or_404
from cartable.timetable.queries import lesson_on, lessons_for_teacher

DAYS_BACK = 6  # a week of sessions, so that on Monday last week's are still offered


def monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


@dataclass(frozen=True)
class SessionChoice:
    """One session of the teacher's timetable for one of their classes or groups."""

    course_id: int
    date: dt.date
    start: dt.time
    end: dt.time
    teaching: Teaching
    room: str = ""
    entry_id: int | None = None  # the session is already in the cahier de textes
    written_by_me: bool = False  # …by this teacher (else by a co-teacher of the lesson)

    @property
    def key(self) -> str:
        return f"{self.course_id}-{self.date.isoformat()}-{self.teaching.key}"


def _choices(lesson: Any, person_id: int, teachings: list[Teaching]) -> list[SessionChoice]:
    """The (group, subject) of a lesson the teacher may write for; none when it is cancelled or given by a
    replacement."""
    if lesson.cancelled or person_id not in {t.id for t in lesson.teachers}:
        return []
    found = []
    for group in lesson.groups:
        teaching = next(
            (t for t in teachings if t.group_id == group.id and t.subject_id == lesson.subject_id), None
        ) or next((t for t in teachings if t.group_id == group.id and t.subject_id is None), None)
        if teaching is not None:
            found.append(
                SessionChoice(lesson.course_id, lesson.date, lesson.start, lesson.end, teaching, lesson.room)
            )
    return found


def week_choices(user: Any, teachings: list[Teaching]) -> list[SessionChoice]:
    """The teacher's sessions of the last seven days, in order (a handful of queries, see
    cartable.timetable.queries), each with the entry already written for it, if any (one query)."""

    person_id = policy.viewer_for(user).person_id
    if person_id is None or not teachings:
        return []
    today = timezone.localdate()
    found: list[SessionChoice] = []
    first = today - dt.timedelta(days=DAYS_BACK)
    for lesson in lessons_for_teacher(person_id, first, today):
        found.extend(_choices(lesson, person_id, teachings))
    if found:
        rows = Entry.objects.filter(
            group_id__in={c.teaching.group_id for c in found}, date__range=(first, today)
        ).values_list("pk", "author_id", "course_id", "date", "group_id", "subject_id", "start_time")
        by_lesson: dict[tuple, tuple[int | None, bool]] = {}
        by_slot: dict[tuple, tuple[int | None, bool]] = {}
        for pk, author_id, course_id, day, group_id, subject_id, start in rows.order_by("pk"):
            written = (pk, author_id == person_id)
            by_slot.setdefault((group_id, subject_id, day, start), written)
            if course_id is not None:
                by_lesson.setdefault((course_id, day, group_id), written)
        choices = []
        for c in found:
            entry_id, mine = by_lesson.get((c.course_id, c.date, c.teaching.group_id)) or by_slot.get(
                (c.teaching.group_id, c.teaching.subject_id, c.date, c.start), (None, False)
            )
            choices.append(replace(c, entry_id=entry_id, written_by_me=mine))
        found = choices
    return found


def with_entry(choice: SessionChoice) -> SessionChoice:
    """The session with the entry already written for it, if any (one query)."""
    found = (
        queries.same_session(
            choice.teaching.group_id, choice.teaching.subject_id, choice.date, choice.start, choice.course_id
        )
        .values_list("pk", flat=True)
        .first()
    )
    return replace(choice, entry_id=found)


def chosen_session(request, teachings: list[Teaching], week: list[SessionChoice]) -> SessionChoice | None:
    """The session to fill: the one asked for with ?course=<id>&date=<date> (from the week view; anything
    but one of the teacher's own sessions answers 404), with the entry already written for it if any; else
    the current or last started one of today not written yet."""

    raw_course, raw_date = request.GET.get("course"), request.GET.get("date")
    if raw_course is not None or raw_date is not None:
        course_id, day = int_or_404(raw_course), date_or_404(raw_date)
        lesson = lesson_on(course_id, day)
        person_id = policy.viewer_for(request.user).person_id
        choices = _choices(lesson, person_id, teachings) if lesson is not None and person_id else []
        if not choices:
            raise Http404
        wanted_group = request.GET.get("classe")
        wanted = [c for c in choices if str(c.teaching.group_id) == wanted_group] or choices
        # A lesson of several classes: the first one still to write, else the first one.
        written = [with_entry(c) for c in wanted]
        return next((c for c in written if c.entry_id is None), written[0])
    today = [c for c in week if c.date == timezone.localdate() and c.entry_id is None]
    if request.GET.get("classe") or not today:
        return None
    now = timezone.localtime().time()
    started = [c for c in today if c.start <= now]
    return started[-1] if started else today[0]


def own_course(user: Any, course_id: int | None, day: dt.date, teaching: Teaching) -> int | None:
    """The course a submitted session belongs to, if it really is one of the teacher's sessions of that
    class or group on that day; anything else is dropped (the session is kept, without the link)."""
    if course_id is None:
        return None

    person_id = policy.viewer_for(user).person_id
    lesson = lesson_on(course_id, day)
    if lesson is None or person_id is None:
        return None
    if any(c.teaching.key == teaching.key for c in _choices(lesson, person_id, [teaching])):
        return course_id
    return None
