"""The demo virtual class: scheduled in the demo collège on its first class's next lesson; without a
BigBlueButton server (`make run`), its pages list it and say the server is not configured."""

import datetime as dt
import time

import pytest
from django.test import Client

from cartable.access.policy import current_enrolments
from cartable.accounts.middleware import LAST_SEEN_KEY, SESSION_GENERATION_KEY
from cartable.accounts.models import Charter, CharterAcceptance
from cartable.directory import demo
from cartable.directory.models import Guardianship, Person, SchoolKind
from cartable.visio import demo as visio_demo
from cartable.visio.models import VirtualClass

pytestmark = pytest.mark.django_db


def login(client, person: Person) -> None:
    """As after a real login, the charter accepted."""
    client.force_login(person.user)
    session = client.session
    session[SESSION_GENERATION_KEY] = person.user.session_generation
    session[LAST_SEEN_KEY] = int(time.time())
    session.save()
    for charter in Charter.objects.all():
        CharterAcceptance.objects.get_or_create(user=person.user, charter=charter)


def test_the_demo_college_has_a_virtual_class_and_works_without_a_server(settings, time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 17, 9, 0, tzinfo=dt.UTC), tick=False)  # a Tuesday of term
    settings.BBB_URL = ""
    settings.BBB_SECRET = ""
    demo.seed(demo.Plan(schools=2, pupils_per_class=2))
    virtual_class = VirtualClass.objects.select_related("school").get()
    assert virtual_class.school.kind == SchoolKind.SECONDARY
    assert virtual_class.course_id is not None  # on a lesson of the teacher's timetable
    visio_demo.seed_demo(demo.Plan(schools=2, pupils_per_class=2))  # again: nothing more
    assert VirtualClass.objects.count() == 1
    pupil = Person.objects.get(
        pk=current_enrolments().filter(group=virtual_class.group).values("student_id")[:1]
    )
    guardian = Person.objects.get(pk=Guardianship.objects.filter(student=pupil).values("relative_id")[:1])
    for person in (pupil, guardian):
        client = Client()
        login(client, person)
        listed = client.get("/classes-virtuelles/").content.decode()
        assert virtual_class.title in listed and "n’est pas configuré" in listed
        page = client.get(f"/classes-virtuelles/{virtual_class.pk}/").content.decode()
        assert "n’est pas configuré" in page


def test_a_benchmark_dataset_gets_no_virtual_class(world):
    visio_demo.seed_demo(demo.Plan(schools=50))
    assert not VirtualClass.objects.exists()
