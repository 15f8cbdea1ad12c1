"""Files joined to sessions and homework: accepted types and sizes, served only to the readers."""

import datetime as dt
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cartable.files.tests.helpers import mark_all_clean
from cartable.homework.models import Entry, EntryAttachment

pytestmark = pytest.mark.django_db

NEW = "/cahier-de-textes/seance/nouvelle"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.HOMEWORK_MAX_ATTACHMENT_BYTES = 1024


def form(world, **extra):
    return {
        "teaching": f"{world.class_6a.pk}-{world.maths.pk}",
        "date": timezone.localdate().isoformat(),
        "content": "Les angles",
        "travail-TOTAL_FORMS": "1",
        "travail-INITIAL_FORMS": "0",
        **extra,
    }


def test_files_are_stored_and_served_to_readers_only(world, client, django_capture_on_commit_callbacks):
    world.login(client, "tom")
    due = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    answer = client.post(
        NEW,
        form(
            world,
            attachments=[SimpleUploadedFile("fiche angles.pdf", b"%PDF-1.4 fiche", "application/pdf")],
            **{
                "travail-0-instructions": "Construire trois angles",
                "travail-0-due_date": due,
                "travail-0-attachments": SimpleUploadedFile("rapporteur.png", b"\x89PNG...", "image/png"),
            },
        ),
    )
    assert answer.status_code == 302
    lesson_file = EntryAttachment.objects.get(homework__isnull=True)
    homework_file = EntryAttachment.objects.get(homework__isnull=False)
    assert lesson_file.name == "fiche angles.pdf" and lesson_file.stored.content_type == "application/pdf"
    assert "angles" not in str(lesson_file.stored.file.name)  # stored under a random name
    assert homework_file.stored.content_type == "application/octet-stream"  # "\x89PNG..." is no real PNG
    mark_all_clean()

    for name, status in {
        "alice": 200,
        "marie": 200,
        "paul": 200,
        "carl": 404,
        "tess": 404,
        "zack": 404,
    }.items():
        world.login(client, name)
        response = client.get(f"/cahier-de-textes/piece-jointe/{lesson_file.pk}")
        assert response.status_code == status, name
        if status == 200:
            assert b"".join(response.streaming_content) == b"%PDF-1.4 fiche"
            assert response["Content-Disposition"].startswith("attachment")

    # Deleting the session deletes its files.
    world.login(client, "tom")
    path = lesson_file.stored.file.path
    entry = Entry.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/cahier-de-textes/seance/{entry.pk}/supprimer")
    assert not EntryAttachment.objects.exists()
    assert not os.path.exists(path)


def test_a_file_too_large_or_of_a_refused_type_is_refused_with_a_message(world, client):
    world.login(client, "tom")
    html = client.post(
        NEW, form(world, attachments=[SimpleUploadedFile("virus.exe", b"MZ", "application/octet-stream")])
    ).content.decode()
    assert "« virus.exe » n’est pas accepté" in html
    assert "Les angles" in html  # nothing typed is lost
    html = client.post(
        NEW, form(world, attachments=[SimpleUploadedFile("gros.pdf", b"x" * 2048, "application/pdf")])
    ).content.decode()
    assert "« gros.pdf » est trop lourd" in html
    assert not Entry.objects.exists()


def test_a_prepared_sessions_files_wait_for_its_date(world, client):
    world.login(client, "tom")
    answer = client.post(
        NEW,
        form(
            world,
            visible_from=(timezone.localtime() + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
            attachments=[SimpleUploadedFile("plan.pdf", b"%PDF plan", "application/pdf")],
        ),
    )
    assert answer.status_code == 302, answer.content.decode()
    attachment = EntryAttachment.objects.get()
    assert not attachment.entry.is_visible()
    mark_all_clean()
    world.login(client, "alice")
    assert client.get(f"/cahier-de-textes/piece-jointe/{attachment.pk}").status_code == 404
    world.login(client, "tom")
    assert client.get(f"/cahier-de-textes/piece-jointe/{attachment.pk}").status_code == 200
