"""Who sees which week, who edits, what families hear of, and what the pages cost."""

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from cartable.directory import actions as directory
from cartable.notifications.models import Event, Notification
from cartable.timetable.models import Course, CourseException, ExceptionKind
from cartable.timetable.tests.helpers import MONDAY, course, room

pytestmark = pytest.mark.django_db

WEEK = reverse("timetable:week")


def get(client, world, name, url):
    world.login(client, name)
    return client.get(url)


def week_of(client, world, name, **params):
    query = "&".join(f"{k}={v}" for k, v in {"semaine": MONDAY.isoformat(), **params}.items())
    return get(client, world, name, f"{WEEK}?{query}")


def group_url(group) -> str:
    return f"{reverse('timetable:group', args=[group.pk])}?semaine={MONDAY.isoformat()}"


def test_pupil_sees_her_week_with_the_cancellation(client, world, week):
    body = week_of(client, world, "alice").content.decode()
    assert "Mathématiques" in body and "Anglais" in body
    assert "<s>Mathématiques</s>" in body and "Annulé" in body and "Sortie au musée" in body
    assert "Arts plastiques" not in body  # week B only
    assert "Français 5B" not in body and "Maths 6C" not in body


def test_pupil_opens_her_class_not_another(client, world, week):
    assert get(client, world, "alice", group_url(world.class_6a)).status_code == 200
    assert client.get(group_url(world.class_5b)).status_code == 404
    assert client.get(group_url(world.class_6c)).status_code == 404


def test_guardian_sees_each_child_across_schools(client, world, week):
    body = week_of(client, world, "marie").content.decode()
    assert "Emploi du temps d’Alice" in body and "Mathématiques" in body
    leo = week_of(client, world, "marie", enfant=world.person("leo").pk).content.decode()
    assert "Maths 6C" in leo and "Mathématiques" not in leo
    alice = week_of(client, world, "marie", enfant=world.person("alice").pk).content.decode()
    assert "Mathématiques" in alice and "Maths 6C" not in alice
    # Bob is not her child: 404, not his week.
    assert week_of(client, world, "marie", enfant=world.person("bob").pk).status_code == 404
    assert week_of(client, world, "marie", enfant="x").status_code == 404
    assert get(client, world, "marie", group_url(world.class_6c)).status_code == 200
    assert client.get(group_url(world.class_5b)).status_code == 404


def test_pupils_param_cannot_open_another_pupil(client, world, week):
    assert week_of(client, world, "alice", enfant=world.person("bob").pk).status_code == 404


def test_teacher_sees_his_own_week(client, world, week):
    body = week_of(client, world, "tom").content.decode()
    assert "Mathématiques" in body and "Anglais" in body and "6A" in body
    assert "Français 5B" not in body and "Arts plastiques" not in body


def test_a_teachers_sessions_lead_to_the_cahier_de_textes_and_nobody_elses_do(client, world, week):
    english = week["english"]
    tuesday = MONDAY + timedelta(days=1)
    page = week_of(client, world, "tom").content.decode()
    assert f"{reverse('homework:entry_new')}?course={english.pk}&amp;date={tuesday.isoformat()}" in page
    # Monday's maths is cancelled: nothing to write for it.
    assert f"course={week['maths'].pk}&amp;date={MONDAY.isoformat()}" not in page
    for name in ("alice", "marie"):
        assert "Remplir le cahier de textes" not in week_of(client, world, name).content.decode()


def test_teacher_cannot_open_a_class_she_does_not_teach(client, world, week):
    assert get(client, world, "tess", group_url(world.class_6a)).status_code == 404
    assert client.get(group_url(world.class_5b)).status_code == 200


def test_vie_scolaire_sees_every_class_of_her_school_only(client, world, week):
    for name in ("vera", "paul"):
        assert get(client, world, name, group_url(world.class_6a)).status_code == 200
        assert client.get(group_url(world.class_5b)).status_code == 200
        assert client.get(group_url(world.class_6c)).status_code == 404


@pytest.mark.parametrize("name", ["zoe", "zack", "xavier", "bruno"])
def test_school_b_gets_404_on_school_a_class_and_room(client, world, week, name):
    assert get(client, world, name, group_url(world.class_6a)).status_code == 404
    room_101 = room(world.school_a, "101")
    assert client.get(reverse("timetable:room", args=[room_101.pk])).status_code == 404


def test_room_week_for_staff_of_the_school(client, world, week):
    url = f"{reverse('timetable:room', args=[room(world.school_a, '101').pk])}?semaine={MONDAY.isoformat()}"
    body = get(client, world, "tess", url).content.decode()
    assert "Mathématiques" in body and "6A" in body
    assert get(client, world, "alice", url).status_code == 404
    assert get(client, world, "marie", url).status_code == 404


def test_week_navigation_links(client, world, week):
    body = week_of(client, world, "alice").content.decode()
    assert "semaine=2026-11-09" in body and "semaine=2026-11-23" in body
    # A bad date falls back to this week rather than failing.
    assert get(client, world, "alice", f"{WEEK}?semaine=n'importe").status_code == 200


def test_holiday_is_named_on_the_week(client, world, week):
    world.login(client, "alice")
    body = client.get(f"{WEEK}?semaine=2026-10-19").content.decode()
    assert "Vacances de la Toussaint" in body


def test_no_inline_style_or_script(client, world, week):
    body = week_of(client, world, "alice").content.decode()
    assert "style=" not in body and "<script>" not in body
    assert re.search(r"timetable/timetable\.[0-9a-f]{12}\.css", body)  # its own stylesheet, hashed name


# --- Editing ------------------------------------------------------------------------------------------


def change_url(course_obj) -> str:
    return reverse("timetable:change_new", args=[course_obj.pk])


@pytest.mark.parametrize("name", ["tom", "tess", "ada", "alice", "marie", "xavier", "bruno", "zoe"])
def test_only_vie_scolaire_and_direction_edit(client, world, week, name):
    world.login(client, name)
    assert client.get(reverse("timetable:manage")).status_code == 404
    assert client.get(reverse("timetable:manage_school", args=[world.school_a.uai])).status_code == 404
    assert client.get(reverse("timetable:course_edit", args=[week["maths"].pk])).status_code == 404
    answer = client.post(change_url(week["maths"]), {"kind": "cancelled", "date": "2026-11-23"})
    assert answer.status_code == 404
    assert not CourseException.objects.filter(date=date(2026, 11, 23)).exists()


def test_vie_scolaire_cannot_edit_another_school(client, world, week):
    world.login(client, "vera")
    assert client.get(reverse("timetable:course_edit", args=[week["maths_6c"].pk])).status_code == 404
    assert client.get(reverse("timetable:manage_school", args=[world.school_b.uai])).status_code == 404


def test_cancel_a_session_tells_pupils_guardians_and_teachers(
    client, world, week, django_capture_on_commit_callbacks
):
    world.login(client, "vera")
    day = MONDAY + timedelta(weeks=1)
    with django_capture_on_commit_callbacks(execute=False):
        answer = client.post(
            change_url(week["maths"]), {"kind": "cancelled", "date": day.isoformat(), "reason": "Grève"}
        )
    assert answer.status_code == 302
    change = CourseException.objects.get(date=day)
    assert change.kind == ExceptionKind.CANCELLED and change.reason == "Grève"
    told = set(Notification.objects.values_list("recipient_id", flat=True))
    p = world.person
    assert told == {p(n).pk for n in ("alice", "bob", "tom", "marie", "marc", "beatrice")}
    about = set(Event.objects.filter(notifications__recipient=p("marie")).values_list("about_id", flat=True))
    assert about == {p("alice").pk}
    assert not Notification.objects.filter(
        recipient__in=[p("carl"), p("gino"), p("tess"), p("vera")]
    ).exists()
    event = Event.objects.filter(about__isnull=True).get()
    from cartable.notifications.kinds import kind_of

    assert "annulé" in kind_of(event.kind).text(event.data) and "Grève" in kind_of(event.kind).text(
        event.data
    )


def test_room_change_and_replacement_by_the_principal(client, world, week):
    world.login(client, "paul")
    day = MONDAY + timedelta(weeks=1)
    answer = client.post(
        change_url(week["maths"]),
        {"kind": "changed", "date": day.isoformat(), "room": "CDI", "replacement": world.person("tess").pk},
    )
    assert answer.status_code == 302
    assert Notification.objects.filter(recipient=world.person("tess")).exists()
    body = client.get(f"{group_url(world.class_6a).split('?')[0]}?semaine={day.isoformat()}").content.decode()
    assert "CDI" in body and "Tess MOREAU" in body


def test_bad_change_keeps_the_form_and_writes_nothing(client, world, week):
    world.login(client, "vera")
    day = MONDAY + timedelta(weeks=1)
    answer = client.post(change_url(week["maths"]), {"kind": "changed", "date": day.isoformat()})
    assert answer.status_code == 200
    assert "Indiquez la nouvelle salle ou le remplaçant." in answer.content.decode()
    # A Tuesday: the course does not happen that day.
    answer = client.post(
        change_url(week["maths"]), {"kind": "cancelled", "date": "2026-11-24", "reason": "x"}
    )
    assert answer.status_code == 200 and "n&#x27;a pas lieu ce jour-là" in answer.content.decode()
    assert not CourseException.objects.filter(date__gt=MONDAY).exists()
    assert not Event.objects.exists()


def test_remove_a_change(client, world, week):
    world.login(client, "vera")
    change = CourseException.objects.get()
    assert client.post(reverse("timetable:change_delete", args=[change.pk])).status_code == 302
    assert not CourseException.objects.exists()
    assert Notification.objects.filter(recipient=world.person("alice")).exists()


def test_add_and_edit_a_course(client, world, week):
    world.login(client, "vera")
    url = reverse("timetable:course_new", args=[world.school_a.uai])
    assert client.get(f"{url}?classe={world.class_5b.pk}").status_code == 200
    data = {
        "groups": [world.class_5b.pk],
        "subject": world.maths.pk,
        "teachers": [world.person("tess").pk],
        "room": "204",
        "weekday": 4,
        "start": "14:00",
        "end": "15:00",
        "weeks": "B",
    }
    assert client.post(url, data).status_code == 302
    created = Course.objects.get(weekday=4, school=world.school_a)
    assert created.room is not None and created.room.name == "204" and created.weeks == "B"
    assert Notification.objects.filter(recipient=world.person("carl")).exists()
    edit = reverse("timetable:course_edit", args=[created.pk])
    assert client.post(edit, {**data, "room": "205", "end": "13:00"}).status_code == 200  # ends before start
    created.refresh_from_db()
    assert created.room is not None and created.room.name == "204"
    assert client.post(edit, {**data, "room": "205"}).status_code == 302
    created.refresh_from_db()
    assert created.room is not None and created.room.name == "205"


def test_a_form_cannot_use_another_schools_class(client, world, week):
    world.login(client, "vera")
    url = reverse("timetable:course_new", args=[world.school_a.uai])
    data = {
        "groups": [world.class_6c.pk],
        "label": "X",
        "weekday": 0,
        "start": "08:00",
        "end": "09:00",
        "weeks": "every",
    }
    assert client.post(url, data).status_code == 200
    assert not Course.objects.filter(label="X").exists()


def test_end_a_course(client, world, week):
    world.login(client, "vera")
    url = reverse("timetable:course_end", args=[week["maths"].pk])
    assert client.post(url, {"last_day": "2026-11-20"}).status_code == 302
    week["maths"].refresh_from_db()
    assert week["maths"].valid_until == date(2026, 11, 20)


def test_settings_of_the_school(client, world, week):
    world.login(client, "paul")
    url = reverse("timetable:manage_school", args=[world.school_a.uai])
    assert client.post(url, {"zone": "A", "week_a_monday": "2026-11-11"}).status_code == 302
    from cartable.timetable.models import TimetableSettings

    row = TimetableSettings.objects.get(school=world.school_a)
    assert row.zone == "A" and row.week_a_monday == date(2026, 11, 9)


# --- Home widget --------------------------------------------------------------------------------------

PARIS = ZoneInfo("Europe/Paris")


@time_machine.travel(datetime(2026, 11, 16, 7, 30, tzinfo=PARIS), tick=False)
def test_home_widget_shows_todays_changes(client, world, week):
    CourseException.objects.create(
        course=course(world, world.class_6a, start=time(9), end=time(10), label="Histoire"),
        date=MONDAY,
        kind=ExceptionKind.CHANGED,
        room=room(world.school_a, "CDI"),
    )
    body = get(client, world, "alice", "/").content.decode()
    assert "Mes cours aujourd&#x27;hui" in body or "Mes cours aujourd'hui" in body
    assert "<s>Mathématiques</s>" in body and "Annulé" in body
    assert "<strong>CDI</strong>" in body and "<s>Salle 101</s>" in body
    body = get(client, world, "marie", f"/?enfant={world.person('alice').pk}").content.decode()
    assert "Aujourd'hui pour Alice" in body and "<s>Mathématiques</s>" in body
    body = get(client, world, "tom", "/").content.decode()
    assert "<s>Mathématiques</s>" in body
    assert "Mes cours aujourd" not in get(client, world, "ada", "/").content.decode()


@time_machine.travel(datetime(2026, 11, 16, 7, 30, tzinfo=PARIS), tick=False)
def test_home_widget_costs_no_query_once_cached(client, world, week, django_assert_max_num_queries):
    world.login(client, "alice")
    client.get("/")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        client.get("/")
    assert not any("timetable_" in q["sql"] for q in queries.captured_queries)
    # A change is seen at once: the timetable version moved.
    world.login(client, "vera")
    client.post(change_url(week["maths"]), {"kind": "changed", "date": MONDAY.isoformat(), "room": "Gymnase"})
    body = get(client, world, "alice", "/").content.decode()
    assert "Gymnase" in body


# --- Query counts -------------------------------------------------------------------------------------


def count(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_week_query_counts_are_pinned_and_do_not_grow(client, world, week, django_assert_max_num_queries):
    world.login(client, "marie")
    url = f"{WEEK}?semaine={MONDAY.isoformat()}"
    client.get(url)  # the first request records the charter in the session and fills the caches
    # Session, user, the child's groups, then the lessons: courses, their groups, their teachers, changes.
    with django_assert_max_num_queries(7):
        client.get(url)
    before = count(client, url)
    # More children, more courses, more teachers: the same number of queries.
    for n in range(3):
        child = world.add_pupil(f"Enfant{n}", "Martin", world.class_5b)
        directory.link_guardian(world.person("marie"), child)
    for n in range(8):
        course(
            world,
            world.class_6a,
            weekday=n % 5,
            start=time(14),
            end=time(15),
            label=f"Option {n}",
            teachers=[world.person("tom"), world.person("tess")],
            room_name=f"R{n}",
        )
    assert count(client, url) == before
    world.login(client, "tom")
    tom_before = count(client, url)
    directory.assign_teaching(world.person("tom"), world.class_5b, world.maths)
    course(world, world.class_5b, weekday=3, teachers=[world.person("tom")], label="Maths 5B")
    assert count(client, url) == tom_before <= 8  # and the second-factor device
    world.login(client, "alice")
    assert count(client, url) <= 6  # her groups come with the access facts
    world.login(client, "vera")
    class_url = group_url(world.class_6a)
    client.get(class_url)
    with django_assert_max_num_queries(8):
        client.get(class_url)


# --- The time grid --------------------------------------------------------------------------------------


def test_time_grid_is_kept_by_vie_scolaire_and_offered_for_new_courses(client, world, week):
    from cartable.timetable.models import TimeSlot

    world.login(client, "vera")
    url = reverse("timetable:slot_add", args=[world.school_a.uai])
    assert (
        client.post(url, {"weekday": 2, "label": "M3", "start": "10:05", "end": "11:00"}).status_code == 302
    )
    slot = TimeSlot.objects.get(school=world.school_a)
    # Twice the same start on one day, or an end before the start: refused with a message, nothing written.
    answer = client.post(url, {"weekday": 2, "label": "X", "start": "10:05", "end": "11:30"}, follow=True)
    assert "déjà un créneau" in answer.content.decode()
    answer = client.post(url, {"weekday": 2, "start": "12:00", "end": "11:00"}, follow=True)
    assert "Créneau non ajouté" in answer.content.decode()
    assert TimeSlot.objects.count() == 1
    page = client.get(reverse("timetable:manage_school", args=[world.school_a.uai])).content.decode()
    assert "M3 — 10:05–11:00" in page
    # A course entered with the slot takes its day and times.
    new = reverse("timetable:course_new", args=[world.school_a.uai])
    assert "Mercredi M3 — 10:05–11:00" in client.get(new).content.decode()
    answer = client.post(
        new, {"groups": [world.class_6a.pk], "label": "Chorale", "slot": slot.pk, "weeks": "every"}
    )
    assert answer.status_code == 302
    chorale = Course.objects.get(label="Chorale")
    assert (chorale.weekday, chorale.start, chorale.end) == (2, time(10, 5), time(11))
    # Without a slot, the day and times are needed.
    answer = client.post(new, {"groups": [world.class_6a.pk], "label": "Sans heure", "weeks": "every"})
    assert answer.status_code == 200 and "Choisissez un créneau" in answer.content.decode()
    assert client.post(reverse("timetable:slot_delete", args=[slot.pk])).status_code == 302
    assert not TimeSlot.objects.exists()


def test_another_schools_grid_is_out_of_reach(client, world, week):
    from cartable.timetable.models import TimeSlot

    slot_b = TimeSlot.objects.create(school=world.school_b, weekday=0, start=time(8), end=time(9))
    world.login(client, "vera")
    assert client.post(reverse("timetable:slot_delete", args=[slot_b.pk])).status_code == 404
    assert client.post(reverse("timetable:slot_add", args=[world.school_b.uai]), {}).status_code == 404
    # A slot of another school cannot be chosen for a course.
    new = reverse("timetable:course_new", args=[world.school_a.uai])
    answer = client.post(
        new, {"groups": [world.class_6a.pk], "label": "X", "slot": slot_b.pk, "weeks": "every"}
    )
    assert answer.status_code == 200 and not Course.objects.filter(label="X").exists()
    assert TimeSlot.objects.filter(pk=slot_b.pk).exists()
