"""Far-off dates and odd ids in the cahier de textes: form errors and 404s, never a server error."""

import datetime as dt

import pytest
from django.utils import timezone

from cartable.homework.models import Entry
from cartable.homework.tests.helpers import session

pytestmark = pytest.mark.django_db
NEW = "/cahier-de-textes/seance/nouvelle"


def group_url(world) -> str:
    return f"/cahier-de-textes/classe/{world.class_6a.pk}/"


def form(world, **extra):
    return {
        "teaching": f"{world.class_6a.pk}-{world.maths.pk}",
        "date": timezone.localdate().isoformat(),
        "content": "Les angles",
        "travail-TOTAL_FORMS": "1",
        "travail-INITIAL_FORMS": "0",
        **extra,
    }


@pytest.mark.parametrize("far", ["9999-12-31", "0001-01-01", "10000-01-01", "2026-02-30"])
def test_the_class_cahier_asked_for_a_far_week_shows_this_week(world, client, far):
    world.login(client, "alice")
    answer = client.get(group_url(world), {"semaine": far})
    assert answer.status_code == 200
    monday = timezone.localdate() - dt.timedelta(days=timezone.localdate().weekday())
    assert answer.context["monday"] == monday


def test_a_session_saved_for_year_9999_before_the_window_does_not_break_the_pages(world, client):
    entry = session(world, content="Rangée très loin")
    Entry.objects.filter(pk=entry.pk).update(date=dt.date(9999, 12, 31))
    for name in ("alice", "tom", "paul"):
        world.login(client, name)
        # Where saving it led: the week of 27 December 9999, whose next week does not exist.
        assert client.get(group_url(world), {"semaine": "9999-12-27"}).status_code == 200
        assert client.get(group_url(world), {"vue": "matiere"}).status_code == 200
        assert client.get("/cahier-de-textes/").status_code == 200
    # Its author can open it, and must choose a date in the window to save it again.
    world.login(client, "tom")
    url = f"/cahier-de-textes/seance/{entry.pk}/modifier"
    assert client.get(url).status_code == 200
    answer = client.post(url, form(world, date="9999-12-31"))
    assert answer.status_code == 200 and answer.context["form"].errors["date"]


@pytest.mark.parametrize(
    "extra",
    [
        {"date": "9999-12-31"},
        {"date": "0001-01-01"},
        {"visible_from": "9999-12-31T23:59"},
        {"travail-0-instructions": "Lire", "travail-0-due_date": "9999-12-31"},
        {"course": "99999999999999999999"},
        {"course": "²"},
    ],
)
def test_a_session_with_a_far_date_or_an_odd_id_is_a_form_error(world, client, extra):
    world.login(client, "tom")
    answer = client.post(NEW, form(world, **extra))
    assert answer.status_code == 200
    assert answer.context["form"].errors or any(f.errors for f in answer.context["formset"].forms)
    assert not Entry.objects.exists()


def test_a_forged_number_of_homework_forms_builds_ten_at_most(world, client):
    world.login(client, "tom")
    answer = client.post(NEW, form(world, date="9999-12-31", **{"travail-TOTAL_FORMS": "99999"}))
    assert answer.status_code == 200
    assert len(answer.context["formset"].forms) <= 10


def test_attachments_to_remove_are_ids_or_left_out(world, client):
    entry = session(world)
    world.login(client, "tom")
    url = f"/cahier-de-textes/seance/{entry.pk}/modifier"
    for odd in ("²", "99999999999999999999", "9" * 5000):
        answer = client.post(url, form(world, remove_attachment=odd, content=f"Contenu {len(odd)}"))
        assert answer.status_code == 302
    entry.refresh_from_db()
    assert "Contenu 5000" in entry.content


@pytest.mark.parametrize(
    "query",
    [
        {"course": "²", "date": "2026-11-16"},
        {"course": "99999999999999999999", "date": "2026-11-16"},
        {"course": "1", "date": "9999-12-31"},
        {"course": "1", "date": "0001-01-01"},
        {"course": "1"},
    ],
)
def test_the_session_asked_in_the_address_is_a_real_one_or_404(world, client, query):
    world.login(client, "tom")
    assert client.get(NEW, query).status_code == 404
