"""Every upload waits in quarantine until a real ClamAV daemon has read it: the EICAR test file, sent as a
message attachment or joined to a session of the cahier de textes, is never downloadable, its uploader and
the school's ADML are told; a file not scanned yet is not downloadable either. clamd is started by the
`clamav` fixture (conftest.py) from a signature database the project generates; in CI (CI=true) a missing
clamd fails these tests instead of skipping them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cartable.files import actions, clamd_local
from cartable.files.models import StoredFile
from cartable.homework.models import EntryAttachment
from cartable.messaging.models import Message, MessageAttachment
from cartable.notifications.models import Notification

pytestmark = pytest.mark.django_db

COMPOSE = "/messagerie/ecrire"
NEW_SESSION = "/cahier-de-textes/seance/nouvelle"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def eicar(name: str = "lisez-moi.txt") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, clamd_local.EICAR, content_type="text/plain")


def told(kind: str = actions.INFECTED) -> set[int]:
    return set(Notification.objects.filter(event__kind=kind).values_list("recipient_id", flat=True))


def send_from_tom(world, client, upload, django_capture_on_commit_callbacks) -> Message:
    world.login(client, "tom")
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(
            COMPOSE,
            {
                "to": [world.person("marie").pk],
                "subject": "Sortie",
                "body": "Le programme",
                "intent": "send",
                "attachments": [upload],
            },
        )
    assert answer.status_code == 302, answer.content.decode()[:500]
    return Message.objects.get(subject="Sortie")


def write_session(world, client, upload, django_capture_on_commit_callbacks) -> None:
    world.login(client, "tom")
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(
            NEW_SESSION,
            {
                "teaching": f"{world.class_6a.pk}-{world.maths.pk}",
                "date": timezone.localdate().isoformat(),
                "content": "Les angles",
                "travail-TOTAL_FORMS": "1",
                "travail-INITIAL_FORMS": "0",
                "travail-0-instructions": "Lire la fiche",
                "travail-0-due_date": (timezone.localdate() + dt.timedelta(days=2)).isoformat(),
                "travail-0-attachments": upload,
            },
        )
    assert answer.status_code == 302, answer.content.decode()[:500]


def scan_now(run_tasks, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        run_tasks()


def test_eicar_sent_as_a_message_attachment_is_never_downloadable(
    world, client, clamav, run_tasks, django_capture_on_commit_callbacks
):
    message = send_from_tom(world, client, eicar(), django_capture_on_commit_callbacks)
    attachment = MessageAttachment.objects.get(message=message)
    url = f"/messagerie/{message.pk}/pieces/{attachment.pk}"
    content = attachment.stored.file.name or ""
    assert default_storage.exists(content)

    # In quarantine: neither the recipient nor the sender can download it; the message says why.
    for name in ("marie", "tom"):
        world.login(client, name)
        answer = client.get(url)
        assert answer.status_code == 409 and b"X5O!P" not in answer.content
        assert "en cours d'analyse" in answer.content.decode()
    world.login(client, "marie")
    assert "en cours d'analyse" in client.get(f"/messagerie/{message.pk}").content.decode()

    scan_now(run_tasks, django_capture_on_commit_callbacks)

    stored = StoredFile.objects.get(pk=attachment.stored_id)
    assert stored.status == StoredFile.Status.INFECTED
    assert stored.signature.startswith(clamd_local.SIGNATURE_NAME)
    assert stored.scanned_at is not None and stored.owner_id == world.person("tom").pk
    assert not default_storage.exists(content)  # the content is gone for good; the row is the trace
    for name in ("marie", "tom", "marc", "ada"):
        world.login(client, name)
        answer = client.get(url)
        assert answer.status_code == 404 and b"X5O!P" not in answer.content
    # The uploader and school A's ADML are told; the recipient is not alarmed, nobody else either.
    assert told() == {world.person("tom").pk, world.person("ada").pk}
    world.login(client, "marie")
    page = client.get(f"/messagerie/{message.pk}").content.decode()
    assert "virus trouvé" in page and url not in page


def test_eicar_joined_to_the_cahier_de_textes_is_never_downloadable(
    world, client, clamav, run_tasks, django_capture_on_commit_callbacks
):
    write_session(world, client, eicar("exercices.txt"), django_capture_on_commit_callbacks)
    attachment = EntryAttachment.objects.get()
    url = f"/cahier-de-textes/piece-jointe/{attachment.pk}"
    # The teacher sees it waiting for the antivirus; a pupil cannot download it yet.
    group_page = f"/cahier-de-textes/classe/{world.class_6a.pk}/"
    assert "en cours d'analyse" in client.get(group_page).content.decode()
    world.login(client, "alice")
    assert client.get(url).status_code == 409

    scan_now(run_tasks, django_capture_on_commit_callbacks)

    assert StoredFile.objects.get().status == StoredFile.Status.INFECTED
    for name in ("alice", "marie", "tom", "paul"):
        world.login(client, name)
        answer = client.get(url)
        assert answer.status_code == 404 and b"X5O!P" not in answer.content, name
    assert told() == {world.person("tom").pk, world.person("ada").pk}
    world.login(client, "alice")
    page = client.get(group_page).content.decode()
    assert "virus trouvé" in page and url not in page


def test_a_clean_file_is_served_once_scanned_streamed_with_safe_headers(
    world, client, clamav, run_tasks, django_capture_on_commit_callbacks
):
    page = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
    message = send_from_tom(
        world, client, SimpleUploadedFile("notes.txt", page, "text/plain"), django_capture_on_commit_callbacks
    )
    attachment = MessageAttachment.objects.get(message=message)
    stored = attachment.stored
    assert stored.content_type == "text/html"  # sniffed from the content, not the name or the browser
    assert stored.size == len(page) and len(stored.sha256) == 64
    url = f"/messagerie/{message.pk}/pieces/{attachment.pk}"
    world.login(client, "marie")
    assert client.get(url).status_code == 409

    scan_now(run_tasks, django_capture_on_commit_callbacks)

    assert StoredFile.objects.get(pk=stored.pk).status == StoredFile.Status.CLEAN
    answer = client.get(url)
    assert answer.status_code == 200 and answer.streaming
    assert b"".join(answer.streaming_content) == page
    assert answer["Content-Disposition"].startswith("attachment")
    assert answer["Content-Type"] == "application/octet-stream"  # never rendered as a page
    assert answer["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in answer["Content-Security-Policy"]
    assert told() == set()
    # Bob is not a recipient: the access check of the message comes first.
    world.login(client, "bob")
    assert client.get(url).status_code == 404


def test_antivirus_down_files_wait_in_quarantine_and_are_scanned_when_it_is_back(
    world, client, settings, clamd_address, run_tasks, django_capture_on_commit_callbacks
):
    settings.CLAMAV_ADDRESS = "unix:///nonexistent/clamd.sock"
    message = send_from_tom(world, client, eicar(), django_capture_on_commit_callbacks)
    scan_now(run_tasks, django_capture_on_commit_callbacks)
    stored = MessageAttachment.objects.get(message=message).stored
    stored.refresh_from_db()
    assert stored.status == StoredFile.Status.PENDING and default_storage.exists(stored.file.name or "")

    settings.CLAMAV_ADDRESS = clamd_address
    assert actions.scan_waiting() == {"clean": 0, "infected": 1, "waiting": 0}
    stored.refresh_from_db()
    assert stored.status == StoredFile.Status.INFECTED


def test_the_periodic_task_rescans_and_queues_itself_again(
    world, settings, clamd_address, run_tasks, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    from cartable.files.tasks import plan_rescan, scan_waiting_files

    stored = actions.store_upload(
        SimpleUploadedFile("a.txt", b"bonjour"), owner=world.person("tom"), school_id=world.school_a.pk
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert plan_rescan() is True
    with django_capture_on_commit_callbacks(execute=True):
        assert plan_rescan() is False  # one is waiting already
    settings.CLAMAV_ADDRESS = clamd_address
    DBTaskResult.objects.filter(task_path=scan_waiting_files.module_path).update(run_after=timezone.now())
    scan_now(run_tasks, django_capture_on_commit_callbacks)
    stored.refresh_from_db()
    assert stored.status == StoredFile.Status.CLEAN
    waiting = DBTaskResult.objects.filter(task_path=scan_waiting_files.module_path, status="READY")
    assert waiting.count() == 1 and waiting.get().run_after > timezone.now()


def test_images_may_show_in_the_page_other_types_are_downloads(
    world, client, django_capture_on_commit_callbacks
):
    from cartable.files.tests.helpers import mark_all_clean

    png = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    uploads = (("photo.png", png), ("dessin.svg", svg), ("fiche.pdf", b"%PDF-1.4 fiche"))
    for days, (name, content) in enumerate(uploads):
        write_session_file = SimpleUploadedFile(name, content)
        world.login(client, "tom")
        with django_capture_on_commit_callbacks(execute=True):
            client.post(
                NEW_SESSION,
                {
                    "teaching": f"{world.class_6a.pk}-{world.maths.pk}",
                    "date": (timezone.localdate() - dt.timedelta(days=days)).isoformat(),
                    "content": name,
                    "attachments": [write_session_file],
                    "travail-TOTAL_FORMS": "0",
                    "travail-INITIAL_FORMS": "0",
                },
            )
    assert mark_all_clean() == 3
    world.login(client, "alice")
    found = {a.name: a for a in EntryAttachment.objects.select_related("stored")}
    expected = {
        "photo.png": ("image/png", "inline"),
        "dessin.svg": ("application/octet-stream", "attachment"),
        "fiche.pdf": ("application/pdf", "attachment"),
    }
    for name, (content_type, disposition) in expected.items():
        answer = client.get(f"/cahier-de-textes/piece-jointe/{found[name].pk}")
        assert answer.status_code == 200, name
        assert answer["Content-Type"] == content_type, name
        assert answer["Content-Disposition"].startswith(disposition), name
        assert answer["X-Content-Type-Options"] == "nosniff"


def test_released_files_go_unless_something_still_joins_them(world, django_capture_on_commit_callbacks):
    from cartable.messaging.tests.helpers import pdf, send

    message = send(world, "tom", to=["marie"], subject="Original", files=[pdf()])
    stored = message.attachments.get().stored
    lonely = actions.store_upload(pdf("seul.pdf"), owner=world.person("tom"), school_id=world.school_a.pk)
    with django_capture_on_commit_callbacks(execute=True):
        assert actions.release([stored.pk, lonely.pk]) == 1
    assert StoredFile.objects.filter(pk=stored.pk).exists()
    assert not StoredFile.objects.filter(pk=lonely.pk).exists()
    assert default_storage.exists(stored.file.name or "")
    assert not default_storage.exists(lonely.file.name or "")


def test_files_stored_before_are_adopted_in_quarantine(world):
    from cartable.files.legacy import adopt

    name = default_storage.save("messaging/2026/01/ancien.pdf", SimpleUploadedFile("x", b"%PDF-1.4 ancien"))
    stored = adopt(StoredFile, name, name="ancien.pdf", school_id=world.school_a.pk, owner_id=None)
    assert stored.status == StoredFile.Status.PENDING and stored.content_type == "application/pdf"
    assert stored.size == 15 and stored.file.name == name
