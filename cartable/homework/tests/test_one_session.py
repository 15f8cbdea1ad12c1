"""One session per lesson: "Remplir le cahier de textes" on a lesson already written opens that session, and
no request (a second tab, a double click, a forged POST) writes a second one for the same slot. A session
with nothing in it is refused, and what was typed stays in the form."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from cartable.directory import versions as directory_versions
from cartable.directory.models import TeachingAssignment
from cartable.homework import actions, queries
from cartable.homework.models import Entry
from cartable.homework.tests.helpers import session
from cartable.lib.errors import Refused
from cartable.timetable.tests.helpers import course, settings_for

pytestmark = pytest.mark.django_db

PARIS = dt.timezone(dt.timedelta(hours=1))  # November: Paris is UTC+1
MONDAY = dt.date(2026, 11, 16)
NEW = "/cahier-de-textes/seance/nouvelle"


@pytest.fixture
def maths_6a(world, time_machine):
    """Tom's Monday maths lessons with 6A, 8:00 and 10:00; it is Monday 10:15."""
    time_machine.move_to(dt.datetime(2026, 11, 16, 10, 15, tzinfo=PARIS))
    settings_for(world)
    early = course(world, world.class_6a, weekday=0, start=dt.time(8), end=dt.time(9), subject=world.maths,
                   teachers=[world.person("tom")])  # fmt: skip
    late = course(world, world.class_6a, weekday=0, start=dt.time(10), end=dt.time(11), subject=world.maths,
                  teachers=[world.person("tom")])  # fmt: skip
    return early, late


def written_for(world, lesson, content="Les fractions") -> Entry:
    entry = session(world, day=MONDAY, start=lesson.start, content=content)
    entry.course_id = lesson.pk
    entry.save(update_fields=["course_id"])
    return entry


def form(world, **values) -> dict:
    return {
        "teaching": f"{world.class_6a.pk}-{world.maths.pk}",
        "date": MONDAY.isoformat(),
        "start_time": "10:00",
        "content": "Correction du contrôle",
        "travail-TOTAL_FORMS": "1",
        "travail-INITIAL_FORMS": "0",
        **values,
    }


def test_filling_a_lesson_already_written_opens_that_session(world, client, maths_6a):
    _early, late = maths_6a
    entry = written_for(world, late)
    world.login(client, "tom")
    answer = client.get(f"{NEW}?course={late.pk}&date={MONDAY.isoformat()}")
    assert answer.status_code == 302
    assert answer["Location"] == f"/cahier-de-textes/seance/{entry.pk}/modifier"


def test_a_session_written_without_the_timetable_is_found_by_its_slot(world, client, maths_6a):
    _early, late = maths_6a
    entry = session(world, day=MONDAY, start=dt.time(10), content="Écrit à la main")  # no course link
    world.login(client, "tom")
    answer = client.get(f"{NEW}?course={late.pk}&date={MONDAY.isoformat()}")
    assert answer["Location"] == f"/cahier-de-textes/seance/{entry.pk}/modifier"


def test_a_lesson_written_by_a_co_teacher_opens_it_to_read(world, client, maths_6a):
    _early, late = maths_6a
    late.teachers.add(world.person("tess"))
    TeachingAssignment.objects.create(teacher=world.person("tess"), group=world.class_6a, subject=world.maths)
    directory_versions.bump_platform()  # written directly, not through the directory's actions
    entry = written_for(world, late)
    world.login(client, "tess")
    answer = client.get(f"{NEW}?course={late.pk}&date={MONDAY.isoformat()}")
    assert answer.status_code == 302
    assert answer["Location"].endswith(f"#seance-{entry.pk}")
    assert f"/classe/{world.class_6a.pk}/" in answer["Location"]


def test_the_form_pre_selects_a_session_still_to_write(world, client, maths_6a):
    early, late = maths_6a
    written_for(world, late)
    world.login(client, "tom")
    html = client.get(NEW).content.decode()
    # 10:15: the 10:00 lesson is written, so the 8:00 one is offered rather than a blank copy of 10:00.
    assert f'name="course" value="{early.pk}"' in html
    assert 'value="08:00"' in html


def test_a_second_post_for_the_same_lesson_writes_nothing_and_keeps_the_text(world, client, maths_6a):
    _early, late = maths_6a
    entry = written_for(world, late)
    world.login(client, "tom")
    answer = client.post(NEW, form(world, course=late.pk, content="Mon texte tapé"))
    assert answer.status_code == 200
    html = answer.content.decode()
    assert "déjà dans le cahier de textes" in html
    assert "Mon texte tapé" in html  # nothing typed is lost
    assert f"/cahier-de-textes/seance/{entry.pk}/modifier" in html  # the way to the written one
    assert Entry.objects.count() == 1


def test_the_same_slot_without_the_timetable_link_is_refused_too(world, client, maths_6a):
    _early, late = maths_6a
    written_for(world, late)
    world.login(client, "tom")
    client.post(NEW, form(world))  # no course: same class, subject, day and start time
    assert Entry.objects.count() == 1
    # Another start time is another session.
    client.post(NEW, form(world, start_time="14:00"))
    assert Entry.objects.count() == 2


def test_a_day_without_a_time_has_one_session_per_subject(world):
    session(world, day=MONDAY, content="Séance sans heure")
    with pytest.raises(actions.AlreadyWritten):
        session(world, day=MONDAY, content="La même, une seconde fois")
    assert Entry.objects.count() == 1


def test_moving_a_session_onto_another_one_is_refused(world, client):
    first = session(world, day=MONDAY, start=dt.time(8), content="Première")
    second = session(world, day=MONDAY, start=dt.time(10), content="Seconde")
    world.login(client, "tom")
    answer = client.post(
        f"/cahier-de-textes/seance/{second.pk}/modifier",
        {**form(world, start_time="08:00", content="Seconde"), "travail-TOTAL_FORMS": "0"},
    )
    assert answer.status_code == 200 and "déjà dans le cahier de textes" in answer.content.decode()
    second.refresh_from_db()
    first.refresh_from_db()
    assert second.start_time == dt.time(10) and first.content == "<p>Première</p>"


def test_the_database_refuses_a_duplicate_that_passed_the_check(world, monkeypatch):
    """Two requests checking at the same time both find nothing: the constraint stops the second one."""
    session(world, day=MONDAY, start=dt.time(8), content="Première")
    monkeypatch.setattr(queries, "same_session", lambda *args, **kwargs: Entry.objects.none())
    with pytest.raises(actions.AlreadyWritten):
        session(world, day=MONDAY, start=dt.time(8), content="Doublon")
    assert Entry.objects.count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        Entry.objects.create(
            school=world.school_a,
            group=world.class_6a,
            subject=world.maths,
            date=MONDAY,
            start_time=dt.time(8),
        )


def test_another_subject_at_the_same_time_is_another_session(world):
    """A class split between two teachers at the same hour (e.g. LV2) has one session per subject."""
    from cartable.homework.tests.helpers import french_5b

    TeachingAssignment.objects.create(
        teacher=world.person("tom"), group=world.class_6a, subject=french_5b(world)
    )
    directory_versions.bump_platform()
    session(world, day=MONDAY, start=dt.time(8), content="Maths")
    session(world, day=MONDAY, start=dt.time(8), subject=french_5b(world), content="Français")
    assert Entry.objects.count() == 2


def test_an_empty_session_is_refused_and_what_was_typed_stays(world, client):
    world.login(client, "tom")
    answer = client.post(NEW, form(world, content="  ", start_time="09:30", visible_from="2026-11-20T08:00"))
    assert answer.status_code == 200
    html = answer.content.decode()
    assert "La séance est vide" in html
    assert 'value="09:30"' in html and "2026-11-20" in html
    assert not Entry.objects.exists()
    # A title, a homework item or a file is enough.
    assert client.post(NEW, form(world, content="", title="Évaluation")).status_code == 302
    with_homework = form(
        world,
        content="",
        start_time="11:00",
        **{"travail-0-instructions": "Exercice 3", "travail-0-due_date": "2026-11-20"},
    )
    assert client.post(NEW, with_homework).status_code == 302
    assert Entry.objects.count() == 2


def test_emptying_a_session_is_refused(world, client):
    entry = session(world, day=MONDAY, content="Les fractions", homework=[("Exercice 4", MONDAY)])
    item = entry.homework.get()
    world.login(client, "tom")
    answer = client.post(
        f"/cahier-de-textes/seance/{entry.pk}/modifier",
        {
            **form(world, content="", start_time=""),
            "travail-TOTAL_FORMS": "1",
            "travail-INITIAL_FORMS": "1",
            "travail-0-id": item.pk,
            "travail-0-instructions": "Exercice 4",
            "travail-0-due_date": MONDAY.isoformat(),
            "travail-0-delete": "on",
        },
    )
    assert answer.status_code == 200 and "La séance est vide" in answer.content.decode()
    entry.refresh_from_db()
    assert entry.content == "<p>Les fractions</p>" and entry.homework.exists()
    # Emptying the content while the homework stays is fine.
    with pytest.raises(Refused):
        actions.update_entry(
            world.fresh_user("tom"),
            entry,
            actions.EntryInput(
                group_id=world.class_6a.pk,
                subject_id=world.maths.pk,
                date=MONDAY,
                homework=[actions.HomeworkInput(instructions="", due_date=MONDAY, id=item.pk, delete=True)],
            ),
        )
    actions.update_entry(
        world.fresh_user("tom"),
        entry,
        actions.EntryInput(group_id=world.class_6a.pk, subject_id=world.maths.pk, date=MONDAY),
    )
    entry.refresh_from_db()
    assert entry.content == "" and entry.homework.count() == 1


def test_sessions_written_twice_before_the_constraint_are_merged_into_one(world):
    """The migration that brings the constraint first merges the duplicates already written: nothing lost.
    The constraint's indexes are dropped inside the test's transaction (and come back with its rollback)
    to write the duplicates of before."""
    import importlib
    from types import SimpleNamespace

    from django.apps import apps
    from django.db import connection

    migration = importlib.import_module("cartable.homework.migrations.0003_one_session_per_slot")
    with connection.cursor() as cursor:
        for name in ("homework_entry_one_per_slot", "homework_entry_one_per_day_without_time"):
            cursor.execute(f"DROP INDEX {name}")
    slot = {"school": world.school_a, "group": world.class_6a, "subject": world.maths, "date": MONDAY}
    first = Entry.objects.create(**slot, start_time=dt.time(8), content="<p>Premier</p>")
    second = Entry.objects.create(**slot, start_time=dt.time(8), title="Contrôle", content="<p>Second</p>")
    second.homework.create(due_date=MONDAY, instructions="Ex. 4")
    Entry.objects.create(**slot, start_time=dt.time(10), content="<p>Autre heure</p>")
    untimed = Entry.objects.create(**slot, content="<p>Sans heure</p>")
    Entry.objects.create(**slot, content="<p>Sans heure, bis</p>")

    def execute(sql: str) -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql)

    # The migration names the file model as it was then (renamed EntryAttachment since, in 0007).
    then = SimpleNamespace(
        get_model=lambda app, name: apps.get_model(app, "EntryAttachment" if name == "Attachment" else name)
    )
    migration.merge_duplicate_sessions(then, SimpleNamespace(connection=connection, execute=execute))
    kept = Entry.objects.get(pk=first.pk)
    assert (kept.title, kept.content) == ("Contrôle", "<p>Premier</p>\n<p>Second</p>")
    assert kept.homework.get().instructions == "Ex. 4"
    assert Entry.objects.get(pk=untimed.pk).content == "<p>Sans heure</p>\n<p>Sans heure, bis</p>"
    assert Entry.objects.count() == 3
