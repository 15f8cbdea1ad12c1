"""`manage.py export_gar OUTPUT_DIR [--school UAI] [--send]`: the GAR's XML files of every school (or of one),
each checked against the GAR's schema, packed as ENT_<source>_Complet_<stamp>.tar.gz beside its .md5; with
--send, the archive and its .md5 are delivered to the GAR's SFTP server (GAR_SFTP_*), as the nightly task
does."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from cartable.directory.models import School
from cartable.gar import delivery, export


class Command(BaseCommand):
    help = "Exporte l’annuaire au format du GAR (fichiers XML, archive tar.gz et son .md5)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("output_dir", type=Path)
        parser.add_argument("--school", metavar="UAI", help="un seul établissement")
        parser.add_argument("--send", action="store_true", help="envoyer l’archive au GAR par SFTP")

    def handle(self, *args, output_dir: Path, school: str | None, send: bool, **options) -> None:
        if school and not School.objects.filter(uai=school).exists():
            raise CommandError(f"Aucun établissement d’UAI {school}.")
        if send and not delivery.is_configured():
            raise CommandError("GAR_SFTP_HOST n’est pas renseigné : rien ne peut être envoyé.")
        try:
            package = delivery.export_and_pack(output_dir, timezone.now(), school)
        except export.InvalidExport as error:
            raise CommandError(f"Fichier refusé par le schéma du GAR : {error}") from error
        self.stdout.write(f"{package.archive}\n{package.checksum}")
        if send:
            for remote in delivery.send(package):
                self.stdout.write(f"envoyé : {remote}")
