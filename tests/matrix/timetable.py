"""Access matrix of the timetable: weeks, class and room pages, editing, import, calendar feed."""

from __future__ import annotations

from datetime import time

from cartable.timetable import actions
from cartable.timetable.models import CalendarToken, Course, CourseException, ExceptionKind, Room, TimeSlot
from tests.matrix import Route, console, expect, logged_in
from tests.world import World

SCHOOL_A_STAFF = ("tom", "tess", "vera", "paul", "ada", "root")
MANAGERS = ("vera", "paul")
SIXTH_A = ("alice", "bob", "marie", "marc", "beatrice", "tom", "vera", "paul", "ada", "root")


def _room(w: World) -> int:
    return Room.objects.get_or_create(school=w.school_a, name="101")[0].pk


def _course(w: World) -> int:
    found = Course.objects.filter(school=w.school_a, label="Étude").first()
    if found is None:
        found = Course.objects.create(
            school=w.school_a,
            year=w.year,
            label="Étude",
            room_id=_room(w),
            weekday=0,
            start=time(8),
            end=time(9),
        )
        found.groups.add(w.class_6a)
        found.teachers.add(w.person("tom"))
    return found.pk


def _change(w: World) -> int:
    from datetime import date

    return CourseException.objects.get_or_create(
        course_id=_course(w), date=date(2026, 11, 16), kind=ExceptionKind.CANCELLED
    )[0].pk


def _slot(w: World) -> int:
    return TimeSlot.objects.get_or_create(
        school=w.school_a, weekday=0, start=time(8), defaults={"end": time(9)}
    )[0].pk


def _token_of_alice(w: World) -> int:
    CalendarToken.objects.filter(user=w.alice).update(revoked_at=None)
    return CalendarToken.objects.get_or_create(
        user=w.alice, defaults={"token_hash": actions.token_hash("a" * 43)}
    )[0].pk


def _feed(w: World) -> str:
    _token_of_alice(w)
    return f"/emploi-du-temps/ical/{'a' * 43}.ics"


def only(names: tuple[str, ...], status: int, other: int = 404) -> dict[str, int]:
    return expect(other, anon=302, **dict.fromkeys(names, status))


ROUTES: dict[str, Route] = {
    "timetable:week": Route(lambda w: "/emploi-du-temps/"),
    "timetable:index": Route(lambda w: "/emploi-du-temps/classes"),
    "timetable:group": Route(lambda w: f"/emploi-du-temps/classe/{w.class_6a.pk}"),
    "timetable:room": Route(lambda w: f"/emploi-du-temps/salle/{_room(w)}"),
    "timetable:manage": Route(lambda w: "/emploi-du-temps/gestion/"),
    "timetable:manage_school": Route(lambda w: f"/emploi-du-temps/gestion/{w.school_a.uai}/"),
    "timetable:course_new": Route(lambda w: f"/emploi-du-temps/gestion/{w.school_a.uai}/cours/nouveau"),
    "timetable:slot_add": Route(lambda w: f"/emploi-du-temps/gestion/{w.school_a.uai}/creneaux", "post"),
    "timetable:teacher_absent": Route(lambda w: f"/emploi-du-temps/gestion/{w.school_a.uai}/absence"),
    "timetable:slot_delete": Route(
        lambda w: f"/emploi-du-temps/gestion/creneau/{_slot(w)}/supprimer", "post"
    ),
    "timetable:course_edit": Route(lambda w: f"/emploi-du-temps/gestion/cours/{_course(w)}"),
    "timetable:course_end": Route(lambda w: f"/emploi-du-temps/gestion/cours/{_course(w)}/fin", "post"),
    "timetable:change_new": Route(lambda w: f"/emploi-du-temps/gestion/cours/{_course(w)}/modification"),
    "timetable:change_delete": Route(
        lambda w: f"/emploi-du-temps/gestion/modification/{_change(w)}/supprimer", "post"
    ),
    "timetable:import": Route(lambda w: f"/emploi-du-temps/import/{w.school_a.uai}"),
    "timetable:import_confirm": Route(
        lambda w: f"/emploi-du-temps/import/{w.school_a.uai}/confirmer", "post"
    ),
    "timetable:token_create": Route(lambda w: "/emploi-du-temps/agenda/nouvelle-adresse", "post"),
    "timetable:token_revoke": Route(
        lambda w: f"/emploi-du-temps/agenda/{_token_of_alice(w)}/revoquer", "post"
    ),
    "timetable:feed": Route(_feed),
}

MATRIX: dict[str, dict[str, int]] = {
    "timetable:week": logged_in(200),
    "timetable:index": logged_in(200),
    # The class's pupils and their guardians, its teachers, the school-wide staff, the platform admin.
    "timetable:group": only(SIXTH_A, 200),
    # Rooms: the school's staff.
    "timetable:room": only(SCHOOL_A_STAFF, 200),
    "timetable:manage": only(MANAGERS, 302),
    "timetable:manage_school": only(MANAGERS, 200),
    "timetable:course_new": only(MANAGERS, 200),
    "timetable:slot_add": only(MANAGERS, 302),  # an empty form: back to the page with a message
    "timetable:teacher_absent": only(MANAGERS, 200),
    "timetable:slot_delete": only(MANAGERS, 302),
    "timetable:course_edit": only(MANAGERS, 200),
    "timetable:course_end": only(MANAGERS, 302),  # no date given: back to the course with a message
    "timetable:change_new": only(MANAGERS, 200),
    "timetable:change_delete": only(MANAGERS, 302),
    "timetable:import": console(ada=200),
    "timetable:import_confirm": console(ada=302),
    "timetable:token_create": logged_in(302),
    # Alice's address: only Alice revokes it.
    "timetable:token_revoke": only(("alice",), 302),
    # The secret address is the only key: no session needed, none used.
    "timetable:feed": expect(200),
}
