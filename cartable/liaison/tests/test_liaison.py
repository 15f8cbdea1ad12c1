"""The cahier de liaison in the permission world: who writes, who sees, who signs for whom, reminders, the
deadline, the reply CSV, the paper slips and the families' mots to a teacher."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from cartable.liaison import actions, queries
from cartable.liaison.models import FamilyMot, Mot, Request, Signature
from cartable.lib.errors import Refused
from cartable.notifications.models import Notification

# A weekday at 10:00 in Paris: no quiet hours, emails leave at once.
MORNING = dt.datetime(2026, 11, 19, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def world(module_world):
    return module_world


def send(world, author="tom", groups=None, **fields):
    data = {
        "title": "Sortie au musée",
        "body": "Jeudi 26 novembre, visite du musée d'Orsay.",
        "request": Request.SIGNATURE,
        "group_ids": [world.class_6a.pk] if groups is None else groups,
        **fields,
    }
    return actions.send_mot(world.fresh_user(author), actions.MotInput(**data))


def outing(world, **fields):
    return send(
        world,
        request=Request.REPLY,
        question="Mon enfant participe à la sortie",
        choices=["Oui", "Non"],
        **fields,
    )


def notified(mot: Mot, kind: str = actions.NEW_MOT) -> set[str]:
    return set(
        Notification.objects.filter(
            event__kind=kind, event__url=reverse("liaison:mot", args=[mot.pk])
        ).values_list("recipient__first_name", flat=True)
    )


# --- Writing -------------------------------------------------------------------------------------------


def test_a_mot_to_6a_reaches_every_legal_guardian_of_6a_and_nobody_else(world):
    mot = send(world)
    assert notified(mot) == {"Marie", "Marc", "Béatrice"}
    assert mot.audience == "6A" and mot.school_id == world.school_a.pk
    assert sorted(mot.pupils.values_list("pupil__first_name", flat=True)) == ["Alice", "Bob"]


@pytest.mark.parametrize(
    "author,group",
    [
        ("tess", "class_6a"),
        ("xavier", "class_6a"),
        ("paul", "class_6c"),
        ("ada", "class_6a"),
        ("marie", "class_6a"),
    ],
)
def test_nobody_writes_to_a_class_out_of_reach(world, author, group):
    with pytest.raises(Refused):
        send(world, author=author, groups=[getattr(world, group).pk])
    assert not Mot.objects.exists()


def test_the_direction_and_vie_scolaire_write_to_any_class_of_their_school(world):
    assert notified(send(world, author="paul", groups=[world.class_5b.pk])) == {"Gino"}
    assert notified(send(world, author="vera", groups=[world.class_6a.pk, world.class_5b.pk])) == {
        "Marie",
        "Marc",
        "Béatrice",
        "Gino",
    }


def test_a_mot_to_one_pupil_reaches_their_guardians_only(world):
    mot = send(world, groups=[], pupil_id=world.person("alice").pk)
    assert notified(mot) == {"Marie", "Marc"}
    assert mot.audience == "Alice MARTIN (6A)"
    with pytest.raises(Refused):  # Carl is in 5B: Tom does not teach him
        send(world, groups=[], pupil_id=world.person("carl").pk)


def test_a_forged_form_for_another_class_writes_nothing(world, as_user):
    tom = as_user("tom")
    response = tom.post(
        reverse("liaison:mot_new"),
        {"groups": [str(world.class_5b.pk)], "title": "Sortie", "body": "Texte", "request": "signature"},
    )
    assert response.status_code == 400
    assert not Mot.objects.exists()


def test_a_reply_slip_needs_a_question_and_two_choices(world):
    with pytest.raises(Refused) as refused:
        send(world, request=Request.REPLY, question="Participe ?", choices=["Oui"])
    assert refused.value.field == "choices"
    with pytest.raises(Refused):
        send(world, request=Request.REPLY, question="", choices=["Oui", "Non"])


def test_the_form_sends_a_mot_asking_a_reply(world, as_user):
    tom = as_user("tom")
    assert tom.get(reverse("liaison:mot_new")).status_code == 200
    response = tom.post(
        reverse("liaison:mot_new"),
        {
            "groups": [str(world.class_6a.pk)],
            "title": "Sortie au musée",
            "body": "Jeudi, musée d'Orsay.",
            "request": "reply",
            "question": "Mon enfant participe",
            "choices": "Oui\r\nNon\r\n",
            "allow_comment": "on",
        },
    )
    mot = Mot.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("liaison:mot", args=[mot.pk])
    assert mot.choices == ["Oui", "Non"] and mot.allow_comment and mot.is_reply


# --- Reading and signing ----------------------------------------------------------------------------


def test_who_opens_a_mot_of_6a(world, as_user):
    mot = send(world)
    url = reverse("liaison:mot", args=[mot.pk])
    statuses = {
        name: as_user(name).get(url).status_code
        for name in ("marie", "marc", "beatrice", "tom", "paul", "vera")
    }
    assert set(statuses.values()) == {200}
    for name in ("gino", "carl", "alice", "tess", "ada", "zack", "xavier", "bruno", "leo"):
        assert as_user(name).get(url).status_code == 404, name


def test_both_guardians_of_alice_see_the_mot_and_either_signature_is_enough(world, as_user):
    mot = send(world)
    marie, marc = as_user("marie"), as_user("marc")
    assert "Lu et pris connaissance" in marie.get(reverse("liaison:mot", args=[mot.pk])).content.decode()
    response = marie.post(reverse("liaison:sign", args=[mot.pk]), {"pupil": world.person("alice").pk})
    assert response.status_code == 302
    assert queries.to_sign(world.fresh_user("marc")) == []
    page = marc.get(reverse("liaison:mot", args=[mot.pk])).content.decode()
    assert "Signé par Marie MARTIN" in page and "signer pour Alice" not in page
    with pytest.raises(Refused):  # one signature per child is enough, unless the mot asks both
        actions.sign(world.fresh_user("marc"), mot, world.person("alice").pk)


def test_when_the_mot_asks_both_each_guardian_signs(world):
    mot = send(world, both_guardians=True)
    alice = world.person("alice").pk
    actions.sign(world.fresh_user("marie"), mot, alice)
    assert [row.mot_id for row in queries.to_sign(world.fresh_user("marc"))] == [mot.pk]
    line = next(line for line in queries.table(mot).lines if line.pupil.pk == alice)
    assert not line.done
    actions.sign(world.fresh_user("marc"), mot, alice)
    line = next(line for line in queries.table(mot).lines if line.pupil.pk == alice)
    assert line.done


def test_bobs_guardian_cannot_sign_for_alice(world, as_user):
    mot = send(world)
    response = as_user("beatrice").post(
        reverse("liaison:sign", args=[mot.pk]), {"pupil": world.person("alice").pk}
    )
    assert response.status_code == 400
    assert not Signature.objects.exists()


def test_a_child_the_mot_does_not_concern_is_refused(world):
    mot = send(world)
    with pytest.raises(Refused):  # Léo is Marie's son, in school B
        actions.sign(world.fresh_user("marie"), mot, world.person("leo").pk)


def test_a_mot_of_another_class_cannot_be_signed(world, as_user):
    mot = send(world, author="tess", groups=[world.class_5b.pk])
    response = as_user("marie").post(
        reverse("liaison:sign", args=[mot.pk]), {"pupil": world.person("alice").pk}
    )
    assert response.status_code == 404
    assert not Signature.objects.exists()


def test_a_reply_must_be_one_of_the_choices_and_may_be_changed(world, as_user):
    mot = outing(world, allow_comment=True)
    marie = as_user("marie")
    url = reverse("liaison:sign", args=[mot.pk])
    alice = world.person("alice").pk
    assert marie.post(url, {"pupil": alice, "choice": "Peut-être"}).status_code == 400
    assert not Signature.objects.exists()
    assert marie.post(url, {"pupil": alice, "choice": "Oui", "comment": "Avec son goûter"}).status_code == 302
    assert marie.post(url, {"pupil": alice, "choice": "Non"}).status_code == 302
    signature = Signature.objects.get()
    assert (signature.guardian_id, signature.choice, signature.comment) == (
        world.person("marie").pk,
        "Non",
        "",
    )


def test_a_mot_that_asks_nothing_is_not_signed(world):
    mot = send(world, request=Request.NONE)
    with pytest.raises(Refused):
        actions.sign(world.fresh_user("marie"), mot, world.person("alice").pk)


def test_after_the_deadline_nobody_signs_and_nobody_is_reminded(world, time_machine, as_user):
    time_machine.move_to(MORNING)
    mot = outing(world, deadline=dt.date(2026, 11, 20))
    actions.sign(world.fresh_user("marie"), mot, world.person("alice").pk, "Oui")  # on time
    time_machine.move_to(dt.datetime(2026, 11, 20, 22, 30, tzinfo=dt.UTC))  # 23:30 in Paris: still the 20th
    assert [row.mot_id for row in queries.to_sign(world.fresh_user("beatrice"))] == [mot.pk]
    time_machine.move_to(dt.datetime(2026, 11, 20, 23, 30, tzinfo=dt.UTC))  # 00:30 on the 21st in Paris
    assert queries.to_sign(world.fresh_user("beatrice")) == []
    response = as_user("beatrice").post(
        reverse("liaison:sign", args=[mot.pk]), {"pupil": world.person("bob").pk, "choice": "Oui"}
    )
    assert response.status_code == 400 and "date limite" in response.content.decode()
    with pytest.raises(Refused):
        actions.remind(world.fresh_user("tom"), mot)
    assert Signature.objects.count() == 1


# --- The author's table, reminders, exports ----------------------------------------------------------


def test_reminders_go_only_to_those_who_have_not_signed(
    world, time_machine, django_capture_on_commit_callbacks, run_tasks, mailoutbox
):
    time_machine.move_to(MORNING)
    mot = send(world)
    actions.sign(world.fresh_user("marie"), mot, world.person("alice").pk)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert actions.remind(world.fresh_user("tom"), mot) == 1
    with django_capture_on_commit_callbacks(execute=True):
        run_tasks()
    assert notified(mot, actions.REMINDER) == {"Béatrice"}
    assert [message.to for message in mailoutbox] == [["beatrice@example.test"]]
    assert "Sortie au musée" in mailoutbox[0].body


def test_when_both_must_sign_the_other_guardian_is_reminded_too(world):
    mot = send(world, both_guardians=True)
    actions.sign(world.fresh_user("marie"), mot, world.person("alice").pk)
    actions.remind(world.fresh_user("vera"), mot)
    assert notified(mot, actions.REMINDER) == {"Marc", "Béatrice"}


def test_only_the_author_and_the_school_remind(world, as_user):
    mot = send(world)
    for name in ("marie", "tess", "ada", "bruno"):
        assert as_user(name).post(reverse("liaison:remind", args=[mot.pk])).status_code == 404
    assert not notified(mot, actions.REMINDER)
    assert as_user("tom").post(reverse("liaison:remind", args=[mot.pk])).status_code == 302
    assert notified(mot, actions.REMINDER) == {"Marie", "Marc", "Béatrice"}


def test_nobody_left_to_remind_is_said(world):
    mot = send(world)
    actions.sign(world.fresh_user("marc"), mot, world.person("alice").pk)
    actions.sign(world.fresh_user("beatrice"), mot, world.person("bob").pk)
    with pytest.raises(Refused):
        actions.remind(world.fresh_user("tom"), mot)


def test_the_author_sees_who_replied_in_the_table(world, as_user):
    mot = outing(world)
    actions.sign(world.fresh_user("marc"), mot, world.person("alice").pk, "Oui")
    page = as_user("tom").get(reverse("liaison:mot", args=[mot.pk])).content.decode()
    assert "1 famille sur 2 a signé ou répondu." in page
    assert "« Oui »" in page and "en attente" in page
    partial = as_user("tom").get(
        reverse("liaison:mot", args=[mot.pk]) + "?partiel=tableau", headers={"HX-Request": "true"}
    )
    assert partial.content.decode().lstrip().startswith('<div id="signature-table"')
    # A guardian sees their own child's line, never the table.
    assert (
        "signature-table"
        not in as_user("beatrice").get(reverse("liaison:mot", args=[mot.pk])).content.decode()
    )


def test_the_reply_csv(world, as_user):
    mot = outing(world, allow_comment=True)
    actions.sign(world.fresh_user("marc"), mot, world.person("alice").pk, "Oui", "=cmd|' /C calc'!A0")
    response = as_user("tom").get(reverse("liaison:replies_csv", args=[mot.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Classe", "Élève", "Responsable", "Signé", "Réponse", "Commentaire", "Date"]
    assert [row[:6] for row in rows[1:]] == [
        ["6A", "Durand Bob", "Béatrice DURAND", "non", "", ""],
        ["6A", "Martin Alice", "Marc MARTIN", "oui", "Oui", "'=cmd|' /C calc'!A0"],
        ["6A", "Martin Alice", "Marie MARTIN", "non", "", ""],
    ]
    for name in ("marie", "tess", "ada", "bruno"):
        assert as_user(name).get(reverse("liaison:replies_csv", args=[mot.pk])).status_code == 404


def test_paper_slips_for_the_families_who_have_not_signed(world, as_user):
    mot = outing(world)
    response = as_user("tom").get(reverse("liaison:slips_pdf", args=[mot.pk]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert as_user("marie").get(reverse("liaison:slips_pdf", args=[mot.pk])).status_code == 404


def test_the_signature_table_costs_the_same_queries_whatever_the_class_size(
    world, as_user, django_assert_num_queries, django_assert_max_num_queries
):
    from cartable.directory import actions as directory
    from cartable.directory.models import Profile

    small = send(world)
    tom = as_user("tom")
    url = reverse("liaison:mot", args=[small.pk])
    tom.get(url)  # the user's cached facts
    with django_assert_max_num_queries(7) as small_page:
        assert tom.get(url).status_code == 200
    small_count = len(small_page.captured_queries)
    big_class = world.class_5b
    directory.assign_teaching(world.person("tom"), big_class, world.maths)
    for n in range(30):
        pupil = world.add_pupil(f"Élève{n}", "Grand", big_class)
        for parent in ("A", "B"):
            guardian = directory.create_person(
                directory.NewPerson(
                    first_name=f"Parent{parent}{n}",
                    last_name="Grand",
                    school=world.school_a,
                    profile=Profile.RELATIVE,
                )
            )
            directory.link_guardian(guardian, pupil)
    big = send(world, groups=[big_class.pk])
    actions.sign(world.fresh_user("gino"), big, world.person("carl").pk)
    url = reverse("liaison:mot", args=[big.pk])
    tom = as_user("tom")
    tom.get(url)
    with django_assert_num_queries(small_count):
        page = tom.get(url).content.decode()
    assert "1 famille sur 31 a signé ou répondu." in page


# --- Home widget -------------------------------------------------------------------------------------


def widget(page) -> str:
    html = page.content.decode()
    start = html.index('id="widget-liaison-title"')
    return html[start : html.index("</section>", start)]


def test_the_home_shows_the_mots_to_sign(world, as_user):
    mot = send(world, title="Autorisation de sortie")
    assert "Autorisation de sortie" in widget(as_user("marc").get("/"))
    actions.sign(world.fresh_user("marie"), mot, world.person("alice").pk)
    assert "Autorisation de sortie" not in widget(as_user("marc").get("/"))
    assert "widget-liaison-title" not in as_user("tom").get("/").content.decode()


def test_the_widget_costs_no_query_once_read(world, client, django_assert_max_num_queries):
    send(world, title="Autorisation de sortie")
    world.login(client, "marc")
    client.get("/")
    client.get("/")
    # The session and the user, as on a home without the widget (cartable/portal/tests/test_home.py).
    with django_assert_max_num_queries(2):
        assert "Autorisation de sortie" in widget(client.get("/"))


# --- Families' mots to a teacher --------------------------------------------------------------------


def test_a_guardian_writes_to_the_childs_teacher_who_acknowledges(world, as_user):
    marie = as_user("marie")
    page = marie.get(reverse("liaison:family_mot_new"))
    assert page.status_code == 200 and "Tom LEROY" in page.content.decode()
    assert "Tess MOREAU" not in page.content.decode()
    response = marie.post(
        reverse("liaison:family_mot_new"),
        {
            "pupil": world.person("alice").pk,
            "teacher": world.person("tom").pk,
            "title": "Absence jeudi",
            "body": "Alice a rendez-vous chez le dentiste.",
        },
    )
    found = FamilyMot.objects.get()
    assert response.status_code == 302
    assert (found.author_id, found.teacher_id, found.pupil_id) == (
        world.person("marie").pk,
        world.person("tom").pk,
        world.person("alice").pk,
    )
    url = reverse("liaison:family_mot", args=[found.pk])
    for name in ("marc", "beatrice", "tess", "paul", "ada", "bruno"):
        assert as_user(name).get(url).status_code == 404, name
        assert as_user(name).post(reverse("liaison:acknowledge", args=[found.pk])).status_code == 404, name
    assert as_user("marie").post(reverse("liaison:acknowledge", args=[found.pk])).status_code == 404
    assert as_user("tom").post(reverse("liaison:acknowledge", args=[found.pk])).status_code == 302
    found.refresh_from_db()
    assert found.acknowledged_at is not None
    assert Notification.objects.filter(
        event__kind=actions.ACKNOWLEDGED, recipient=world.person("marie")
    ).exists()


def test_a_guardian_writes_only_to_their_childs_teachers_for_their_own_children(world):
    with pytest.raises(Refused):
        actions.write_family_mot(
            world.fresh_user("marie"), world.person("alice").pk, world.person("tess").pk, "A", "B"
        )
    with pytest.raises(Refused):
        actions.write_family_mot(
            world.fresh_user("beatrice"), world.person("alice").pk, world.person("tom").pk, "A", "B"
        )
    assert not FamilyMot.objects.exists()


def test_the_communication_rules_apply_to_a_family_mot(world):
    from cartable.communication import actions as rules
    from cartable.communication.models import Audience, Scope
    from cartable.communication.rules import DEFAULT_RULES
    from cartable.directory.models import Profile

    parents_to_teachers = (Profile.RELATIVE.value, Audience.TEACHERS.value, Scope.CLASS.value)
    rules.save_rules(world.fresh_user("ada"), world.school_a, set(DEFAULT_RULES) - {parents_to_teachers})
    with pytest.raises(Refused):
        actions.write_family_mot(
            world.fresh_user("marie"), world.person("alice").pk, world.person("tom").pk, "A", "B"
        )
    assert not FamilyMot.objects.exists()


# --- Editing a mot, and its files ------------------------------------------------------------------------


def test_the_author_edits_a_mot_until_a_family_signs(world, as_user):
    mot = send(world, deadline=timezone.localdate() + dt.timedelta(days=7))
    edit_url = reverse("liaison:mot_edit", args=[mot.pk])
    # Only its author: not the direction or vie scolaire who follow it, nor a family, nor another teacher.
    for name in ("paul", "vera", "marie", "tess", "xavier"):
        assert as_user(name).get(edit_url).status_code == 404, name
        with pytest.raises(Http404):
            actions.edit_mot(world.fresh_user(name), mot, actions.MotInput(title="Piraté", body="x"))
    tom = as_user("tom")
    assert tom.get(edit_url).status_code == 200
    response = tom.post(
        edit_url,
        {"title": "Sortie au musée (horaires)", "body": "Départ à 8 h 30.", "request": "signature",
         "choices": "Oui\r\nNon"},
    )  # fmt: skip
    assert response.status_code == 302
    mot.refresh_from_db()
    assert mot.title == "Sortie au musée (horaires)" and mot.body == "Départ à 8 h 30."
    assert mot.edited_at is not None and mot.pupils.count() == 2  # still to 6A's families
    page = as_user("marie").get(reverse("liaison:mot", args=[mot.pk])).content.decode()
    assert "modifié le" in page and "Départ à 8 h 30." in page
    assert "Sortie au musée (horaires)" in widget(as_user("marie").get("/"))
    # Once a family has signed, what they signed does not change under them: refused, with the reason.
    actions.sign(world.fresh_user("marc"), mot, world.person("alice").pk)
    with pytest.raises(Refused, match="déjà signé ou répondu"):
        actions.edit_mot(world.fresh_user("tom"), mot, actions.MotInput(title="Autre", body="Autre"))
    response = tom.get(edit_url, follow=True)
    assert "ne peut plus être modifié" in response.content.decode()
    assert "Modifier le mot" not in tom.get(reverse("liaison:mot", args=[mot.pk])).content.decode()
    mot.refresh_from_db()
    assert mot.title == "Sortie au musée (horaires)"


def test_a_mot_carries_files_that_its_families_download(world, as_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cartable.files.models import StoredFile
    from cartable.files.tests.helpers import mark_all_clean

    tom = as_user("tom")
    response = tom.post(
        reverse("liaison:mot_new"),
        {"groups": [str(world.class_6a.pk)], "title": "Sortie", "body": "Voir l'autorisation.",
         "request": "signature", "choices": "Oui\r\nNon",
         "attachments": [SimpleUploadedFile("autorisation.pdf", b"%PDF-1.4 autorisation")]},
    )  # fmt: skip
    assert response.status_code == 302
    mot = Mot.objects.get(title="Sortie")
    attachment = mot.attachments.get()
    assert attachment.name == "autorisation.pdf" and attachment.stored.status == "pending"
    url = reverse("liaison:attachment", args=[attachment.pk])
    assert as_user("marie").get(url).status_code == 409  # in quarantine until the antivirus has read it
    mark_all_clean()
    for name in ("marie", "marc", "beatrice", "tom", "paul"):
        assert as_user(name).get(url).status_code == 200, name
    for name in ("gino", "alice", "tess", "zack", "bruno"):
        assert as_user(name).get(url).status_code == 404, name
    assert "autorisation.pdf" in as_user("marie").get(reverse("liaison:mot", args=[mot.pk])).content.decode()
    # A file refused by its extension: the form says so and nothing is sent.
    response = tom.post(
        reverse("liaison:mot_new"),
        {"groups": [str(world.class_6a.pk)], "title": "Virus", "body": "x", "request": "none",
         "attachments": [SimpleUploadedFile("setup.exe", b"MZ")]},
    )  # fmt: skip
    assert response.status_code == 400 and not Mot.objects.filter(title="Virus").exists()
    # Its author removes the file while editing: the stored file goes once nothing refers to it.
    stored_id = attachment.stored_id
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        response = tom.post(
            reverse("liaison:mot_edit", args=[mot.pk]),
            {"title": "Sortie", "body": "Sans pièce jointe.", "request": "signature", "choices": "Oui",
             "remove_attachment": [str(attachment.pk)]},
        )  # fmt: skip
    assert response.status_code == 302 and not mot.attachments.exists()
    assert not StoredFile.objects.filter(pk=stored_id).exists()
