"""A replacement, a room change, a moved or an extra session that puts a teacher or a room in two lessons at
once is shown with the lessons it collides with, and saved only when the manager confirms; rooms are offered
from the school's list."""

import re
from datetime import date, time, timedelta

import pytest
from django.urls import reverse

from cartable.directory import actions as directory
from cartable.directory.models import Profile
from cartable.notifications.models import Event
from cartable.timetable.conflicts import Booking, find_conflicts, usual_session
from cartable.timetable.models import CourseException, ExceptionKind, Room
from cartable.timetable.tests.helpers import MONDAY, course, room

pytestmark = pytest.mark.django_db

WEDNESDAY = MONDAY + timedelta(days=2)


@pytest.fixture
def history(world, week):
    """Tom also teaches 6A's history on Wednesday 8:00–9:00 in room 103, when Tess teaches French to 5B in
    room 202."""
    return course(
        world, world.class_6a, weekday=2, label="Histoire", teachers=[world.person("tom")], room_name="103"
    )


def change(client, course_obj, **data):
    return client.post(reverse("timetable:change_new", args=[course_obj.pk]), data)


def test_a_replacement_who_already_teaches_then_is_shown_and_nothing_is_saved(client, world, week, history):
    world.login(client, "vera")
    data = {"kind": "changed", "date": WEDNESDAY.isoformat(), "replacement": world.person("tom").pk}
    answer = change(client, week["french_5b"], **data)
    assert answer.status_code == 200
    body = answer.content.decode()
    assert "Conflits avec d" in body
    assert "<strong>Tom LEROY</strong> a déjà cours" in body
    assert "Histoire (6A)" in body and "mercredi 18 novembre 08:00</time>–09:00" in body
    assert 'name="confirm_conflicts" value="1"' in body
    assert not CourseException.objects.filter(date=WEDNESDAY).exists()
    assert not Event.objects.exists()
    # The explicit confirmation (the second button) saves it anyway, without any script.
    answer = change(client, week["french_5b"], **data, confirm_conflicts="1")
    assert answer.status_code == 302
    saved = CourseException.objects.get(date=WEDNESDAY)
    assert saved.replacement == world.person("tom") and saved.kind == ExceptionKind.CHANGED


def test_a_room_already_used_then_is_a_conflict_whatever_the_case_typed(client, world, week, history):
    world.login(client, "paul")
    answer = change(client, week["french_5b"], kind="changed", date=WEDNESDAY.isoformat(), room=" 103 ")
    body = answer.content.decode()
    assert answer.status_code == 200 and "<strong>Salle 103</strong> est déjà occupée" in body
    assert "Histoire (6A)" in body
    room(world.school_a, "CDI")
    history.room = room(world.school_a, "CDI")
    history.save()
    answer = change(client, week["french_5b"], kind="changed", date=WEDNESDAY.isoformat(), room="cdi")
    assert "<strong>CDI</strong> est déjà occupée" in answer.content.decode()
    assert not CourseException.objects.filter(date=WEDNESDAY).exists()


def test_no_conflict_saves_at_once_and_a_new_room_is_created(client, world, week, history):
    world.login(client, "vera")
    answer = change(client, week["french_5b"], kind="changed", date=WEDNESDAY.isoformat(), room="Gymnase")
    assert answer.status_code == 302
    assert CourseException.objects.get(date=WEDNESDAY).room == Room.objects.get(name="Gymnase")
    # Typed in another case, the same room is used, not a second one.
    answer = change(
        client,
        week["french_5b"],
        kind="changed",
        date=(WEDNESDAY + timedelta(weeks=1)).isoformat(),
        room="gymnase",
    )
    assert answer.status_code == 302
    assert Room.objects.filter(school=world.school_a, name__iexact="gymnase").count() == 1


def test_a_cancelled_lesson_and_the_session_itself_are_no_conflict(client, world, week, history):
    """Tom's maths of MONDAY is cancelled: he is free to replace Tess then. Keeping 101 for maths is no
    conflict with maths itself."""
    monday_5b = course(
        world, world.class_5b, label="Étude 5B", teachers=[world.person("tess")], room_name="202"
    )
    world.login(client, "vera")
    answer = change(
        client, monday_5b, kind="changed", date=MONDAY.isoformat(), replacement=world.person("tom").pk
    )
    assert answer.status_code == 302
    next_monday = (MONDAY + timedelta(weeks=1)).isoformat()
    assert change(client, week["maths"], kind="changed", date=next_monday, room="101").status_code == 302
    # The next Monday Tom's maths takes place: replacing Tess then collides.
    answer = change(client, monday_5b, kind="changed", date=next_monday, replacement=world.person("tom").pk)
    assert answer.status_code == 200 and "Mathématiques (6A)" in answer.content.decode()


def test_a_session_moved_or_added_onto_a_busy_teacher_is_a_conflict(client, world, week, history):
    world.login(client, "vera")
    tuesday = MONDAY + timedelta(days=1)  # English, week A, Tom
    moved = {
        "kind": "moved",
        "date": tuesday.isoformat(),
        "new_date": WEDNESDAY.isoformat(),
        "start": "08:30",
        "end": "09:30",
    }
    answer = change(client, week["english"], **moved)
    assert answer.status_code == 200 and "Histoire (6A)" in answer.content.decode()
    assert change(client, week["english"], **{**moved, "start": "09:00", "end": "10:00"}).status_code == 302
    extra = {"kind": "extra", "date": WEDNESDAY.isoformat(), "start": "08:00", "end": "08:30", "room": "202"}
    answer = change(client, week["maths"], **extra)
    body = answer.content.decode()
    assert answer.status_code == 200
    assert "<strong>Tom LEROY</strong> a déjà cours" in body and "<strong>Salle 202</strong>" in body
    assert "Français 5B (5B)" in body


def test_another_schools_lesson_is_a_conflict_without_its_details(client, world, week):
    """Xavier teaches 6C in school B on Thursday 8:00; he also works in school A. School A's vie scolaire
    learns he is busy, not with which class."""
    xavier = world.person("xavier")
    directory.add_membership(xavier, world.school_a, Profile.TEACHER)
    thursday_6a = course(world, world.class_6a, weekday=3, label="Sciences", teachers=[world.person("tom")])
    world.login(client, "vera")
    thursday = (MONDAY + timedelta(days=3)).isoformat()
    answer = change(client, thursday_6a, kind="changed", date=thursday, replacement=xavier.pk)
    body = answer.content.decode()
    assert answer.status_code == 200
    assert "<strong>Xavier GIRARD</strong> a déjà cours" in body
    assert "un cours dans un autre établissement" in body
    assert "Maths 6C" not in body and "(6C)" not in body


def test_rooms_are_offered_from_the_schools_list(client, world, week):
    room(world.school_b, "B-secret")
    world.login(client, "vera")
    body = client.get(reverse("timetable:change_new", args=[week["maths"].pk])).content.decode()
    assert 'list="id_room_rooms"' in body and '<datalist id="id_room_rooms">' in body
    assert '<option value="101">' in body and '<option value="202">' in body
    # Word boundaries: a random token of the page (CSRF) may hold the letters "B1".
    assert "B-secret" not in body and not re.search(r"\bB1\b", body)
    body = client.get(reverse("timetable:course_edit", args=[week["maths"].pk])).content.decode()
    assert '<option value="202">' in body and "B-secret" not in body


def test_the_check_costs_the_same_queries_for_one_session_or_a_term(
    world, week, history, django_assert_num_queries
):
    tom, tess = world.person("tom").pk, world.person("tess").pk
    one = [Booking(WEDNESDAY, time(8), time(9), frozenset([tom]), room(world.school_a, "202").pk)]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    find_conflicts(world.school_a.pk, one)  # the school calendars come from the shared cache afterwards
    with CaptureQueriesContext(connection) as single:
        found = find_conflicts(world.school_a.pk, one)
    assert {c.lesson.subject for c in found} == {"Histoire", "Français 5B"}
    for n in range(6):
        course(
            world,
            world.class_5b,
            weekday=n % 5,
            start=time(14),
            end=time(15),
            label=f"Option {n}",
            teachers=[world.person("tom"), world.person("tess")],
            room_name=f"R{n}",
        )
    term = [
        Booking(
            MONDAY + timedelta(days=d),
            time(8),
            time(16),
            frozenset([tom, tess]),
            room(world.school_a, f"R{d % 6}").pk,
            usual_session(week["maths"].pk, MONDAY),
        )
        for d in range(0, 70)
    ]
    with django_assert_num_queries(len(single)):
        found = find_conflicts(world.school_a.pk, term)
    # The courses changed onto those days, the courses, their groups, their teachers, their changes.
    assert len(single) <= 5
    assert any(c.lesson.subject == "Option 3" for c in found)
    assert date(2026, 12, 28) not in {c.lesson.date for c in found}  # Christmas holidays: no lesson
