"""AAF delta feeds: `modifyRequest` changes only what it carries, `deleteRequest` is a departure."""

import shutil
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from cartable.directory.models import (
    Enrolment,
    Guardianship,
    Membership,
    Person,
    Profile,
    SchoolYear,
    TeachingAssignment,
)
from cartable.feeds.aaf import read_records
from cartable.feeds.aaf_import import import_aaf

FULL = Path(__file__).parent / "aaf_samples" / "full"

HEADER = '<?xml version="1.0" encoding="ISO-8859-15"?>\n<!DOCTYPE ficAlimMENESR SYSTEM "ficAlimMENESR.dtd">\n'


def modify(category: str, ident: str, **changes: list[str]) -> str:
    mods = "".join(
        f'<modification name="{name}" operation="replace">'
        + ("".join(f"<value>{v}</value>" for v in values) or "<value/>")
        + "</modification>\n"
        for name, values in changes.items()
    )
    return (
        "<modifyRequest>\n"
        f'<operationalAttributes><attr name="categoriePersonne"><value>{category}</value></attr>'
        "</operationalAttributes>\n"
        f"<identifier><id>{ident}</id></identifier>\n"
        f"<modifications>\n{mods}</modifications>\n"
        "</modifyRequest>\n"
    )


def delete(category: str, ident: str) -> str:
    return (
        "<deleteRequest>\n"
        f'<operationalAttributes><attr name="categoriePersonne"><value>{category}</value></attr>'
        "</operationalAttributes>\n"
        f"<identifier><id>{ident}</id></identifier>\n"
        "</deleteRequest>\n"
    )


def delta(directory: Path, family: str, *requests: str) -> Path:
    """A delta file as the académie sends it: ISO-8859-15, CRLF line ends."""
    directory.mkdir(exist_ok=True)
    path = directory / f"ENT_Delta_20261015_{family}_0000.xml"
    text = HEADER + "<ficAlimMENESR>\n" + "".join(requests) + "</ficAlimMENESR>\n"
    path.write_bytes(text.replace("\n", "\r\n").encode("iso-8859-15"))
    return path


@pytest.fixture
def imported(db):
    SchoolYear.objects.create(name="2026-2027", start=date(2026, 9, 1), end=date(2027, 7, 4), is_current=True)
    import_aaf(FULL)


def classes(key: str) -> set[str]:
    return set(Enrolment.objects.filter(student__aaf_jointure=key).values_list("group__name", flat=True))


def test_reads_modifications_and_deletions(tmp_path):
    path = delta(
        tmp_path,
        "Eleve",
        modify("Eleve", "E1", ENTEleveClasses=["1001$6B"], sn=["DUPRÉ-LŒUILLET"]),
        delete("Eleve", "E2"),
    )
    assert b"\r\n" in path.read_bytes()
    changed, gone = read_records(path)
    assert (changed.operation, changed.id, changed.key()) == ("modify", "E1", "E1")
    assert changed.attrs == {"ENTEleveClasses": ["1001$6B"], "sn": ["DUPRÉ-LŒUILLET"]}
    assert (gone.operation, gone.key(), gone.attrs) == ("delete", "E2", {})


def test_a_pupil_moves_to_another_class(imported, tmp_path):
    assert classes("E1") == {"6A", "6A-ANG"}
    zoe = Person.objects.get(aaf_jointure="E1")
    before = (zoe.first_name, zoe.last_name, zoe.birth_date, zoe.ine)

    report = import_aaf(
        delta(tmp_path, "Eleve", modify("Eleve", "E1", ENTEleveClasses=["1001$6B"])).parent, delta=True
    )

    # The class changes; the teaching group (ENTEleveGroupes not in the modification) and the rest stay.
    assert classes("E1") == {"6B", "6A-ANG"}
    zoe.refresh_from_db()
    assert (zoe.first_name, zoe.last_name, zoe.birth_date, zoe.ine) == before
    assert Guardianship.objects.filter(student=zoe).count() == 3
    assert report.counts["enrolment"].created == 1 and report.counts["enrolment"].updated == 1
    assert report.counts["student"].unchanged == 1 and report.rejections == []
    # Nobody absent from the delta is deactivated.
    assert not Person.objects.filter(left_at__isnull=False).exists()

    # The same delta again changes nothing.
    again = import_aaf(tmp_path, delta=True)
    assert again.writes == 0


def test_a_name_change_and_a_new_guardian_link(imported, tmp_path):
    # R3 (a relative of the feed) becomes a legal guardian of E2, whose name was misspelled.
    delta(
        tmp_path,
        "Eleve",
        modify("Eleve", "E2", givenName=["Timothée"], ENTElevePersRelEleve=["R3$50$0$1$1$0"]),
    )
    report = import_aaf(tmp_path, delta=True)

    e2 = Person.objects.get(aaf_jointure="E2")
    assert e2.first_name == "Timothée"
    link = Guardianship.objects.get(student=e2, relative__aaf_jointure="R3")
    assert (link.legal_guardian, link.relationship) == (True, "50")
    assert report.counts["student"].updated == 1 and report.counts["guardianship"].created == 1
    # The guardians the modification does not name stay linked.
    assert Guardianship.objects.filter(student=e2).count() >= 2


def test_a_teacher_changes_class_and_keeps_functions(imported, tmp_path):
    delta(tmp_path, "PersEducNat", modify("PersEducNat", "P1", ENTAuxEnsClassesMatieres=["1001$6B$061300"]))
    report = import_aaf(tmp_path, delta=True)

    assert set(
        TeachingAssignment.objects.filter(teacher__aaf_jointure="P1").values_list(
            "group__name", "subject__code"
        )
    ) == {("6B", "061300")}
    assert report.rejections == []
    paule_functions = Membership.objects.get(person__aaf_jointure="P2").functions
    delta(tmp_path, "PersEducNat", modify("PersEducNat", "P2", ENTPersonStructRattach=["1001"]))
    import_aaf(tmp_path, delta=True)
    # Re-attached without ENTPersonFonctions: her functions are kept.
    assert Membership.objects.get(person__aaf_jointure="P2").functions == paule_functions == ["direction"]


def test_a_delete_deactivates_and_keeps_the_data(imported, tmp_path):
    zoe = Person.objects.get(aaf_jointure="E1")
    links = Guardianship.objects.filter(student=zoe).count()

    report = import_aaf(delta(tmp_path, "Eleve", delete("Eleve", "E1")).parent, delta=True)

    zoe = Person.objects.select_related("user").get(pk=zoe.pk)
    assert zoe.left_at is not None and not zoe.user.is_active
    assert classes("E1") == {"6A", "6A-ANG"} and Guardianship.objects.filter(student=zoe).count() == links
    assert Membership.objects.filter(person=zoe, profile=Profile.STUDENT).exists()
    assert report.counts["deactivated"].updated == 1
    assert Person.objects.filter(left_at__isnull=False).count() == 1

    # Deleting again: already gone, nothing written.
    again = import_aaf(tmp_path, delta=True)
    assert again.counts["deactivated"].unchanged == 1 and again.writes == 0


def test_unknown_people_are_rejected_with_a_reason(imported, tmp_path):
    delta(
        tmp_path,
        "Eleve",
        modify("Eleve", "E404", ENTEleveClasses=["1001$6B"]),
        delete("Eleve", "E405"),
        modify("Eleve", "E1", ENTPersonDateNaissance=["31/02/2014"]),
    )
    report = import_aaf(tmp_path, delta=True)

    assert {(r.record, r.reason) for r in report.rejections} == {
        ("E404", "personne inconnue de l'annuaire : modification impossible"),
        ("E405", "personne inconnue de l'annuaire : suppression ignorée"),
        ("E1", "date de naissance invalide : 31/02/2014"),
    }
    assert not Person.objects.filter(aaf_jointure__in=["E404", "E405"]).exists()
    assert classes("E1") == {"6A", "6A-ANG"}
    assert report.writes == 0


def test_an_add_in_a_delta_creates_the_person(imported, tmp_path):
    feed = tmp_path / "feed"
    feed.mkdir()
    shutil.copy(
        FULL / "ENT_Complet_20260901_PersRelEleve_0000.xml", feed / "ENT_Delta_20261015_PersRelEleve_0000.xml"
    )
    report = import_aaf(feed, delta=True)
    assert report.counts["relative"].unchanged == 3 and report.writes == 0


def test_the_command_applies_a_delta(imported, tmp_path):
    delta(tmp_path, "Eleve", modify("Eleve", "E1", ENTEleveClasses=["1001$6B"]), delete("Eleve", "E2"))
    out = StringIO()
    call_command("import_aaf", str(tmp_path), "--delta", stdout=out, stderr=StringIO())
    assert "student : 0 créés, 0 modifiés, 1 inchangés, 0 rejetés" in out.getvalue()
    assert "deactivated : 0 créés, 1 modifiés" in out.getvalue()
    assert classes("E1") == {"6B", "6A-ANG"}
    assert Person.objects.get(aaf_jointure="E2").left_at is not None


# -- progress bar --------------------------------------------------------------------------------------------


def test_progress_bar_on_a_terminal_only(imported, monkeypatch):
    from cartable.feeds.report import ProgressBar

    assert ProgressBar.for_terminal("Import AAF", json_output=True) is None
    # Under pytest stdout is not a terminal: no bar.
    assert ProgressBar.for_terminal("Import AAF") is None

    stream = StringIO()
    bar = ProgressBar(stream, "Import AAF", interval=0)
    report = import_aaf(FULL, progress=bar, force=True)  # read again, not recognised by its fingerprint
    drawn = stream.getvalue()
    assert drawn.startswith("\rImport AAF [") and drawn.endswith("\n")
    assert "100%" in drawn.rsplit("\r", 1)[-1]
    assert report.counts["student"].unchanged == 3


def test_a_guardian_link_and_functions_change(imported, tmp_path):
    # R3 was a non-legal contact of E1: now a legal guardian; the principal becomes CPE too.
    delta(tmp_path, "Eleve", modify("Eleve", "E1", ENTElevePersRelEleve=["R3$50$0$1$1$0"]))
    delta(
        tmp_path,
        "PersEducNat",
        modify("PersEducNat", "P2", ENTPersonFonctions=["1001$DIR$DIRECTION", "1001$EDU$EDUCATION"]),
    )
    report = import_aaf(tmp_path, delta=True)

    link = Guardianship.objects.get(student__aaf_jointure="E1", relative__aaf_jointure="R3")
    assert link.legal_guardian and link.contact and not link.financial
    assert report.counts["guardianship"].updated == 1
    assert Membership.objects.get(person__aaf_jointure="P2").functions == ["direction", "vie_scolaire"]
    assert report.counts["membership"].updated == 1
    assert import_aaf(tmp_path, delta=True).writes == 0
