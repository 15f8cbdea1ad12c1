"""`manage.py plan_daily_tasks`: make sure the recurring background work is queued — the nightly
maintenance (purge of closed accounts, rule C5; old traces, rule C8), the daily notification digest and the
periodic antivirus scan of files still in quarantine.
Safe to run at every start or deployment: what is already queued is not queued again."""

from django.core.management.base import BaseCommand
from django.db import transaction

from cartable.directory.tasks import plan_nightly_maintenance
from cartable.files.tasks import plan_rescan
from cartable.notifications.delivery import plan_digest


class Command(BaseCommand):
    requires_system_checks: list[str] = []
    help = "Met en file les tâches quotidiennes (purge des comptes fermés, traces, résumé des notifications)."

    def handle(self, *args, **options):
        with transaction.atomic():
            maintenance = plan_nightly_maintenance()
            digest = plan_digest()
            rescan = plan_rescan()
        self.stdout.write(
            "Tâches quotidiennes : "
            f"maintenance de nuit {'programmée' if maintenance else 'déjà programmée'}, "
            f"résumé des notifications {'programmé' if digest else 'déjà programmé'}, "
            f"analyse antivirus des fichiers en attente {'programmée' if rescan else 'déjà programmée'}."
        )
