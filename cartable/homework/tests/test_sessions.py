"""Teachers fill the cahier de textes from their timetable: today's session is pre-selected, and a session
chosen in the week view (?course=<id>&date=<date>) pre-fills the form."""

import datetime as dt
import re

import pytest

from cartable.homework.models import Entry
from cartable.timetable.tests.helpers import course, settings_for

pytestmark = pytest.mark.django_db

PARIS = dt.timezone(dt.timedelta(hours=1))  # November: Paris is UTC+1
MONDAY = dt.date(2026, 11, 16)
NEW = "/cahier-de-textes/seance/nouvelle"


@pytest.fixture
def maths_6a(world, time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 16, 10, 15, tzinfo=PARIS))
    settings_for(world)
    early = course(world, world.class_6a, weekday=0, start=dt.time(8), end=dt.time(9), subject=world.maths,
                   teachers=[world.person("tom")])  # fmt: skip
    late = course(world, world.class_6a, weekday=0, start=dt.time(10), end=dt.time(11), subject=world.maths,
                  teachers=[world.person("tom")], room_name="204")  # fmt: skip
    return early, late


def selected(html: str, name: str) -> str:
    found = re.search(r'<option value="([^"]*)"[^>]*selected[^>]*>', html.split(f'name="{name}"', 1)[1])
    return found.group(1) if found else ""


def test_todays_sessions_are_listed_and_the_current_one_pre_selected(world, client, maths_6a):
    early, late = maths_6a
    world.login(client, "tom")
    html = client.get(NEW).content.decode()
    assert 'id="week-title"' in html
    assert f"?course={early.pk}&amp;date=2026-11-16" in html
    assert f"?course={late.pk}&amp;date=2026-11-16" in html
    # 10:15: the 10:00 lesson is the one being taught.
    assert selected(html, "teaching") == f"{world.class_6a.pk}-{world.maths.pk}"
    assert f'name="course" value="{late.pk}"' in html
    assert 'value="10:00"' in html


def test_a_session_from_the_week_view_pre_fills_the_form_and_is_recorded(world, client, maths_6a):
    early, _late = maths_6a
    world.login(client, "tom")
    html = client.get(f"{NEW}?course={early.pk}&date=2026-11-16").content.decode()
    assert f'name="course" value="{early.pk}"' in html and 'value="08:00"' in html
    answer = client.post(
        f"{NEW}?course={early.pk}&date=2026-11-16",
        {
            "teaching": f"{world.class_6a.pk}-{world.maths.pk}",
            "date": "2026-11-16",
            "start_time": "08:00",
            "course": early.pk,
            "content": "Correction du contrôle",
            "travail-TOTAL_FORMS": "1",
            "travail-INITIAL_FORMS": "0",
        },
    )
    assert answer.status_code == 302
    entry = Entry.objects.get()
    assert entry.course_id == early.pk and entry.start_time == dt.time(8)


def test_another_teachers_session_or_a_day_without_it_answers_404(world, client, maths_6a):
    early, _late = maths_6a
    world.login(client, "tess")
    assert client.get(f"{NEW}?course={early.pk}&date=2026-11-16").status_code == 404
    world.login(client, "tom")
    assert client.get(f"{NEW}?course={early.pk}&date=2026-11-17").status_code == 404  # a Tuesday
    assert client.get(f"{NEW}?course=abc&date=2026-11-16").status_code == 404
    assert client.get(f"{NEW}?course={early.pk}&date=lundi").status_code == 404


def test_a_teacher_without_a_timetable_gets_the_plain_form(world, client):
    world.login(client, "tom")
    html = client.get(NEW).content.decode()
    assert "week-title" not in html
    assert "6A — Mathématiques" in html


def test_the_weeks_sessions_show_which_are_already_written(world, client, maths_6a, time_machine):
    early, late = maths_6a
    time_machine.move_to(dt.datetime(2026, 11, 17, 9, 0, tzinfo=PARIS))  # Tuesday: no lesson today
    from cartable.homework.tests.helpers import session

    entry = session(world, day=MONDAY)
    entry.course_id = early.pk
    entry.save(update_fields=["course_id"])
    world.login(client, "tom")
    html = client.get(NEW).content.decode()
    assert f"/cahier-de-textes/seance/{entry.pk}/modifier" in html  # Monday 8:00, written
    assert f"?course={late.pk}&amp;date=2026-11-16" in html  # Monday 10:00, still to write
    assert 'name="course" value=""' in html or 'name="course" id' in html  # nothing pre-selected today


def test_a_forged_course_is_not_linked_to_the_session(world, client, maths_6a):
    other = course(world, world.class_5b, weekday=0, start=dt.time(14), end=dt.time(15),
                   teachers=[world.person("tess")])  # fmt: skip
    world.login(client, "tom")
    client.post(
        NEW,
        {
            "teaching": f"{world.class_6a.pk}-{world.maths.pk}",
            "date": "2026-11-16",
            "course": other.pk,
            "content": "Séance",
            "travail-TOTAL_FORMS": "1",
            "travail-INITIAL_FORMS": "0",
        },
    )
    assert Entry.objects.get().course_id is None
