"""Account lifecycle from the feeds: missing from a full feed → deactivated; back → reactivated."""

import re
import shutil
from datetime import date
from pathlib import Path

import pytest
from django.contrib.auth.hashers import make_password

from cartable.directory.models import Person, SchoolYear
from cartable.feeds.aaf_import import import_aaf

FULL = Path(__file__).parent / "aaf_samples" / "full"
PUPILS = "ENT_Complet_20260901_Eleve_0000.xml"


@pytest.fixture
def year(db):
    return SchoolYear.objects.create(
        name="2026-2027", start=date(2026, 9, 1), end=date(2027, 7, 4), is_current=True
    )


def without_record(path: Path, record_id: str) -> None:
    """Remove one addRequest from an ISO-8859-15 feed file, keeping its encoding and line ends."""
    with path.open(encoding="iso-8859-15", newline="") as file:
        text = file.read()
    pattern = rf"<addRequest>(?:(?!</addRequest>).)*?<id>{record_id}</id>.*?</addRequest>\s*"
    text, count = re.subn(pattern, "", text, count=1, flags=re.DOTALL)
    assert count == 1
    with path.open("w", encoding="iso-8859-15", newline="") as file:
        file.write(text)


def test_a_pupil_missing_from_the_next_full_feed_leaves_and_comes_back(year, tmp_path, client):
    feed = tmp_path / "feed"
    shutil.copytree(FULL, feed)
    import_aaf(feed)
    pupil = Person.objects.select_related("user").get(aaf_jointure="E2")
    assert pupil.left_at is None and pupil.user.is_active
    # The pupil has activated their account.
    pupil.user.password = make_password("Un-mot-de-passe-2027!")
    pupil.user.save(update_fields=["password"])
    others = set(Person.objects.exclude(pk=pupil.pk).values_list("pk", flat=True))

    without_record(feed / PUPILS, "E2")
    report = import_aaf(feed)

    assert report.counts["deactivated"].updated == 1
    pupil = Person.objects.select_related("user").get(pk=pupil.pk)
    assert pupil.left_at is not None
    assert not pupil.user.is_active
    assert not client.login(username=pupil.user.username, password="Un-mot-de-passe-2027!")
    assert not Person.objects.filter(pk__in=others, left_at__isnull=False).exists()

    # Importing the same feed again deactivates nobody more.
    assert import_aaf(feed).counts["deactivated"].updated == 0

    shutil.copy(FULL / PUPILS, feed / PUPILS)
    report = import_aaf(feed)

    assert report.counts["reactivated"].updated == 1
    back = Person.objects.select_related("user").get(aaf_jointure="E2")
    assert back.pk == pupil.pk
    assert back.left_at is None and back.user.is_active
    assert back.user.username == pupil.user.username
    assert client.login(username=pupil.user.username, password="Un-mot-de-passe-2027!")


def test_delta_and_dry_run_deactivate_nobody(year, tmp_path):
    feed = tmp_path / "feed"
    shutil.copytree(FULL, feed)
    import_aaf(feed)
    without_record(feed / PUPILS, "E2")

    assert import_aaf(feed, dry_run=True).counts["deactivated"].updated == 0
    assert import_aaf(feed, delta=True).counts["deactivated"].updated == 0
    assert Person.objects.get(aaf_jointure="E2").left_at is None


def test_an_unreadable_file_deactivates_nobody(year, tmp_path):
    feed = tmp_path / "feed"
    shutil.copytree(FULL, feed)
    import_aaf(feed)
    (feed / PUPILS).write_text("<ficAlimMENESR><addRequest>", encoding="utf-8")

    report = import_aaf(feed)

    assert report.counts["deactivated"].updated == 0
    assert not Person.objects.filter(left_at__isnull=False).exists()


def test_onde_people_are_left_to_the_onde_import(year, tmp_path):
    feed = tmp_path / "feed"
    shutil.copytree(FULL, feed)
    import_aaf(feed)
    onde = Person.objects.get(aaf_jointure="E1")
    Person.objects.filter(pk=onde.pk).update(aaf_jointure="onde:0000000A:#x")

    import_aaf(feed)

    assert Person.objects.get(pk=onde.pk).left_at is None


ONDE = Path(__file__).parent / "onde_samples" / "ecole"
UAI = "0610001B"


def test_an_onde_pupil_missing_from_the_next_extraction_leaves_and_comes_back(year, tmp_path):
    from cartable.feeds.onde_import import import_onde

    shutil.copytree(ONDE, tmp_path, dirs_exist_ok=True)
    import_onde(tmp_path, UAI)
    elea = Person.objects.get(first_name="Eléa")
    path = tmp_path / "CSVExtraction-eleves.csv"
    lines = path.read_bytes().decode("latin-1").split("\r\n")
    path.write_bytes("\r\n".join(line for line in lines if '"Eléa"' not in line).encode("latin-1"))

    report = import_onde(tmp_path, UAI)

    assert report.counts["deactivated"].updated == 1
    assert Person.objects.filter(left_at__isnull=False).get() == elea
    assert not Person.objects.get(pk=elea.pk).user.is_active

    shutil.copy(ONDE / "CSVExtraction-eleves.csv", path)
    report = import_onde(tmp_path, UAI)

    assert report.counts["reactivated"].updated == 1
    back = Person.objects.select_related("user").get(first_name="Eléa")
    assert back.pk == elea.pk and back.left_at is None and back.user.is_active


def test_onde_rejected_rows_deactivate_nobody_of_that_profile(year, tmp_path):
    from cartable.feeds.onde_import import import_onde

    shutil.copytree(ONDE, tmp_path, dirs_exist_ok=True)
    import_onde(tmp_path, UAI)
    path = tmp_path / "CSVExtraction-eleves.csv"
    text = path.read_bytes().decode("latin-1").replace("2019-09-27", "27 septembre")
    path.write_bytes(text.encode("latin-1"))

    report = import_onde(tmp_path, UAI)

    assert report.counts["deactivated"].updated == 0
    assert not Person.objects.filter(left_at__isnull=False).exists()
