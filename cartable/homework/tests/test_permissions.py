"""Who reads and who writes which cahier de textes (the permission world)."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from cartable.homework import actions
from cartable.homework.models import Entry, Homework
from cartable.homework.tests.helpers import french_5b, session
from cartable.lib.errors import Refused

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def group_url(group) -> str:
    return f"/cahier-de-textes/classe/{group.pk}/"


def test_a_pupil_reads_the_cahier_of_her_class_and_not_another(world, client):
    session(world, content="Les fractions décimales", homework=[("Exercices 3 et 4 p. 52", TODAY())])
    session(world, teacher="tess", group=world.class_5b, subject=french_5b(world), content="Le conte")
    world.login(client, "alice")
    page = client.get(group_url(world.class_6a))
    assert page.status_code == 200
    assert "Les fractions décimales" in page.content.decode()
    assert "Exercices 3 et 4 p. 52" in page.content.decode()
    assert client.get(group_url(world.class_5b)).status_code == 404
    assert client.get(group_url(world.class_6c)).status_code == 404


def test_guardians_read_their_childrens_classes_only(world, client):
    session(world, content="Les fractions décimales")
    world.login(client, "marie")
    assert client.get(group_url(world.class_6a)).status_code == 200  # Alice's class
    assert client.get(group_url(world.class_6c)).status_code == 200  # Léo's class, in school B
    assert client.get(group_url(world.class_5b)).status_code == 404
    world.login(client, "beatrice")
    assert client.get(group_url(world.class_6a)).status_code == 200
    assert client.get(group_url(world.class_6c)).status_code == 404
    world.login(client, "gino")
    assert client.get(group_url(world.class_6a)).status_code == 404


def test_a_teacher_sees_only_the_classes_they_teach(world, client):
    world.login(client, "tess")
    assert client.get(group_url(world.class_5b)).status_code == 200
    assert client.get(group_url(world.class_6a)).status_code == 404
    world.login(client, "xavier")
    assert client.get(group_url(world.class_6a)).status_code == 404


def test_tess_cannot_write_in_6a_even_with_a_forged_form(world, client):
    world.login(client, "tess")
    answer = client.post(
        "/cahier-de-textes/seance/nouvelle",
        {
            "teaching": f"{world.class_6a.pk}-{world.maths.pk}",
            "date": TODAY().isoformat(),
            "content": "Intrusion",
            "travail-TOTAL_FORMS": "1",
            "travail-INITIAL_FORMS": "0",
        },
    )
    assert answer.status_code == 200  # the form again, with the refusal
    assert "Sélectionnez un choix valide" in answer.content.decode()
    assert not Entry.objects.exists()
    # The action refuses it too, whoever calls it.
    with pytest.raises(Refused):
        actions.create_entry(
            world.fresh_user("tess"),
            actions.EntryInput(group_id=world.class_6a.pk, subject_id=world.maths.pk, date=TODAY()),
        )
    # A teacher of no class has no form at all.
    world.login(client, "vera")
    assert client.get("/cahier-de-textes/seance/nouvelle").status_code == 404


def test_tom_writes_a_session_with_homework_in_6a(world, client):
    world.login(client, "tom")
    due = TODAY() + dt.timedelta(days=2)
    answer = client.post(
        "/cahier-de-textes/seance/nouvelle",
        {
            "teaching": f"{world.class_6a.pk}-{world.maths.pk}",
            "date": TODAY().isoformat(),
            "title": "Chapitre 3",
            "content": "Les fractions.\nVoir https://fr.wikipedia.org/wiki/Fraction_(math%C3%A9matiques)",
            "travail-TOTAL_FORMS": "1",
            "travail-INITIAL_FORMS": "0",
            "travail-0-instructions": "Apprendre la leçon <script>alert(1)</script>",
            "travail-0-due_date": due.isoformat(),
            "travail-0-duration_minutes": "20",
        },
    )
    assert answer.status_code == 302, answer.content.decode()[:3000]
    entry = Entry.objects.get()
    assert entry.author == world.person("tom")
    assert '<a href="https://fr.wikipedia.org' in entry.content
    homework = Homework.objects.get()
    assert homework.due_date == due and homework.duration_minutes == 20
    assert "<script>" not in homework.instructions and "Apprendre la leçon" in homework.instructions


def test_a_homework_due_before_the_session_is_refused_and_nothing_is_lost(world, client):
    world.login(client, "tom")
    answer = client.post(
        "/cahier-de-textes/seance/nouvelle",
        {
            "teaching": f"{world.class_6a.pk}-{world.maths.pk}",
            "date": TODAY().isoformat(),
            "content": "Les fractions, suite",
            "travail-TOTAL_FORMS": "1",
            "travail-INITIAL_FORMS": "0",
            "travail-0-instructions": "Exercice 12",
            "travail-0-due_date": (TODAY() - dt.timedelta(days=1)).isoformat(),
        },
    )
    html = answer.content.decode()
    assert answer.status_code == 200
    assert "ne peut pas être pour avant la séance" in html
    assert "Les fractions, suite" in html and "Exercice 12" in html
    assert not Entry.objects.exists()


def test_only_the_author_edits_or_deletes_a_session(world, client):
    entry = session(world)
    world.login(client, "tess")
    assert client.get(f"/cahier-de-textes/seance/{entry.pk}/modifier").status_code == 404
    assert client.post(f"/cahier-de-textes/seance/{entry.pk}/supprimer").status_code == 404
    world.login(client, "paul")
    assert client.post(f"/cahier-de-textes/seance/{entry.pk}/supprimer").status_code == 404
    assert Entry.objects.filter(pk=entry.pk).exists()
    world.login(client, "tom")
    assert client.get(f"/cahier-de-textes/seance/{entry.pk}/modifier").status_code == 200
    assert client.post(f"/cahier-de-textes/seance/{entry.pk}/supprimer").status_code == 302
    assert not Entry.objects.filter(pk=entry.pk).exists()


def test_the_principal_consults_and_signs_any_class_of_his_school_only(world, client):
    entry = session(world, day=TODAY() - dt.timedelta(days=1))
    world.login(client, "paul")
    assert client.get(group_url(world.class_6a)).status_code == 200
    assert client.get(group_url(world.class_5b)).status_code == 200
    assert client.get(group_url(world.class_6c)).status_code == 404
    assert client.post(f"/cahier-de-textes/classe/{world.class_6c.pk}/viser").status_code == 404
    listing = client.get("/cahier-de-textes/visas").content.decode()
    # Word boundaries: a random token of the page (CSRF) may hold the letters "6C".
    assert re.search(r"\b6A\b", listing) and re.search(r"\b5B\b", listing)
    assert not re.search(r"\b6C\b", listing)
    # Each class's name leads to its cahier (the first column, the one a phone shows).
    assert f'<a href="{group_url(world.class_6a)}">6A</a>' in listing
    answer = client.post(
        f"/cahier-de-textes/classe/{world.class_6a.pk}/viser", {"comment": "Cahier bien tenu."}
    )
    assert answer.status_code == 302
    visa = world.class_6a.homework_visas.get()
    # Without a date chosen, the visa covers the sessions up to yesterday.
    assert visa.signed_by == world.person("paul") and visa.date == TODAY() - dt.timedelta(days=1)

    # The signed session is locked for its author.
    world.login(client, "tom")
    edit = client.get(f"/cahier-de-textes/seance/{entry.pk}/modifier", follow=True)
    assert "visa de la direction" in edit.content.decode()
    client.post(f"/cahier-de-textes/seance/{entry.pk}/supprimer")
    assert Entry.objects.filter(pk=entry.pk).exists()
    with pytest.raises(Refused, match="visé"):
        actions.delete_entry(world.fresh_user("tom"), entry)
    # Nor can a session be backdated into the signed period; tomorrow is still open.
    with pytest.raises(Refused):
        session(world, day=TODAY() - dt.timedelta(days=3))
    session(world, day=TODAY() + dt.timedelta(days=1))


def test_vie_scolaire_consults_but_does_not_sign(world, client):
    session(world)
    world.login(client, "vera")
    assert client.get(group_url(world.class_6a)).status_code == 200
    assert client.get("/cahier-de-textes/visas").status_code == 200
    assert client.post(f"/cahier-de-textes/classe/{world.class_6a.pk}/viser").status_code == 404
    for name in ("tom", "alice", "marie", "ada", "root"):
        world.login(client, name)
        assert client.post(f"/cahier-de-textes/classe/{world.class_6a.pk}/viser").status_code == 404, name


def test_prepared_sessions_stay_hidden_from_families_until_their_date(world, client, time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC))
    opens = dt.datetime(2026, 11, 30, 7, 0, tzinfo=dt.UTC)
    session(
        world,
        day=dt.date(2026, 11, 30),
        content="Séance préparée : les nombres décimaux",
        homework=[("Lire le chapitre 4", dt.date(2026, 12, 2))],
        visible_from=opens,
    )
    monday = "?semaine=2026-11-30"
    for name in ("alice", "marie"):
        world.login(client, name)
        assert "nombres décimaux" not in client.get(group_url(world.class_6a) + monday).content.decode()
    world.login(client, "tom")
    assert "nombres décimaux" in client.get(group_url(world.class_6a) + monday).content.decode()
    world.login(client, "paul")
    assert "nombres décimaux" in client.get(group_url(world.class_6a) + monday).content.decode()

    time_machine.move_to(dt.datetime(2026, 11, 30, 7, 1, tzinfo=dt.UTC))
    world.login(client, "alice")
    assert "nombres décimaux" in client.get(group_url(world.class_6a) + monday).content.decode()
    assert "Lire le chapitre 4" in client.get("/cahier-de-textes/a-faire").content.decode()


def test_the_visa_list_counts_the_sessions_given_since_the_last_visa(world, time_machine):
    from cartable.homework import actions, queries

    time_machine.move_to(dt.datetime(2026, 11, 20, 17, 0, tzinfo=dt.UTC))
    for day in (16, 17, 18):
        session(world, day=dt.date(2026, 11, day))
    session(world, teacher="tess", group=world.class_5b, subject=french_5b(world), day=dt.date(2026, 11, 19))
    time_machine.move_to(dt.datetime(2026, 11, 17, 17, 0, tzinfo=dt.UTC))
    actions.sign_visa(world.fresh_user("paul"), world.class_6a, up_to=dt.date(2026, 11, 17))
    time_machine.move_to(dt.datetime(2026, 11, 20, 17, 0, tzinfo=dt.UTC))
    session(world, day=dt.date(2026, 11, 27), visible_from=dt.datetime(2026, 11, 27, 7, 0, tzinfo=dt.UTC))
    rows: dict = {g.name: g for g in queries.group_visa_summary(frozenset({world.school_a.pk}))}
    assert rows["6A"].last_visa == dt.date(2026, 11, 17)
    assert rows["6A"].entries_since == 1  # the 18th; the prepared session of the 27th is not given yet
    assert rows["6A"].last_entry == dt.date(2026, 11, 18)
    assert rows["5B"].last_visa is None and rows["5B"].entries_since == 1


def test_the_record_outlives_its_authors_account(world):
    from cartable.directory.models import Person

    entry = session(world)
    actions.sign_visa(world.fresh_user("paul"), world.class_6a)
    Person.objects.filter(pk__in=[world.person("tom").pk, world.person("paul").pk]).delete()
    entry.refresh_from_db()
    assert entry.author is None and world.class_6a.homework_visas.get().signed_by is None


def test_after_signing_the_principal_is_back_on_the_week_he_was_reading(world, client):
    world.login(client, "paul")
    past_week = (TODAY() - dt.timedelta(days=21)).isoformat()
    page = client.get(f"/cahier-de-textes/classe/{world.class_6a.pk}/?semaine={past_week}").content.decode()
    found = re.search(r'name="semaine" value="([0-9-]+)"', page)
    assert found is not None
    monday = found.group(1)
    answer = client.post(
        f"/cahier-de-textes/classe/{world.class_6a.pk}/viser", {"comment": "Vu.", "semaine": monday}
    )
    assert answer.status_code == 302 and answer["Location"].endswith(f"?semaine={monday}")
