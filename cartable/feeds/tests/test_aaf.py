"""The AAF 2D importer on small hand-written feeds in the real shapes, and on the published samples."""

import json
import shutil
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cartable.directory.actions import start_school_year
from cartable.directory.models import (
    Enrolment,
    Group,
    GroupKind,
    Guardianship,
    Membership,
    Person,
    Profile,
    School,
    SchoolKind,
    SchoolYear,
    Subject,
    TeachingAssignment,
)
from cartable.feeds.aaf import read_records
from cartable.feeds.aaf_import import import_aaf

SAMPLES = Path(__file__).parent / "aaf_samples"
FULL = SAMPLES / "full"
SHARED = Path(__file__).resolve().parents[4] / "shared" / "formats" / "aaf-2d"


@pytest.fixture
def year(db):
    return SchoolYear.objects.create(
        name="2026-2027", start=date(2026, 9, 1), end=date(2027, 7, 4), is_current=True
    )


def writes(queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].split(" ", 1)[0] in {"INSERT", "UPDATE", "DELETE"}]


def reasons(report) -> dict[tuple[str, str], str]:
    return {(r.file.split("_")[3], r.record): r.reason for r in report.rejections}


# -- parsing -------------------------------------------------------------------------------------------------


def test_reads_iso_8859_15_crlf_and_empty_values():
    records = list(read_records(FULL / "ENT_Complet_20260901_Eleve_0000.xml"))
    zoe = records[0]
    assert zoe.first("sn") == "DUPRÉ" and zoe.first("givenName") == "Zoé"
    assert records[1].first("sn") == "LŒUILLET"  # Œ exists in ISO-8859-15, not in Latin-1
    assert zoe.values("ENTPersonAutresPrenoms") == ["Zoé"]  # the empty <value/> is dropped
    assert records[1].values("ENTEleveGroupes") == []
    assert not any("\r" in v for r in records for vs in r.attrs.values() for v in vs)


def test_keeps_dollar_inside_display_values():
    (school, *_) = read_records(FULL / "ENT_Complet_20260901_EtabEducNat_0000.xml")
    assert school.first("ENTStructureNomCourant") == "COLLEGE VICTOR HUGO$DOUAI"


# -- mapping -------------------------------------------------------------------------------------------------


def test_full_feed(year):
    report = import_aaf(FULL)

    college = School.objects.get(uai="0590001A")
    assert college.name == "COLLEGE VICTOR HUGO$DOUAI"
    assert (college.aaf_jointure, college.kind, college.city, college.academy) == (
        "1001",
        SchoolKind.SECONDARY,
        "DOUAI",
        "LILLE",
    )
    assert School.objects.get(uai="0590003C").kind == SchoolKind.PRIMARY

    zoe = Person.objects.get(aaf_jointure="E1")
    assert (zoe.first_name, zoe.last_name, zoe.birth_date, zoe.ine) == (
        "Zoé",
        "DUPRÉ",
        date(2014, 3, 14),
        "123456789AB",
    )
    assert zoe.user.username == "zoe.dupre" and not zoe.user.has_usable_password()
    assert Membership.objects.filter(person=zoe, school=college, profile=Profile.STUDENT).exists()
    assert {(e.group.name, e.group.kind, e.group.year_id) for e in Enrolment.objects.filter(student=zoe)} == {
        ("6A", GroupKind.CLASS, year.pk),
        ("6A-ANG", GroupKind.TEACHING, year.pk),
    }

    # Two legal guardians and a non-legal contact, each a relative of the pupil's school.
    links = {
        g.relative.aaf_jointure: g
        for g in Guardianship.objects.filter(student=zoe).select_related("relative")
    }
    assert {k: (g.legal_guardian, g.financial, g.contact, g.relationship) for k, g in links.items()} == {
        "R1": (True, True, True, "10"),
        "R2": (True, False, True, "20"),
        "R3": (False, False, True, "50"),
    }
    assert (
        Membership.objects.filter(
            person__aaf_jointure__in=["R1", "R2", "R3"], profile=Profile.RELATIVE
        ).count()
        == 3
    )
    # R2 is the guardian of two pupils of the same school: one membership.
    assert Guardianship.objects.filter(relative__aaf_jointure="R2").count() == 2

    # A teacher in two schools, with a class and a subject in each.
    tom = Person.objects.get(aaf_jointure="P1")
    assert set(Membership.objects.filter(person=tom).values_list("school__uai", "profile")) == {
        ("0590001A", Profile.TEACHER),
        ("0590002B", Profile.TEACHER),
    }
    assert set(
        TeachingAssignment.objects.filter(teacher=tom).values_list(
            "group__school__uai", "group__name", "subject__code", "subject__name"
        )
    ) == {("0590001A", "6A", "030201", "ANGLAIS LV1"), ("0590002B", "2NDE1", "030201", "ANGLAIS LV1")}
    paule = Membership.objects.get(person__aaf_jointure="P2")
    assert (paule.profile, paule.functions, paule.school) == (Profile.PERSONNEL, ["direction"], college)

    assert reasons(report) == {
        ("Eleve", "E3"): "date de naissance invalide : 31/02/2014",
        ("Eleve", ""): "identifiant de jointure manquant",
        ("Eleve", "E5"): "établissement de rattachement inconnu : 9999",
        ("Eleve", "E6"): "responsable R9 inconnu (absent des fichiers PersRelEleve)",
        ("PersEducNat", "P3"): "personnel rattaché à aucun établissement connu",
    }
    counts = report.as_dict()["counts"]
    assert counts["student"] == {"created": 3, "updated": 0, "unchanged": 0, "rejected": 3}
    assert counts["relative"]["created"] == 3
    assert counts["staff"] == {"created": 2, "updated": 0, "unchanged": 0, "rejected": 1}
    assert counts["school"]["created"] == 3
    assert counts["level"]["unchanged"] == 1
    assert counts["guardianship"] == {"created": 4, "updated": 0, "unchanged": 0, "rejected": 1}


def test_second_import_writes_nothing(year):
    first = import_aaf(FULL)
    assert first.writes > 0
    with CaptureQueriesContext(connection) as queries:
        # Read again record by record (not recognised by its fingerprint): still nothing to write.
        report = import_aaf(FULL, force=True)
    assert writes(queries.captured_queries) == []
    assert report.writes == 0
    counts = report.as_dict()["counts"]
    assert counts["student"]["unchanged"] == 3 and counts["staff"]["unchanged"] == 2
    assert counts["guardianship"]["unchanged"] == 4


def test_changes_are_updated(year, tmp_path):
    import_aaf(FULL)
    feed = tmp_path / "feed"
    shutil.copytree(FULL, feed)
    eleve = feed / "ENT_Complet_20260901_Eleve_0000.xml"
    eleve.write_bytes(eleve.read_bytes().replace(b"1001$6A</value>", b"1001$6B</value>", 1))
    report = import_aaf(feed)
    zoe = Person.objects.get(aaf_jointure="E1")
    assert set(Enrolment.objects.filter(student=zoe).values_list("group__name", flat=True)) == {
        "6B",
        "6A-ANG",
    }
    assert report.counts["enrolment"].created == 1 and report.counts["enrolment"].updated == 1
    assert report.counts["student"].unchanged == 3


def test_no_current_school_year_creates_no_class(db):
    report = import_aaf(FULL)
    assert not SchoolYear.objects.exists() and not Group.objects.exists()
    assert Person.objects.filter(aaf_jointure="E1").exists()
    assert ("Eleve", "E1") in reasons(report)
    assert "aucune année scolaire en cours" in reasons(report)[("Eleve", "E1")]


def test_malformed_file_is_rejected_and_the_others_imported(year, tmp_path):
    shutil.copytree(FULL, tmp_path, dirs_exist_ok=True)
    broken = tmp_path / "ENT_Complet_20260901_PersEducNat_0000.xml"
    broken.write_bytes(broken.read_bytes()[:-200])
    report = import_aaf(tmp_path)
    assert [(r.file, r.record) for r in report.rejections if r.file == broken.name] == [(broken.name, "")]
    assert any(r.reason.startswith("fichier XML illisible") for r in report.rejections)
    assert Person.objects.filter(aaf_jointure="E1").exists()
    assert not Person.objects.filter(aaf_jointure__startswith="P").exists()
    assert report.counts["staff"].created == 0


def test_dry_run_writes_nothing(year):
    report = import_aaf(FULL, dry_run=True)
    assert report.counts["student"].created == 3
    assert not Person.objects.exists() and not School.objects.exists() and not Subject.objects.exists()


@pytest.mark.skipif(not SHARED.is_dir(), reason="published samples not present")
def test_published_samples(year):
    ELEVE = "ENT_Complet_20200101_Eleve_0000.xml"
    report = import_aaf(SHARED)
    school = School.objects.get(uai="0000000V")
    assert school.name == "NOM$STRUCTURE$COURANT" and school.kind == SchoolKind.PRIMARY
    pupil = Person.objects.get(aaf_jointure="2000000")
    assert pupil.birth_date == date(2000, 1, 1) and pupil.ine == "100000000AA"
    assert Membership.objects.filter(person=pupil, school=school, profile=Profile.STUDENT).exists()
    # The class link names structure 3000, absent from the feed: the class goes to the pupil's school.
    assert list(Enrolment.objects.filter(student=pupil).values_list("group__school", "group__name")) == [
        (school.pk, "1AQUA")
    ]
    # The sample has no PersRelEleve file: both guardian links are rejected with the reason.
    assert {(r.file, r.record, r.reason) for r in report.rejections} == {
        (ELEVE, "2000000", "responsable 3000000 inconnu (absent des fichiers PersRelEleve)"),
        (ELEVE, "2000000", "responsable 2000000 inconnu (absent des fichiers PersRelEleve)"),
    }


# -- command -------------------------------------------------------------------------------------------------


def test_command_json(year):
    out = StringIO()
    call_command("import_aaf", str(FULL), "--json", stdout=out)
    summary = json.loads(out.getvalue())
    assert summary["counts"]["student"]["created"] == 3
    assert {
        "file": "ENT_Complet_20260901_Eleve_0000.xml",
        "record": "E3",
        "reason": "date de naissance invalide : 31/02/2014",
    } in summary["rejections"]


def test_command_dry_run(year):
    out = StringIO()
    call_command("import_aaf", str(FULL), "--dry-run", stdout=out)
    assert "student : 3 créés" in out.getvalue() and "rien n'a été enregistré" in out.getvalue()
    assert not Person.objects.exists()


def test_an_identical_feed_is_recognised_without_being_read_again(year):
    first = import_aaf(FULL)
    with CaptureQueriesContext(connection) as queries:
        report = import_aaf(FULL)
    assert writes(queries.captured_queries) == []
    assert len(queries.captured_queries) <= 4
    assert report.identical_to and report.writes == 0
    counts = report.as_dict()["counts"]
    assert counts["student"] == {
        "created": 0,
        "updated": 0,
        "unchanged": first.counts["student"].created,
        "rejected": first.counts["student"].rejected,
    }


def test_a_changed_file_or_a_rollover_makes_the_feed_read_again(year, tmp_path):
    feed = tmp_path / "feed"
    shutil.copytree(FULL, feed)
    import_aaf(feed)
    student_file = next(feed.glob("*_Eleve_*"))
    student_file.write_bytes(
        student_file.read_bytes().replace(b"<value>123456789AB</value>", b"<value>123456789AC</value>")
    )
    changed = import_aaf(feed)
    assert not changed.identical_to and changed.counts["student"].updated == 1
    assert import_aaf(feed).identical_to  # the same again: recognised

    start_school_year(None, f"{year.start.year + 1}-{year.start.year + 2}", force=True)
    after_rollover = import_aaf(feed)
    assert not after_rollover.identical_to
    assert after_rollover.counts["student"].created + after_rollover.counts["student"].updated == 0
    assert after_rollover.counts["enrolment"].created > 0
