"""Timetable data for tests, on top of the permission world."""

from __future__ import annotations

from datetime import date, time

from cartable.directory.models import Group, Person, Subject
from cartable.timetable import versions
from cartable.timetable.models import Course, Room, TimetableSettings, Weeks

# A week of school in the world's year (2026-2027): Monday 16 November 2026 (after the Toussaint), a week A
# when week A is the week of 2 November.
MONDAY = date(2026, 11, 16)


def settings_for(world, zone: str = "C", week_a_monday: date = date(2026, 11, 2)) -> TimetableSettings:
    row = TimetableSettings.objects.update_or_create(
        school=world.school_a, defaults={"zone": zone, "week_a_monday": week_a_monday}
    )[0]
    versions.bump()  # written directly, not through the action that would bump it
    return row


def room(school, name: str) -> Room:
    return Room.objects.get_or_create(school=school, name=name)[0]


def course(
    world,
    group: Group,
    *,
    weekday: int = 0,
    start: time = time(8, 0),
    end: time = time(9, 0),
    subject: Subject | None = None,
    teachers: list[Person] | None = None,
    room_name: str = "101",
    weeks: str = Weeks.EVERY,
    valid_from: date | None = None,
    valid_until: date | None = None,
    label: str = "",
) -> Course:
    c = Course.objects.create(
        school=group.school,
        year=world.year,
        subject=subject,
        label=label,
        room=room(group.school, room_name) if room_name else None,
        weekday=weekday,
        start=start,
        end=end,
        weeks=weeks,
        valid_from=valid_from,
        valid_until=valid_until,
    )
    c.groups.add(group)
    if teachers:
        c.teachers.add(*teachers)
    return c
