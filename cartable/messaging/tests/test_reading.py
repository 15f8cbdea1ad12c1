"""Reading: who sees which message (404 for everyone else), conversations, recall, reports, search, counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cartable.accounts.models import User
from cartable.communication import rules as communication
from cartable.files.tests.helpers import mark_all_clean
from cartable.messaging import actions
from cartable.messaging.models import Folder, Message, Recipient, Report
from cartable.messaging.tests.helpers import parents_of, pdf, send
from cartable.notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_another_users_message_answers_404_everywhere(world, as_user):
    message = send(world, "tom", to=["marie"], subject="Pour Marie", files=[pdf()])
    attachment = message.attachments.get()
    for name in ("bob", "beatrice", "marc", "tess", "vera", "zack", "xavier"):
        client = as_user(name)
        base = f"/messagerie/{message.pk}"
        for url in (
            base,
            f"{base}/repondre",
            f"{base}/repondre-a-tous",
            f"{base}/transferer",
            f"{base}/signaler",
            f"{base}/pieces/{attachment.pk}",
        ):
            assert client.get(url).status_code == 404, (name, url)
        for suffix in ("corbeille", "restaurer", "supprimer", "rappeler", "non-lu", "signaler"):
            assert client.post(f"{base}/{suffix}").status_code == 404, (name, suffix)
        # A reply or forward naming someone else's message is refused too.
        forged = client.post(
            "/messagerie/ecrire",
            {"reply_to": message.pk, "to": [world.person("tom").pk], "subject": "x", "body": "y"},
        )
        assert forged.status_code == 404
    message.refresh_from_db()
    assert message.recalled_at is None and not Report.objects.exists()
    assert Recipient.objects.get(message=message).folder == Folder.INBOX


def test_a_guardian_with_two_children_sees_messages_about_both(world, as_user):
    send(world, "tom", groups=[parents_of(world.class_6a)], subject="Sortie de la 6A")
    send(world, "xavier", groups=[parents_of(world.class_6c)], subject="Piscine de la 6C")
    page = as_user("marie").get("/messagerie/").content.decode()
    assert "Sortie de la 6A" in page and "Piscine de la 6C" in page
    # Marc is only Alice's guardian; Zack only Zoé's.
    marc = as_user("marc").get("/messagerie/").content.decode()
    assert "Sortie de la 6A" in marc and "Piscine de la 6C" not in marc
    zack = as_user("zack").get("/messagerie/").content.decode()
    assert "Piscine de la 6C" in zack and "Sortie de la 6A" not in zack


def test_conversation_reply_and_reply_all(world, as_user):
    first = send(world, "tom", groups=[parents_of(world.class_6a)], subject="Sortie au musée")
    marie = as_user("marie")
    page = marie.get(f"/messagerie/{first.pk}/repondre").content.decode()
    assert "Re : Sortie au musée" in page and "Tom LEROY" in page
    # Reply to all: only those Marie may still write to are proposed.
    page = marie.get(f"/messagerie/{first.pk}/repondre-a-tous").content.decode()
    everyone = {world.person(n).pk for n in ("tom", "marc", "beatrice")}
    for person_id in communication.writable_among(world.marie, everyone):
        assert f'name="to" value="{person_id}" checked' in page
    for person_id in everyone - communication.writable_among(world.marie, everyone):
        assert f'value="{person_id}"' not in page
    response = marie.post(
        "/messagerie/ecrire",
        {
            "reply_to": first.pk,
            "to": [world.person("tom").pk],
            "subject": "Re : Sortie au musée",
            "body": "Alice viendra.",
            "intent": "send",
        },
    )
    assert response.status_code == 302
    answer = Message.objects.exclude(pk=first.pk).get()
    assert answer.thread_id == first.pk and answer.reply_to_id == first.pk
    page = as_user("tom").get(f"/messagerie/{first.pk}").content.decode()
    assert page.index("Sortie au musée") < page.index("Alice viendra.")
    # Béatrice sees the first message of the conversation, not Marie's answer to Tom.
    assert as_user("beatrice").get(f"/messagerie/{answer.pk}").status_code == 404
    page = as_user("beatrice").get(f"/messagerie/{first.pk}").content.decode()
    assert "Alice viendra." not in page


def test_forward_keeps_attachments(world, as_user):
    first = send(world, "tom", to=["vera"], subject="Bulletin", files=[pdf("bulletin.pdf")])
    vera = as_user("vera")
    page = vera.get(f"/messagerie/{first.pk}/transferer").content.decode()
    assert "Tr : Bulletin" in page and "bulletin.pdf" in page
    response = vera.post(
        "/messagerie/ecrire",
        {
            "forward_of": first.pk,
            "to": [world.person("paul").pk],
            "subject": "Tr : Bulletin",
            "body": "Pour info",
            "intent": "send",
        },
    )
    assert response.status_code == 302
    forwarded = Message.objects.get(subject="Tr : Bulletin")
    assert forwarded.has_attachments and forwarded.attachments.get().name == "bulletin.pdf"
    # The forward joins the same stored file: one scan serves both messages.
    assert forwarded.attachments.get().stored_id == first.attachments.get().stored_id
    mark_all_clean()
    download = as_user("paul").get(f"/messagerie/{forwarded.pk}/pieces/{forwarded.attachments.get().pk}")
    assert download.status_code == 200


def test_recall_only_while_nobody_has_read_it(world, as_user):
    message = send(world, "tom", to=["marie", "marc"], subject="Erreur de destinataire")
    tom = as_user("tom")
    assert tom.post(f"/messagerie/{message.pk}/rappeler").status_code == 302
    message.refresh_from_db()
    assert message.recalled_at is not None
    marie = as_user("marie")
    assert "Erreur de destinataire" not in marie.get("/messagerie/").content.decode()
    assert marie.get(f"/messagerie/{message.pk}").status_code == 404
    # Nor in her timeline, her notifications or her unread count: nothing tells what it was.
    for page in ("/", "/notifications/"):
        assert "Erreur de destinataire" not in marie.get(page).content.decode()
    mine = Notification.objects.filter(recipient=world.person("marie"))
    assert not mine.filter(event__url__endswith=f"/{message.pk}").exists()
    # Once read, it can no longer be recalled.
    second = send(world, "tom", to=["marie", "marc"], subject="Déjà lu")
    assert marie.get(f"/messagerie/{second.pk}").status_code == 200
    response = tom.post(f"/messagerie/{second.pk}/rappeler", follow=True)
    assert "déjà été lu" in response.content.decode()
    second.refresh_from_db()
    assert second.recalled_at is None
    assert "Déjà lu" in as_user("marc").get("/messagerie/").content.decode()


def test_report_flow(world, as_user):
    insult = send(world, "alice", to=["tom"], subject="Demain", body="Vous allez voir.")
    tom = as_user("tom")
    assert tom.get(f"/messagerie/{insult.pk}/signaler").status_code == 200
    assert tom.post(f"/messagerie/{insult.pk}/signaler", {"reason": "Menace"}).status_code == 302
    found = Report.objects.get()
    assert found.school == world.school_a and found.reason == "Menace"
    # The sender cannot report their own message.
    assert as_user("alice").get(f"/messagerie/{insult.pk}/signaler").status_code == 404
    # Vie scolaire and direction of school A see it; a teacher and school B's admin do not.
    for name in ("vera", "paul", "ada"):
        page = as_user(name).get("/messagerie/signalements").content.decode()
        assert "Vous allez voir." in page and "Menace" in page, name
    assert "Bloquer le compte d’Alice MARTIN" in page  # not "de Alice"
    assert as_user("tess").get("/messagerie/signalements").status_code == 404
    assert "Vous allez voir." not in as_user("bruno").get("/messagerie/signalements").content.decode()
    assert as_user("bruno").post(f"/messagerie/signalements/{found.pk}/bloquer").status_code == 404
    # Vera blocks the pupil's account: logged out at once, the report is handled.
    response = as_user("vera").post(f"/messagerie/signalements/{found.pk}/bloquer", follow=True)
    assert "Le compte d’Alice MARTIN est bloqué" in response.content.decode()
    assert User.objects.get(pk=world.alice.pk).blocked_at is not None
    found.refresh_from_db()
    assert found.outcome == Report.Outcome.BLOCKED and found.handled_by == world.person("vera")


def test_vie_scolaire_cannot_block_a_member_of_staff(world, as_user):
    message = send(world, "tom", to=["marie"], subject="Message")
    found = actions.report(world.marie, message, "")
    vera = as_user("vera")
    response = vera.post(f"/messagerie/signalements/{found.pk}/bloquer", follow=True)
    assert "administrateur ENT" in response.content.decode()
    assert User.objects.get(pk=world.tom.pk).blocked_at is None
    # The school's ADML can, through the console's action (which leaves its trace).
    assert as_user("ada").post(f"/messagerie/signalements/{found.pk}/bloquer").status_code == 302
    assert User.objects.get(pk=world.tom.pk).blocked_at is not None
    # Dismissing is for those who see the report.
    other = actions.report(world.marc, message, "")
    assert as_user("tess").post(f"/messagerie/signalements/{other.pk}/classer").status_code == 404
    assert as_user("paul").post(f"/messagerie/signalements/{other.pk}/classer").status_code == 302
    other.refresh_from_db()
    assert other.outcome == Report.Outcome.DISMISSED


def test_search_ignores_accents_and_case(world, as_user):
    send(world, "tom", to=["marie"], subject="Sortie au musée", body="Prévoir un pique-nique")
    send(world, "tom", to=["marie"], subject="Cantine", body="Menu de la semaine")
    marie = as_user("marie")
    page = marie.get("/messagerie/?q=MUSEE").content.decode()
    assert "Sortie au musée" in page and "Cantine" not in page
    assert "Sortie au musée" in marie.get("/messagerie/?q=prevoir").content.decode()
    assert "Cantine" in marie.get("/messagerie/?q=leroy").content.decode()
    assert "Aucun message ne correspond" in marie.get("/messagerie/?q=piscine").content.decode()
    assert "Cantine" in as_user("tom").get("/messagerie/envoyes?q=menu").content.decode()


def test_trash_restore_and_delete(world, as_user):
    message = send(world, "tom", to=["marie"], subject="À ranger")
    marie = as_user("marie")
    marie.post(f"/messagerie/{message.pk}/corbeille")
    assert "À ranger" not in marie.get("/messagerie/").content.decode()
    assert "À ranger" in marie.get("/messagerie/corbeille").content.decode()
    marie.post(f"/messagerie/{message.pk}/restaurer")
    assert "À ranger" in marie.get("/messagerie/").content.decode()
    marie.post(f"/messagerie/{message.pk}/supprimer")
    assert marie.get(f"/messagerie/{message.pk}").status_code == 404
    # Tom still has his copy.
    assert "À ranger" in as_user("tom").get("/messagerie/envoyes").content.decode()


def test_unread_counts_and_home_widget(world, as_user):
    marie = as_user("marie")
    marie.get("/")
    assert "Aucun message non lu" in marie.get("/").content.decode()
    first = send(world, "tom", to=["marie"], subject="Réunion de rentrée")
    send(world, "tom", to=["marie"], subject="Photo de classe")
    home = marie.get("/").content.decode()
    assert "2 messages non lus" in home and "Réunion de rentrée" in home and "Photo de classe" in home
    marie.get(f"/messagerie/{first.pk}")
    home = marie.get("/").content.decode()
    assert "1 message non lu" in home
    assert "1 non lu" in marie.get("/messagerie/").content.decode()
    marie.post(f"/messagerie/{first.pk}/non-lu")
    assert "2 messages non lus" in marie.get("/").content.decode()


def _fill_inbox(world, count: int) -> Message:
    """`count` messages to Marie from Tom, written in bulk like the bench does."""
    from django.utils import timezone

    now = timezone.now()
    tom = world.person("tom")
    messages = Message.objects.bulk_create(
        [
            Message(
                sender=tom,
                school=world.school_a,
                subject=f"Message {n}",
                body="<p>x</p>",
                sent_at=now,
                recipient_count=1,
            )
            for n in range(count)
        ]
    )
    Recipient.objects.bulk_create(
        [Recipient(message=m, person=world.person("marie"), sent_at=now) for m in messages]
    )
    return messages[-1]


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_inbox_query_count_is_pinned_and_does_not_grow(world, django_assert_max_num_queries, as_user):
    _fill_inbox(world, 10)
    marie = as_user("marie")
    marie.get("/messagerie/")
    # The session, the user and one page of rows (the unread count comes from the shared cache).
    with django_assert_max_num_queries(3):
        marie.get("/messagerie/")
    small = _queries(marie, "/messagerie/")
    _fill_inbox(world, 200)
    marie.get("/messagerie/")
    assert _queries(marie, "/messagerie/") == small
    assert _queries(marie, "/messagerie/?q=message") == _queries(marie, "/messagerie/?q=message&page=3")
    tom = as_user("tom")
    tom.get("/messagerie/envoyes")
    with django_assert_max_num_queries(4):  # and the second-factor device of a member of staff
        tom.get("/messagerie/envoyes")


def test_thread_query_count_is_pinned_and_does_not_grow(world, django_assert_max_num_queries, as_user):
    first = send(world, "tom", groups=[parents_of(world.class_6a)], subject="Conversation", files=[pdf()])
    reply = send(world, "marie", to=["tom"], subject="Re : Conversation", reply_to=first)
    marie = as_user("marie")
    marie.get(f"/messagerie/{first.pk}")
    # Session, user, the messages, their attachments, their first recipients, my copies, their readers.
    with django_assert_max_num_queries(8):
        marie.get(f"/messagerie/{first.pk}")
    small = _queries(marie, f"/messagerie/{first.pk}")
    for n in range(10):
        reply = send(
            world,
            "tom" if n % 2 else "marie",
            to=["marie" if n % 2 else "tom"],
            subject=f"Re {n}",
            reply_to=reply,
            files=[pdf(f"doc{n}.pdf")],
        )
    marie.get(f"/messagerie/{first.pk}")
    assert _queries(marie, f"/messagerie/{first.pk}") == small
    _fill_inbox(world, 200)
    assert _queries(marie, f"/messagerie/{first.pk}") == small


def test_staff_hear_of_a_report_on_their_timeline(world):
    from django.utils import translation

    from cartable.notifications.kinds import kind_of
    from cartable.notifications.models import Notification

    insult = send(world, "alice", to=["tom"], subject="Demain")
    actions.report(world.tom, insult, "Menace")
    told = set(
        Notification.objects.filter(event__kind="messaging.reported").values_list("recipient_id", flat=True)
    )
    assert told == {world.person("vera").pk, world.person("paul").pk}
    line = kind_of("messaging.reported").text({"subject": "Demain", "sender": "Alice MARTIN"})
    assert line == "Message signalé : « Demain », envoyé par Alice MARTIN"
    with translation.override("en"):
        line = kind_of("messaging.reported").text({"subject": "Demain", "sender": "Alice MARTIN"})
        assert line == "Reported message: “Demain”, sent by Alice MARTIN"
    # Reporting again tells nobody twice.
    actions.report(world.tom, insult, "Encore")
    assert Notification.objects.filter(event__kind="messaging.reported").count() == 2


def test_reply_subject_and_download_type(world, as_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    first = send(
        world,
        "tom",
        to=["marie"],
        subject="Rentrée",
        files=[SimpleUploadedFile("liste.pdf", b"%PDF-1.4", content_type="text/html")],
    )
    marie = as_user("marie")
    assert 'value="Re : Rentrée"' in marie.get(f"/messagerie/{first.pk}/repondre").content.decode()
    mark_all_clean()
    download = marie.get(f"/messagerie/{first.pk}/pieces/{first.attachments.get().pk}")
    assert download["Content-Type"] == "application/pdf"  # sniffed: not what the sender's browser claimed
    assert download["X-Content-Type-Options"] == "nosniff"


def test_nobody_in_one_school_blocks_a_parent_who_also_belongs_to_another(world, as_user):
    """Marie also has a child in school B: blocking her account would shut her out of school B too."""
    message = send(world, "marie", to=["tom"], subject="Question")
    found = actions.report(world.tom, message, "")
    for name in ("vera", "paul", "ada"):
        response = as_user(name).post(f"/messagerie/signalements/{found.pk}/bloquer", follow=True)
        assert response.status_code in (200, 403), name
        assert User.objects.get(pk=world.marie.pk).blocked_at is None, name
