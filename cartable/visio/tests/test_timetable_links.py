"""The virtual classes on the timetable's week pages (cartable.timetable.lesson_links): the teacher schedules
one from a session of theirs, pre-filled; the class's pupils and their guardians see it on that session;
nobody else does, and the week pages cost no more queries once the week's virtual classes are cached."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from cartable.timetable.tests.helpers import MONDAY, course, settings_for
from cartable.visio.models import VirtualClass

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
WEEK = f"{reverse('timetable:week')}?semaine={MONDAY.isoformat()}"


@pytest.fixture
def maths(world):
    """Tom's maths with 6A on Mondays at 8, and Tess's French with 5B; the clock on MONDAY at 7."""
    settings_for(world)
    lesson = course(world, world.class_6a, subject=world.maths, teachers=[world.person("tom")])
    course(world, world.class_5b, label="Français 5B", teachers=[world.person("tess")])
    with time_machine.travel(dt.datetime.combine(MONDAY, dt.time(7), tzinfo=PARIS), tick=False):
        yield lesson


def test_the_teacher_schedules_from_his_session_and_the_class_sees_it(world, as_user, bbb_server, maths):
    tom = as_user("tom")
    new_url = f"{reverse('visio:new')}?course={maths.pk}&amp;date={MONDAY.isoformat()}"
    assert new_url in tom.get(WEEK).content.decode()
    form = tom.get(new_url.replace("&amp;", "&")).content.decode()
    assert 'value="Mathématiques"' in form and 'value="08:00"' in form and 'value="09:00"' in form
    assert f'<option value="{world.class_6a.pk}" selected>' in form
    response = tom.post(
        reverse("visio:new"),
        {
            "title": "Mathématiques",
            "group": world.class_6a.pk,
            "day": MONDAY.isoformat(),
            "start": "08:00",
            "end": "09:00",
            "course": maths.pk,
            "lesson_date": MONDAY.isoformat(),
        },
    )
    assert response.status_code == 302
    created = VirtualClass.objects.get()
    assert created.course_id == maths.pk and created.lesson_date == MONDAY
    link = reverse("visio:detail", args=[created.pk])
    week = tom.get(WEEK).content.decode()
    assert link in week and new_url not in week
    for name in ("alice", "bob", "marie", "marc", "beatrice"):
        assert link in as_user(name).get(WEEK).content.decode(), name
    for name in ("carl", "gino", "tess"):
        assert link not in as_user(name).get(WEEK).content.decode(), name
    class_week = f"{reverse('timetable:group', args=[world.class_6a.pk])}?semaine={MONDAY.isoformat()}"
    assert link not in as_user("vera").get(class_week).content.decode()  # the page would answer her 404
    assert link in as_user("alice").get(class_week).content.decode()


def test_only_the_teacher_of_the_session_gets_it_pre_filled(world, as_user, bbb_server, maths):
    url = f"{reverse('visio:new')}?course={maths.pk}&date={MONDAY.isoformat()}"
    assert as_user("tess").get(url).status_code == 404
    assert as_user("tom").get(f"{reverse('visio:new')}?course={maths.pk}&date=2026-11-17").status_code == 404
    assert as_user("tom").get(f"{reverse('visio:new')}?course=x&date=y").status_code == 404
    # A session posted by hand that is not his: the virtual class is kept, without the link to it.
    tess_course = course(world, world.class_5b, label="Autre", teachers=[world.person("tess")])
    as_user("tom").post(
        reverse("visio:new"),
        {
            "title": "Révisions",
            "group": world.class_6a.pk,
            "day": MONDAY.isoformat(),
            "start": "10:00",
            "end": "11:00",
            "course": tess_course.pk,
            "lesson_date": MONDAY.isoformat(),
        },
    )
    assert VirtualClass.objects.get().course_id is None


def test_without_a_server_no_session_offers_one(world, as_user, settings, maths):
    settings.BBB_URL = ""
    settings.BBB_SECRET = ""
    assert reverse("visio:new") not in as_user("tom").get(WEEK).content.decode()


def test_the_week_costs_no_more_query_once_its_virtual_classes_are_cached(
    world, as_user, bbb_server, maths, django_assert_max_num_queries
):
    VirtualClass.objects.create(
        school=world.school_a,
        group=world.class_6a,
        teacher=world.person("tom"),
        title="Mathématiques",
        starts_at=dt.datetime.combine(MONDAY, dt.time(8), tzinfo=PARIS),
        ends_at=dt.datetime.combine(MONDAY, dt.time(9), tzinfo=PARIS),
        course=maths,
        lesson_date=MONDAY,
    )
    # The timetable's own pins (cartable/timetable/tests/test_views.py): a guardian 7, a teacher 8, a pupil 6.
    for name, pinned in (("marie", 7), ("tom", 8), ("alice", 6)):
        client = as_user(name)
        assert "Classe virtuelle : Mathématiques" in client.get(WEEK).content.decode()
        with django_assert_max_num_queries(pinned):
            client.get(WEEK)
