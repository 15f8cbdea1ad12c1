"""A teacher's absence: vie scolaire or direction cancel, or hand to a replacement, every session the teacher
was to give over a period in one step, after a preview; each person concerned hears of it once."""

from collections import Counter
from datetime import time, timedelta

import pytest
from django.urls import reverse

from cartable.directory import actions as directory
from cartable.notifications.kinds import kind_of
from cartable.notifications.models import Event, Notification
from cartable.timetable.models import CourseException, ExceptionKind
from cartable.timetable.tests.helpers import MONDAY, course, room

pytestmark = pytest.mark.django_db

FRIDAY_AFTER = MONDAY + timedelta(days=11)  # two weeks: 16 to 27 November 2026


@pytest.fixture
def history(world, week):
    """Tom also teaches 6A's history on Wednesdays 8:00–9:00, when Tess teaches 5B."""
    return course(
        world, world.class_6a, weekday=2, label="Histoire", teachers=[world.person("tom")], room_name="103"
    )


def url(world, school=None) -> str:
    return reverse("timetable:teacher_absent", args=[(school or world.school_a).uai])


def absence(world, **more) -> dict:
    return {
        "teacher": world.person("tom").pk,
        "start": MONDAY.isoformat(),
        "end": FRIDAY_AFTER.isoformat(),
        "what": "cancel",
        "reason": "Formation",
        **more,
    }


def previewed(world, replacement="") -> str:
    return f"{world.person('tom').pk}:{MONDAY.isoformat()}:{FRIDAY_AFTER.isoformat()}:{replacement}"


def test_the_preview_counts_the_sessions_and_writes_nothing(client, world, week, history):
    world.login(client, "vera")
    assert client.get(url(world)).status_code == 200
    before = CourseException.objects.count()
    answer = client.post(url(world), absence(world))
    body = answer.content.decode()
    assert answer.status_code == 200
    # Maths on the 23rd (the 16th is already cancelled), English on the 17th (week A only), history twice.
    assert "4 séances concernées" in body and "Annuler 4 séances" in body
    assert "lundi 23 novembre 08:00" in body and "mardi 17 novembre 10:00" in body
    assert "mardi 24 novembre" not in body and "lundi 16 novembre" not in body
    assert CourseException.objects.count() == before and not Event.objects.exists()
    # Saving choices other than those previewed previews them again rather than saving.
    other = absence(world, end=(FRIDAY_AFTER - timedelta(weeks=1)).isoformat(), save="1")
    answer = client.post(url(world), {**other, "previewed": previewed(world)})
    assert answer.status_code == 200 and "2 séances concernées" in answer.content.decode()
    assert CourseException.objects.count() == before and not Event.objects.exists()


def test_cancel_every_session_with_one_notification_per_person(
    client, world, week, history, django_capture_on_commit_callbacks
):
    # Marie has a second child in 6A: still one notification for her.
    eva = world.add_pupil("Eva", "Martin", world.class_6a)
    directory.link_guardian(world.person("marie"), eva)
    extra = CourseException.objects.create(
        course=week["maths"],
        date=MONDAY + timedelta(days=3),
        kind=ExceptionKind.EXTRA,
        start=time(10),
        end=time(11),
    )
    world.login(client, "vera")
    with django_capture_on_commit_callbacks(execute=False):
        answer = client.post(url(world), {**absence(world), "save": "1", "previewed": previewed(world)})
    assert answer.status_code == 302
    assert answer.url == reverse("timetable:manage_school", args=[world.school_a.uai])
    cancelled = CourseException.objects.filter(kind=ExceptionKind.CANCELLED, date__gt=MONDAY)
    assert {(c.course_id, c.date) for c in cancelled} == {
        (week["maths"].pk, MONDAY + timedelta(weeks=1)),
        (week["english"].pk, MONDAY + timedelta(days=1)),
        (history.pk, MONDAY + timedelta(days=2)),
        (history.pk, MONDAY + timedelta(days=9)),
    }
    # Traced like any change: who, why.
    assert {(c.created_by, c.reason) for c in cancelled} == {(world.person("vera"), "Formation")}
    assert not CourseException.objects.filter(pk=extra.pk).exists()  # the extra session does not happen
    p = world.person
    per_person = Counter(Notification.objects.values_list("recipient_id", flat=True))
    concerned = {p(n).pk for n in ("alice", "bob", "tom", "marie", "marc", "beatrice")} | {eva.pk}
    assert set(per_person) == concerned
    assert set(per_person.values()) == {1}
    for name in ("tess", "carl", "gino", "vera", "zoe", "xavier"):
        assert p(name).pk not in per_person
    marie = Event.objects.get(notifications__recipient=p("marie"))
    text = kind_of(marie.kind).text(marie.data)
    assert text.startswith(
        "Alice, Eva : Absence de Tom LEROY du 16/11/2026 au 27/11/2026 : 5 séances annulées"
    )
    assert "Motif : Formation." in text
    marc = Event.objects.get(notifications__recipient=p("marc"))
    assert marc.about == p("alice") and "Alice : " in kind_of(marc.kind).text(marc.data)


def test_a_replacement_takes_the_sessions_after_confirming_the_conflicts(client, world, week, history):
    tuesday = MONDAY + timedelta(days=1)
    CourseException.objects.create(
        course=week["english"], date=tuesday, kind=ExceptionKind.CHANGED, room=room(world.school_a, "CDI")
    )
    tess = world.person("tess")
    world.login(client, "paul")
    data = {**absence(world, what="replace", replacement=tess.pk), "previewed": previewed(world, tess.pk)}
    # Tess teaches 5B on Wednesdays at 8:00, when Tom's history is.
    answer = client.post(url(world), data)
    body = answer.content.decode()
    assert "<strong>Tess MOREAU</strong> a déjà cours" in body and "Français 5B (5B)" in body
    assert "mercredi 18 novembre 08:00" in body and "mercredi 25 novembre 08:00" in body
    answer = client.post(url(world), {**data, "save": "1"})
    assert answer.status_code == 200 and "entre en conflit" in answer.content.decode()
    assert not CourseException.objects.filter(replacement=tess).exists() and not Event.objects.exists()
    answer = client.post(url(world), {**data, "confirm_conflicts": "1"})
    assert answer.status_code == 302
    taken = CourseException.objects.filter(replacement=tess)
    assert taken.count() == 4 and {c.kind for c in taken} == {ExceptionKind.CHANGED}
    # What was already changed stays changed: English keeps its room.
    assert taken.get(date=tuesday).room == room(world.school_a, "CDI")
    per_person = Counter(Notification.objects.values_list("recipient_id", flat=True))
    assert per_person[tess.pk] == 1 and per_person[world.person("tom").pk] == 1
    assert set(per_person.values()) == {1} and world.person("carl").pk not in per_person
    event = Event.objects.get(notifications__recipient=tess)
    assert kind_of(event.kind).text(event.data) == (
        "Absence de Tom LEROY du 16/11/2026 au 27/11/2026 : 4 séances (Anglais, Histoire, Mathématiques, 6A) "
        "assurées par Tess MOREAU. Motif : Formation."
    )
    # Alice's week shows Tess.
    world.login(client, "alice")
    body = client.get(f"{reverse('timetable:week')}?semaine={MONDAY.isoformat()}").content.decode()
    assert "Remplacé par <strong>Tess MOREAU</strong>" in body


def test_bad_input_gets_a_message_and_nothing_is_written(client, world, week, history):
    world.login(client, "vera")
    answer = client.post(url(world), absence(world, end="2026-11-01"))
    assert "La fin de l&#x27;absence précède son début." in answer.content.decode()
    answer = client.post(url(world), absence(world, what="replace"))
    assert "Choisissez le remplaçant." in answer.content.decode()
    answer = client.post(url(world), absence(world, what="replace", replacement=world.person("tom").pk))
    assert "un autre enseignant" in answer.content.decode()
    answer = client.post(url(world), absence(world, end="2028-01-01"))
    assert "un an au plus" in answer.content.decode()
    # Another school's teacher is not a choice.
    answer = client.post(url(world), absence(world, teacher=world.person("xavier").pk))
    assert answer.status_code == 200 and "has-error" in answer.content.decode()
    # Nothing to do over a holiday: said, not saved.
    holiday = {"start": "2026-12-21", "end": "2026-12-31", "save": "1"}
    answer = client.post(
        url(world),
        {**absence(world, **holiday), "previewed": f"{world.person('tom').pk}:2026-12-21:2026-12-31:"},
    )
    assert "aucun cours à assurer" in answer.content.decode()
    assert CourseException.objects.count() == 1 and not Event.objects.exists()


@pytest.mark.parametrize("name", ["tom", "tess", "ada", "alice", "marie", "xavier", "bruno", "zoe", "zack"])
def test_teachers_families_and_other_schools_cannot(client, world, week, history, name):
    world.login(client, name)
    assert client.get(url(world)).status_code == 404
    answer = client.post(url(world), {**absence(world), "save": "1", "previewed": previewed(world)})
    assert answer.status_code == 404
    assert CourseException.objects.count() == 1 and not Event.objects.exists()


def test_a_manager_cannot_reach_another_school(client, world, week):
    world.login(client, "vera")
    assert client.get(url(world, world.school_b)).status_code == 404
    assert client.get(reverse("timetable:manage_school", args=[world.school_a.uai])).status_code == 200
    assert (
        reverse("timetable:teacher_absent", args=[world.school_a.uai])
        in client.get(reverse("timetable:manage_school", args=[world.school_a.uai])).content.decode()
    )
