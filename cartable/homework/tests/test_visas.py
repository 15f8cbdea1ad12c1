"""A visa locks only what it covers: the direction chooses the day it covers up to (yesterday unless told), a
session after that day stays the teacher's to edit; the direction sees, per class and per teacher, the
lessons given since the last visa with nothing in the cahier de textes."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cartable.homework import actions, queries
from cartable.homework.models import Entry, Visa
from cartable.homework.tests.helpers import french_5b, session
from cartable.lib.errors import Refused
from cartable.timetable.models import CourseException, ExceptionKind
from cartable.timetable.tests.helpers import course, settings_for

pytestmark = pytest.mark.django_db

PARIS = dt.timezone(dt.timedelta(hours=1))  # November: Paris is UTC+1
MONDAY = dt.date(2026, 11, 16)
FRIDAY_EVENING = dt.datetime(2026, 11, 20, 17, 0, tzinfo=PARIS)


def day(n: int) -> dt.date:
    return MONDAY + dt.timedelta(days=n)


def sign_url(world) -> str:
    return f"/cahier-de-textes/classe/{world.class_6a.pk}/viser"


def edit(client, entry: Entry, content: str):
    return client.post(
        f"/cahier-de-textes/seance/{entry.pk}/modifier",
        {
            "teaching": f"{entry.group_id}-{entry.subject_id}",
            "date": entry.date.isoformat(),
            "content": content,
            "travail-TOTAL_FORMS": "0",
            "travail-INITIAL_FORMS": "0",
        },
    )


def test_a_visa_locks_the_sessions_up_to_its_date_and_no_later_one(world, client, time_machine):
    time_machine.move_to(FRIDAY_EVENING)
    tuesday = session(world, day=day(1), content="Mardi")
    wednesday = session(world, day=day(2), content="Mercredi")
    thursday = session(world, day=day(3), content="Jeudi")
    world.login(client, "paul")
    answer = client.post(sign_url(world), {"date": day(1).isoformat(), "comment": "Vu."})
    assert answer.status_code == 302
    assert Visa.objects.get().date == day(1)

    world.login(client, "tom")
    # Tuesday is covered: locked.
    assert edit(client, tuesday, "Mardi, modifié").status_code == 302  # sent back with a message
    tuesday.refresh_from_db()
    assert tuesday.content == "<p>Mardi</p>"
    with pytest.raises(Refused, match="visé"):
        session(world, day=day(1), start=dt.time(15), content="Ajout")
    # Wednesday and Thursday, after the visa's date, stay the teacher's to edit, add to and delete.
    assert edit(client, wednesday, "Mercredi, complété").status_code == 302
    wednesday.refresh_from_db()
    assert wednesday.content == "<p>Mercredi, complété</p>"
    session(world, day=day(2), start=dt.time(15), content="Ajout du mercredi")
    assert client.post(f"/cahier-de-textes/seance/{thursday.pk}/supprimer").status_code == 302
    assert not Entry.objects.filter(pk=thursday.pk).exists()


def test_the_form_offers_yesterday_and_a_visa_without_a_date_covers_up_to_yesterday(
    world, client, time_machine
):
    time_machine.move_to(FRIDAY_EVENING)
    today = session(world, day=day(4), content="Vendredi")
    world.login(client, "paul")
    page = client.get(f"/cahier-de-textes/classe/{world.class_6a.pk}/").content.decode()
    assert 'name="date" value="2026-11-19"' in page
    assert queries.default_visa_date(day(4)) == day(3)
    client.post(sign_url(world), {"comment": ""})
    assert Visa.objects.get().date == day(3)
    # Today's session, still being written, is not covered.
    world.login(client, "tom")
    assert edit(client, today, "Vendredi, complété").status_code == 302
    today.refresh_from_db()
    assert "complété" in today.content


def test_a_date_to_come_or_already_covered_is_refused_and_the_observation_kept(world, client, time_machine):
    time_machine.move_to(FRIDAY_EVENING)
    world.login(client, "paul")
    answer = client.post(sign_url(world), {"date": day(7).isoformat(), "comment": "Mon observation"})
    assert answer.status_code == 400
    html = answer.content.decode()
    assert "séances passées" in html and "Mon observation" in html
    assert not Visa.objects.exists()
    assert client.post(sign_url(world), {"date": day(2).isoformat()}).status_code == 302
    answer = client.post(sign_url(world), {"date": day(1).isoformat()})
    assert answer.status_code == 400 and "déjà visé jusqu" in answer.content.decode()
    answer = client.post(sign_url(world), {"date": "2026-08-31"})  # before the school year
    assert answer.status_code == 400 and "année scolaire" in answer.content.decode()
    answer = client.post(sign_url(world), {"date": "31/02/2026"})
    assert answer.status_code == 400
    assert Visa.objects.count() == 1
    # The page shown again keeps its links to the cahier, not to the signing address.
    assert f'href="/cahier-de-textes/classe/{world.class_6a.pk}/?semaine=' in answer.content.decode()


@pytest.fixture
def week_of_lessons(world, time_machine):
    """From Monday 16 November: Tom's maths with 6A on Monday 8:00, Tuesday 10:00 and Thursday 14:00 (this
    Thursday cancelled), Tess's French with 5B on Wednesday 9:00. It is Friday evening."""
    time_machine.move_to(FRIDAY_EVENING)
    settings_for(world)
    tom, tess = world.person("tom"), world.person("tess")
    monday = course(world, world.class_6a, weekday=0, start=dt.time(8), end=dt.time(9), subject=world.maths,
                    teachers=[tom], valid_from=MONDAY)  # fmt: skip
    course(world, world.class_6a, weekday=1, start=dt.time(10), end=dt.time(11), subject=world.maths,
           teachers=[tom], valid_from=MONDAY)  # fmt: skip
    thursday = course(world, world.class_6a, weekday=3, start=dt.time(14), end=dt.time(15),
                      subject=world.maths, teachers=[tom], valid_from=MONDAY)  # fmt: skip
    CourseException.objects.create(course=thursday, date=day(3), kind=ExceptionKind.CANCELLED)
    course(world, world.class_5b, weekday=2, start=dt.time(9), end=dt.time(10), subject=french_5b(world),
           teachers=[tess], valid_from=MONDAY)  # fmt: skip
    written = session(world, day=MONDAY, start=dt.time(8), content="Les fractions")
    written.course_id = monday.pk
    written.save(update_fields=["course_id"])
    # Tuesday's was written with nothing in it, before such sessions were refused.
    Entry.objects.create(
        school=world.school_a,
        group=world.class_6a,
        subject=world.maths,
        author=tom,
        date=day(1),
        start_time=dt.time(10),
    )


def test_the_visas_page_shows_empty_sessions_per_class_and_per_teacher(world, client, week_of_lessons):
    world.login(client, "paul")
    html = client.get("/cahier-de-textes/visas").content.decode()
    empty = queries.empty_sessions({world.class_6a.pk: MONDAY, world.class_5b.pk: MONDAY}, day(3))
    assert [(e.group_id, e.date, e.entry_id is not None) for e in empty] == [
        (world.class_6a.pk, day(1), True),  # written empty
        (world.class_5b.pk, day(2), False),  # never written
    ]  # Monday is written; Thursday's lesson was cancelled
    by_teacher = {t.name: len(t.sessions) for t in queries.empty_sessions_by_teacher(empty)}
    assert by_teacher == {world.person("tom").full_name: 1, world.person("tess").full_name: 1}
    assert f'href="/cahier-de-textes/classe/{world.class_6a.pk}/#seances-vides">1' in html
    assert f'href="/cahier-de-textes/classe/{world.class_5b.pk}/#seances-vides">1' in html
    assert f"{world.person('tess').full_name} : 1 séance vide" in html
    assert f"{world.person('tom').full_name} : 1 séance vide" in html


def test_the_cahier_of_a_class_lists_its_empty_sessions_to_the_direction_only(world, client, week_of_lessons):
    url = f"/cahier-de-textes/classe/{world.class_6a.pk}/"
    for name in ("paul", "vera"):
        world.login(client, name)
        html = client.get(url).content.decode()
        assert 'id="seances-vides"' in html
        assert "Mardi 17 novembre, 10h00" in html and "écrite sans contenu" in html
        assert "Lundi 16 novembre, 08h00" not in html
    for name in ("tom", "alice", "marie"):
        world.login(client, name)
        assert 'id="seances-vides"' not in client.get(url).content.decode()


def test_empty_sessions_count_from_the_day_after_the_last_visa(world, client, week_of_lessons):
    actions.sign_visa(world.fresh_user("paul"), world.class_6a, up_to=day(1))
    world.login(client, "paul")
    html = client.get(f"/cahier-de-textes/classe/{world.class_6a.pk}/").content.decode()
    assert "écrite sans contenu" not in html  # Tuesday is covered by the visa
    assert "Aucune séance vide" in html
    visas = client.get("/cahier-de-textes/visas").content.decode()
    assert f"{world.person('tom').full_name} : " not in visas


def test_the_visas_page_costs_the_same_queries_with_more_lessons(world, client, week_of_lessons):
    world.login(client, "paul")
    client.get("/")

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/cahier-de-textes/visas").status_code == 200
        return len(captured)

    count()  # the school calendars and holidays, kept in the shared cache afterwards
    few = count()
    for hour in range(8, 16):
        for group in (world.class_6a, world.class_5b):
            course(world, group, weekday=hour % 4, start=dt.time(hour, 30), end=dt.time(hour, 55),
                   teachers=[world.person("tess")], valid_from=MONDAY - dt.timedelta(days=28))  # fmt: skip
    assert count() == few
    assert "séances vides" in client.get("/cahier-de-textes/visas").content.decode()
    assert few <= 10, few


def test_empty_sessions_are_looked_for_since_the_last_visa_over_six_weeks_at_most(world):
    group = world.class_6a
    assert queries.empty_sessions_since(group, None, day(3)) == day(3) - dt.timedelta(weeks=6, days=-1)
    assert queries.empty_sessions_since(group, day(-7), day(3)) == day(-6)
    assert queries.empty_sessions_since(group, None, dt.date(2026, 9, 10)) == world.year.start
