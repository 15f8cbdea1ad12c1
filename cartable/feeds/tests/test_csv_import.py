"""The console's spreadsheet import in the permission world: upload, columns, preview, the background task run
by the real worker, idempotency, the report, and who must NOT reach any of it."""

import csv
import datetime as dt
import io

import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from cartable.accounts.models import User
from cartable.console.models import AdminAction
from cartable.directory import versions
from cartable.directory.models import Enrolment, Function, Guardianship, Membership, Person, Profile
from cartable.feeds import actions
from cartable.feeds.models import ImportJob
from cartable.feeds.tabular import MAX_BYTES
from tests.world import PERSONAS


@pytest.fixture(autouse=True)
def _in_french():
    """Messages are checked in French, whatever language an earlier test left active in this thread."""
    with translation.override("fr"):
        yield


PUPILS = (
    "Nom;Prénom;Date de naissance;Classe\n"
    "Martin;Alice;14/03/2015;6A\n"  # 2: known, nothing changes
    "PETIT;carl;2014-01-20;6A\n"  # 3: known, moves from 5B to 6A
    "Nouveau;Nina;01/09/2015;6A\n"  # 4: new
    "Sans;Date;;6A\n"  # 5: no birth date
    "Mauvaise;Date;31/02/2015;6A\n"  # 6: no such date
    "Inconnue;Classe;01/01/2015;9Z\n"  # 7: no such class
    "Nouveau;Nina;01/09/2015;6A\n"  # 8: same as line 4
    ";Sans nom;01/01/2015;5B\n"  # 9: no family name
)


def url(world, name, *args, school=None):
    return reverse(f"feeds:{name}", args=[(school or world.school_a).uai, *args])


def upload(client, world, content, kind=ImportJob.Kind.PUPILS, name="eleves.csv", school=None):
    return client.post(
        url(world, "import_upload", school=school),
        {"kind": kind, "file": SimpleUploadedFile(name, content)},
    )


def latest_job():
    return ImportJob.objects.latest("pk")


@pytest.fixture
def ada(world, client):
    return world.login(client, "ada")


def run_job(client, world, job, django_capture_on_commit_callbacks, run_tasks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(world, "import_preview", job.pk), {"start": "1"})
    assert response.status_code == 302
    assert response["Location"] == url(world, "import_job", job.pk)
    run_tasks()
    job.refresh_from_db()
    return job


def test_upload_guesses_columns_then_preview_shows_errors_per_line_without_writing(world, ada):
    response = upload(ada, world, PUPILS.encode("cp1252"))
    job = latest_job()
    assert response.status_code == 302
    assert response["Location"] == url(world, "import_mapping", job.pk)
    assert job.mapping == {"last_name": 0, "first_name": 1, "birth_date": 2, "class_name": 3}
    assert job.total_rows == 8 and job.status == ImportJob.Status.DRAFT

    page = ada.get(url(world, "import_mapping", job.pk))
    assert page.status_code == 200
    html = page.content.decode()
    assert "encodage Windows-1252" in html and "point-virgule" in html
    assert "Nina" in html  # examples of each column

    people_before = Person.objects.count()
    enrolments_before = set(Enrolment.objects.values_list("student_id", "group_id"))
    version = versions.current(versions.school_key(world.school_a.pk))
    response = ada.post(
        url(world, "import_mapping", job.pk),
        {"last_name": "0", "first_name": "1", "birth_date": "2", "class_name": "3", "email": ""},
    )
    assert response["Location"] == url(world, "import_preview", job.pk)
    page = ada.get(url(world, "import_preview", job.pk))
    assert page.status_code == 200
    lines = {line.line: line for line in page.context["preview"].lines}
    assert lines[2].ok and lines[3].ok and lines[4].ok
    assert lines[5].errors == ["Date de naissance absent"]
    assert lines[6].errors == ["date de naissance invalide : « 31/02/2015 »"]
    assert lines[7].errors == ["classe inconnue : « 9Z » (aucune classe de ce nom cette année)"]
    assert lines[8].errors == ["en double : même personne qu’à la ligne 4"]
    assert lines[9].errors == ["Nom absent"]
    result = page.context["preview"]
    assert (result.will_create, result.will_update, result.rejected) == (1, 2, 5)
    assert "classe inconnue" in page.content.decode()
    # Nothing written by the preview.
    assert Person.objects.count() == people_before
    assert set(Enrolment.objects.values_list("student_id", "group_id")) == enrolments_before
    assert versions.current(versions.school_key(world.school_a.pk)) == version


def test_mapping_refuses_a_missing_required_column_and_a_column_used_twice(world, ada):
    upload(ada, world, PUPILS.encode())
    job = latest_job()
    response = ada.post(
        url(world, "import_mapping", job.pk),
        {"last_name": "0", "first_name": "0", "birth_date": "", "class_name": "3"},
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert "birth_date" in form.errors and "first_name" in form.errors
    job.refresh_from_db()
    assert job.mapping["first_name"] == 1  # the guess is kept until a valid choice is saved


def test_pupils_imported_by_the_worker_then_idempotent(
    world, ada, django_capture_on_commit_callbacks, run_tasks
):
    upload(ada, world, PUPILS.encode())
    job = run_job(ada, world, latest_job(), django_capture_on_commit_callbacks, run_tasks)
    assert job.status == ImportJob.Status.DONE
    assert job.counts == {"created": 1, "updated": 1, "unchanged": 1, "rejected": 5}
    assert job.processed_rows == job.total_rows == 8
    assert bytes(job.content) == b""  # the file does not stay once imported
    nina = Person.objects.get(first_name="Nina", last_name="Nouveau")
    assert nina.birth_date == dt.date(2015, 9, 1)
    assert not nina.user.has_usable_password() and not nina.user.is_activated  # activated with a letter
    assert nina.user.username == "nina.nouveau"
    assert Membership.objects.filter(person=nina, school=world.school_a, profile=Profile.STUDENT).exists()
    assert set(Enrolment.objects.filter(student=nina).values_list("group__name", flat=True)) == {"6A"}
    carl = world.person("carl")
    assert set(Enrolment.objects.filter(student=carl).values_list("group__name", flat=True)) == {"6A"}
    # The creation is traced like a person created by hand.
    trace = AdminAction.objects.get(target=nina.user)
    assert (trace.kind, trace.actor, trace.school) == (AdminAction.Kind.CREATE, world.ada, world.school_a)

    page = ada.get(url(world, "import_job", job.pk))
    html = page.content.decode()
    assert '<progress id="import-progress-bar" max="100" value="100">' in html
    assert "hx-trigger" not in html  # over: no more polling
    assert "classe inconnue" in html
    assert reverse("console:letters", args=[world.school_a.uai]) in html

    # The same file again creates nobody, writes nothing.
    people = Person.objects.count()
    users = User.objects.count()
    enrolments = set(Enrolment.objects.values_list("student_id", "group_id"))
    version = versions.current(versions.school_key(world.school_a.pk))
    upload(ada, world, PUPILS.encode())
    again = run_job(ada, world, latest_job(), django_capture_on_commit_callbacks, run_tasks)
    assert again.counts == {"created": 0, "updated": 0, "unchanged": 3, "rejected": 5}
    assert (Person.objects.count(), User.objects.count()) == (people, users)
    assert set(Enrolment.objects.values_list("student_id", "group_id")) == enrolments
    assert versions.current(versions.school_key(world.school_a.pk)) == version


def test_xlsx_file_imports_like_a_csv(world, ada, django_capture_on_commit_callbacks, run_tasks):
    data = tablib.Dataset(headers=["Last name", "First name", "Date of birth", "Class", "Email"])
    data.append(["Lopez", "Inès", dt.datetime(2015, 4, 2), "5B", "ines@example.test"])  # noqa: DTZ001 (spreadsheet cells have no time zone)
    upload(ada, world, data.export("xlsx"), name="pupils.xlsx")
    job = run_job(ada, world, latest_job(), django_capture_on_commit_callbacks, run_tasks)
    assert job.counts["created"] == 1
    ines = Person.objects.get(first_name="Inès")
    assert ines.user.email == "ines@example.test"
    assert ines.birth_date == dt.date(2015, 4, 2)


GUARDIANS = (
    "Nom responsable,Prénom responsable,Courriel,Nom élève,Prénom élève,Classe élève,Lien\n"
    "Martin,Marie,,Martin,Alice,6A,mère\n"  # 2: Marie, already Alice's guardian
    "Lefèvre,Sophie,sophie@example.test,Durand,Bob,6A,tante\n"  # 3: new guardian of Bob…
    "Lefevre,Sophie,sophie@example.test,Petit,Carl,5B,tante\n"  # 4: …and of Carl: one person
    "Roux,Jean,,Inconnu,Élève,6A,père\n"  # 5: no such pupil
    "Roux,Jean,,Martin,Alice,9Z,père\n"  # 6: no such class
)


def test_guardians_linked_to_pupils_by_name_and_class(
    world, ada, django_capture_on_commit_callbacks, run_tasks
):
    upload(ada, world, GUARDIANS.encode(), kind=ImportJob.Kind.GUARDIANS, name="responsables.csv")
    job = latest_job()
    assert job.mapping == {
        "last_name": 0,
        "first_name": 1,
        "email": 2,
        "pupil_last_name": 3,
        "pupil_first_name": 4,
        "pupil_class": 5,
        "relationship": 6,
    }
    preview = ada.get(url(world, "import_preview", job.pk)).context["preview"]
    # Sophie is one new person on two rows; Marie is known.
    assert (preview.will_create, preview.will_update, preview.rejected) == (1, 1, 2)
    job = run_job(ada, world, job, django_capture_on_commit_callbacks, run_tasks)
    assert job.counts == {"created": 1, "updated": 1, "unchanged": 1, "rejected": 2}
    sophie = Person.objects.get(first_name="Sophie")
    assert set(
        Guardianship.objects.filter(relative=sophie).values_list("student__first_name", flat=True)
    ) == {
        "Bob",
        "Carl",
    }
    assert Guardianship.objects.filter(relative=sophie, relationship="tante").count() == 2
    assert sophie.user.email == "sophie@example.test"
    assert Membership.objects.filter(person=sophie, school=world.school_a, profile=Profile.RELATIVE).exists()
    reasons = {row[0]: row[3] for row in job.report_rows}
    assert reasons[5] == "aucun élève « Élève Inconnu » en classe 6A"
    assert reasons[6].startswith("classe inconnue")
    assert Person.objects.filter(first_name="Marie").count() == 1

    count = Person.objects.count()
    upload(ada, world, GUARDIANS.encode(), kind=ImportJob.Kind.GUARDIANS, name="responsables.csv")
    again = run_job(ada, world, latest_job(), django_capture_on_commit_callbacks, run_tasks)
    assert again.counts == {"created": 0, "updated": 0, "unchanged": 3, "rejected": 2}
    assert Person.objects.count() == count


def test_guardian_found_again_by_email_whatever_its_case(
    world, ada, django_capture_on_commit_callbacks, run_tasks
):
    # Gino is Carl's father; the file makes him Bob's guardian too, with his address in capitals.
    content = "Nom;Prénom;Email;Nom élève;Prénom élève;Classe\nPetit;Gino;GINO@Example.TEST;Durand;Bob;6A\n"
    upload(ada, world, content.encode(), kind=ImportJob.Kind.GUARDIANS)
    job = run_job(ada, world, latest_job(), django_capture_on_commit_callbacks, run_tasks)
    assert job.counts == {"created": 0, "updated": 1, "unchanged": 0, "rejected": 0}
    assert Guardianship.objects.filter(relative=world.person("gino"), student=world.person("bob")).exists()
    assert Person.objects.filter(first_name="Gino").count() == 1
    assert job.report_rows[0][3] == "nouvel enfant : Bob Durand"


STAFF = (
    "Nom\tPrénom\tFonction\tEmail\n"
    "Leroy\tTom\tProfesseur\t\n"  # known teacher
    "Garnier\tLucie\tCPE\tlucie@example.test\n"  # new, vie scolaire
    "Blanc\tHugo\tEnseignant\t\n"  # new teacher
    "Noir\tPaul\tastronaute\t\n"  # unknown profile
)


def test_staff_with_profiles_and_functions(world, ada, django_capture_on_commit_callbacks, run_tasks):
    upload(ada, world, STAFF.encode(), kind=ImportJob.Kind.STAFF, name="personnels.txt")
    job = run_job(ada, world, latest_job(), django_capture_on_commit_callbacks, run_tasks)
    assert job.counts == {"created": 2, "updated": 0, "unchanged": 1, "rejected": 1}
    lucie = Membership.objects.get(person__first_name="Lucie", school=world.school_a)
    assert (lucie.profile, lucie.functions) == (Profile.PERSONNEL, [Function.VIE_SCOLAIRE])
    hugo = Membership.objects.get(person__first_name="Hugo", school=world.school_a)
    assert (hugo.profile, hugo.functions) == (Profile.TEACHER, [])
    assert [row[3] for row in job.report_rows if row[0] == 5] == [
        "profil inconnu : « astronaute » (enseignant, personnel, direction, CPE…)"
    ]


def test_a_file_never_hands_an_address_to_an_account_with_more_rights(
    world, ada, django_capture_on_commit_callbacks, run_tasks
):
    # Bruno, ADML of school B, also teaches in school A; his account has no address, nor has Tom's.
    Membership.objects.create(person=world.person("bruno"), school=world.school_a, profile=Profile.TEACHER)
    User.objects.filter(pk__in=[world.bruno.pk, world.tom.pk]).update(email="")
    versions.bump_platform()
    content = (
        "Nom;Prénom;Profil;Email\nFaure;Bruno;Enseignant;ada@evil.test\nLeroy;Tom;Enseignant;tom@new.test\n"
    )
    upload(ada, world, content.encode(), kind=ImportJob.Kind.STAFF)
    job = run_job(ada, world, latest_job(), django_capture_on_commit_callbacks, run_tasks)
    assert job.counts == {"created": 0, "updated": 1, "unchanged": 0, "rejected": 1}
    assert (
        User.objects.get(pk=world.bruno.pk).email == ""
    )  # a password reset would have given Ada his account
    assert User.objects.get(pk=world.tom.pk).email == "tom@new.test"
    reasons = {row[0]: row[3] for row in job.report_rows}
    assert reasons[2].startswith("adresse électronique non enregistrée")
    assert "Collège Lumière" in reasons[2]


def test_a_guardian_of_two_schools_gets_no_address_from_one_schools_file(
    world, ada, django_capture_on_commit_callbacks, run_tasks
):
    """Marie also has a child in school B: an address set by Ada's file would let Ada reset her password
    and read school B. Her line is rejected with the reason; the other lines go on."""
    User.objects.filter(pk__in=[world.marie.pk, world.beatrice.pk]).update(email="")
    content = (
        "Nom;Prénom;Email;Nom élève;Prénom élève;Classe\n"
        "Martin;Marie;ada@evil.test;Martin;Alice;6A\n"
        "Martin;Marie;ada@evil.test;Durand;Bob;6A\n"
        "Durand;Béatrice;beatrice@new.test;Durand;Bob;6A\n"
    )
    upload(ada, world, content.encode(), kind=ImportJob.Kind.GUARDIANS)
    job = run_job(ada, world, latest_job(), django_capture_on_commit_callbacks, run_tasks)
    assert job.counts == {"created": 0, "updated": 1, "unchanged": 0, "rejected": 2}
    reasons = {row[0]: row[3] for row in job.report_rows}
    assert "rattachée aussi à Collège Lumière" in reasons[2] and "Collège Lumière" in reasons[3]
    assert User.objects.get(pk=world.marie.pk).email == ""
    assert not Guardianship.objects.filter(
        relative=world.person("marie"), student=world.person("bob")
    ).exists()
    assert User.objects.get(pk=world.beatrice.pk).email == "beatrice@new.test"
    assert Person.objects.filter(first_name="Marie").count() == 1

    # The platform admin's file may give it.
    world.login(ada, "root")
    upload(ada, world, content.encode(), kind=ImportJob.Kind.GUARDIANS)
    job = run_job(ada, world, latest_job(), django_capture_on_commit_callbacks, run_tasks)
    assert job.counts["rejected"] == 0
    assert User.objects.get(pk=world.marie.pk).email == "ada@evil.test"


def test_report_csv(world, ada, django_capture_on_commit_callbacks, run_tasks):
    upload(ada, world, PUPILS.encode())
    job = run_job(ada, world, latest_job(), django_capture_on_commit_callbacks, run_tasks)
    response = ada.get(url(world, "import_report", job.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="rapport-eleves-{job.pk}.csv"'
    assert "no-store" in response["Cache-Control"]
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0] == ["Ligne", "Personne", "Résultat", "Détail", "Identifiant"]
    by_line = {row[0]: row for row in rows[1:]}
    assert by_line["2"][2:] == ["inchangé", "", "alice.martin"]
    assert by_line["3"][2:] == ["mis à jour", "changement de classe : 5B → 6A", "carl.petit"]
    assert by_line["4"][2:] == ["créé", "", "nina.nouveau"]
    assert by_line["7"][2] == "rejeté" and "9Z" in by_line["7"][3]
    assert len(rows) == 9


def test_report_cells_cannot_become_spreadsheet_formulas(
    world, ada, django_capture_on_commit_callbacks, run_tasks
):
    upload(ada, world, b"Nom;Prenom;Date de naissance;Classe\n=HYPERLINK(1);Eve;01/01/2015;9Z\n")
    job = run_job(ada, world, latest_job(), django_capture_on_commit_callbacks, run_tasks)
    text = ada.get(url(world, "import_report", job.pk)).content.decode("utf-8-sig")
    assert ";Eve =HYPERLINK(1);" in text  # first name first: not at the start of the cell
    upload(ada, world, b"Prenom;Nom;Date de naissance;Classe\n=cmd;Eve;01/01/2015;9Z\n")
    job = run_job(ada, world, latest_job(), django_capture_on_commit_callbacks, run_tasks)
    text = ada.get(url(world, "import_report", job.pk)).content.decode("utf-8-sig")
    assert ";'=cmd Eve;" in text


def test_too_big_and_unreadable_files_get_a_clear_message_and_no_job(world, ada):
    response = upload(ada, world, b"x" * (MAX_BYTES + 1))
    assert response.status_code == 400
    assert "dépasse 5 Mo" in response.content.decode()
    response = upload(ada, world, b"\xd0\xcf\x11\xe0old excel", name="eleves.xls")
    assert response.status_code == 400
    assert "ancien format Excel" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_job_page_polls_while_running_and_works_without_javascript(world, ada):
    upload(ada, world, PUPILS.encode())
    job = latest_job()
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING, processed_rows=2)
    page = ada.get(url(world, "import_job", job.pk))
    html = page.content.decode()
    assert '<progress id="import-progress-bar" max="100" value="25">' in html
    assert 'hx-trigger="every 1s"' in html
    assert f'href="{url(world, "import_job", job.pk)}">Actualiser</a>' in html
    partial = ada.get(url(world, "import_job", job.pk), headers={"HX-Request": "true"})
    assert partial.content.decode().lstrip().startswith('<section id="import-progress"')
    # No report before the end.
    assert ada.get(url(world, "import_report", job.pk))["Location"] == url(world, "import_job", job.pk)


def test_a_job_the_worker_never_finished_says_so_and_stops_polling(world, ada):
    upload(ada, world, PUPILS.encode())
    job = latest_job()
    an_hour_ago = job.created_at - dt.timedelta(hours=1, minutes=1)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING, created_at=an_hour_ago)
    html = ada.get(url(world, "import_job", job.pk)).content.decode()
    assert "ne progresse plus" in html
    assert "hx-trigger" not in html


def test_started_job_cannot_be_remapped_or_started_twice(
    world, ada, django_capture_on_commit_callbacks, run_tasks
):
    upload(ada, world, PUPILS.encode())
    job = run_job(ada, world, latest_job(), django_capture_on_commit_callbacks, run_tasks)
    for name in ("import_mapping", "import_preview"):
        response = ada.post(url(world, name, job.pk), {"start": "1", "last_name": "1"})
        assert response["Location"] == url(world, "import_job", job.pk)
    assert not actions.start(world.ada, job)


def test_discard_a_draft(world, ada):
    upload(ada, world, PUPILS.encode())
    job = latest_job()
    response = ada.post(url(world, "import_preview", job.pk), {"discard": "1"})
    assert response["Location"] == url(world, "import_upload")
    assert not ImportJob.objects.filter(pk=job.pk).exists()


def test_old_drafts_and_reports_are_deleted(world, ada):
    upload(ada, world, PUPILS.encode())
    job = latest_job()
    later = job.created_at + dt.timedelta(hours=actions.DRAFT_HOURS + 1)
    assert actions.purge_old_jobs(later) == 1


# --- Who must NOT ------------------------------------------------------------------------------------


def test_other_schools_admin_and_everyone_else_get_404(world, client):
    ada = world.login(client, "ada")
    upload(ada, world, PUPILS.encode())
    job = latest_job()
    routes = [url(world, name, job.pk) for name in ("import_mapping", "import_preview", "import_job")]
    routes += [url(world, "import_upload")]
    from django.test import Client

    for name in PERSONAS:
        if name in ("ada", "root"):
            continue
        other = world.login(Client(), name)
        for route in routes:
            assert other.get(route).status_code == 404, (name, route)
        # Not even by forging a POST.
        assert other.post(url(world, "import_preview", job.pk), {"start": "1"}).status_code == 404
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DRAFT


def test_bruno_cannot_reach_school_a_jobs_through_his_own_school(world, client):
    ada = world.login(client, "ada")
    upload(ada, world, PUPILS.encode())
    job = latest_job()
    from django.test import Client

    bruno = world.login(Client(), "bruno")
    assert bruno.get(url(world, "import_upload", school=world.school_b)).status_code == 200
    for name in ("import_mapping", "import_preview", "import_job"):
        assert bruno.get(url(world, name, job.pk, school=world.school_b)).status_code == 404
    assert (
        bruno.post(url(world, "import_preview", job.pk, school=world.school_b), {"start": "1"}).status_code
        == 404
    )
    # Bruno's own uploads go to his school only, and are not listed in school A's console.
    upload(bruno, world, PUPILS.encode(), school=world.school_b)
    bruno_job = latest_job()
    assert bruno_job.school == world.school_b
    assert ada.get(url(world, "import_job", bruno_job.pk)).status_code == 404
    assert bruno_job not in list(ada.get(url(world, "import_upload")).context["jobs"])
    # Nor can Ada upload into school B, or start Bruno's job, by forging the requests.
    assert upload(ada, world, PUPILS.encode(), school=world.school_b).status_code == 404
    forged = ada.post(url(world, "import_preview", bruno_job.pk, school=world.school_b), {"start": "1"})
    assert forged.status_code == 404
    assert ImportJob.objects.filter(school=world.school_b).count() == 1
    bruno_job.refresh_from_db()
    assert bruno_job.status == ImportJob.Status.DRAFT


def test_actions_refuse_someone_who_is_not_admin(world):
    from django.core.exceptions import PermissionDenied

    from cartable.feeds.tabular import read_table

    with pytest.raises(PermissionDenied):
        actions.upload(
            world.bruno, world.school_a, "pupils", "x.csv", PUPILS.encode(), read_table(PUPILS.encode())
        )


def test_task_refuses_a_job_whose_author_lost_the_school(
    world, ada, django_capture_on_commit_callbacks, run_tasks
):
    upload(ada, world, PUPILS.encode())
    job = latest_job()
    with django_capture_on_commit_callbacks(execute=True):
        actions.start(world.ada, job)
    Membership.objects.filter(person=world.person("ada")).update(functions=[])
    versions.bump_platform()
    run_tasks()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert "n’administre plus" in job.error
    assert not Person.objects.filter(first_name="Nina").exists()
    assert bytes(job.content) == b""


def test_second_factor_is_required(world, client):
    world.login(client, "ada", verified=False)
    response = client.get(url(world, "import_upload"))
    assert response.status_code == 302
    assert response["Location"].startswith("/auth/mfa")


def test_console_menu_links_to_the_import(world, ada):
    html = ada.get(reverse("console:people", args=[world.school_a.uai])).content.decode()
    assert f'href="{url(world, "import_upload")}"' in html
    assert "Importer un fichier" in html


# --- Queries -----------------------------------------------------------------------------------------


def test_job_page_queries_do_not_grow_with_the_report(
    world, ada, django_capture_on_commit_callbacks, run_tasks, django_assert_max_num_queries
):
    upload(ada, world, PUPILS.encode())
    job = run_job(ada, world, latest_job(), django_capture_on_commit_callbacks, run_tasks)
    ada.get(url(world, "import_job", job.pk))  # the directory facts of Ada, read once after the import
    # Session, user, second factor, school, job, the unread-notifications badge.
    with django_assert_max_num_queries(6):
        assert ada.get(url(world, "import_job", job.pk)).status_code == 200
    big = "Nom;Prénom;Date de naissance;Classe\n" + "".join(
        f"Eleve{i};Test;01/01/2015;{'6A' if i % 2 else '9Z'}\n" for i in range(300)
    )
    upload(ada, world, big.encode())
    job = run_job(ada, world, latest_job(), django_capture_on_commit_callbacks, run_tasks)
    assert job.counts["created"] == 150
    ada.get(url(world, "import_job", job.pk))
    with django_assert_max_num_queries(6):
        page = ada.get(url(world, "import_job", job.pk))
    assert page.status_code == 200 and len(page.context["problems"]) == 150
    with django_assert_max_num_queries(6):
        assert ada.get(url(world, "import_upload")).status_code == 200
    with django_assert_max_num_queries(6):
        assert ada.get(url(world, "import_report", job.pk)).status_code == 200


def test_preview_queries_do_not_grow_with_the_file(world, ada, django_assert_max_num_queries):
    for size in (10, 600):
        rows = "".join(f"Eleve{i};Test;01/01/2015;6A\n" for i in range(size))
        upload(ada, world, ("Nom;Prénom;Date de naissance;Classe\n" + rows).encode())
        job = latest_job()
        ada.get(url(world, "import_mapping", job.pk))
        with django_assert_max_num_queries(7):
            assert ada.get(url(world, "import_mapping", job.pk)).status_code == 200
        # + the file, the current year, the classes, the pupils already known.
        with django_assert_max_num_queries(10):
            assert ada.get(url(world, "import_preview", job.pk)).status_code == 200


def test_import_writes_in_a_constant_number_of_queries_per_batch(
    world, ada, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    from cartable.feeds import csv_import

    rows = "".join(f"Eleve{i};Test;01/01/2015;6A\n" for i in range(csv_import.BATCH * 2))
    upload(ada, world, ("Nom;Prénom;Date de naissance;Classe\n" + rows).encode())
    job = latest_job()
    with django_capture_on_commit_callbacks(execute=False):
        actions.start(world.ada, job)
    # Two batches of 200 new pupils: about twelve statements each (reads, bulk inserts, progress), not
    # one per pupil.
    with django_assert_max_num_queries(30):
        actions.run(job.pk)
    job.refresh_from_db()
    assert job.counts["created"] == csv_import.BATCH * 2
