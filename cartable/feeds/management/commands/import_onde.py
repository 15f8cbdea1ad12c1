"""`manage.py import_onde DIR --school UAI [--name NAME] [--dry-run] [--json]`: ONDE extraction."""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cartable.feeds.onde_import import OndeImportError, import_onde
from cartable.feeds.report import ProgressBar


class Command(BaseCommand):
    help = "Importe une extraction ONDE / BE1D (élèves, enseignants, responsables) dans une école."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path, help="dossier contenant les fichiers CSVExtraction-*.csv")
        parser.add_argument("--school", required=True, help="UAI de l'école (créée si elle n'existe pas)")
        parser.add_argument("--name", default=None, help="nom de l'école à sa création")
        parser.add_argument("--dry-run", action="store_true", help="tout vérifier sans rien enregistrer")
        parser.add_argument("--json", action="store_true", help="afficher le compte rendu en un objet JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = import_onde(
                options["directory"],
                options["school"],
                name=options["name"],
                dry_run=options["dry_run"],
                progress=ProgressBar.for_terminal("Import ONDE", json_output=options["json"]),
            )
        except OndeImportError as error:
            raise CommandError(str(error)) from error
        if options["json"]:
            self.stdout.write(
                json.dumps({"dry_run": options["dry_run"], **report.as_dict()}, ensure_ascii=False)
            )
            return
        if options["dry_run"]:
            self.stdout.write("Simulation : rien n'a été enregistré.")
        for kind, counts in sorted(report.counts.items()):
            self.stdout.write(
                f"{kind} : {counts.created} créés, {counts.updated} modifiés, "
                f"{counts.unchanged} inchangés, {counts.rejected} rejetés"
            )
        for rejection in report.rejections:
            self.stdout.write(f"rejet — {rejection.file} — {rejection.record} : {rejection.reason}")
