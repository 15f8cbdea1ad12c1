"""A teacher edits a session: content, homework added, changed and deleted, files removed, visibility."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cartable.homework.models import EntryAttachment, Homework, HomeworkDone
from cartable.homework.tests.helpers import session
from cartable.notifications.models import Event

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def edit_form(world, entry, items, **extra):
    data = {
        "teaching": f"{world.class_6a.pk}-{world.maths.pk}",
        "date": entry.date.isoformat(),
        "content": "Contenu corrigé",
        "travail-TOTAL_FORMS": str(len(items)),
        "travail-INITIAL_FORMS": str(sum(1 for item in items if item.get("id"))),
        **extra,
    }
    for index, item in enumerate(items):
        data |= {f"travail-{index}-{key}": value for key, value in item.items()}
    return data


def test_the_author_changes_deletes_and_adds_homework(world, client):
    due = timezone.localdate() + dt.timedelta(days=3)
    entry = session(world, homework=[("Exercice 1", due), ("Exercice 2", due)])
    first, second = entry.homework.order_by("pk")
    HomeworkDone.objects.create(pupil=world.person("alice"), homework=first)
    world.login(client, "tom")
    page = client.get(f"/cahier-de-textes/seance/{entry.pk}/modifier").content.decode()
    assert "Exercice 1" in page and "Exercice 2" in page
    answer = client.post(
        f"/cahier-de-textes/seance/{entry.pk}/modifier",
        edit_form(
            world,
            entry,
            [
                {"id": first.pk, "instructions": "Exercice 1 et 2", "due_date": due.isoformat()},
                {"id": second.pk, "instructions": "Exercice 2", "due_date": due.isoformat(), "delete": "on"},
                {"instructions": "Lire la leçon", "due_date": due.isoformat(), "duration_minutes": "10"},
            ],
        ),
    )
    assert answer.status_code == 302
    entry.refresh_from_db()
    assert "Contenu corrigé" in entry.content
    items = list(entry.homework.order_by("pk"))
    assert [h.pk for h in items][:1] == [first.pk] and len(items) == 2
    assert "Exercice 1 et 2" in items[0].instructions and items[1].duration_minutes == 10
    assert HomeworkDone.objects.filter(homework=first).exists()  # Alice's tick survives the edit
    # Only the new item is announced (the others were at creation).
    assert Event.objects.filter(kind="homework.added").count() == 4


def test_an_item_of_another_session_cannot_be_changed_through_this_one(world, client):
    due = timezone.localdate() + dt.timedelta(days=3)
    mine = session(world, homework=[("Le mien", due)])
    other = session(world, start=dt.time(14), content="Autre séance", homework=[("L'autre", due)])
    world.login(client, "tom")
    client.post(
        f"/cahier-de-textes/seance/{mine.pk}/modifier",
        edit_form(
            world,
            mine,
            [
                {
                    "id": other.homework.get().pk,
                    "instructions": "Piraté",
                    "due_date": due.isoformat(),
                    "delete": "on",
                }
            ],
        ),
    )
    assert Homework.objects.filter(entry=other, instructions__contains="L'autre").exists()


def test_removing_a_file_and_preparing_a_session_ahead(world, client, django_capture_on_commit_callbacks):
    world.login(client, "tom")
    client.post(
        "/cahier-de-textes/seance/nouvelle",
        edit_form(
            world,
            type("E", (), {"date": timezone.localdate()})(),
            [],
            attachments=[SimpleUploadedFile("plan.pdf", b"%PDF plan", "application/pdf")],
        ),
    )
    attachment = EntryAttachment.objects.get()
    entry = attachment.entry
    later = timezone.localtime() + dt.timedelta(days=2)
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(
            f"/cahier-de-textes/seance/{entry.pk}/modifier",
            edit_form(
                world,
                entry,
                [],
                remove_attachment=[str(attachment.pk)],
                visible_from=later.strftime("%Y-%m-%dT%H:%M"),
            ),
        )
    assert answer.status_code == 302
    entry.refresh_from_db()
    assert not EntryAttachment.objects.exists()
    assert not entry.is_visible()
    world.login(client, "alice")
    assert (
        "Contenu corrigé" not in client.get(f"/cahier-de-textes/classe/{world.class_6a.pk}/").content.decode()
    )
