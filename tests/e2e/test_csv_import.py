"""Browser test of the console's spreadsheet import: Ada uploads a CSV of pupils, checks the columns and the
preview, starts the import, and reads the result once the worker has run it; the job page follows a running
import by itself (htmx polling)."""

import re
from pathlib import Path

from django.utils import timezone
from playwright.sync_api import expect

from cartable.directory.models import Enrolment, Person
from cartable.feeds.models import ImportJob
from tests.e2e.conftest import log_in

PUPILS = (
    "Nom;Prénom;Date de naissance;Classe\n"
    "Martin;Alice;14/03/2015;6A\n"
    "Nouveau;Nina;01/09/2015;6A\n"
    "Inconnue;Classe;01/01/2015;9Z\n"
).encode("cp1252")


def test_ada_imports_pupils_from_a_csv(world, page, live_server, run_tasks):
    log_in(page, live_server, world, "ada")
    page.goto(f"/admin-ecole/{world.school_a.uai}/personnes")
    page.get_by_role("link", name="Importer un fichier").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Importer un fichier de personnes")

    # A file without its columns first: a clear message, nothing lost.
    page.get_by_label("Élèves", exact=True).check()
    page.get_by_label("Fichier CSV ou XLSX").set_input_files(
        files=[{"name": "vide.csv", "mimeType": "text/csv", "buffer": b"Nom;Prenom\n"}]
    )
    page.get_by_role("button", name="Envoyer le fichier").click()
    # The error is read with the file field, which has the keyboard's focus again.
    file_field = page.get_by_label("Fichier CSV ou XLSX")
    expect(file_field).to_be_focused()
    expect(file_field).to_have_accessible_description(re.compile("aucune personne à importer"))

    page.get_by_label("Fichier CSV ou XLSX").set_input_files(
        files=[{"name": "eleves-6A.csv", "mimeType": "text/csv", "buffer": PUPILS}]
    )
    page.get_by_role("button", name="Envoyer le fichier").click()

    # Columns guessed from the headers.
    expect(page.get_by_role("heading", level=1)).to_have_text("Quelle colonne donne quel renseignement ?")
    expect(page.get_by_text("encodage Windows-1252")).to_be_visible()
    expect(page.get_by_role("combobox", name="Date de naissance")).to_have_value("2")
    expect(page.get_by_role("combobox", name="Classe", exact=True)).to_have_value("3")
    page.get_by_role("button", name="Voir l’aperçu").click()

    # Preview: the line with an unknown class is shown with its error, nothing is written yet.
    expect(page.get_by_role("heading", level=1)).to_have_text("Aperçu de l’import")
    error_row = page.get_by_role("row").filter(has_text="Inconnue")
    expect(error_row).to_contain_text("classe inconnue : « 9Z »")
    expect(page.get_by_role("row").filter(has_text="Nina")).to_contain_text("OK")
    assert not Person.objects.filter(first_name="Nina").exists()
    page.get_by_role("button", name="Importer les lignes correctes").click()

    # Queued: a real progress bar, a refresh link for browsers without JavaScript.
    expect(page).to_have_url(re.compile(r"/import/\d+$"))
    progress = page.locator("progress#import-progress-bar")
    expect(progress).to_be_visible()
    expect(page.get_by_role("link", name="Actualiser")).to_be_visible()
    job_url = page.url

    # The worker runs the import while Ada looks at another page.
    page.get_by_role("link", name="Importer un autre fichier").click()
    run_tasks()
    page.goto(job_url)
    expect(page.get_by_role("heading", level=2, name="Terminé")).to_be_visible()
    expect(progress).to_have_attribute("value", "100")
    counts = page.locator(".import-counts")
    expect(counts).to_contain_text(re.compile(r"Créés\s*1"))
    expect(counts).to_contain_text(re.compile(r"Inchangés\s*1"))
    expect(counts).to_contain_text(re.compile(r"Rejetés\s*1"))
    expect(page.get_by_role("row").filter(has_text="Inconnue")).to_contain_text("classe inconnue")
    expect(page.get_by_role("link", name="Actualiser")).to_have_count(0)
    expect(
        page.get_by_role("link", name="Imprimer les lettres d’activation des nouveaux comptes")
    ).to_be_visible()

    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger le rapport (CSV)").click()
    report = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert "Nina Nouveau;créé;;nina.nouveau" in report

    nina = Person.objects.get(first_name="Nina", last_name="Nouveau")
    assert Enrolment.objects.filter(student=nina, group=world.class_6a).exists()


def test_job_page_follows_a_running_import_by_itself(world, page, live_server):
    job = ImportJob.objects.create(
        school=world.school_a,
        created_by=world.ada,
        kind=ImportJob.Kind.PUPILS,
        filename="eleves.csv",
        status=ImportJob.Status.RUNNING,
        total_rows=4,
        processed_rows=2,
        started_at=timezone.now(),
    )
    log_in(page, live_server, world, "ada")
    page.goto(f"/admin-ecole/{world.school_a.uai}/import/{job.pk}")
    progress = page.locator("progress#import-progress-bar")
    expect(progress).to_have_attribute("value", "50")
    expect(page.get_by_role("heading", level=2, name="En cours")).to_be_visible()

    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.DONE,
        processed_rows=4,
        counts={"created": 3, "updated": 0, "unchanged": 1, "rejected": 0},
        finished_at=timezone.now(),
    )
    # No reload: the page asks every second while the import runs.
    expect(page.get_by_role("heading", level=2, name="Terminé")).to_be_visible(timeout=5_000)
    expect(progress).to_have_attribute("value", "100")
    expect(page.locator(".import-counts")).to_contain_text(re.compile(r"Créés\s*3"))
