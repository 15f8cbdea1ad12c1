from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cartable.accounts.actions import publish_charter


class Command(BaseCommand):
    help = (
        "Publie une nouvelle version de la charte (texte UTF-8, paragraphes séparés par une ligne vide) : "
        "chacun l'accepte de nouveau à sa prochaine page (règle C2)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="fichier texte de la charte")
        parser.add_argument("--title", required=True, help="titre de la charte")

    def handle(self, *args, **options):
        path = Path(options["file"])
        try:
            body = path.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"Lecture impossible de {path} : {error}") from error
        title = options["title"].strip()
        if not body or not title:
            raise CommandError("Le titre et le texte de la charte ne peuvent pas être vides.")
        charter = publish_charter(title[:200], body)
        self.stdout.write(f"Charte « {charter.title} » publiée (version {charter.version}).")
