"""In the console app, the highest of the three whose traces it deletes (accounts, communication, console)."""

from django.core.management.base import BaseCommand

from cartable.accounts.actions import purge_old_traces
from cartable.communication.actions import purge_old_changes
from cartable.console.actions import purge_old_admin_actions


class Command(BaseCommand):
    help = "Supprime les traces de connexion et d'administration au-delà de TRACE_RETENTION_DAYS (règle C8)."

    def handle(self, *args, **options):
        logins = purge_old_traces()
        admin = purge_old_admin_actions() + purge_old_changes()
        self.stdout.write(f"{logins} traces de connexion et {admin} traces d'administration supprimées.")
