"""Access matrix of the feeds app: the console's spreadsheet import (school A's ADML and the platform admin;
everyone else, Bruno the ADML of school B included, gets 404)."""

from __future__ import annotations

from cartable.feeds.models import ImportJob
from tests.matrix import Route, console
from tests.world import World

PUPILS = b"Nom;Prenom;Date de naissance;Classe\nMartin;Alice;14/03/2015;6A\n"


def _job(world: World, status: str) -> int:
    """One job of school A per state, made once and found again for every persona."""
    job, _created = ImportJob.objects.get_or_create(
        school=world.school_a,
        status=status,
        defaults={
            "created_by": world.ada,
            "kind": ImportJob.Kind.PUPILS,
            "filename": "eleves.csv",
            "content": PUPILS if status == ImportJob.Status.DRAFT else b"",
            "size": len(PUPILS),
            "mapping": {"last_name": 0, "first_name": 1, "birth_date": 2, "class_name": 3},
            "total_rows": 1,
            "processed_rows": 0 if status == ImportJob.Status.DRAFT else 1,
            "counts": {} if status == ImportJob.Status.DRAFT else {"unchanged": 1},
            "report_rows": []
            if status == ImportJob.Status.DRAFT
            else [[2, "Alice Martin", "unchanged", "", ""]],
        },
    )
    return job.pk


def _url(status: str, tail: str = ""):
    return lambda w: f"/admin-ecole/{w.school_a.uai}/import/{_job(w, status)}{tail}"


DRAFT, DONE = ImportJob.Status.DRAFT, ImportJob.Status.DONE

ROUTES: dict[str, Route] = {
    "feeds:import_upload": Route(lambda w: f"/admin-ecole/{w.school_a.uai}/import/"),
    "feeds:import_mapping": Route(_url(DRAFT, "/colonnes")),
    "feeds:import_preview": Route(_url(DRAFT, "/apercu")),
    "feeds:import_job": Route(_url(DONE)),
    "feeds:import_report": Route(_url(DONE, "/rapport.csv")),
}

MATRIX: dict[str, dict[str, int]] = {
    "feeds:import_upload": console(ada=200),
    "feeds:import_mapping": console(ada=200),
    "feeds:import_preview": console(ada=200),
    "feeds:import_job": console(ada=200),
    "feeds:import_report": console(ada=200),
}
