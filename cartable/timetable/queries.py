"""What happens when: the concrete lessons of a class, a pupil, a teacher or a room between two dates.

The weekly courses are expanded day by day, then the school holidays of the school's zone, the week
alternation (A/B), the validity dates and the exceptions of each day are applied. Every function here
costs the same handful of queries (courses, their groups, their teachers, the exceptions, the holidays,
the school settings) whatever the number of groups, courses or weeks asked for. They do not check access:
callers pass group ids, people and rooms the user may see (cartable.timetable.access).
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from cartable.access.policy import current_enrolments
from cartable.directory.models import Group, Person, School
from cartable.timetable.models import (
    Course,
    CourseException,
    ExceptionKind,
    Room,
    SchoolHoliday,
    TimetableSettings,
    Weeks,
    Zone,
)
from cartable.timetable.text import room_label

PARIS = ZoneInfo("Europe/Paris")

# Academies of metropolitan France and their holiday zone (used when a school has no TimetableSettings).
ACADEMY_ZONES = {
    "besancon": Zone.A,
    "bordeaux": Zone.A,
    "clermont-ferrand": Zone.A,
    "dijon": Zone.A,
    "grenoble": Zone.A,
    "limoges": Zone.A,
    "lyon": Zone.A,
    "poitiers": Zone.A,
    "aix-marseille": Zone.B,
    "amiens": Zone.B,
    "lille": Zone.B,
    "nancy-metz": Zone.B,
    "nantes": Zone.B,
    "nice": Zone.B,
    "normandie": Zone.B,
    "caen": Zone.B,
    "rouen": Zone.B,
    "orleans-tours": Zone.B,
    "reims": Zone.B,
    "rennes": Zone.B,
    "strasbourg": Zone.B,
    "creteil": Zone.C,
    "montpellier": Zone.C,
    "paris": Zone.C,
    "toulouse": Zone.C,
    "versailles": Zone.C,
}


class Status:
    """The state of one lesson. MOVED is the lesson at its new date; at its usual date it shows as CANCELLED
    with `moved_to` set."""

    NORMAL = "normal"
    CANCELLED = "cancelled"
    CHANGED = "changed"
    MOVED = "moved"
    EXTRA = "extra"


@dataclass(frozen=True)
class GroupRef:
    id: int
    name: str


@dataclass(frozen=True)
class PersonRef:
    id: int
    name: str


@dataclass(frozen=True)
class Lesson:
    """One concrete session. A usual session is identified by (course_id, date); an extra session also by
    exception_id."""

    course_id: int
    school_id: int
    date: date
    start: time
    end: time
    subject: str
    subject_id: int | None
    groups: tuple[GroupRef, ...]
    teachers: tuple[PersonRef, ...]  # who actually teaches it (the replacement when there is one)
    usual_teachers: tuple[PersonRef, ...]
    room: str
    room_id: int | None
    usual_room: str
    week: str  # "A" or "B"
    status: str = Status.NORMAL
    reason: str = ""
    exception_id: int | None = None
    replacement: PersonRef | None = None
    moved_to: dt.date | None = None
    moved_from: dt.date | None = None

    @property
    def cancelled(self) -> bool:
        return self.status == Status.CANCELLED

    @property
    def room_changed(self) -> bool:
        return self.room != self.usual_room and not self.cancelled

    @property
    def starts_at(self) -> datetime:
        return datetime.combine(self.date, self.start, tzinfo=PARIS)

    @property
    def ends_at(self) -> datetime:
        return datetime.combine(self.date, self.end, tzinfo=PARIS)

    @property
    def start_label(self) -> str:
        return self.start.strftime("%H:%M")

    @property
    def end_label(self) -> str:
        return self.end.strftime("%H:%M")

    @property
    def start_iso(self) -> str:
        return f"{self.date.isoformat()}T{self.start_label}"

    @property
    def end_iso(self) -> str:
        return f"{self.date.isoformat()}T{self.end_label}"

    @property
    def group_ids(self) -> frozenset[int]:
        return frozenset(g.id for g in self.groups)

    @property
    def teacher_ids(self) -> frozenset[int]:
        return frozenset(t.id for t in self.teachers) | frozenset(t.id for t in self.usual_teachers)

    @property
    def uid(self) -> str:
        """Stable across feeds and edits: the course and the date (or the extra session)."""
        if self.status == Status.EXTRA:
            return f"extra-{self.exception_id}@cartable"
        if self.status == Status.MOVED:
            return f"course-{self.course_id}-{self.moved_from:%Y%m%d}-moved@cartable"
        return f"course-{self.course_id}-{self.date:%Y%m%d}@cartable"

    @property
    def groups_label(self) -> str:
        return ", ".join(g.name for g in self.groups)

    @property
    def teachers_label(self) -> str:
        return ", ".join(t.name for t in self.teachers)


@dataclass
class Calendar:
    """Holidays and week alternation of the schools involved in one query."""

    holidays: list[Holiday]
    zones: dict[int, str] = field(default_factory=dict)  # school id -> zone ("" when unknown)
    references: dict[int, date] = field(default_factory=dict)  # school id -> Monday of a week A
    _days_off: dict[str, set[date]] = field(default_factory=dict)
    _weeks_off: dict[str, list[date]] = field(default_factory=dict)
    _letters: dict[tuple[int, date], str] = field(default_factory=dict)

    def days_off(self, zone: str) -> set[date]:
        if zone not in self._days_off:
            days: set[date] = set()
            for holiday in self.holidays:
                if holiday.zone in ("", zone):
                    day = holiday.start
                    while day <= holiday.end:
                        days.add(day)
                        day += timedelta(days=1)
            self._days_off[zone] = days
        return self._days_off[zone]

    def is_holiday(self, school_id: int, day: date) -> bool:
        return day in self.days_off(self.zones.get(school_id, ""))

    def holiday_name(self, school_id: int, day: date) -> str:
        zone = self.zones.get(school_id, "")
        for holiday in self.holidays:
            if holiday.zone in ("", zone) and holiday.start <= day <= holiday.end:
                return holiday.name
        return ""

    def days_off_between(self, start: date, end: date) -> dict[date, str]:
        """Day -> holiday name, for the days off in every school of the calendar."""
        days: dict[date, str] = {}
        if not self.zones:
            return days
        day = start
        while day <= end:
            names = {self.holiday_name(school_id, day) for school_id in self.zones}
            if len(names) == 1 and all(names):
                days[day] = names.pop()
            day += timedelta(days=1)
        return days

    def week_letter(self, school_id: int, day: date) -> str:
        """A or B: weeks are counted from the school's week A, weeks without any school day not counted."""
        reference = self.references.get(school_id)
        monday = day - timedelta(days=day.weekday())
        known = self._letters.get((school_id, monday))
        if known is not None:
            return known
        self._letters[(school_id, monday)] = letter = self._count_letter(school_id, reference, monday)
        return letter

    def weeks_off(self, zone: str) -> list[date]:
        """The Mondays of the weeks without any school day (Monday to Friday all off), in order: found
        from the holidays alone, whatever the dates the letters are asked for."""
        if zone not in self._weeks_off:
            off = self.days_off(zone)
            self._weeks_off[zone] = sorted(
                day
                for day in off
                if day.weekday() == 0 and all(day + timedelta(days=i) in off for i in range(1, 5))
            )
        return self._weeks_off[zone]

    def _count_letter(self, school_id: int, reference: date | None, monday: date) -> str:
        """The weeks between the two Mondays less the weeks off among them: a subtraction and two binary
        searches, as quick for a week A saved in year 1 as for last week's (the public iCalendar feed
        asks for every lesson's letter)."""
        if reference is None:
            return "A"
        low, high = sorted((reference, monday))
        weeks_off = self.weeks_off(self.zones.get(school_id, ""))
        skipped = bisect_left(weeks_off, high) - bisect_left(weeks_off, low)
        school_weeks = (high - low).days // 7 - skipped
        return "A" if school_weeks % 2 == 0 else "B"


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def zone_of_academy(academy: str) -> str:
    import unicodedata

    plain = unicodedata.normalize("NFKD", academy).encode("ascii", "ignore").decode().lower().strip()
    plain = plain.replace("academie de ", "").replace("academie d'", "").replace(" ", "-")
    return ACADEMY_ZONES.get(plain, "")


@dataclass(frozen=True)
class Holiday:
    zone: str
    name: str
    start: date
    end: date


def school_calendars() -> tuple[tuple[Holiday, ...], dict[int, tuple[str, date | None]]]:
    """Every school holiday, and every school's settings (zone, week A): a few hundred rows at most, changed
    only by timetable actions (which bump the timetable version) and by migrations, so they are kept in the
    shared cache under the timetable version alone: the week pages do not read them again after a directory
    change."""

    def load() -> tuple:
        holidays = tuple(SchoolHoliday.objects.order_by("start").values_list("zone", "name", "start", "end"))
        settings = {
            school_id: (zone, week_a)
            for school_id, zone, week_a in TimetableSettings.objects.values_list(
                "school_id", "zone", "week_a_monday"
            )
        }
        return holidays, settings

    from cartable.timetable import versions

    return versions.cached("calendars", load, _calendars, with_directory=False)


def _calendars(rows: tuple) -> tuple[tuple[Holiday, ...], dict[int, tuple[str, date | None]]]:
    holidays, settings = rows
    return tuple(Holiday(*row) for row in holidays), settings


def _calendar(courses: list[Course], start: date, end: date) -> Calendar:
    if not courses:
        return Calendar(holidays=[])
    zones: dict[int, str] = {}
    references: dict[int, date] = {}
    for course in courses:
        if course.school_id not in zones:
            zones[course.school_id] = zone_of_academy(course.school.academy)
            references[course.school_id] = monday_of(course.year.start)
    holidays, settings = school_calendars()
    for school_id in zones:
        zone, week_a = settings.get(school_id, ("", None))
        if zone:
            zones[school_id] = zone
        if week_a:
            references[school_id] = monday_of(week_a)
    wanted = {"", *zones.values()}
    return Calendar(holidays=[h for h in holidays if h.zone in wanted], zones=zones, references=references)


def _courses(where: Q, start: date, end: date) -> QuerySet[Course]:
    days = (end - start).days + 1
    q = where & Q(year__start__lte=end, year__end__gte=start)
    q &= Q(valid_from__isnull=True) | Q(valid_from__lte=end)
    q &= Q(valid_until__isnull=True) | Q(valid_until__gte=start)
    if days < 7:
        q &= Q(weekday__in={(start + timedelta(days=i)).weekday() for i in range(days)})
    return (
        Course.objects.filter(q)
        .select_related("subject", "room", "school", "year")
        .prefetch_related(
            Prefetch("groups", queryset=Group.objects.only("id", "name").order_by("name")),
            Prefetch("teachers", queryset=Person.objects.only("id", "first_name", "last_name")),
        )
    )


def _on_dates(start: date, end: date) -> Q:
    """Exceptions about a session between the dates, or moving one there."""
    return Q(date__range=(start, end)) | Q(new_date__range=(start, end))


def _exceptions(course_ids: list[int], start: date, end: date) -> list[CourseException]:
    if not course_ids:
        return []
    return list(
        CourseException.objects.filter(course_id__in=course_ids)
        .filter(_on_dates(start, end))
        .select_related("room", "replacement")
    )


def _expand(
    courses: list[Course], start: date, end: date, holidays: dict[date, str] | None = None
) -> list[Lesson]:
    """The lessons of `courses` between `start` and `end` (inclusive), sorted by date and time."""
    calendar = _calendar(courses, start, end)
    if holidays is not None:
        holidays.update(calendar.days_off_between(start, end))
    exceptions = _exceptions([c.pk for c in courses], start, end)
    by_course = {c.pk: c for c in courses}
    changes: dict[tuple[int, date], CourseException] = {}
    additions: list[CourseException] = []
    for exc in exceptions:
        if exc.kind == ExceptionKind.EXTRA:
            if start <= exc.date <= end:
                additions.append(exc)
            continue
        changes[(exc.course_id, exc.date)] = exc
        if exc.kind == ExceptionKind.MOVED and exc.new_date and start <= exc.new_date <= end:
            additions.append(exc)
    lessons: list[Lesson] = []
    for course in courses:
        base = _base(course)
        first = max(start, course.year.start, course.valid_from or start)
        last = min(end, course.year.end, course.valid_until or end)
        day = first + timedelta(days=(course.weekday - first.weekday()) % 7)
        while day <= last:
            if not calendar.is_holiday(course.school_id, day):
                week = calendar.week_letter(course.school_id, day)
                if course.weeks in (Weeks.EVERY, week):
                    lessons.append(_apply(base, day, week, changes.get((course.pk, day))))
            day += timedelta(weeks=1)
    for exc in additions:
        origin = by_course.get(exc.course_id)
        if origin is None:
            continue
        day = exc.new_date if exc.kind == ExceptionKind.MOVED and exc.new_date else exc.date
        lessons.append(_added(_base(origin), exc, day, calendar.week_letter(origin.school_id, day)))
    lessons.sort(key=lambda lesson: (lesson.date, lesson.start, lesson.subject, lesson.course_id))
    return lessons


def _person(person: Person) -> PersonRef:
    return PersonRef(person.pk, person.full_name)


def _base(course: Course) -> dict:
    teachers = tuple(sorted((_person(t) for t in course.teachers.all()), key=lambda p: p.name))
    room = course.room.name if course.room is not None else ""
    return {
        "course_id": course.pk,
        "school_id": course.school_id,
        "start": course.start,
        "end": course.end,
        "subject": course.title,
        "subject_id": course.subject_id,
        "groups": tuple(GroupRef(g.pk, g.name) for g in course.groups.all()),
        "teachers": teachers,
        "usual_teachers": teachers,
        "room": room,
        "room_id": course.room_id,
        "usual_room": room,
    }


def _apply(base: dict, day: date, week: str, exc: CourseException | None) -> Lesson:
    if exc is None:
        return Lesson(date=day, week=week, **base)
    values = dict(base, date=day, week=week, reason=exc.reason, exception_id=exc.pk)
    if exc.kind == ExceptionKind.CANCELLED:
        return Lesson(status=Status.CANCELLED, **values)
    if exc.kind == ExceptionKind.MOVED:
        return Lesson(status=Status.CANCELLED, moved_to=exc.new_date, **values)
    _override(values, exc)
    return Lesson(status=Status.CHANGED, **values)


def _override(values: dict, exc: CourseException) -> None:
    if exc.room is not None:
        values["room"] = exc.room.name
        values["room_id"] = exc.room_id
    if exc.replacement is not None:
        values["replacement"] = _person(exc.replacement)
        values["teachers"] = (values["replacement"],)


def _added(base: dict, exc: CourseException, day: date, week: str) -> Lesson:
    values = dict(base, date=day, week=week, reason=exc.reason, exception_id=exc.pk)
    if exc.start is not None:
        values["start"] = exc.start
    if exc.end is not None:
        values["end"] = exc.end
    _override(values, exc)
    if exc.kind == ExceptionKind.MOVED:
        return Lesson(status=Status.MOVED, moved_from=exc.date, **values)
    return Lesson(status=Status.EXTRA, **values)


# --- The API other services use ----------------------------------------------------------------------


def lessons_for_groups(
    group_ids: Iterable[int], start_date: date, end_date: date, holidays: dict[date, str] | None = None
) -> list[Lesson]:
    """The lessons of the given classes and groups (a course of several of them appears once). Pass a dict
    as `holidays` to receive the days off of the schools concerned (day -> name of the holiday)."""
    ids = list(group_ids)
    if not ids:
        return []
    through = Course.groups.through.objects.filter(group_id__in=ids).values("course_id")
    return _expand(list(_courses(Q(pk__in=through), start_date, end_date)), start_date, end_date, holidays)


# The name other services were told about; both stay.
lessons_for_group = lessons_for_groups


def lessons_for_pupil(
    person: Person | int, start_date: date, end_date: date, holidays: dict[date, str] | None = None
) -> list[Lesson]:
    """The lessons of the classes and groups a pupil is enrolled in this school year."""

    person_id = person if isinstance(person, int) else person.pk
    # The group ids first, in their own query: inlined as a subquery, the join of courses, enrolments,
    # groups and years grows past what PostgreSQL reorders, and it scans every course of the platform.
    groups = list(current_enrolments().filter(student_id=person_id).values_list("group_id", flat=True))
    return lessons_for_groups(groups, start_date, end_date, holidays)


def lessons_for_teacher(
    person: Person | int, start_date: date, end_date: date, holidays: dict[date, str] | None = None
) -> list[Lesson]:
    """The lessons a teacher gives, those they replace, and those of theirs that someone else replaces
    (shown as changed)."""
    person_id = person if isinstance(person, int) else person.pk
    replaced = CourseException.objects.filter(replacement_id=person_id).filter(
        _on_dates(start_date, end_date)
    )
    ids = list(
        Course.teachers.through.objects.filter(person_id=person_id)
        .order_by()
        .values_list("course_id", flat=True)
        .union(replaced.order_by().values_list("course_id", flat=True))
    )
    courses = list(_courses(Q(pk__in=ids), start_date, end_date))
    return [
        lesson
        for lesson in _expand(courses, start_date, end_date, holidays)
        if any(t.id == person_id for t in lesson.teachers)
        or any(t.id == person_id for t in lesson.usual_teachers)
    ]


def lessons_given_by(person_id: int, school_id: int, start_date: date, end_date: date) -> list[Lesson]:
    """The sessions a teacher is to give in one school between two dates (their own, those they replace;
    not those cancelled nor those someone else already replaces): what a teacher's absence touches."""
    return [
        lesson
        for lesson in lessons_for_teacher(person_id, start_date, end_date)
        if lesson.school_id == school_id
        and lesson.status != Status.CANCELLED
        and any(t.id == person_id for t in lesson.teachers)
    ]


def lessons_for_room(
    room: Room | int, start_date: date, end_date: date, holidays: dict[date, str] | None = None
) -> list[Lesson]:
    """The lessons held in a room, and those moved out of it (shown as changed)."""
    room_id = room if isinstance(room, int) else room.pk
    moved_in = CourseException.objects.filter(room_id=room_id).filter(_on_dates(start_date, end_date))
    moved_ids = list(moved_in.values_list("course_id", flat=True))
    courses = list(_courses(Q(room_id=room_id) | Q(pk__in=moved_ids), start_date, end_date))
    usual = {c.pk for c in courses if c.room_id == room_id}
    return [
        lesson
        for lesson in _expand(courses, start_date, end_date, holidays)
        if lesson.room_id == room_id or lesson.course_id in usual
    ]


def lesson_on(course: Course | int, day: date) -> Lesson | None:
    """The usual session of a course on a day, with its changes (None when the course does not happen that
    day: wrong weekday, other week, holiday, out of validity)."""
    course_id = course if isinstance(course, int) else course.pk
    for lesson in _expand(list(_courses(Q(pk=course_id), day, day)), day, day):
        if lesson.course_id == course_id and lesson.status not in (Status.EXTRA, Status.MOVED):
            return lesson
    return None


def week_days(monday: date, saturday: bool = False) -> list[date]:
    return [monday + timedelta(days=i) for i in range(6 if saturday else 5)]


def holidays_between(school_ids: Iterable[int], start_date: date, end_date: date) -> dict[date, str]:
    """Day -> name of the holiday, for days off in all the given schools between two dates (week pages)."""
    ids = list(school_ids)
    if not ids:
        return {}
    zones = {}
    for school_id, academy in _school_academies(ids):
        zones[school_id] = zone_of_academy(academy)
    all_holidays, settings = school_calendars()
    for school_id in ids:
        zone = settings.get(school_id, ("", None))[0]
        if zone:
            zones[school_id] = zone
    holidays = [
        h
        for h in all_holidays
        if h.zone in {"", *zones.values()} and h.start <= end_date and h.end >= start_date
    ]
    calendar = Calendar(holidays=holidays, zones=zones)
    days: dict[date, str] = {}
    day = start_date
    while day <= end_date:
        names = {calendar.holiday_name(s, day) for s in ids}
        if all(names) and len(names) == 1:
            days[day] = names.pop()
        day += timedelta(days=1)
    return days


def days_ahead_outside_holidays(group_ids: Iterable[int], today: date, days: int, reach: int) -> date:
    """The day `days` days after `today`, not counting the holidays of these classes' schools on the way
    (at most `reach` more days). The same for every pupil of a class on a given day: worked out once."""
    groups = sorted(set(group_ids))

    def load() -> str:

        schools = set(Group.objects.filter(pk__in=groups).values_list("school_id", flat=True))
        days_off = holidays_between(schools, today, today + timedelta(days=days + reach))
        day, counted = today, 0
        while counted < days and day < today + timedelta(days=days + reach):
            day += timedelta(days=1)
            if day not in days_off:
                counted += 1
        return day.isoformat()

    from cartable.timetable import versions

    key = f"ahead:{','.join(map(str, groups))}:{today.isoformat()}:{days}:{reach}"
    return date.fromisoformat(versions.cached(key, load))


def _school_academies(ids: list[int]) -> list[tuple[int, str]]:

    return list(School.objects.filter(pk__in=ids).values_list("pk", "academy"))


def describe(lesson: Lesson) -> str:
    """One line for a change (timeline, iCalendar description)."""
    if lesson.status == Status.CANCELLED and lesson.moved_to:
        return _("Cours déplacé au %(date)s") % {"date": lesson.moved_to.strftime("%d/%m/%Y")}
    if lesson.status == Status.CANCELLED:
        if lesson.reason:
            return _("Cours annulé : %(reason)s") % {"reason": lesson.reason}
        return _("Cours annulé")
    parts = []
    if lesson.room_changed:
        parts.append(
            _("%(room)s au lieu de %(usual)s")
            % {"room": room_label(lesson.room), "usual": room_label(lesson.usual_room) or "-"}
        )
    if lesson.replacement is not None:
        parts.append(_("remplacé par %(name)s") % {"name": lesson.replacement.name})
    if lesson.status == Status.MOVED and lesson.moved_from:
        parts.append(_("déplacé du %(date)s") % {"date": lesson.moved_from.strftime("%d/%m/%Y")})
    if lesson.status == Status.EXTRA:
        parts.append(_("séance supplémentaire"))
    return ", ".join(parts)
