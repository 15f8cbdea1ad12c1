"""Sending: groups that resolve through the communication rules, forged forms, limits, the kill-switch."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cartable.communication import actions as rules
from cartable.communication import rules as communication
from cartable.directory import actions as directory
from cartable.directory.models import Profile
from cartable.files.tests.helpers import mark_all_clean
from cartable.lib.errors import Refused
from cartable.messaging import access
from cartable.messaging.models import Message, Recipient
from cartable.messaging.tests.helpers import parents_of, pdf, send
from cartable.notifications.models import Notification

pytestmark = pytest.mark.django_db

COMPOSE = "/messagerie/ecrire"


def ids(world, *names) -> set[int]:
    return {world.person(n).pk for n in names}


def test_tom_writes_to_the_parents_of_6a_one_message_one_row_each(
    world, django_capture_on_commit_callbacks, as_user
):
    client = as_user("tom")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            COMPOSE,
            {
                "groups": [parents_of(world.class_6a)],
                "subject": "Sortie au musée",
                "body": "Bonjour,\n\nVendredi.",
                "intent": "send",
            },
        )
    assert response.status_code == 302
    message = Message.objects.get()
    assert message.sender == world.person("tom") and message.school == world.school_a
    assert set(message.recipients.values_list("person_id", flat=True)) == ids(
        world, "marie", "marc", "beatrice"
    )
    assert message.recipient_count == 3 and "6A" in message.audience
    assert message.body == "<p>Bonjour,</p>\n\n<p>Vendredi.</p>"
    # The recipients hear of it on their timeline.
    assert set(Notification.objects.values_list("recipient_id", flat=True)) == ids(
        world, "marie", "marc", "beatrice"
    )


def test_groups_offered_are_only_those_the_rules_let_reach(world):
    tom = {a.code for a in access.audiences_for(world.tom)}
    assert parents_of(world.class_6a) in tom and f"pupils:{world.class_6a.pk}" in tom
    assert parents_of(world.class_5b) not in tom  # Tom does not teach 5B
    assert f"staff:{world.school_a.pk}" in tom
    marie = {a.code: a for a in access.audiences_for(world.marie)}
    assert marie[f"teachers:{world.person('alice').pk}"].person_ids == ids(world, "tom")
    assert not any(code.startswith("parents:") for code in marie)
    zack = {a.code for a in access.audiences_for(world.zack)}
    assert not any(str(world.school_a.pk) in code.split(":")[1] for code in zack if code.startswith("staff:"))
    # Every person of every offered group is reachable by the rules, whatever they are.
    for name in ("tom", "marie", "alice", "vera", "zack"):
        for audience in access.audiences_for(world.users[name]):
            assert communication.writable_among(world.users[name], audience.person_ids) == audience.person_ids


def test_staff_write_to_anyone_in_their_school(world):
    message = send(world, "vera", to=["carl", "gino", "tess"], subject="Retard")
    assert message.recipient_count == 3


def test_marie_writes_to_tom_and_he_reads_it(world, as_user):
    client = as_user("marie")
    response = client.post(
        COMPOSE,
        {
            "to": [world.person("tom").pk],
            "subject": "Absence d’Alice",
            "body": "Alice sera absente.",
            "intent": "send",
        },
    )
    assert response.status_code == 302
    message = Message.objects.get()
    tom = as_user("tom")
    page = tom.get("/messagerie/")
    assert "Absence d’Alice" in page.content.decode()
    assert tom.get(f"/messagerie/{message.pk}").status_code == 200
    assert Recipient.objects.get(message=message).read_at is not None


@pytest.mark.parametrize(
    ("sender", "target"),
    [("zack", "tom"), ("zack", "marie"), ("zack", "vera"), ("alice", "carl")],
)
def test_forged_post_to_someone_out_of_reach_is_refused_and_nothing_lost(world, sender, target, as_user):
    client = as_user(sender)
    response = client.post(
        COMPOSE,
        {"to": [world.person(target).pk], "subject": "Objet gardé", "body": "Texte gardé", "intent": "send"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Vous ne pouvez pas écrire à certaines des personnes choisies" in body
    assert 'value="Objet gardé"' in body and "Texte gardé" in body
    assert not Message.objects.exists() and not Recipient.objects.exists()


def test_forged_group_is_refused(world, as_user):
    client = as_user("tom")
    response = client.post(
        COMPOSE, {"groups": [parents_of(world.class_5b)], "subject": "5B", "body": "x", "intent": "send"}
    )
    assert response.status_code == 200
    assert "certains des groupes choisis" in response.content.decode()
    assert not Message.objects.exists()
    # Nonsense ids are refused as well, without an error page.
    response = client.post(COMPOSE, {"groups": ["parents:abc", "x"], "subject": "5B", "body": "x"})
    assert response.status_code == 200 and not Message.objects.exists()
    response = client.post(COMPOSE, {"to": ["abc"], "subject": "5B", "body": "x"})
    assert response.status_code == 200 and not Message.objects.exists()


def test_a_message_needs_a_recipient_and_a_subject(world, as_user):
    client = as_user("tom")
    response = client.post(COMPOSE, {"subject": "", "body": "x", "to": [world.person("marie").pk]})
    assert response.status_code == 200 and "Donnez un objet" in response.content.decode()
    response = client.post(COMPOSE, {"subject": "Objet", "body": "x"})
    assert response.status_code == 200 and "au moins un destinataire" in response.content.decode()
    # No file was chosen: nothing to choose again.
    assert "joints à nouveau" not in response.content.decode()
    response = client.post(COMPOSE, {"subject": "Objet", "body": "x", "attachments": [pdf()]})
    assert "au moins un destinataire" in response.content.decode()
    assert "joints à nouveau" in response.content.decode()  # the browser does not keep them
    assert not Message.objects.exists()


def test_the_picker_proposes_only_reachable_people(world, as_user):
    client = as_user("alice")
    body = client.get("/messagerie/ecrire/personnes?q=e").content.decode()
    assert "Tom LEROY" in body
    assert "Carl" not in body and "Zack" not in body and "Gino" not in body
    # Without JavaScript: the search button of the form shows the same people and keeps what was written.
    response = client.post(
        COMPOSE, {"q": "leroy", "intent": "find", "subject": "Devoirs", "body": "Question"}
    )
    page = response.content.decode()
    assert response.status_code == 200 and "Tom LEROY" in page and 'value="Devoirs"' in page
    assert not Message.objects.exists()
    assert "Carl" not in client.post(COMPOSE, {"q": "petit", "intent": "find"}).content.decode()


def test_kill_switch_refuses_with_a_clear_message_and_keeps_the_draft(world, monkeypatch, as_user):
    monkeypatch.setattr(
        communication,
        "may_send",
        lambda user: communication.Verdict(False, "Messagerie suspendue pour les élèves."),
    )
    client = as_user("alice")
    data = {"to": [world.person("tom").pk], "subject": "Question", "body": "Bonjour", "intent": "send"}
    response = client.post(COMPOSE, data)
    assert response.status_code == 200
    assert (
        "Messagerie suspendue pour les élèves. Votre message n’a pas été envoyé" in response.content.decode()
    )
    assert not Message.objects.exists()
    # Saving it as a draft still works: nothing is lost.
    assert client.post(COMPOSE, {**data, "intent": "draft"}).status_code == 302
    draft = Message.objects.get()
    assert draft.is_draft and not Recipient.objects.exists()


def test_school_kill_switch_stops_pupils_at_the_next_request(world, as_user):
    client = as_user("alice")
    data = {"to": [world.person("tom").pk], "subject": "Question", "body": "Bonjour", "intent": "send"}
    assert client.post(COMPOSE, data).status_code == 302
    rules.pause_sending(world.ada, world.school_a, Profile.STUDENT)
    assert "L’envoi de messages est coupé" in client.get(COMPOSE).content.decode()  # said before writing
    response = client.post(COMPOSE, data)
    assert response.status_code == 200
    assert "L’envoi de messages est coupé" in response.content.decode()
    assert Message.objects.count() == 1
    # Teachers still write.
    send(world, "tom", to=["marie"])
    rules.resume_sending(world.ada, world.school_a, Profile.STUDENT)
    assert client.post(COMPOSE, data).status_code == 302


def test_pupil_hourly_limit(world, settings, as_user):
    settings.MESSAGES_PER_HOUR_PUPIL = 2
    send(world, "alice", to=["tom"], subject="1")
    send(world, "alice", to=["tom"], subject="2")
    client = as_user("alice")
    response = client.post(
        COMPOSE, {"to": [world.person("tom").pk], "subject": "3", "body": "Encore", "intent": "send"}
    )
    assert response.status_code == 200
    assert "depuis une heure, le maximum pour un élève" in response.content.decode()
    assert Message.objects.count() == 2
    # Adults are not limited.
    for n in range(3):
        send(world, "marie", to=["tom"], subject=f"parent {n}")


def test_pupil_recipient_limit(world, settings):
    settings.MESSAGES_RECIPIENTS_MAX_PUPIL = 1
    directory.assign_teaching(world.person("tess"), world.class_6a, world.maths)
    with pytest.raises(Refused, match="1 personnes au plus"):
        send(world, "alice", to=["tom", "tess"])
    assert not Message.objects.exists()
    send(world, "tom", to=["marie", "marc"])


def test_attachment_limits(world, settings, as_user):
    settings.MESSAGE_ATTACHMENT_MAX_BYTES = 1000
    client = as_user("tom")
    base = {"to": [world.person("marie").pk], "subject": "Pièce jointe", "body": "Voici", "intent": "send"}
    heavy = SimpleUploadedFile("gros.pdf", b"%PDF" + b"x" * 2000, content_type="application/pdf")
    response = client.post(COMPOSE, {**base, "attachments": [heavy]})
    assert response.status_code == 200
    assert "« gros.pdf » est trop lourd" in response.content.decode()
    program = SimpleUploadedFile("jeu.exe", b"MZ...", content_type="application/octet-stream")
    response = client.post(COMPOSE, {**base, "attachments": [program]})
    assert response.status_code == 200 and "« jeu.exe » n’est pas accepté" in response.content.decode()
    assert not Message.objects.exists()
    settings.MESSAGE_ATTACHMENTS_MAX = 1
    response = client.post(COMPOSE, {**base, "attachments": [pdf("a.pdf"), pdf("b.pdf")]})
    assert response.status_code == 200 and "Pas plus de 1 fichier à la fois" in response.content.decode()
    # A small PDF goes through, stored with the storage backend, and its recipient downloads it.
    response = client.post(COMPOSE, {**base, "attachments": [pdf("sortie.pdf")]})
    assert response.status_code == 302
    message = Message.objects.get()
    attachment = message.attachments.get()
    assert message.has_attachments and attachment.name == "sortie.pdf"
    url = f"/messagerie/{message.pk}/pieces/{attachment.pk}"
    assert as_user("marie").get(url).status_code == 409  # in quarantine until scanned
    mark_all_clean()
    download = as_user("marie").get(url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")  # type: ignore[attr-defined]
    assert 'attachment; filename="sortie.pdf"' in download["Content-Disposition"]
    assert as_user("bob").get(f"/messagerie/{message.pk}/pieces/{attachment.pk}").status_code == 404


def test_body_is_sanitized(world):
    message = send(world, "tom", to=["marie"], body='<p onclick="x()">Salut<script>alert(1)</script></p>')
    assert message.body == "<p>Salut</p>"


def test_drafts_keep_recipients_and_are_sent_later(world, as_user):
    client = as_user("tom")
    response = client.post(
        COMPOSE,
        {
            "groups": [parents_of(world.class_6a)],
            "to": [world.person("vera").pk],
            "subject": "Brouillon",
            "body": "À finir",
            "intent": "draft",
        },
    )
    draft = Message.objects.get()
    assert response.status_code == 302 and draft.is_draft
    assert "Brouillon" in client.get("/messagerie/brouillons").content.decode()
    page = client.get(f"{COMPOSE}?brouillon={draft.pk}").content.decode()
    assert "À finir" in page and "Vera ROUX" in page
    assert as_user("marie").get(f"/messagerie/{draft.pk}").status_code == 404
    response = client.post(
        COMPOSE,
        {
            "draft": draft.pk,
            "groups": [parents_of(world.class_6a)],
            "to": [world.person("vera").pk],
            "subject": "Brouillon fini",
            "body": "Fini",
            "intent": "send",
        },
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert not draft.is_draft and draft.recipient_count == 4
    assert Message.objects.count() == 1
    # Another person's draft id is not found.
    other = send(world, "marie", to=["tom"])
    assert client.get(f"{COMPOSE}?brouillon={other.pk}").status_code == 404


def _more_families(world, count: int) -> None:
    for n in range(count):
        pupil = world.add_pupil(f"Élève{n}", "Nouveau", world.class_6a)
        parent = directory.create_person(
            directory.NewPerson(
                first_name=f"Parent{n}", last_name="Nouveau", school=world.school_a, profile=Profile.RELATIVE
            )
        )
        directory.link_guardian(parent, pupil)


def _send_queries(world) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cartable.access.policy import forget_viewer

    forget_viewer(world.tom)
    send(world, "tom", groups=[parents_of(world.class_6a)], subject="Échauffement")
    forget_viewer(world.tom)
    with CaptureQueriesContext(connection) as queries:
        message = send(world, "tom", groups=[parents_of(world.class_6a)], subject="Compté")
    assert message.recipients.count() == message.recipient_count
    return len(queries)


def test_sending_to_a_group_costs_the_same_queries_for_3_or_33_parents(world):
    few = _send_queries(world)
    _more_families(world, 30)
    assert Message.objects.get(subject="Compté").recipient_count == 3
    Message.objects.all().delete()
    assert _send_queries(world) == few
    assert Message.objects.get(subject="Compté").recipient_count == 33


def test_a_form_with_errors_is_shown_again_as_a_normal_page_keeping_what_was_written(world, as_user):
    """Errors re-render the form with 200 (a 400 makes the browser log an error for a page that is fine)."""
    client = as_user("tom")
    group = parents_of(world.class_6a)
    response = client.post(COMPOSE, {"subject": "Sortie", "body": "Vendredi au musée", "intent": "send"})
    page = response.content.decode()
    assert response.status_code == 200 and "au moins un destinataire" in page
    assert 'value="Sortie"' in page and "Vendredi au musée" in page
    response = client.post(COMPOSE, {"groups": [group], "subject": "", "body": "Texte", "intent": "send"})
    page = response.content.decode()
    assert response.status_code == 200 and "Donnez un objet" in page
    assert f'value="{group}" checked' in page and "Texte" in page
    marie = world.person("marie").pk
    response = client.post(COMPOSE, {"to": [marie], "subject": "", "body": "Texte", "intent": "send"})
    assert response.status_code == 200 and f'name="to" value="{marie}" checked' in response.content.decode()
    assert not Message.objects.exists() and not Recipient.objects.exists()


def test_the_htmx_picker_answers_only_its_fragment(world, as_user):
    client = as_user("alice")
    response = client.get("/messagerie/ecrire/personnes?q=leroy", headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200 and body.lstrip().startswith('<div id="picker"')
    assert "Tom LEROY" in body and "<html" not in body


def test_the_picker_says_who_each_person_is(world, as_user):
    body = as_user("vera").get("/messagerie/ecrire/personnes?q=a").content.decode()
    assert 'Tess MOREAU <span class="muted">— Professeur de français — 5B' in body
    assert 'Marie MARTIN <span class="muted">— Parent d’Alice (6A)' in body
    assert 'Bob DURAND <span class="muted">— Élève de 6A' in body
    assert 'Paul FOURNIER <span class="muted">— Direction' in body
    body = as_user("marie").get("/messagerie/ecrire/personnes?q=roux").content.decode()
    assert 'Vera ROUX <span class="muted">— Vie scolaire' in body
    # Without JavaScript the search button shows the same, and so do the people already chosen.
    response = as_user("marie").post(
        COMPOSE, {"q": "leroy", "intent": "find", "to": [world.person("paul").pk]}
    )
    page = response.content.decode()
    assert 'Tom LEROY <span class="muted">— Professeur de mathématiques — 6A' in page
    assert 'Paul FOURNIER <span class="muted">— Direction' in page


def test_the_picker_tells_only_of_the_writers_schools(world, as_user):
    """Marie also has Léo in school B: Tom, in school A, is not told about him."""
    body = as_user("tom").get("/messagerie/ecrire/personnes?q=marie").content.decode()
    # Word boundaries: a random token of the page (CSRF) may hold the letters "6C".
    assert "Parent d’Alice (6A)" in body and "Léo" not in body and not re.search(r"\b6C\b", body)


def test_the_picker_names_only_children_the_writer_may_see(world, as_user):
    """Tess may write to any parent of her school, but does not teach Alice: Marie is « Parent », with no
    child named, as the directory would not open Alice's profile to her."""
    body = as_user("tess").get("/messagerie/ecrire/personnes?q=marie").content.decode()
    assert 'Marie MARTIN <span class="muted">— Parent</span>' in body
    assert "Alice" not in body and not re.search(r"\b6A\b", body)
    # Those who may see the child are told.
    body = as_user("xavier").get("/messagerie/ecrire/personnes?q=marie").content.decode()
    assert "Parent de Léo (6C)" in body and "Alice" not in body


def test_the_picker_costs_the_same_queries_for_few_people_or_many(world, as_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cartable.directory.models import Profile

    client = as_user("vera")

    def queries_for(q: str) -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            body = client.get(f"/messagerie/ecrire/personnes?q={q}").content.decode()
        return len(queries), body.count('name="to"')

    queries_for("zzz")  # the session and the cached facts are read once
    few, shown = queries_for("a")
    assert shown >= 8 and few <= 12
    # More pupils, guardians and teachers of several classes: the same number of queries.
    for n in range(4):
        pupil = directory.create_person(
            directory.NewPerson(
                first_name=f"Anna{n}",
                last_name="Zed",
                school=world.school_a,
                profile=Profile.STUDENT,
                groups=[world.class_5b if n % 2 else world.class_6a],
            )
        )
        parent = directory.create_person(
            directory.NewPerson(
                first_name=f"Paula{n}", last_name="Zed", school=world.school_a, profile="Relative"
            )
        )
        directory.link_guardian(parent, pupil)
        teacher = directory.create_person(
            directory.NewPerson(
                first_name=f"Tara{n}", last_name="Zed", school=world.school_a, profile="Teacher"
            )
        )
        directory.assign_teaching(teacher, world.class_6a, world.maths)
        directory.assign_teaching(teacher, world.class_5b, None)
    queries_for("zzz")  # the directory changed: the cached facts are read again once
    many, shown_now = queries_for("a")
    assert shown_now == min(shown + 12, 20) and many == few


def test_group_names_after_de_are_elided(world):
    from cartable.directory.models import Group

    ulis = Group.objects.create(school=world.school_a, year=world.year, name="Ulis")
    directory.assign_teaching(world.person("tom"), ulis, world.maths)
    directory.enrol(world.person("carl"), ulis)
    labels = {a.code: str(a.label) for a in access.audiences_for(world.tom)}
    assert labels[f"pupils:{world.class_6a.pk}"].startswith("Élèves de 6A")
    assert labels[f"pupils:{ulis.pk}"].startswith("Élèves d’Ulis")
    assert labels[f"parents:{ulis.pk}"].startswith("Parents d’élèves d’Ulis")
