"""Every write of the timetable: courses, their changes on a date, school settings, imports, calendar tokens.

Each action checks the permission, writes in one transaction, bumps the timetable version (cached facts) and
tells the people concerned on their timeline: the pupils of the groups, their legal guardians (an event about
each pupil) and the teachers, the replacement included.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cartable.access.policy import admin_of, current_enrolments, viewer_for
from cartable.directory.models import (
    STAFF_PROFILES,
    Group,
    Guardianship,
    Membership,
    Person,
    School,
    SchoolYear,
    Subject,
)
from cartable.lib.errors import Refused
from cartable.notifications.actions import publish
from cartable.timetable import access, versions
from cartable.timetable.conflicts import Booking, Conflict, find_conflicts, session_key, usual_session
from cartable.timetable.models import (
    CalendarToken,
    Course,
    CourseException,
    ExceptionKind,
    Room,
    TimeSlot,
    TimetableSettings,
    Weeks,
)
from cartable.timetable.queries import Lesson, Status

CHANGE_KIND = "timetable.change"


def _actor(user: Any) -> Person | None:
    person_id = viewer_for(user).person_id
    return Person.objects.filter(pk=person_id).first() if person_id else None


def _check_manager(user: Any, school: School | int) -> None:
    if not access.can_manage(user, school):
        raise PermissionDenied


def existing_room(school: School | int, name: str) -> Room | None:
    """The school's room of that name, whatever its case ("cdi" is the CDI): typing a name from the list
    differently must not make a second room."""
    name = " ".join(name.split())
    if not name:
        return None
    return Room.objects.filter(school=school, name__iexact=name).order_by("pk").first()


def room_named(school: School, name: str) -> Room | None:
    """The room of that name, created when the school has none yet (rooms are typed freely as well as
    chosen from the school's list)."""
    name = " ".join(name.split())
    if not name:
        return None
    return existing_room(school, name) or Room.objects.get_or_create(school=school, name=name)[0]


class ConflictsFound(Refused):
    """The change would put a teacher or a room in two lessons at once; saving needs a confirmation."""

    def __init__(self, conflicts: list[Conflict]):
        super().__init__(
            _("Ce changement entre en conflit avec d'autres cours : vérifiez la liste, puis confirmez.")
        )
        self.conflicts = conflicts


# --- Who hears of a change ---------------------------------------------------------------------------


def tell_about_change(
    course: Course, actor: Person | None, data: dict[str, Any], extra_teachers: Iterable[Person | int] = ()
) -> None:
    """One event for the pupils and teachers of the course, and one per pupil for their legal guardians."""
    group_ids = [g.pk for g in course.groups.all()]
    pupil_ids = sorted(
        set(current_enrolments().filter(group_id__in=group_ids).values_list("student_id", flat=True))
    )
    teacher_ids = {t.pk for t in course.teachers.all()}
    teacher_ids |= {t if isinstance(t, int) else t.pk for t in extra_teachers}
    week_url = reverse("timetable:week")
    day = data.get("date", "")
    url = f"{week_url}?semaine={day}" if day else week_url
    data = {**data, "subject": course.title, "groups": ", ".join(sorted(g.name for g in course.groups.all()))}
    publish(
        CHANGE_KIND,
        recipients=[*pupil_ids, *teacher_ids],
        school=course.school,
        actor=actor,
        data=data,
        url=url,
    )
    guardians: dict[int, list[int]] = {}
    for relative_id, student_id in Guardianship.objects.filter(
        student_id__in=pupil_ids, legal_guardian=True
    ).values_list("relative_id", "student_id"):
        guardians.setdefault(student_id, []).append(relative_id)
    pupils = {p.pk: p for p in Person.objects.filter(pk__in=list(guardians))}
    for student_id, relatives in sorted(guardians.items()):
        publish(
            CHANGE_KIND,
            recipients=relatives,
            school=course.school,
            actor=actor,
            about=pupils[student_id],
            data={**data, "pupil": pupils[student_id].first_name},
            url=f"{url}{'&' if '?' in url else '?'}enfant={student_id}",
        )


# --- Courses -----------------------------------------------------------------------------------------


@dataclass
class CourseData:
    groups: list[Group]
    weekday: int
    start: time
    end: time
    subject: Subject | None = None
    label: str = ""
    teachers: list[Person] = field(default_factory=list)
    room_name: str = ""
    weeks: str = Weeks.EVERY
    valid_from: date | None = None
    valid_until: date | None = None


def _check_course_data(school: School, data: CourseData) -> None:
    if not data.groups:
        raise Refused(_("Choisissez au moins une classe ou un groupe."), field="groups")
    if any(g.school_id != school.pk for g in data.groups):
        raise PermissionDenied
    if data.subject is not None and data.subject.school_id != school.pk:
        raise PermissionDenied
    if data.subject is None and not data.label.strip():
        raise Refused(_("Indiquez une matière ou un intitulé."), field="label")
    if data.end <= data.start:
        raise Refused(_("Le cours doit finir après avoir commencé."), field="end")
    if data.valid_from and data.valid_until and data.valid_until < data.valid_from:
        raise Refused(_("La fin de validité précède son début."), field="valid_until")


def current_year() -> SchoolYear:
    return SchoolYear.objects.get(is_current=True)


def save_course(user: Any, school: School, data: CourseData, course: Course | None = None) -> Course:
    """Create a weekly course, or change one; the people concerned hear of it."""
    _check_manager(user, school)
    _check_course_data(school, data)
    if course is not None and course.school_id != school.pk:
        raise PermissionDenied
    actor = _actor(user)
    with transaction.atomic():
        created = course is None
        before_teachers: list[int] = [] if created else [t.pk for t in course.teachers.all()]  # type: ignore[union-attr]
        if course is None:
            course = Course(school=school, year=current_year())
        course.subject = data.subject
        course.label = data.label.strip()
        course.room = room_named(school, data.room_name)
        course.weekday = data.weekday
        course.start = data.start
        course.end = data.end
        course.weeks = data.weeks
        course.valid_from = data.valid_from
        course.valid_until = data.valid_until
        course.save()
        course.groups.set(data.groups)
        course.teachers.set(data.teachers)
        versions.bump()
        tell_about_change(
            course,
            actor,
            {
                "change": "new_course" if created else "course",
                "weekday": course.weekday,
                "start": course.start.strftime("%H:%M"),
                "room": course.room.name if course.room else "",
            },
            extra_teachers=before_teachers,
        )
    return course


def end_course(user: Any, course: Course, last_day: date) -> Course:
    """The course stops after `last_day` (kept for the record: past sessions stay in the cahier de textes)."""
    _check_manager(user, course.school_id)
    with transaction.atomic():
        course.valid_until = last_day
        if course.valid_from and course.valid_from > last_day:
            course.valid_from = last_day
        course.save(update_fields=["valid_until", "valid_from", "updated_at"])
        versions.bump()
        tell_about_change(course, _actor(user), {"change": "ended", "date": last_day.isoformat()})
    return course


# --- Changes on a date -------------------------------------------------------------------------------


@dataclass
class ChangeData:
    kind: str
    date: date
    reason: str = ""
    room_name: str = ""
    replacement: Person | None = None
    new_date: dt.date | None = None
    start: time | None = None
    end: time | None = None


def change_bookings(course: Course, data: ChangeData) -> list[Booking]:
    """Where and when a change puts a teacher or a room, for the conflict check: a replacement and a new room
    at the usual time; a moved or extra session with its teachers and its room at its new time. A
    cancellation puts nobody anywhere."""
    room = existing_room(course.school_id, data.room_name)
    replacement = frozenset([data.replacement.pk]) if data.replacement is not None else frozenset()
    if data.kind == ExceptionKind.CHANGED:
        return [
            Booking(
                date=data.date,
                start=course.start,
                end=course.end,
                teacher_ids=replacement,
                room_id=room.pk if room else None,
                session=usual_session(course.pk, data.date),
            )
        ]
    if data.kind in (ExceptionKind.MOVED, ExceptionKind.EXTRA) and data.start and data.end:
        day = data.new_date if data.kind == ExceptionKind.MOVED else data.date
        if day is None:
            return []
        return [
            Booking(
                date=day,
                start=data.start,
                end=data.end,
                teacher_ids=replacement or frozenset(t.pk for t in course.teachers.all()),
                room_id=room.pk if room else course.room_id,
                session=usual_session(course.pk, data.date) if data.kind == ExceptionKind.MOVED else None,
            )
        ]
    return []


def change_conflicts(course: Course, data: ChangeData) -> list[Conflict]:
    return find_conflicts(course.school_id, change_bookings(course, data))


def add_change(
    user: Any, course: Course, data: ChangeData, confirm_conflicts: bool = False
) -> CourseException:
    """Record a cancellation, a room change, a replacement, a move or an extra session. A change that puts
    a teacher or a room in two lessons at once raises ConflictsFound unless `confirm_conflicts`."""
    from cartable.timetable import queries

    _check_manager(user, course.school_id)
    if data.kind not in ExceptionKind.values:
        raise Refused(_("Type de modification inconnu."), field="kind")
    if data.kind != ExceptionKind.EXTRA and queries.lesson_on(course, data.date) is None:
        raise Refused(_("Ce cours n'a pas lieu ce jour-là."), field="date")
    if data.kind in (ExceptionKind.MOVED, ExceptionKind.EXTRA):
        if data.start is None or data.end is None or data.end <= data.start:
            raise Refused(_("Indiquez l'heure de début et de fin de la séance."), field="end")
        if data.kind == ExceptionKind.MOVED and data.new_date is None:
            raise Refused(_("Indiquez la nouvelle date."), field="new_date")
    if data.kind == ExceptionKind.CHANGED and not data.room_name.strip() and data.replacement is None:
        raise Refused(_("Indiquez la nouvelle salle ou le remplaçant."))
    if data.replacement is not None and not _teaches_in(data.replacement, course.school_id):
        raise PermissionDenied
    if not confirm_conflicts:
        conflicts = change_conflicts(course, data)
        if conflicts:
            raise ConflictsFound(conflicts)
    actor = _actor(user)
    with transaction.atomic():
        if data.kind != ExceptionKind.EXTRA:
            CourseException.objects.filter(course=course, date=data.date).exclude(
                kind=ExceptionKind.EXTRA
            ).delete()
        change = CourseException.objects.create(
            course=course,
            date=data.date,
            kind=data.kind,
            reason=data.reason.strip(),
            room=room_named(course.school, data.room_name),
            replacement=data.replacement,
            new_date=data.new_date if data.kind == ExceptionKind.MOVED else None,
            start=data.start if data.kind in (ExceptionKind.MOVED, ExceptionKind.EXTRA) else None,
            end=data.end if data.kind in (ExceptionKind.MOVED, ExceptionKind.EXTRA) else None,
            created_by=actor,
        )
        versions.bump()
        tell_about_change(
            course, actor, change_data(change), extra_teachers=[data.replacement] if data.replacement else []
        )
    return change


def _teaches_in(person: Person, school_id: int) -> bool:

    return Membership.objects.filter(person=person, school_id=school_id, profile__in=STAFF_PROFILES).exists()


def change_data(change: CourseException) -> dict[str, Any]:
    return {
        "change": change.kind,
        "date": change.date.isoformat(),
        "start": change.course.start.strftime("%H:%M"),
        "reason": change.reason,
        "room": change.room.name if change.room else "",
        "replacement": change.replacement.full_name if change.replacement else "",
        "new_date": change.new_date.isoformat() if change.new_date else "",
        "new_start": change.start.strftime("%H:%M") if change.start else "",
    }


def remove_change(user: Any, change: CourseException) -> None:
    """Back to the usual session (or no extra session)."""
    _check_manager(user, change.course.school_id)
    actor = _actor(user)
    with transaction.atomic():
        course = change.course
        replacement_id = change.replacement_id
        data = {**change_data(change), "change": "restored"}
        change.delete()
        versions.bump()
        tell_about_change(course, actor, data, extra_teachers=[replacement_id] if replacement_id else [])


# --- A teacher's absence ----------------------------------------------------------------------------

# A long leave is entered at most a school year at a time.
MAX_ABSENCE_DAYS = 366


@dataclass
class AbsenceData:
    teacher: Person
    start: date
    end: date
    replacement: Person | None = None  # None: the sessions are cancelled
    reason: str = ""


@dataclass
class AbsencePlan:
    lessons: list[Lesson]
    conflicts: list[Conflict]


def plan_absence(user: Any, school: School, data: AbsenceData) -> AbsencePlan:
    """What recording the absence would touch, for the preview and the action alike: the sessions the
    teacher was to give in the school over the period and, when a replacement takes them, the replacement's
    other lessons at those times. Writes nothing."""
    from cartable.timetable import queries

    _check_manager(user, school)
    if not _teaches_in(data.teacher, school.pk):
        raise PermissionDenied
    if data.replacement is not None:
        if not _teaches_in(data.replacement, school.pk):
            raise PermissionDenied
        if data.replacement.pk == data.teacher.pk:
            raise Refused(_("Le remplaçant doit être un autre enseignant que l'absent."), field="replacement")
    if data.end < data.start:
        raise Refused(_("La fin de l'absence précède son début."), field="end")
    if (data.end - data.start).days >= MAX_ABSENCE_DAYS:
        raise Refused(_("Saisissez une absence d'un an au plus."), field="end")
    lessons = queries.lessons_given_by(data.teacher.pk, school.pk, data.start, data.end)
    conflicts: list[Conflict] = []
    if data.replacement is not None and lessons:
        replacement = frozenset([data.replacement.pk])
        conflicts = find_conflicts(
            school.pk,
            [
                Booking(
                    date=lesson.date,
                    start=lesson.start,
                    end=lesson.end,
                    teacher_ids=replacement,
                    session=session_key(lesson),
                )
                for lesson in lessons
            ],
        )
    return AbsencePlan(lessons, conflicts)


def record_absence(
    user: Any, school: School, data: AbsenceData, confirm_conflicts: bool = False
) -> AbsencePlan:
    """Cancel, or hand to a replacement, every session the teacher was to give in the school over the period,
    in one step. Each session keeps a trace of the change (who, when, why) like a change made one by one;
    each person concerned hears of it once, however many sessions it touches. A replacement already busy at
    some of those times raises ConflictsFound unless `confirm_conflicts`."""
    plan = plan_absence(user, school, data)
    if not plan.lessons:
        raise Refused(
            _("%(name)s n'a aucun cours à assurer sur cette période.") % {"name": data.teacher.full_name}
        )
    if plan.conflicts and not confirm_conflicts:
        raise ConflictsFound(plan.conflicts)
    actor = _actor(user)
    try:
        with transaction.atomic():
            old = CourseException.objects.in_bulk([ls.exception_id for ls in plan.lessons if ls.exception_id])
            CourseException.objects.filter(pk__in=list(old)).delete()
            rows = [
                row
                for lesson in plan.lessons
                if (row := _absence_row(lesson, old.get(lesson.exception_id or 0), data, actor)) is not None
            ]
            CourseException.objects.bulk_create(rows)
            versions.bump()
            tell_about_absence(school, actor, data, plan.lessons)
    except IntegrityError:
        # Someone changed one of these sessions meanwhile (one change per session).
        raise Refused(
            _("L'emploi du temps a changé entre-temps : vérifiez l'aperçu et enregistrez à nouveau.")
        ) from None
    return plan


def _absence_row(
    lesson: Lesson, old: CourseException | None, data: AbsenceData, actor: Person | None
) -> CourseException | None:
    """The change a session gets: cancelled (an extra session simply goes), or given by the replacement
    with whatever else was already changed about it (room, new date and times)."""
    reason = data.reason.strip() or (old.reason if old else "")
    if data.replacement is None:
        if lesson.status == Status.EXTRA:
            return None
        return CourseException(
            course_id=lesson.course_id,
            date=lesson.moved_from or lesson.date,
            kind=ExceptionKind.CANCELLED,
            reason=reason,
            created_by=actor,
        )
    if old is None:
        return CourseException(
            course_id=lesson.course_id,
            date=lesson.date,
            kind=ExceptionKind.CHANGED,
            reason=reason,
            replacement=data.replacement,
            created_by=actor,
        )
    return CourseException(
        course_id=old.course_id,
        date=old.date,
        kind=old.kind,
        reason=reason,
        room_id=old.room_id,
        replacement=data.replacement,
        new_date=old.new_date,
        start=old.start,
        end=old.end,
        created_by=actor,
    )


def tell_about_absence(
    school: School, actor: Person | None, data: AbsenceData, lessons: list[Lesson]
) -> None:
    """Each pupil, legal guardian and teacher concerned hears of the absence once, with the sessions that
    concern them: people who share the same sessions (and, for guardians, the same children) share one
    event. A family with two children in the absent teacher's classes gets one notification, not one per
    child or per session."""
    group_ids = sorted({g.id for lesson in lessons for g in lesson.groups})
    pupil_groups: dict[int, set[int]] = {}
    for student_id, group_id in (
        current_enrolments().filter(group_id__in=group_ids).values_list("student_id", "group_id")
    ):
        pupil_groups.setdefault(student_id, set()).add(group_id)
    concerned: dict[int, set[int]] = {}  # person -> indices of the lessons they hear of
    for pupil_id, groups in pupil_groups.items():
        concerned[pupil_id] = {i for i, lesson in enumerate(lessons) if lesson.group_ids & groups}
    everything = set(range(len(lessons)))
    for i, lesson in enumerate(lessons):
        for teacher_id in lesson.teacher_ids:
            concerned.setdefault(teacher_id, set()).add(i)
    concerned.setdefault(data.teacher.pk, set()).update(everything)
    if data.replacement is not None:
        concerned.setdefault(data.replacement.pk, set()).update(everything)
    children: dict[int, set[int]] = {}  # legal guardian -> their children among the pupils
    for relative_id, student_id in Guardianship.objects.filter(
        student_id__in=list(pupil_groups), legal_guardian=True
    ).values_list("relative_id", "student_id"):
        children.setdefault(relative_id, set()).add(student_id)
        concerned.setdefault(relative_id, set()).update(concerned[student_id])
    pupils = {p.pk: p for p in Person.objects.filter(pk__in={c for kids in children.values() for c in kids})}
    audiences: dict[tuple[frozenset[int], tuple[int, ...]], list[int]] = {}
    for person_id, indices in concerned.items():
        kids = tuple(sorted(children.get(person_id, ())))
        audiences.setdefault((frozenset(indices), kids), []).append(person_id)
    week_url = reverse("timetable:week")
    for (shared, kids), recipients in sorted(audiences.items(), key=lambda item: sorted(item[1])):
        chosen = [lessons[i] for i in sorted(shared)]
        if not chosen:
            continue
        url = f"{week_url}?semaine={chosen[0].date.isoformat()}"
        if len(kids) == 1:
            url += f"&enfant={kids[0]}"
        publish(
            CHANGE_KIND,
            recipients=recipients,
            school=school,
            actor=actor,
            about=pupils[kids[0]] if len(kids) == 1 else None,
            data={
                "change": "absence",
                "teacher": data.teacher.full_name,
                "date": data.start.isoformat(),
                "until": data.end.isoformat(),
                "count": len(chosen),
                "subject": ", ".join(sorted({lesson.subject for lesson in chosen})),
                "groups": ", ".join(sorted({g.name for lesson in chosen for g in lesson.groups})),
                "replacement": data.replacement.full_name if data.replacement else "",
                "reason": data.reason.strip(),
                "pupil": ", ".join(pupils[kid].first_name for kid in kids),
            },
            url=url,
        )


# --- School settings ---------------------------------------------------------------------------------


def save_settings(user: Any, school: School, zone: str, week_a_monday: date | None) -> TimetableSettings:
    _check_manager(user, school)
    with transaction.atomic():
        row, _created = TimetableSettings.objects.update_or_create(
            school=school,
            defaults={
                "zone": zone,
                "week_a_monday": week_a_monday - timedelta(days=week_a_monday.weekday())
                if week_a_monday
                else None,
            },
        )
        versions.bump()
    return row


def add_time_slot(user: Any, school: School, weekday: int, label: str, start: time, end: time) -> TimeSlot:
    """One more slot in the school's time grid (offered when adding a course)."""
    _check_manager(user, school)
    if end <= start:
        raise Refused(_("Le créneau doit finir après avoir commencé."))
    if TimeSlot.objects.filter(school=school, weekday=weekday, start=start).exists():
        raise Refused(_("Ce jour a déjà un créneau qui commence à cette heure."))
    slot = TimeSlot.objects.create(school=school, weekday=weekday, label=label.strip(), start=start, end=end)
    versions.bump()
    return slot


def remove_time_slot(user: Any, slot: TimeSlot) -> None:
    """Courses keep their day and times: the grid only helps to enter them."""
    _check_manager(user, slot.school_id)
    slot.delete()
    versions.bump()


# --- Import ------------------------------------------------------------------------------------------


@dataclass
class ImportedCourse:
    line: int
    groups: list[Group]
    weekday: int
    start: time
    end: time
    subject: Subject | None
    label: str
    teachers: list[Person]
    room_name: str
    weeks: str


@dataclass
class ImportResult:
    created: int = 0
    skipped: int = 0
    ended: int = 0


def import_courses(
    user: Any, school: School, rows: list[ImportedCourse], valid_from: date, replace: bool
) -> ImportResult:
    """Add the courses of an import, from `valid_from`. With `replace`, the school's current courses end the
    day before (their past sessions are kept). A course identical to an existing one is skipped. No timeline
    event: an import is a new timetable, announced by the school, not a change of one session."""

    if not admin_of(user, school):
        raise PermissionDenied
    result = ImportResult()
    year = current_year()
    with transaction.atomic():
        if replace:
            ending = Course.objects.filter(school=school, year=year).exclude(valid_until__lt=valid_from)
            result.ended = ending.update(
                valid_until=valid_from - timedelta(days=1), updated_at=timezone.now()
            )
            # A course that had not started yet never happens.
            Course.objects.filter(school=school, year=year, valid_from__gte=valid_from).update(
                valid_from=valid_from - timedelta(days=1)
            )
        existing: set[Signature] = set()
        if not replace:
            for course in Course.objects.filter(school=school, year=year).prefetch_related("groups"):
                existing.add(
                    _signature(
                        course.weekday,
                        course.start,
                        course.subject_id,
                        course.label,
                        course.weeks,
                        [g.pk for g in course.groups.all()],
                    )
                )
        rooms = {r.name: r for r in Room.objects.filter(school=school)}
        new_courses: list[tuple[Course, ImportedCourse]] = []
        for row in rows:
            signature = _signature(
                row.weekday,
                row.start,
                row.subject.pk if row.subject else None,
                row.label,
                row.weeks,
                [g.pk for g in row.groups],
            )
            if signature in existing:
                result.skipped += 1
                continue
            existing.add(signature)
            room = None
            if row.room_name:
                room = rooms.get(row.room_name)
                if room is None:
                    room = rooms[row.room_name] = Room.objects.create(school=school, name=row.room_name)
            new_courses.append(
                (
                    Course(
                        school=school,
                        year=year,
                        subject=row.subject,
                        label=row.label,
                        room=room,
                        weekday=row.weekday,
                        start=row.start,
                        end=row.end,
                        weeks=row.weeks,
                        valid_from=valid_from,
                    ),
                    row,
                )
            )
        created = Course.objects.bulk_create([c for c, _row in new_courses])
        Course.groups.through.objects.bulk_create(
            [
                Course.groups.through(course_id=c.pk, group_id=g.pk)
                for c, (_c, row) in zip(created, new_courses, strict=True)
                for g in row.groups
            ]
        )
        Course.teachers.through.objects.bulk_create(
            [
                Course.teachers.through(course_id=c.pk, person_id=t.pk)
                for c, (_c, row) in zip(created, new_courses, strict=True)
                for t in row.teachers
            ]
        )
        result.created = len(created)
        versions.bump()
    return result


Signature = tuple[int, str, int | None, str, str, tuple[int, ...]]


def _signature(
    weekday: int, start: time, subject_id: int | None, label: str, weeks: str, group_ids: Iterable[int]
) -> Signature:
    return (weekday, start.strftime("%H:%M"), subject_id, label, weeks, tuple(sorted(group_ids)))


# --- Calendar tokens ---------------------------------------------------------------------------------


MAX_TOKENS = 10


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_calendar_token(user: Any, label: str = "") -> str:
    """A new secret address for the user's iCalendar feed; returns the clear token (shown once)."""
    if not user.is_authenticated:
        raise PermissionDenied
    if CalendarToken.objects.filter(user=user, revoked_at__isnull=True).count() >= MAX_TOKENS:
        raise Refused(
            _("Vous avez déjà %(count)d adresses d'agenda : révoquez-en une d'abord.") % {"count": MAX_TOKENS}
        )
    token = secrets.token_urlsafe(32)
    CalendarToken.objects.create(user=user, token_hash=token_hash(token), label=label.strip()[:80])
    return token


def revoke_calendar_token(user: Any, token: CalendarToken) -> None:
    if token.user_id != user.pk:
        raise PermissionDenied
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])


def mark_token_used(token: CalendarToken) -> None:
    """Remembered at most once an hour: calendar apps poll often."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(hours=1):
        CalendarToken.objects.filter(pk=token.pk).update(last_used_at=now)
