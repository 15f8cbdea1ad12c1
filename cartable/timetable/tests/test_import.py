"""Importing a timetable from a CSV export in the admin console: upload, preview with errors, confirm."""

from datetime import date, time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cartable.timetable.models import Course, Room, TimeSlot

pytestmark = pytest.mark.django_db

CSV = """jour;debut;fin;classe;matiere;enseignant;salle;semaine
lundi;08:00;09:00;6A;Mathématiques;LEROY Tom;101;
mardi;10h;11h;6A+5B;Vie de classe;Tom Leroy;CDI;A
mercredi;9:00;8:00;6A;Mathématiques;LEROY Tom;101;
jeudi;08:00;09:00;6Z;Mathématiques;;101;
vendredi;08:00;09:00;5B;Français;DUPONT Jean;202;C
dimanche;08:00;09:00;5B;Français;MOREAU Tess;202;B
"""


def upload(client, world, text=CSV, **extra):
    url = reverse("timetable:import", args=[world.school_a.uai])
    data = {"file": SimpleUploadedFile("edt.csv", text.encode()), "valid_from": "2026-11-16", **extra}
    return client.post(url, data)


def test_preview_shows_errors_per_line_and_writes_nothing(client, world):
    world.login(client, "ada")
    answer = upload(client, world)
    body = answer.content.decode()
    assert answer.status_code == 200
    assert "2 cours prêts à importer" in body
    assert "4 lignes en erreur" in body
    assert "Le cours finit avant d&#x27;avoir commencé." in body
    assert "Classe ou groupe inconnu cette année : « 6Z »" in body
    assert "Enseignant inconnu dans l&#x27;établissement : « DUPONT Jean »" in body
    assert "Semaine inconnue : « C »" in body
    assert "Le dimanche n&#x27;est pas dans la grille horaire de l&#x27;établissement." in body
    assert not Course.objects.exists()


def test_confirm_imports_the_valid_lines(client, world):
    world.login(client, "ada")
    body = upload(client, world).content.decode()
    start = body.index('name="content" value="') + len('name="content" value="')
    import html

    content = html.unescape(body[start : body.index('"', start)])
    answer = client.post(
        reverse("timetable:import_confirm", args=[world.school_a.uai]),
        {"content": content, "valid_from": "2026-11-16"},
        follow=True,
    )
    assert "2 cours importés, 0 déjà présents, 4 lignes en erreur non importées." in answer.content.decode()
    maths = Course.objects.get(weekday=0)
    assert maths.subject == world.maths and list(maths.teachers.all()) == [world.person("tom")]
    assert maths.valid_from == date(2026, 11, 16) and maths.room is not None and maths.room.name == "101"
    life = Course.objects.get(weekday=1)
    assert life.label == "Vie de classe" and life.weeks == "A"
    assert set(life.groups.all()) == {world.class_6a, world.class_5b}
    assert Room.objects.filter(school=world.school_a, name="CDI").exists()
    # Importing the same file again adds nothing.
    client.post(
        reverse("timetable:import_confirm", args=[world.school_a.uai]),
        {"content": content, "valid_from": "2026-11-16"},
    )
    assert Course.objects.count() == 2


def confirmed_import(client, world, name, content):
    """Upload a file, confirm what the preview offers, and describe the courses it wrote."""
    import html

    url = reverse("timetable:import", args=[world.school_a.uai])
    body = client.post(
        url, {"file": SimpleUploadedFile(name, content), "valid_from": "2026-11-16"}
    ).content.decode()
    start = body.index('name="content" value="') + len('name="content" value="')
    client.post(
        reverse("timetable:import_confirm", args=[world.school_a.uai]),
        {"content": html.unescape(body[start : body.index('"', start)]), "valid_from": "2026-11-16"},
    )
    return sorted(
        (
            c.weekday,
            c.start,
            c.end,
            c.subject_id,
            c.label,
            c.weeks,
            c.room.name if c.room else "",
            tuple(sorted(g.pk for g in c.groups.all())),
            tuple(sorted(t.pk for t in c.teachers.all())),
        )
        for c in Course.objects.filter(school=world.school_a)
    )


def test_an_xlsx_and_a_csv_with_the_same_rows_give_the_same_import(client, world):
    import tablib

    world.login(client, "ada")
    rows = [line.split(";") for line in CSV.splitlines()]
    from_csv = confirmed_import(client, world, "edt.csv", CSV.encode())
    Course.objects.all().delete()
    workbook = tablib.Dataset(headers=rows[0])
    for row in rows[1:]:
        # Excel keeps a time typed in a cell as a time, not as text.
        start = time.fromisoformat(row[1]) if row[1] == "08:00" else row[1]
        workbook.append([row[0], start, *row[2:]])
    from_xlsx = confirmed_import(client, world, "edt.xlsx", workbook.export("xlsx"))
    assert len(from_csv) == 2
    assert from_xlsx == from_csv


def test_replace_ends_the_current_courses(client, world, week):
    world.login(client, "ada")
    client.post(
        reverse("timetable:import_confirm", args=[world.school_a.uai]),
        {"content": CSV, "valid_from": "2026-11-16", "replace": "on"},
    )
    week["maths"].refresh_from_db()
    assert week["maths"].valid_until == date(2026, 11, 15)
    week["maths_6c"].refresh_from_db()
    assert week["maths_6c"].valid_until is None  # another school's course is untouched


def test_missing_columns_and_empty_file(client, world):
    world.login(client, "ada")
    body = upload(client, world, text="jour;debut\nlundi;08:00\n").content.decode()
    assert "Colonnes manquantes" in body
    body = upload(client, world, text="").content.decode()
    assert "Le fichier est vide." in body or "Ce champ est obligatoire" in body or "fichier" in body
    assert not Course.objects.exists()


HEADER = "jour;debut;fin;classe;matiere;enseignant;salle;semaine"


def test_missing_columns_are_named_as_written_in_the_file(client, world):
    world.login(client, "ada")
    body = upload(client, world, text="jour;debut\nlundi;08:00\n").content.decode()
    assert "Colonnes manquantes : fin, classe, matiere." in body
    assert HEADER in body
    assert "groups" not in body and "subject" not in body


def test_a_file_without_header_says_the_first_line_must_be_the_header(client, world):
    world.login(client, "ada")
    body = upload(client, world, text="lundi;08:00;09:00;6A;Mathématiques;LEROY Tom;101;A\n").content.decode()
    assert f"La première ligne doit être l&#x27;en-tête des colonnes : {HEADER}" in body
    assert "Colonnes manquantes" not in body
    assert not Course.objects.exists()


def test_the_header_messages_in_english(world):
    from django.utils import translation

    from cartable.timetable.importer import parse

    with translation.override("en"):
        no_header = parse("Lundi;08:00;09:00;6A;Maths\n", world.school_a)
        missing = parse("jour;debut;fin\nlundi;08:00;09:00\n", world.school_a)
    assert no_header.errors == [f"The first line must be the column header: {HEADER}"]
    assert missing.errors == [
        f"Missing columns: classe, matiere. The first line must name the columns: {HEADER}"
    ]


def test_the_page_shows_the_required_header_line(client, world):
    world.login(client, "ada")
    body = client.get(reverse("timetable:import", args=[world.school_a.uai])).content.decode()
    assert "La première ligne du fichier est obligatoirement l'en-tête des colonnes" in body
    assert f"<code>{HEADER}</code>" in body


def test_latin1_file_and_comma_separator(client, world):
    world.login(client, "ada")
    text = (
        "jour,debut,fin,classe,matiere,enseignant,salle,semaine\n"
        "lundi,08:00,09:00,6A,Mathématiques,LEROY Tom,101,\n"
    )
    url = reverse("timetable:import", args=[world.school_a.uai])
    answer = client.post(
        url, {"file": SimpleUploadedFile("edt.csv", text.encode("cp1252")), "valid_from": "2026-11-16"}
    )
    assert "1 cours prêt à importer" in answer.content.decode()


@pytest.mark.parametrize("name", ["vera", "paul", "tom", "alice", "bruno", "xavier"])
def test_only_the_schools_admins_import(client, world, name):
    world.login(client, name)
    assert upload(client, world).status_code == 404
    answer = client.post(
        reverse("timetable:import_confirm", args=[world.school_a.uai]),
        {"content": CSV, "valid_from": "2026-11-16"},
    )
    assert answer.status_code == 404
    assert not Course.objects.exists()


def test_console_menu_links_to_the_import(client, world):
    world.login(client, "ada")
    page = client.get(reverse("console:people", args=[world.school_a.uai])).content.decode()
    assert reverse("timetable:import", args=[world.school_a.uai]) in page


SATURDAY_CSV = """jour;debut;fin;classe;matiere;enseignant;salle;semaine
lundi;08:00;09:00;6A;Mathématiques;LEROY Tom;101;
samedi;08:00;09:00;6A;Mathématiques;LEROY Tom;101;
Mercredi;08:00;09:00;6A;Mathématiques;LEROY Tom;101;
"""


def grid(world, *weekdays):
    for weekday in weekdays:
        TimeSlot.objects.create(school=world.school_a, weekday=weekday, start=time(8), end=time(9))


def test_a_day_outside_the_time_grid_is_an_error_in_the_preview(client, world):
    grid(world, 0, 1, 3, 4)  # no Wednesday, no Saturday
    TimeSlot.objects.create(school=world.school_b, weekday=5, start=time(8), end=time(9))  # not school A's
    world.login(client, "ada")
    body = upload(client, world, text=SATURDAY_CSV).content.decode()
    assert "1 cours prêt à importer" in body and "2 lignes en erreur" in body
    assert "Le samedi n&#x27;est pas dans la grille horaire de l&#x27;établissement." in body
    assert "Le mercredi n&#x27;est pas dans la grille horaire de l&#x27;établissement." in body


def test_saturday_is_accepted_when_the_grid_has_saturday_slots(client, world):
    grid(world, 0, 2, 5)
    world.login(client, "ada")
    body = upload(client, world, text=SATURDAY_CSV).content.decode()
    assert "3 cours prêts à importer" in body and "grille horaire" not in body


def test_without_a_time_grid_monday_to_friday_only(client, world):
    world.login(client, "ada")
    body = upload(client, world, text=SATURDAY_CSV).content.decode()
    assert "2 cours prêts à importer" in body
    assert "Le samedi n&#x27;est pas dans la grille horaire de l&#x27;établissement." in body


def test_confirming_a_file_does_not_import_a_day_outside_the_grid(client, world):
    grid(world, 0, 2)
    world.login(client, "ada")
    client.post(
        reverse("timetable:import_confirm", args=[world.school_a.uai]),
        {"content": SATURDAY_CSV, "valid_from": "2026-11-16"},
    )
    assert sorted(Course.objects.values_list("weekday", flat=True)) == [0, 2]


def test_the_grid_message_in_english(world):
    from django.utils import translation

    from cartable.timetable.importer import parse

    with translation.override("en"):
        preview = parse(SATURDAY_CSV, world.school_a)
    assert preview.lines[1].errors == ["Saturday is not in the school's time grid."]
