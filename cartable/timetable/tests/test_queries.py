"""What happens when: A/B weeks, holidays, validity dates and the changes of one day."""

from datetime import date, time, timedelta

import pytest

from cartable.timetable import queries, versions
from cartable.timetable.models import CourseException, ExceptionKind, SchoolHoliday, TimetableSettings
from cartable.timetable.queries import Status
from cartable.timetable.tests.helpers import MONDAY, course, room, settings_for

pytestmark = pytest.mark.django_db


def lessons(world, start, end, group=None):
    return queries.lessons_for_groups([(group or world.class_6a).pk], start, end)


def test_week_a_and_week_b_alternate(world, week):
    # MONDAY (16 Nov) is a week A when 2 Nov is; 23 Nov is a week B.
    tuesday = MONDAY + timedelta(days=1)
    assert [lesson.subject for lesson in lessons(world, tuesday, tuesday)] == ["Anglais"]
    next_tuesday = tuesday + timedelta(weeks=1)
    assert [lesson.subject for lesson in lessons(world, next_tuesday, next_tuesday)] == ["Arts plastiques"]
    assert {lesson.week for lesson in lessons(world, MONDAY, MONDAY + timedelta(days=4))} == {"A"}


def test_holiday_weeks_do_not_count_in_the_alternation(world, week):
    # Week A on 12 Oct 2026; the two Toussaint weeks (17 Oct – 1 Nov) have no school day: 2 Nov is a week B.
    settings_for(world, week_a_monday=date(2026, 10, 12))
    tuesday = date(2026, 11, 3)
    assert [lesson.subject for lesson in lessons(world, tuesday, tuesday)] == ["Arts plastiques"]
    assert [(x.subject, x.week) for x in lessons(world, date(2026, 10, 13), date(2026, 10, 13))] == [
        ("Anglais", "A")
    ]


def test_no_lesson_during_the_holidays(world, week):
    assert lessons(world, date(2026, 10, 19), date(2026, 10, 30)) == []  # Toussaint, every zone
    assert lessons(world, date(2026, 11, 11), date(2026, 11, 11)) == []  # 11 November, a Wednesday
    assert lessons(world, date(2026, 11, 9), date(2026, 11, 9)) != []


def test_winter_holidays_follow_the_school_zone(world, week):
    # 8 Feb 2027: zone C is on holiday, zone A is not (zone A: 13–28 Feb).
    day = date(2027, 2, 8)
    assert lessons(world, day, day) == []
    settings_for(world, zone="A")
    assert [lesson.subject for lesson in lessons(world, day, day)] == ["Mathématiques"]
    assert lessons(world, date(2027, 2, 15), date(2027, 2, 15)) == []


def test_zone_comes_from_the_academy_without_settings(world, week):
    TimetableSettings.objects.all().delete()
    versions.bump()
    # School A is in the académie de Paris: zone C.
    assert queries.zone_of_academy("Paris") == "C"
    assert queries.zone_of_academy("Académie de Clermont-Ferrand") == "A"
    assert lessons(world, date(2027, 2, 8), date(2027, 2, 8)) == []


def test_the_2026_2027_calendar_is_seeded():
    assert SchoolHoliday.objects.filter(start=date(2026, 10, 17), end=date(2026, 11, 1), zone="").exists()
    assert SchoolHoliday.objects.filter(start=date(2026, 12, 19), end=date(2027, 1, 3), zone="").exists()
    winter = dict(SchoolHoliday.objects.filter(name="Vacances d'hiver").values_list("zone", "start"))
    assert winter == {"A": date(2027, 2, 13), "B": date(2027, 2, 20), "C": date(2027, 2, 6)}
    spring = dict(SchoolHoliday.objects.filter(name="Vacances de printemps").values_list("zone", "start"))
    assert spring == {"A": date(2027, 4, 10), "B": date(2027, 4, 17), "C": date(2027, 4, 3)}
    assert SchoolHoliday.objects.filter(start=date(2027, 7, 3), zone="").exists()


def test_validity_dates(world):
    settings_for(world)
    course(
        world, world.class_6a, label="Atelier", valid_from=date(2026, 11, 16), valid_until=date(2026, 11, 30)
    )
    found = [lesson.date for lesson in lessons(world, date(2026, 11, 2), date(2026, 12, 14))]
    assert found == [date(2026, 11, 16), date(2026, 11, 23), date(2026, 11, 30)]


def test_no_lesson_outside_the_school_year(world):
    settings_for(world)
    course(world, world.class_6a, label="Atelier")
    assert lessons(world, date(2026, 8, 24), date(2026, 8, 31)) == []
    assert lessons(world, date(2027, 7, 5), date(2027, 7, 12)) == []


def test_cancellation(world, week):
    (maths,) = lessons(world, MONDAY, MONDAY)
    assert maths.status == Status.CANCELLED and maths.reason == "Sortie au musée"
    assert maths.uid == f"course-{week['maths'].pk}-20261116@cartable"
    (usual,) = lessons(world, MONDAY + timedelta(weeks=1), MONDAY + timedelta(weeks=1))
    assert usual.status == Status.NORMAL


def test_room_change_and_replacement(world, week):
    day = MONDAY + timedelta(weeks=1)
    CourseException.objects.create(
        course=week["maths"],
        date=day,
        kind=ExceptionKind.CHANGED,
        room=room(world.school_a, "CDI"),
        replacement=world.person("tess"),
    )
    (lesson,) = lessons(world, day, day)
    assert lesson.status == Status.CHANGED
    assert lesson.room == "CDI" and lesson.usual_room == "101" and lesson.room_changed
    assert [t.name for t in lesson.teachers] == ["Tess MOREAU"]
    assert "Tess MOREAU" in queries.describe(lesson)
    # The replacement sees the session in her week, Tom still sees his own (marked changed).
    assert [x.status for x in queries.lessons_for_teacher(world.person("tess"), day, day)] == [Status.CHANGED]
    assert [x.status for x in queries.lessons_for_teacher(world.person("tom"), day, day)] == [Status.CHANGED]
    # The room's week shows it; room 101 shows the session moved out.
    cdi = room(world.school_a, "CDI")
    assert [x.subject for x in queries.lessons_for_room(cdi, day, day)] == ["Mathématiques"]


def test_moved_and_extra_sessions(world, week):
    day = MONDAY + timedelta(weeks=1)
    CourseException.objects.create(
        course=week["maths"],
        date=day,
        kind=ExceptionKind.MOVED,
        new_date=day + timedelta(days=3),
        start=time(14),
        end=time(15),
    )
    CourseException.objects.create(
        course=week["maths"],
        date=day + timedelta(days=4),
        kind=ExceptionKind.EXTRA,
        start=time(16),
        end=time(17),
    )
    found = lessons(world, day, day + timedelta(days=4))
    by_status = {x.status: x for x in found if x.subject == "Mathématiques"}
    assert by_status[Status.CANCELLED].moved_to == day + timedelta(days=3)
    moved = by_status[Status.MOVED]
    assert (moved.date, moved.start, moved.moved_from) == (day + timedelta(days=3), time(14), day)
    extra = by_status[Status.EXTRA]
    assert (extra.date, extra.start, extra.end) == (day + timedelta(days=4), time(16), time(17))
    assert len({x.uid for x in found}) == len(found)


def test_a_pupil_sees_the_courses_of_all_their_groups(world, week):
    from cartable.directory import actions as directory
    from cartable.directory.models import Group, GroupKind

    latin = Group.objects.create(
        school=world.school_a, year=world.year, name="Latin 6e", kind=GroupKind.TEACHING
    )
    directory.enrol(world.person("alice"), latin)
    course(world, latin, weekday=4, label="Latin")
    friday = MONDAY + timedelta(days=4)
    assert [x.subject for x in queries.lessons_for_pupil(world.person("alice"), friday, friday)] == ["Latin"]
    assert queries.lessons_for_pupil(world.person("bob"), friday, friday) == []


def test_query_count_does_not_grow_with_courses_groups_or_weeks(world, week, django_assert_num_queries):
    # Courses, their groups, their teachers, the changes; and once, the holidays and the schools' settings.
    with django_assert_num_queries(6):
        queries.lessons_for_groups([world.class_6a.pk], MONDAY, MONDAY + timedelta(days=6))
    with django_assert_num_queries(4):
        queries.lessons_for_groups([world.class_6a.pk], MONDAY, MONDAY + timedelta(days=6))
    for n in range(10):
        course(world, world.class_5b, weekday=n % 5, start=time(13), end=time(14), label=f"Option {n}")
    with django_assert_num_queries(4):
        found = queries.lessons_for_groups(
            [world.class_6a.pk, world.class_5b.pk], MONDAY, MONDAY + timedelta(weeks=8)
        )
    assert len(found) > 50
    with django_assert_num_queries(5):  # and the ids of the teacher's courses
        queries.lessons_for_teacher(world.person("tom"), MONDAY, MONDAY + timedelta(weeks=8))
