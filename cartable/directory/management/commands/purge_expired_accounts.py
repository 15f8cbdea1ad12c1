"""`manage.py purge_expired_accounts [--days N]`, run daily: personal data of people who left go (C5)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from cartable.directory import actions


class Command(BaseCommand):
    help = (
        "Supprime les données personnelles des comptes désactivés depuis plus de N jours "
        f"(par défaut ACCOUNT_PURGE_DAYS, jamais plus de {actions.MAX_PURGE_DAYS})."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None, help="délai en jours après le départ")

    def handle(self, *args, **options):
        days = settings.ACCOUNT_PURGE_DAYS if options["days"] is None else options["days"]
        if days < 0:
            raise CommandError("Le délai doit être positif.")
        if days > actions.MAX_PURGE_DAYS:
            self.stderr.write(
                f"Délai ramené à {actions.MAX_PURGE_DAYS} jours : "
                "les données ne sont pas gardées plus de 3 mois."
            )
            days = actions.MAX_PURGE_DAYS
        result = actions.purge_expired_accounts(timezone.now(), days=days)
        self.stdout.write(
            f"{result.anonymized} comptes anonymisés (contributions gardées sous « Ancien compte »), "
            f"{result.deleted} comptes supprimés."
        )
