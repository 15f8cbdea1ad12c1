import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cartable.feeds.aaf_import import import_aaf
from cartable.feeds.report import ProgressBar


class Command(BaseCommand):
    help = "Importe un annuaire AAF 2D (fichiers XML ficAlimMENESR d'un dossier) dans l'annuaire de Cartable."

    def add_arguments(self, parser):
        parser.add_argument("directory", help="dossier des fichiers XML AAF")
        parser.add_argument(
            "--delta",
            action="store_true",
            help="flux de modifications (ajouts, modifications, suppressions) : nul autre n'est désactivé",
        )
        parser.add_argument("--dry-run", action="store_true", help="tout vérifier sans rien enregistrer")
        parser.add_argument("--json", action="store_true", help="écrire le bilan en JSON")
        parser.add_argument(
            "--force",
            action="store_true",
            help="relire le flux même s'il est identique au dernier importé",
        )

    def handle(self, *args, **options):
        directory = Path(options["directory"])
        if not directory.is_dir():
            raise CommandError(f"Dossier introuvable : {directory}")
        progress = ProgressBar.for_terminal("Import AAF", json_output=options["json"])
        report = import_aaf(
            directory,
            dry_run=options["dry_run"],
            delta=options["delta"],
            force=options["force"],
            progress=progress,
        )
        if options["json"]:
            self.stdout.write(
                json.dumps({**report.as_dict(), "dry_run": options["dry_run"]}, ensure_ascii=False)
            )
            return
        if report.identical_to:
            self.stdout.write(
                f"Flux identique à celui importé le {report.identical_to} : rien à changer "
                "(--force pour le relire)."
            )
        for kind, counts in sorted(report.counts.items()):
            self.stdout.write(
                f"{kind} : {counts.created} créés, {counts.updated} modifiés, "
                f"{counts.unchanged} inchangés, {counts.rejected} rejetés"
            )
        for rejection in report.rejections:
            self.stdout.write(f"rejet {rejection.file} [{rejection.record}] : {rejection.reason}")
        if options["dry_run"]:
            self.stdout.write("Essai à blanc : rien n'a été enregistré.")
