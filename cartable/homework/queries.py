"""Read helpers of the cahier de textes pages and widget: the same few queries whatever the data."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, F, Max, Min, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from cartable.access import policy
from cartable.access.policy import current_enrolments
from cartable.directory.models import Group, Profile
from cartable.directory.queries import groups_of_pupil
from cartable.homework import versions
from cartable.homework.access import visible_entries_q
from cartable.homework.models import Entry, EntryAttachment, Homework, HomeworkDone, Visa
from cartable.timetable.queries import days_ahead_outside_holidays, lessons_for_groups

WIDGET_DAYS = 7
HOLIDAY_REACH = 16  # the longest holidays but the summer's, and their weekends
WIDGET_ITEMS = 6
INDEX_ITEMS = 20
TODO_DAYS = 14
EMPTY_WEEKS = 6  # how far back the direction is shown the sessions with nothing in the cahier


def with_details(entries: QuerySet[Entry]) -> QuerySet[Entry]:
    """Sessions with their subject, author, files and homework (and the homework's files): 3 more queries."""
    return entries.select_related("subject", "author", "group").prefetch_related(
        Prefetch(
            "attachments",
            queryset=EntryAttachment.objects.select_related("stored").filter(homework__isnull=True),
            to_attr="own_attachments",
        ),
        Prefetch(
            "homework",
            queryset=Homework.objects.prefetch_related(
                Prefetch("attachments", queryset=EntryAttachment.objects.select_related("stored"))
            ).order_by("due_date", "pk"),
        ),
    )


def same_session(
    group_id: int,
    subject_id: int | None,
    day: dt.date,
    start: dt.time | None,
    course_id: int | None = None,
    *,
    exclude: int | None = None,
) -> QuerySet[Entry]:
    """The sessions already written for the same slot: same class or group, day, subject and start time (or
    both without one), or the same lesson of the timetable (one query)."""
    same_slot = (Q(subject_id=subject_id) if subject_id is not None else Q(subject__isnull=True)) & (
        Q(start_time=start) if start is not None else Q(start_time__isnull=True)
    )
    if course_id is not None:
        same_slot |= Q(course_id=course_id)
    found = Entry.objects.filter(same_slot, group_id=group_id, date=day)
    if exclude is not None:
        found = found.exclude(pk=exclude)
    return found.select_related("author").order_by("pk")


def homework_of_pupil(pupil_id: int, *, own: bool, start: dt.date, end: dt.date) -> QuerySet[Homework]:
    """Homework due between two dates in the pupil's classes and groups, as pupils see it (one query).
    `own`: the pupil themselves is asking, so their private done ticks come along."""
    groups = current_enrolments().filter(student_id=pupil_id).values("group_id")
    homework = (
        Homework.objects.filter(entry__group_id__in=groups, due_date__range=(start, end))
        .filter(visible_entries_q("entry__"))
        .select_related("entry__subject", "entry__group", "entry__author")
        .order_by("due_date", "entry__subject__name", "pk")
    )
    if own:
        return homework.annotate(
            done=Exists(HomeworkDone.objects.filter(pupil_id=pupil_id, homework=OuterRef("pk")))
        )
    return homework.annotate(done=Value(False))


@dataclass(frozen=True)
class TodoFor:
    """Whose homework a page shows: the pupil themselves (with their ticks) or a guardian's child."""

    pupil_id: int
    own: bool


def todo_target(user: Any, child_id: int | None) -> TodoFor | None:
    viewer = policy.viewer_for(user)
    if child_id is not None and child_id in viewer.child_ids:
        return TodoFor(child_id, own=False)
    if viewer.person_id is not None and viewer.schools_with_profile(Profile.STUDENT):
        return TodoFor(viewer.person_id, own=True)
    return None


@dataclass(frozen=True)
class TodoLine:
    """One homework item of the home widget, as kept in the shared cache."""

    pk: int
    due_date: dt.date
    subject_name: str
    group_name: str
    summary: str
    duration_minutes: int | None
    done: bool


def _pupil_groups(user: Any, target: TodoFor) -> tuple[int, ...]:
    """The pupil's classes and groups this year: the viewer's own facts, or a child's (directory cache)."""
    if target.own:
        return tuple(sorted(policy.viewer_for(user).group_ids))
    return groups_of_pupil(target.pupil_id)


def widget_end(group_ids: Iterable[int], today: dt.date) -> dt.date:
    """The last day the widget looks at: WIDGET_DAYS ahead, plus the days of the holidays in between (up to
    HOLIDAY_REACH), so that during the holidays it shows what is due when school starts again."""

    return days_ahead_outside_holidays(group_ids, today, WIDGET_DAYS, HOLIDAY_REACH)


def todo_lines(user: Any, target: TodoFor, today: dt.date) -> tuple[TodoLine, ...]:
    """Homework due in the next days for the widget: from the shared cache while nothing changed in the
    pupil's classes and groups (no query), else two queries."""
    group_ids = _pupil_groups(user, target)
    start = today

    def load() -> tuple[tuple, float | None]:
        end = widget_end(group_ids, start)
        items = homework_of_pupil(target.pupil_id, own=target.own, start=start, end=end)[: WIDGET_ITEMS + 1]
        rows = tuple(
            (
                h.pk,
                h.due_date.isoformat(),
                h.subject_name,
                h.group_name,
                h.summary[:300],
                h.duration_minutes,
                bool(getattr(h, "done", False)),
            )
            for h in items
        )
        now = timezone.now()
        opening = Entry.objects.filter(
            group_id__in=group_ids, visible_from__gt=now, homework__due_date__range=(start, end)
        ).aggregate(first=Min("visible_from"))["first"]
        midnight = timezone.make_aware(dt.datetime.combine(today + dt.timedelta(days=1), dt.time()))
        return rows, min(opening or midnight, midnight).timestamp()

    version_keys = [versions.group_key(g) for g in group_ids]
    if target.own:
        version_keys.append(versions.done_key(target.pupil_id))
    key = f"todo:{target.pupil_id}:{int(target.own)}:{today.isoformat()}"
    return versions.cached(key, version_keys, load, _todo_lines)


def _todo_lines(rows: tuple) -> tuple[TodoLine, ...]:
    return tuple(
        TodoLine(pk, dt.date.fromisoformat(due), subject, group, summary, minutes, done)
        for pk, due, subject, group, summary, minutes, done in rows
    )


def todo_widget(request, child) -> dict | None:
    """For a pupil, or a guardian's selected child: homework due in the next days (shared cache)."""
    target = todo_target(request.user, child.pk if child is not None else None)
    if target is None:
        return None
    items = todo_lines(request.user, target, timezone.localdate())
    return {
        "items": items[:WIDGET_ITEMS],
        "more": len(items) > WIDGET_ITEMS,
        "own": target.own,
        "child": child,
        "days": WIDGET_DAYS,
    }


def default_visa_date(today: dt.date | None = None) -> dt.date:
    """A visa covers the sessions up to yesterday unless the direction chooses: today's are still being
    written."""
    return (today or timezone.localdate()) - dt.timedelta(days=1)


def empty_sessions_since(group: Group, last_visa: dt.date | None, until: dt.date) -> dt.date:
    """The first day looked at for empty sessions: the day after the group's last visa (else the start of
    its school year), EMPTY_WEEKS before `until` at most. Beyond that the list would be too long to read,
    and expanding a whole school's timetable over months takes seconds."""
    first = last_visa + dt.timedelta(days=1) if last_visa is not None else group.year.start
    return max(first, until - dt.timedelta(weeks=EMPTY_WEEKS) + dt.timedelta(days=1))


@dataclass(frozen=True)
class EmptySession:
    """A lesson given with nothing in the cahier de textes: never written, or written with nothing in it."""

    date: dt.date
    start: dt.time | None
    group_id: int
    group_name: str
    subject: str
    teachers: tuple[tuple[int, str], ...]  # (person id, name)
    entry_id: int | None = None  # written, but empty (written before empty sessions were refused)

    @property
    def teacher_names(self) -> str:
        return ", ".join(name for _id, name in self.teachers)


def empty_sessions(since: dict[int, dt.date], until: dt.date) -> list[EmptySession]:
    """The lessons of the timetable of the given classes and groups, each from its own first day to `until`,
    with nothing in the cahier de textes, and the sessions written with nothing in them; by date. Lessons
    cancelled or given by a replacement (who does not write in that cahier) are not counted. The same few
    queries whatever the number of groups and days (see cartable.timetable.queries), plus one."""

    since = {group_id: first for group_id, first in since.items() if first <= until}
    if not since:
        return []
    start = min(since.values())
    lessons = [
        lesson
        for lesson in lessons_for_groups(since, start, until)
        if not lesson.cancelled and lesson.replacement is None
    ]
    filled = (
        ~Q(title="")
        | ~Q(content="")
        | Exists(Homework.objects.filter(entry=OuterRef("pk")))
        | Exists(EntryAttachment.objects.filter(entry=OuterRef("pk")))
    )
    rows = list(
        Entry.objects.filter(group_id__in=list(since), date__range=(start, until))
        .annotate(filled=filled)
        .order_by("pk")
        .values_list(
            "pk", "group_id", "group__name", "subject_id", "subject__name", "date", "start_time",
            "course_id", "author_id", "author__first_name", "author__last_name", "filled",
        )
    )  # fmt: skip
    by_lesson: dict[tuple, tuple] = {}
    by_slot: dict[tuple, tuple] = {}
    for row in rows:
        pk, group_id, _group, subject_id, _subject, day, start_time, course_id, *_rest = row
        by_slot.setdefault((group_id, subject_id, day, start_time), row)
        if course_id is not None:
            by_lesson.setdefault((course_id, day, group_id), row)
    found: list[EmptySession] = []
    matched: set[int] = set()
    for lesson in lessons:
        teachers = tuple((t.id, t.name) for t in lesson.teachers)
        for group in lesson.groups:
            if group.id not in since or lesson.date < since[group.id]:
                continue
            written = by_lesson.get((lesson.course_id, lesson.date, group.id)) or by_slot.get(
                (group.id, lesson.subject_id, lesson.date, lesson.start)
            )
            if written is not None:
                matched.add(written[0])
                if written[-1]:
                    continue
            found.append(
                EmptySession(
                    lesson.date, lesson.start, group.id, group.name, lesson.subject, teachers,
                    written[0] if written is not None else None,
                )
            )  # fmt: skip
    for pk, group_id, group_name, _s, subject, day, start_time, _c, author_id, first, last, full in rows:
        if full or pk in matched or day < since[group_id]:
            continue
        author = ((author_id, f"{first} {last.upper()}"),) if author_id is not None else ()
        found.append(EmptySession(day, start_time, group_id, group_name, subject or "", author, pk))
    found.sort(key=lambda e: (e.date, e.start or dt.time(), e.group_name, e.subject))
    return found


@dataclass(frozen=True)
class TeacherEmptySessions:
    person_id: int
    name: str
    sessions: tuple[EmptySession, ...]


def empty_sessions_by_teacher(found: list[EmptySession]) -> list[TeacherEmptySessions]:
    """The same sessions under each of their teachers, by name (a lesson given by two appears twice)."""
    by_teacher: dict[tuple[int, str], list[EmptySession]] = {}
    for session in found:
        for teacher in session.teachers:
            by_teacher.setdefault(teacher, []).append(session)
    return [
        TeacherEmptySessions(person_id, name, tuple(sessions))
        for (person_id, name), sessions in sorted(by_teacher.items(), key=lambda item: item[0][1])
    ]


def group_visa_summary(schools: frozenset[int]) -> QuerySet[Group]:
    """Current classes and groups of the schools, each with its last visa, its last session given and the
    number of sessions given since the visa (one query)."""
    today = timezone.localdate()
    last_visa = Visa.objects.filter(group=OuterRef("pk")).order_by("-date").values("date")[:1]
    given = Q(homework_entries__date__lte=today)
    since_visa = Q(homework_entries__date__gt=Coalesce(F("last_visa"), Value(dt.date(1900, 1, 1))))
    return (
        Group.objects.filter(school_id__in=schools, year__is_current=True)
        .select_related("school", "year")
        .annotate(last_visa=Subquery(last_visa))
        .annotate(
            last_entry=Max("homework_entries__date", filter=given),
            entries_since=Count("homework_entries", filter=given & since_visa),
        )
        .order_by("school__name", "kind", "level", "name")
    )
