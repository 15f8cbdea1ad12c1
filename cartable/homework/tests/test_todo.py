"""The "homework to do" list and widget, done ticks (a pupil's private state), the timeline events, and the
query counts of the pages (pinned, not growing with the data)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cartable.access.policy import viewer_for
from cartable.homework import actions, queries
from cartable.homework.models import HomeworkDone
from cartable.homework.tests.helpers import french_5b, request_for, session
from cartable.notifications.models import Event, Notification

pytestmark = pytest.mark.django_db

TODO = "/cahier-de-textes/a-faire"


def tomorrow() -> dt.date:
    return timezone.localdate() + dt.timedelta(days=1)


def done_url(homework) -> str:
    return f"/cahier-de-textes/travail/{homework.pk}/fait"


def test_a_pupil_ticks_homework_done_and_nobody_else_sees_it(world, client):
    entry = session(world, homework=[("Apprendre la table de 7", tomorrow())])
    homework = entry.homework.get()
    world.login(client, "alice")
    assert "Apprendre la table de 7" in client.get(TODO).content.decode()
    answer = client.post(done_url(homework), {"done": "1", "next": TODO})
    assert answer.status_code == 302 and answer["Location"] == TODO
    assert HomeworkDone.objects.filter(pupil=world.person("alice"), homework=homework).exists()
    assert "Remettre à faire" in client.get(TODO).content.decode()

    # Bob, in the same class, still has it to do; Alice's guardian sees the work but not her ticks.
    world.login(client, "bob")
    html = client.get(TODO).content.decode()
    assert "Marquer comme fait" in html and "Remettre à faire" not in html
    world.login(client, "marie")
    html = client.get(f"{TODO}?enfant={world.person('alice').pk}").content.decode()
    assert "Apprendre la table de 7" in html
    assert "Remettre à faire" not in html and "Marquer comme fait" not in html and "is-done" not in html
    assert client.post(done_url(homework), {"done": "1"}).status_code == 404
    # The teacher's page never shows who ticked what.
    world.login(client, "tom")
    assert "is-done" not in client.get(f"/cahier-de-textes/classe/{world.class_6a.pk}/").content.decode()

    # Unticking.
    world.login(client, "alice")
    client.post(done_url(homework), {"done": "0"})
    assert not HomeworkDone.objects.exists()


def test_a_pupil_cannot_tick_another_class_homework_nor_one_not_yet_visible(world, client):
    other = session(
        world, teacher="tess", group=world.class_5b, subject=french_5b(world), homework=[("Lire", tomorrow())]
    )
    later = session(
        world,
        start=dt.time(10),
        homework=[("Préparé", tomorrow())],
        visible_from=timezone.now() + dt.timedelta(days=1),
    )
    world.login(client, "alice")
    assert client.post(done_url(other.homework.get()), {"done": "1"}).status_code == 404
    assert client.post(done_url(later.homework.get()), {"done": "1"}).status_code == 404
    assert not HomeworkDone.objects.exists()


def test_ticking_with_htmx_answers_the_item_only(world, client):
    homework = session(world, homework=[("Exercice 5", tomorrow())]).homework.get()
    world.login(client, "alice")
    answer = client.post(done_url(homework), {"done": "1", "compact": "1"}, headers={"HX-Request": "true"})
    html = answer.content.decode()
    assert answer.status_code == 200
    assert html.lstrip().startswith(f'<li class="todo-item is-done" id="travail-{homework.pk}"')
    assert "Remettre à faire" in html and "<html" not in html


def test_a_guardian_switches_between_children_and_never_sees_another_family(world, client):
    session(world, homework=[("Exercice de 6A", tomorrow())])
    world.login(client, "marie")
    html = client.get(f"{TODO}?enfant={world.person('alice').pk}").content.decode()
    assert "Exercice de 6A" in html and "Léo" in html
    assert "Exercice de 6A" not in client.get(f"{TODO}?enfant={world.person('leo').pk}").content.decode()
    assert client.get(f"{TODO}?enfant={world.person('bob').pk}").status_code == 404
    assert client.get(f"{TODO}?enfant=abc").status_code == 404
    # The link of the timeline entry works for the pupil too.
    world.login(client, "alice")
    assert "Exercice de 6A" in client.get(f"{TODO}?enfant={world.person('alice').pk}").content.decode()


def test_the_home_page_shows_the_homework_widget(world, client):
    homework = session(world, homework=[("Réviser le chapitre 2", tomorrow())]).homework.get()
    world.login(client, "alice")
    html = client.get("/").content.decode()
    assert "Mon travail à faire" in html and "Réviser le chapitre 2" in html
    assert done_url(homework) in html
    world.login(client, "marc")
    html = client.get("/").content.decode()
    assert "Travail à faire d’Alice" in html and "Réviser le chapitre 2" in html
    assert done_url(homework) not in html
    world.login(client, "tom")
    assert "widget-homework-title" not in client.get("/").content.decode()


def test_the_widget_costs_no_query_while_nothing_changes(
    world, django_assert_num_queries, django_assert_max_num_queries, time_machine
):
    time_machine.move_to(dt.datetime(2026, 11, 23, 7, 0, tzinfo=dt.UTC))
    first = session(world, homework=[("Un", tomorrow())]).homework.get()
    alice, marie = request_for(world, "alice"), request_for(world, "marie")
    viewer_for(alice.user), viewer_for(marie.user)
    child = type("Child", (), {"pk": world.person("alice").pk, "first_name": "Alice"})()
    groups = viewer_for(alice.user).group_ids
    with django_assert_num_queries(4):  # once a day per class: its schools, their zones, the holidays ahead
        queries.widget_end(groups, timezone.localdate())
    with django_assert_num_queries(0):
        queries.widget_end(groups, timezone.localdate())
    with django_assert_num_queries(2):  # the homework, and when the next prepared session opens
        own = queries.todo_widget(alice, None)
    # The same, and the child's classes (directory cache), read a second time when the versions of the schools
    # that fact depends on were never read before it (cartable.lib.facts._load): the very first time only.
    with django_assert_max_num_queries(4):
        childs = queries.todo_widget(marie, child)
    with django_assert_num_queries(0):
        assert queries.todo_widget(alice, None) == own
        assert queries.todo_widget(marie, child) == childs
    assert own is not None and childs is not None
    assert [item.summary for item in own["items"]] == ["Un"] and len(childs["items"]) == 1

    # New homework, a tick, a prepared session opening: read again, still two queries.
    for n in range(30):
        session(world, start=dt.time(8, n), content=f"Séance {n}", homework=[(f"Travail {n}", tomorrow())])
    with django_assert_num_queries(2):
        context = queries.todo_widget(alice, None)
    assert context is not None
    assert len(context["items"]) == queries.WIDGET_ITEMS and context["more"]
    actions.set_done(alice.user, first, True)
    context = queries.todo_widget(alice, None)
    assert context is not None and [i.done for i in context["items"] if i.pk == first.pk] == [True]
    assert not [i for i in queries.todo_widget(marie, child)["items"] if i.done]  # type: ignore[index]

    opens = dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC)
    session(world, start=dt.time(9), homework=[("Préparé", timezone.localdate())], visible_from=opens)
    assert "Préparé" not in [i.summary for i in queries.todo_widget(marie, child)["items"]]  # type: ignore[index]
    with django_assert_num_queries(0):
        queries.todo_widget(marie, child)
    time_machine.move_to(dt.datetime(2026, 11, 23, 8, 1, tzinfo=dt.UTC))
    assert "Préparé" in [i.summary for i in queries.todo_widget(marie, child)["items"]]  # type: ignore[index]


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("name", ["alice", "marie", "tom", "paul"])
def test_cahier_pages_cost_the_same_queries_with_more_sessions(world, client, name):
    session(world, homework=[("Un", tomorrow())])
    world.login(client, name)
    group = f"/cahier-de-textes/classe/{world.class_6a.pk}/"
    urls = [group, f"{group}?vue=matiere", "/cahier-de-textes/"]
    if name in ("alice", "marie"):
        urls.append(TODO)
    if name == "paul":
        urls.append("/cahier-de-textes/visas")
    client.get("/")  # session, charter and directory facts warmed as on any later page
    few = {url: count_queries(client, url) for url in urls}
    for n in range(15):
        session(
            world,
            start=dt.time(8, n),
            content=f"Séance {n}",
            homework=[(f"Travail {n}", tomorrow()), ("Autre", tomorrow())],
        )
    many = {url: count_queries(client, url) for url in urls}
    assert many == few
    # The direction's pages also list the sessions with nothing in the cahier: the timetable's courses of
    # the classes and the sessions written since the last visa, 2 more queries (4 with courses, see
    # test_visas.py).
    budget = {
        group: 12 if name == "paul" else 10,
        f"{group}?vue=matiere": 14 if name == "paul" else 12,
        "/cahier-de-textes/": 5,
        TODO: 4,
        "/cahier-de-textes/visas": 6,
    }
    assert all(few[url] <= budget[url] for url in urls), few


def test_new_homework_reaches_the_pupils_and_their_guardians_timeline(world):
    session(world, homework=[("Exercice 7", tomorrow())])
    events = Event.objects.filter(kind="homework.added")
    assert {e.about for e in events} == {world.person("alice"), world.person("bob")}
    notified = Notification.objects.filter(event__in=events).values_list("recipient_id", flat=True)
    assert set(notified) == {world.person(n).pk for n in ("alice", "bob", "marie", "marc", "beatrice")}
    assert events[0].data["subject"] == "Mathématiques"
    assert {e.url for e in events} == {f"{TODO}?enfant={world.person(n).pk}" for n in ("alice", "bob")}
    # A session without homework tells nobody.
    session(world, start=dt.time(14), content="Cours seul")
    assert Event.objects.filter(kind="homework.added").count() == 2


def test_prepared_homework_is_announced_when_it_becomes_visible(
    world, time_machine, django_capture_on_commit_callbacks, run_tasks
):
    time_machine.move_to(dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC))
    with django_capture_on_commit_callbacks(execute=True):
        session(
            world,
            day=dt.date(2026, 11, 30),
            homework=[("Lire le chapitre 4", dt.date(2026, 12, 2))],
            visible_from=dt.datetime(2026, 11, 30, 7, 0, tzinfo=dt.UTC),
        )
    run_tasks()
    assert not Event.objects.filter(kind="homework.added").exists()
    time_machine.move_to(dt.datetime(2026, 11, 30, 7, 5, tzinfo=dt.UTC))
    run_tasks()
    assert Event.objects.filter(kind="homework.added").count() == 2
    run_tasks()  # announced once only
    assert Event.objects.filter(kind="homework.added").count() == 2


def test_the_cahier_home_lists_the_coming_homework(world, client):
    homework = session(world, homework=[("Apprendre le vocabulaire", tomorrow())]).homework.get()
    world.login(client, "alice")
    html = client.get("/cahier-de-textes/").content.decode()
    assert "Apprendre le vocabulaire" in html and done_url(homework) in html
    world.login(client, "marie")
    html = client.get(f"/cahier-de-textes/?enfant={world.person('alice').pk}").content.decode()
    assert "Apprendre le vocabulaire" in html and done_url(homework) not in html
    html = client.get(f"/cahier-de-textes/?enfant={world.person('leo').pk}").content.decode()
    assert "Apprendre le vocabulaire" not in html and "Cahier de textes de 6C" in html


def test_the_timeline_line_reads_well_with_and_without_a_subject():
    from django.utils import translation

    from cartable.homework.portal import homework_text

    with translation.override("fr"):
        line = homework_text({"group": "6A", "subject": "Mathématiques", "due": "2026-11-25", "count": 1})
        assert line == "Nouveau travail en Mathématiques (6A) pour le mercredi 25 novembre"
        assert homework_text({"group": "CE2", "subject": "", "due": "2026-11-25", "count": 2}) == (
            "Nouveaux travaux en CE2, le premier pour le mercredi 25 novembre"
        )
    with translation.override("en"):
        line = homework_text({"group": "6A", "subject": "Maths", "due": "2026-11-25", "count": 1})
        assert line.startswith("New homework in Maths (6A) due on")


def test_during_the_holidays_the_widget_shows_what_is_due_when_school_starts_again(world, client):
    paris = ZoneInfo("Europe/Paris")
    with time_machine.travel(dt.datetime(2026, 12, 18, 10, tzinfo=paris), tick=False):  # the last day of term
        session(world, homework=[("Lire le chapitre 3", dt.date(2027, 1, 4))])  # the day school starts again
    with time_machine.travel(dt.datetime(2026, 12, 19, 10, tzinfo=paris), tick=False):  # holidays: 16 days
        world.login(client, "alice")
        assert "Lire le chapitre 3" in client.get("/").content.decode()


def test_outside_the_holidays_the_widget_looks_a_week_ahead(world, client):
    paris = ZoneInfo("Europe/Paris")
    with time_machine.travel(dt.datetime(2026, 11, 23, 10, tzinfo=paris), tick=False):
        session(world, homework=[("Exposé sur les volcans", dt.date(2026, 12, 3))])  # in ten days
        world.login(client, "alice")
        assert "Exposé sur les volcans" not in client.get("/").content.decode()
        assert "Exposé sur les volcans" in client.get(TODO).content.decode()  # the full list goes further
