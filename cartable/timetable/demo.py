"""Demo timetables: every class of the current year gets a realistic week.

- collège: 26 hours on the classic grid (8:00–17:25, Wednesday morning), taught by the class's teachers of
  the directory, with weeks A/B alternating French/maths and SVT/physics in one slot; no teacher, class or
  specialist room is booked twice at the same time;
- école: 24 hours (Monday, Tuesday, Thursday, Friday, 8:30–11:30 and 13:30–16:30) with the class teacher.
A few changes this week on the demo pupil's class show cancellations and room changes on the home page.
Everything is written with bulk inserts: the 100k-account benchmark dataset takes seconds.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import time, timedelta

from django.utils import timezone

from cartable.directory.models import (
    Group,
    GroupKind,
    School,
    SchoolKind,
    SchoolYear,
    Subject,
    TeachingAssignment,
)
from cartable.timetable import versions
from cartable.timetable.models import Course, CourseException, ExceptionKind, Room, TimeSlot, Weeks

BATCH_SIZE = 2000


def t(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


COLLEGE_SLOTS = [
    ("M1", "08:00", "08:55"),
    ("M2", "08:55", "09:50"),
    ("M3", "10:05", "11:00"),
    ("M4", "11:00", "11:55"),
    ("S1", "13:30", "14:25"),
    ("S2", "14:25", "15:20"),
    ("S3", "15:35", "16:30"),
    ("S4", "16:30", "17:25"),
]
COLLEGE_DAYS = [0, 1, 2, 3, 4]  # Wednesday: mornings only
ECOLE_SLOTS = [
    ("M1", "08:30", "10:00"),
    ("M2", "10:00", "11:30"),
    ("S1", "13:30", "15:00"),
    ("S2", "15:00", "16:30"),
]
ECOLE_DAYS = [0, 1, 3, 4]

# One unit is one weekly hour: a subject code, or a pair (code in week A, code in week B) sharing a slot.
COLLEGE_UNITS: list[str | tuple[str, str]] = [
    *["FRANC"] * 4,
    *["MATHS"] * 4,
    ("FRANC", "MATHS"),
    *["HIGEO"] * 3,
    *["ANGL"] * 4,
    "SVT",
    ("SVT", "PHCHI"),
    "PHCHI",
    "TECHN",
    "ARPLA",
    "EDMUS",
    *["EPS"] * 4,
]
# Subjects taught in a specialist room (one per few classes); EPS goes to the gym, shared.
SPECIALIST = {"SVT": "Laboratoire SVT", "PHCHI": "Laboratoire de physique", "TECHN": "Salle de technologie"}
SHARED = {"EPS": "Gymnase", "ARPLA": "Salle d'arts plastiques", "EDMUS": "Salle de musique"}

ECOLE_WEEK = {
    0: ["Français", "Mathématiques", "Questionner le monde", "EPS"],
    1: ["Français", "Mathématiques", "Anglais", "Arts plastiques"],
    3: ["Français", "Mathématiques", "Enseignement moral et civique", "EPS"],
    4: ["Français", "Mathématiques", "Éducation musicale", "Lecture"],
}
MATERNELLE_WEEK = {
    0: ["Langage", "Explorer le monde", "Agir et s'exprimer avec son corps", "Activités artistiques"],
    1: ["Langage", "Construire les premiers outils", "Jeux et ateliers", "Activités artistiques"],
    3: ["Langage", "Explorer le monde", "Agir et s'exprimer avec son corps", "Musique et comptines"],
    4: ["Langage", "Construire les premiers outils", "Jeux et ateliers", "Lecture d'albums"],
}
MATERNELLE = {"PS", "MS", "GS"}


class Planner:
    def __init__(self, year: SchoolYear):
        self.year = year
        self.courses: list[Course] = []
        self.groups: list[list[int]] = []
        self.teachers: list[list[int]] = []
        self.rooms: dict[tuple[int, str], Room] = {}
        self.slots: list[TimeSlot] = []

    def room(self, school: School, name: str) -> Room:
        key = (school.pk, name)
        if key not in self.rooms:
            self.rooms[key] = Room(school=school, name=name)
        return self.rooms[key]

    def add(
        self,
        school,
        group_ids,
        teacher_ids,
        room,
        weekday,
        start,
        end,
        *,
        subject=None,
        label="",
        weeks=Weeks.EVERY,
    ):
        self.courses.append(
            Course(
                school=school,
                year=self.year,
                subject=subject,
                label=label,
                room=room,
                weekday=weekday,
                start=start,
                end=end,
                weeks=weeks,
            )
        )
        self.groups.append(group_ids)
        self.teachers.append([tid for tid in teacher_ids if tid])

    # --- école ----------------------------------------------------------------------------------------

    def ecole(self, school: School, groups: list[Group], teacher_of: dict[int, int]) -> None:
        for day in ECOLE_DAYS:
            for code, start, end in ECOLE_SLOTS:
                self.slots.append(
                    TimeSlot(school=school, weekday=day, label=code, start=t(start), end=t(end))
                )
        for group in groups:
            week = MATERNELLE_WEEK if group.level in MATERNELLE else ECOLE_WEEK
            room = self.room(school, f"Classe {group.name}")
            teacher = teacher_of.get(group.pk)
            for day, labels in week.items():
                for (_code, start, end), label in zip(ECOLE_SLOTS, labels, strict=True):
                    self.add(
                        school,
                        [group.pk],
                        [teacher] if teacher else [],
                        room,
                        day,
                        t(start),
                        t(end),
                        label=label,
                    )

    # --- collège --------------------------------------------------------------------------------------

    def college(
        self,
        school: School,
        groups: list[Group],
        subjects: dict[str, Subject],
        teacher_of: dict[tuple[int, int], int],
    ) -> None:
        grid = [(day, code, start, end) for day in COLLEGE_DAYS for code, start, end in COLLEGE_SLOTS]
        grid = [g for g in grid if g[0] != 2 or g[1].startswith("M")]
        for day, code, start, end in grid:
            self.slots.append(TimeSlot(school=school, weekday=day, label=code, start=t(start), end=t(end)))
        busy_teacher: set[tuple[int, int]] = set()  # (teacher id, slot index)
        busy_room: set[tuple[str, int]] = set()
        labs = max(1, len(groups) // 8)
        for index, group in enumerate(groups):
            home = self.room(school, f"{100 + (index // 8) * 100 + index % 8 + 1}")
            busy_class: set[int] = set()
            days_of: dict[str, set[int]] = defaultdict(set)
            for unit in COLLEGE_UNITS:
                codes = unit if isinstance(unit, tuple) else (unit,)
                teachers = [teacher_of.get((group.pk, subjects[c].pk)) for c in codes if c in subjects]
                placed = False
                # Each class starts its search somewhere else in the week, so classes do not all look alike.
                for step in range(len(grid)):
                    slot = (step * 7 + index * 5) % len(grid)
                    day = grid[slot][0]
                    if slot in busy_class or any(tid and (tid, slot) in busy_teacher for tid in teachers):
                        continue
                    if any(day in days_of[c] for c in codes) and step < len(grid) // 2:
                        continue  # first try to spread a subject over the week
                    room = self._room_for(school, codes[0], home, labs, slot, busy_room)
                    if room is None:
                        continue
                    busy_class.add(slot)
                    for tid in teachers:
                        if tid:
                            busy_teacher.add((tid, slot))
                    for c in codes:
                        days_of[c].add(day)
                    _day, _code, start, end = grid[slot]
                    if len(codes) == 1:
                        self.add(
                            school,
                            [group.pk],
                            teachers,
                            room,
                            day,
                            t(start),
                            t(end),
                            subject=subjects.get(codes[0]),
                        )
                    else:
                        for c, weeks, tid in zip(codes, (Weeks.A, Weeks.B), teachers, strict=False):
                            self.add(
                                school,
                                [group.pk],
                                [tid],
                                room,
                                day,
                                t(start),
                                t(end),
                                subject=subjects.get(c),
                                weeks=weeks,
                            )
                    placed = True
                    break
                if not placed:
                    continue

    def _room_for(self, school, code, home, labs, slot, busy_room) -> Room | None:
        if code in SHARED:
            return self.room(school, SHARED[code])
        if code not in SPECIALIST:
            return home
        for n in range(1, labs + 1):
            name = f"{SPECIALIST[code]} {n}" if labs > 1 else SPECIALIST[code]
            if (name, slot) not in busy_room:
                busy_room.add((name, slot))
                return self.room(school, name)
        return None

    # --- writing --------------------------------------------------------------------------------------

    def write(self) -> None:
        rooms = list(self.rooms.values())
        Room.objects.bulk_create(rooms, batch_size=BATCH_SIZE)
        for course in self.courses:
            if course.room is not None:
                course.room_id = course.room.pk
        TimeSlot.objects.bulk_create(self.slots, batch_size=BATCH_SIZE)
        created = Course.objects.bulk_create(self.courses, batch_size=BATCH_SIZE)
        Course.groups.through.objects.bulk_create(
            [
                Course.groups.through(course_id=c.pk, group_id=g)
                for c, ids in zip(created, self.groups, strict=True)
                for g in ids
            ],
            batch_size=BATCH_SIZE,
        )
        Course.teachers.through.objects.bulk_create(
            [
                Course.teachers.through(course_id=c.pk, person_id=p)
                for c, ids in zip(created, self.teachers, strict=True)
                for p in ids
            ],
            batch_size=BATCH_SIZE,
        )


def seed_demo(plan) -> None:
    year = SchoolYear.objects.filter(is_current=True).first()
    if year is None:
        return
    schools = {s.pk: s for s in School.objects.filter(groups__year=year).distinct()}
    groups_by_school: dict[int, list[Group]] = defaultdict(list)
    for group in Group.objects.filter(year=year, kind=GroupKind.CLASS).order_by("school_id", "level", "name"):
        groups_by_school[group.school_id].append(group)
    subjects: dict[int, dict[str, Subject]] = defaultdict(dict)
    for subject in Subject.objects.filter(school_id__in=list(schools)):
        subjects[subject.school_id][subject.code] = subject
    class_teacher: dict[int, int] = {}
    subject_teacher: dict[tuple[int, int], int] = {}
    for group_id, subject_id, teacher_id in TeachingAssignment.objects.filter(group__year=year).values_list(
        "group_id", "subject_id", "teacher_id"
    ):
        if subject_id is None:
            class_teacher.setdefault(group_id, teacher_id)
        else:
            subject_teacher.setdefault((group_id, subject_id), teacher_id)
    planner = Planner(year)
    for school_id, school in sorted(schools.items()):
        groups = groups_by_school.get(school_id, [])
        if school.kind == SchoolKind.PRIMARY:
            planner.ecole(school, groups, class_teacher)
        else:
            planner.college(school, groups, subjects[school_id], subject_teacher)
    planner.write()
    demo_changes(year)
    versions.bump()


def demo_changes(year: SchoolYear) -> None:
    """This week, in the first collège's first 6e (the demo pupil's class): a cancelled lesson and a room
    change, so that the home page and the week show what changes look like."""
    group = (
        Group.objects.filter(year=year, kind=GroupKind.CLASS, level="6e", school__kind=SchoolKind.SECONDARY)
        .order_by("school__uai", "name")
        .first()
    )
    if group is None:
        return
    from cartable.timetable.queries import Status, lessons_for_groups

    today = timezone.localdate()
    lessons = [
        lesson
        for lesson in lessons_for_groups([group.pk], today, today + timedelta(days=13))
        if lesson.status == Status.NORMAL
    ]
    if not lessons:
        return
    cancelled = lessons[0]
    changed = next(
        (lesson for lesson in lessons if lesson.date == cancelled.date and lesson is not cancelled), None
    )
    changed = changed or (lessons[1] if len(lessons) > 1 else None)
    rows = [
        CourseException(
            course_id=cancelled.course_id,
            date=cancelled.date,
            kind=ExceptionKind.CANCELLED,
            reason="Enseignant en formation",
        )
    ]
    if changed is not None:
        room = Room.objects.get_or_create(school=group.school, name="CDI")[0]
        rows.append(
            CourseException(
                course_id=changed.course_id, date=changed.date, kind=ExceptionKind.CHANGED, room=room
            )
        )
    CourseException.objects.bulk_create(rows)
