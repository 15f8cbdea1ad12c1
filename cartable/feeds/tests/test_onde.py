"""The ONDE / BE1D importer: reading, mapping, idempotency, rejections, the command."""

import datetime
import json
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cartable.directory import versions
from cartable.directory.models import (
    Enrolment,
    Function,
    Group,
    Guardianship,
    Membership,
    Person,
    Profile,
    School,
    SchoolYear,
    TeachingAssignment,
)
from cartable.feeds import onde, onde_import
from cartable.feeds.models import ImageRightsConsent
from cartable.feeds.onde_import import OndeImportError, import_onde

SAMPLES = Path(__file__).parent / "onde_samples" / "ecole"
REAL_SAMPLE = Path(__file__).resolve().parents[3].parent / "shared" / "formats" / "be1d"
UAI = "0610001B"


@pytest.fixture
def year(db):
    return SchoolYear.objects.create(
        name="2026-2027", start=datetime.date(2026, 9, 1), end=datetime.date(2027, 7, 4), is_current=True
    )


def person(first_name: str, last_name: str) -> Person:
    return Person.objects.get(first_name=first_name, last_name=last_name)


def writes(queries: CaptureQueriesContext) -> list[str]:
    return [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]


def test_reading_latin1_with_spaced_headers():
    headers, _rows = onde.read_rows(SAMPLES / "CSVExtraction-eleves.csv")
    assert "cycle" in headers  # " Cycle" in the file
    assert "nom elève" in headers and "prénom elève" in headers
    pupils = list(onde.read_pupils(SAMPLES / "CSVExtraction-eleves.csv"))
    assert [p.first_name for p in pupils][:2] == ["Eléa", "Maëlle"]
    assert [p.image_rights for p in pupils] == [True, False, True, None, True]
    assert pupils[0].line == 2


def test_guardian_rows_have_up_to_three_child_blocks():
    rows = list(onde.read_guardians(SAMPLES / "CSVExtraction-responsables.csv"))
    assert [len(r.children) for r in rows] == [3, 2, 1]
    assert rows[0].children[1] == onde.ChildRef(
        last_name="DUPONT", usage_name="", first_name="Hugo", class_name="CP"
    )
    assert rows[0].address == "3 Rue des Écoles" and rows[0].city == "Alençon"


def test_import_maps_pupils_teachers_and_guardians(year):
    report = import_onde(SAMPLES, UAI, name="École Jules Ferry")

    school = School.objects.get(uai=UAI)
    assert school.name == "École Jules Ferry" and school.kind == "primary"
    counts = report.as_dict()["counts"]
    assert counts["student"] == {"created": 5, "updated": 0, "unchanged": 0, "rejected": 0}
    assert counts["teacher"]["created"] == 2
    assert counts["relative"]["created"] == 3
    assert counts["guardianship"] == {"created": 5, "updated": 0, "unchanged": 0, "rejected": 1}

    elea = person("Eléa", "CAILLET")
    assert elea.birth_date == datetime.date(2019, 9, 27)
    assert elea.aaf_jointure == f"onde:{UAI}:CAILLET:ELEA:2019-09-27"
    assert elea.user.username == "elea.caillet"
    assert not elea.user.has_usable_password()
    assert Membership.objects.get(person=elea).profile == Profile.STUDENT
    assert Enrolment.objects.get(student=elea).group.name == "CE1"
    assert Group.objects.get(school=school, name="CE1").level == "CE1"
    assert person("Maëlle", "DUPONT").birth_date == datetime.date(2018, 3, 2)

    # "Autorisations photos": Oui / Non, and no row when the column is empty.
    assert ImageRightsConsent.objects.get(person=elea).granted is True
    assert ImageRightsConsent.objects.get(person=person("Maëlle", "DUPONT")).granted is False
    assert not ImageRightsConsent.objects.filter(person=person("Léo", "DUPONT")).exists()

    director = person("Martine", "PALLISE")
    membership = Membership.objects.get(person=director)
    assert membership.profile == Profile.TEACHER and membership.functions == [Function.DIRECTION]
    assert director.user.email == "martine.pallise@example.org"
    # CM2 has no pupil in the fixture: the teachers file creates the class.
    assert TeachingAssignment.objects.get(teacher=director).group.name == "CM2"
    assert TeachingAssignment.objects.get(teacher=person("Ulrique", "LEFEBVRE")).group.name == "CE1"

    sophie = person("Sophie", "DUPONT")
    children = Guardianship.objects.filter(relative=sophie).values_list("student__first_name", flat=True)
    assert sorted(children) == ["Hugo", "Léo", "Maëlle"]
    assert all(g.legal_guardian for g in Guardianship.objects.filter(relative=sophie))
    assert Membership.objects.get(person=sophie).profile == Profile.RELATIVE


def test_a_child_block_that_matches_no_pupil_is_rejected_and_the_guardian_kept(year):
    report = import_onde(SAMPLES, UAI)

    [rejection] = report.rejections
    assert rejection.file == "CSVExtraction-responsables.csv"
    assert rejection.record == "ligne 3 : Marc CAILLET → enfant Inconnu MARTIN"
    assert "CE2" in rejection.reason
    marc = person("Marc", "CAILLET")
    assert [g.student.first_name for g in Guardianship.objects.filter(relative=marc)] == ["Eléa"]


def test_a_child_is_matched_by_class_too(year, tmp_path):
    shutil.copytree(SAMPLES, tmp_path, dirs_exist_ok=True)
    path = tmp_path / "CSVExtraction-responsables.csv"
    text = path.read_text(encoding="latin-1").replace("DUPONT;Hugo;CP", "DUPONT;Hugo;CM1")
    path.write_text(text, encoding="latin-1")

    report = import_onde(tmp_path, UAI)

    assert [r.record for r in report.rejections] == [
        "ligne 2 : Sophie DUPONT → enfant Hugo DUPONT",
        "ligne 3 : Marc CAILLET → enfant Inconnu MARTIN",
    ]


def test_guardian_identity_rule():
    def row(first: str, address: str = "", postcode: str = "", email: str = "") -> onde.GuardianRow:
        return onde.GuardianRow(
            line=2,
            civility="",
            last_name="Picot",
            usage_name="",
            first_name=first,
            address=address,
            postcode=postcode,
            city="",
            email=email,
            legal_guardian=None,
            relationship="",
        )

    key = onde_import.guardian_key
    same_home = key(UAI, row("Thierry", "60 rue du Capitaine-Ménard", "61000"))
    # Case, accents and spacing do not make another person; another address or first name does.
    assert key(UAI, row("THIERRY", "60 Rue du Capitaine-Menard ", "61000")) == same_home
    assert key(UAI, row("Thierry", "10 Impasse de l'Hôtel", "61000")) != same_home
    assert key(UAI, row("Christelle", "60 rue du Capitaine-Ménard", "61000")) != same_home
    # No address: the email tells namesakes apart; with neither, the name alone.
    assert key(UAI, row("Thierry", email="t@example.org")) != key(UAI, row("Thierry", email="x@example.org"))
    assert key(UAI, row("Thierry")) == f"onde:{UAI}:RESP:PICOT:THIERRY:"
    assert len(key(UAI, row("Thierry", "12 " + "très longue avenue " * 5, "61000"))) <= 64


def test_a_guardian_on_two_rows_is_one_person(year, tmp_path):
    shutil.copytree(SAMPLES, tmp_path, dirs_exist_ok=True)
    path = tmp_path / "CSVExtraction-responsables.csv"
    lines = path.read_text(encoding="latin-1").splitlines()
    lines.append(lines[1].replace("DUPONT;Maëlle;CE2", "MARTIN;Paul;CE2"))
    path.write_text("\n".join(lines), encoding="latin-1")

    report = import_onde(tmp_path, UAI)

    assert report.as_dict()["counts"]["relative"]["created"] == 3
    sophie = person("Sophie", "DUPONT")
    assert Guardianship.objects.filter(relative=sophie).count() == 4


def test_second_import_writes_nothing(year, monkeypatch):
    bumps = []
    monkeypatch.setattr(versions, "bump_imported_schools", lambda ids: bumps.append(sorted(ids)))
    import_onde(SAMPLES, UAI)
    school_id = School.objects.get(uai=UAI).pk
    assert bumps == [[school_id]]  # this school only, not the platform

    with CaptureQueriesContext(connection) as queries:
        report = import_onde(SAMPLES, UAI)

    assert writes(queries) == []
    assert report.writes == 0
    assert report.as_dict()["counts"]["student"]["unchanged"] == 5
    assert bumps == [[school_id]]


def test_changes_are_applied_on_the_next_import(year, tmp_path):
    shutil.copytree(SAMPLES, tmp_path, dirs_exist_ok=True)
    import_onde(tmp_path, UAI)
    path = tmp_path / "CSVExtraction-eleves.csv"
    text = path.read_text(encoding="latin-1")
    text = text.replace(
        '"Maëlle";"2018-03-02";"F";;;;;;;;;"CYCLE II";"CE2";"CE2";"Oui";"Non";"Non"',
        '"Maëlle";"2018-03-02";"F";;;;;;;;;"CYCLE III";"CM1";"CM1";"Oui";"Non";"Oui"',
    )
    path.write_text(text, encoding="latin-1")

    report = import_onde(tmp_path, UAI)

    assert report.as_dict()["counts"]["student"] == {
        "created": 0,
        "updated": 1,
        "unchanged": 4,
        "rejected": 0,
    }
    maelle = person("Maëlle", "DUPONT")
    assert [e.group.name for e in Enrolment.objects.filter(student=maelle)] == ["CM1"]
    assert ImageRightsConsent.objects.get(person=maelle).granted is True


def test_bad_pupil_rows_are_rejected_with_a_reason(year, tmp_path):
    shutil.copytree(SAMPLES, tmp_path, dirs_exist_ok=True)
    path = tmp_path / "CSVExtraction-eleves.csv"
    lines = path.read_bytes().decode("latin-1").split("\r\n")
    lines.append(lines[1].replace("2019-09-27", "27 septembre"))
    lines.append(lines[1])
    path.write_text("\r\n".join(lines), encoding="latin-1")

    report = import_onde(tmp_path, UAI)

    assert [(r.record, r.reason) for r in report.rejections[:2]] == [
        ("ligne 7 : Eléa CAILLET", "date de naissance invalide : « 27 septembre »"),
        ("ligne 8 : Eléa CAILLET", "élève en double dans le fichier (même nom et date de naissance)"),
    ]
    assert Person.objects.filter(first_name="Eléa").count() == 1


def test_dry_run_writes_nothing(year):
    report = import_onde(SAMPLES, UAI, dry_run=True)

    assert report.as_dict()["counts"]["student"]["created"] == 5
    assert not School.objects.exists()
    assert not Person.objects.exists()


def test_command_prints_one_json_object(year):
    out = StringIO()
    call_command("import_onde", str(SAMPLES), "--school", UAI, "--json", stdout=out)

    summary = json.loads(out.getvalue())
    assert summary["dry_run"] is False
    assert summary["counts"]["student"]["created"] == 5
    assert summary["rejections"][0]["reason"].startswith("aucun élève")


def test_command_dry_run_and_text_report(year):
    out = StringIO()
    call_command("import_onde", str(SAMPLES), "--school", UAI, "--dry-run", stdout=out)

    assert "Simulation" in out.getvalue()
    assert "student : 5 créés" in out.getvalue()
    assert not Person.objects.exists()


def test_command_errors(db, tmp_path):
    with pytest.raises(CommandError, match="UAI invalide"):
        call_command("import_onde", str(SAMPLES), "--school", "0610001")
    with pytest.raises(CommandError, match="aucune année scolaire en cours"):
        call_command("import_onde", str(SAMPLES), "--school", UAI)
    with pytest.raises(CommandError, match="aucun fichier"):
        call_command("import_onde", str(tmp_path), "--school", UAI)
    assert not School.objects.exists()


def test_existing_school_is_used(year):
    School.objects.create(uai=UAI, name="École du Centre", kind="primary")
    import_onde(SAMPLES, UAI)
    assert School.objects.get().name == "École du Centre"
    with pytest.raises(OndeImportError):
        import_onde(SAMPLES, "nope")


@pytest.mark.skipif(not REAL_SAMPLE.is_dir(), reason="the shared BE1D sample is not checked out")
def test_real_be1d_sample_imports_completely_and_idempotently(year):
    report = import_onde(REAL_SAMPLE, UAI)

    counts = report.as_dict()["counts"]
    # The files hold 247 pupils and 14 teachers (their last line has no line break, `wc -l` says one less).
    assert counts["student"]["created"] == 247
    assert counts["teacher"]["created"] == 14
    # 469 guardian rows; two guardians appear on two rows each.
    assert counts["relative"]["created"] == 467
    assert counts["guardianship"]["created"] == 491
    assert report.rejections == []
    assert ImageRightsConsent.objects.count() == 247
    assert Person.objects.filter(first_name="Eléa").exists()

    with CaptureQueriesContext(connection) as queries:
        again = import_onde(REAL_SAMPLE, UAI)
    assert writes(queries) == []
    assert again.writes == 0
    # Lookups go in batches: the query count does not follow the number of rows.
    assert len(queries.captured_queries) < 40


def test_an_answer_recorded_in_cartable_is_not_overwritten_by_the_next_import(year, tmp_path):
    """Maëlle's guardian withdrew or the school recorded another answer: the extraction, older, keeps out."""
    from cartable.feeds.models import ConsentSource

    shutil.copytree(SAMPLES, tmp_path, dirs_exist_ok=True)
    import_onde(tmp_path, UAI)
    maelle = person("Maëlle", "DUPONT")
    ImageRightsConsent.objects.filter(person=maelle).update(granted=True, source=ConsentSource.GUARDIAN)
    import_onde(tmp_path, UAI)  # the extraction still says "Non"
    assert ImageRightsConsent.objects.get(person=maelle).granted is True
