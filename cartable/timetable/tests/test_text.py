"""A room is named once: "Salle 104" for a number or code, "Gymnase" (not "Salle Gymnase") for a named room,
on the week pages, the room's page, the home widget, the forms and the timeline."""

from datetime import time, timedelta

import pytest
from django.urls import reverse
from django.utils import translation

from cartable.timetable.models import CourseException, ExceptionKind
from cartable.timetable.portal import change_text
from cartable.timetable.tests.helpers import MONDAY, course, room
from cartable.timetable.text import room_label


@pytest.mark.parametrize(
    ("name", "label"),
    [
        ("104", "Salle 104"),
        ("B12", "Salle B12"),
        ("TP1", "Salle TP1"),
        ("A", "Salle A"),
        ("1.04", "Salle 1.04"),
        (" 104 ", "Salle 104"),
        ("Gymnase", "Gymnase"),
        ("Salle de musique", "Salle de musique"),
        ("Salle de technologie", "Salle de technologie"),
        ("Laboratoire SVT", "Laboratoire SVT"),
        ("Laboratoire SVT 2", "Laboratoire SVT 2"),
        ("CDI", "CDI"),
        ("Salle 104", "Salle 104"),
        ("Classe CP", "Classe CP"),
        ("Préau", "Préau"),
        ("", ""),
        (None, ""),
    ],
)
def test_room_label_in_french(name, label):
    with translation.override("fr"):
        assert room_label(name) == label


def test_room_label_in_english_translates_the_word_not_the_name():
    with translation.override("en"):
        assert room_label("104") == "Room 104"
        assert room_label("Gymnase") == "Gymnase"


def changed(**data) -> str:
    base = {"change": "changed", "subject": "Maths", "groups": "6A", "date": "2026-11-16", "start": "08:00"}
    with translation.override("fr"):
        return change_text({**base, **data})


def test_the_timeline_names_a_room_once():
    assert changed(room="104") == "Maths (6A) du 16/11/2026 à 08:00 a lieu dans une autre salle : Salle 104."
    assert changed(room="Gymnase").endswith("a lieu dans une autre salle : Gymnase.")
    both = changed(room="Salle de musique", replacement="Tess MOREAU")
    assert both.endswith("a lieu avec Tess MOREAU, dans une autre salle : Salle de musique.")
    assert "Salle Salle" not in both and "salle Salle de" not in both
    assert changed(replacement="Tess MOREAU").endswith("a lieu avec Tess MOREAU.")
    # Neither a room nor a replacement (an old event): a plain sentence, not an error.
    assert changed() == "L'emploi du temps de Maths (6A) a changé."
    assert changed(subject="Anglais") == "L'emploi du temps d’Anglais (6A) a changé."


def test_the_timeline_in_english():
    with translation.override("en"):
        text = change_text(
            {"change": "changed", "subject": "Maths", "groups": "6A", "date": "2026-11-16", "start": "08:00",
             "room": "104"}
        )  # fmt: skip
    assert "Room 104" in text and "salle" not in text.lower()


@pytest.fixture
def named_rooms(world, week):
    """A PE lesson in the gym, and on MONDAY the maths lesson (usually in 101) moved to the music room."""
    sport = course(world, world.class_6a, start=time(9), end=time(10), label="EPS", room_name="Gymnase")
    CourseException.objects.create(
        course=course(world, world.class_6a, start=time(10), end=time(11), label="Histoire"),
        date=MONDAY,
        kind=ExceptionKind.CHANGED,
        room=room(world.school_a, "Salle de musique"),
    )
    return sport


@pytest.mark.django_db
def test_week_page_names_each_room_once(client, world, named_rooms):
    world.login(client, "alice")
    body = client.get(f"{reverse('timetable:week')}?semaine={MONDAY.isoformat()}").content.decode()
    assert "Gymnase" in body and "Salle 101" in body
    assert "<strong>Salle de musique</strong> (au lieu de <s>Salle 101</s>)" in body
    assert "Salle Gymnase" not in body and "Salle Salle" not in body


@pytest.mark.django_db
def test_home_widget_names_each_room_once(client, world, named_rooms, time_machine):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    time_machine.move_to(datetime.combine(MONDAY, time(7), tzinfo=ZoneInfo("Europe/Paris")), tick=False)
    world.login(client, "alice")
    body = client.get("/").content.decode()
    assert "— Gymnase" in body and "<strong>Salle de musique</strong> (au lieu de <s>Salle 101</s>)" in body
    assert "salle Gymnase" not in body.lower() and "salle salle" not in body.lower()


@pytest.mark.django_db
def test_room_page_title(client, world, named_rooms):
    world.login(client, "vera")
    gym = room(world.school_a, "Gymnase")
    body = client.get(
        f"{reverse('timetable:room', args=[gym.pk])}?semaine={MONDAY.isoformat()}"
    ).content.decode()
    assert "<title>Gymnase" in body and "Occupation : Gymnase" in body and "Salle Gymnase" not in body
    classroom = room(world.school_a, "101")
    body = client.get(reverse("timetable:room", args=[classroom.pk])).content.decode()
    assert "<title>Salle 101" in body and "Occupation : Salle 101" in body


@pytest.mark.django_db
def test_editing_forms_name_the_room_once(client, world, named_rooms):
    world.login(client, "vera")
    CourseException.objects.create(
        course=named_rooms,
        date=MONDAY + timedelta(weeks=1),
        kind=ExceptionKind.CHANGED,
        room=room(world.school_a, "Salle de technologie"),
    )
    body = client.get(reverse("timetable:change_new", args=[named_rooms.pk])).content.decode()
    assert ", Gymnase</p>" in body and "salle Gymnase" not in body
    body = client.get(reverse("timetable:course_edit", args=[named_rooms.pk])).content.decode()
    assert ", Salle de technologie" in body and "salle Salle" not in body


def test_a_cancellation_reads_well_in_both_languages():
    from types import SimpleNamespace

    from cartable.timetable.queries import Status, describe

    cancelled = SimpleNamespace(status=Status.CANCELLED, moved_to=None, reason="Sortie pédagogique")
    with translation.override("fr"):
        assert describe(cancelled) == "Cours annulé : Sortie pédagogique"  # type: ignore[arg-type]
    with translation.override("en"):
        assert describe(cancelled) == "Lesson cancelled: Sortie pédagogique"  # type: ignore[arg-type]
