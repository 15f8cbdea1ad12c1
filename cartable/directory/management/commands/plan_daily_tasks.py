"""`manage.py plan_daily_tasks`: make sure the recurring background work is queued — each app's `schedule()`
hook (cartable.lib.lifecycle): the nightly maintenance (purge of closed accounts, rule C5; old traces, rule
C8), the daily notification digest. Safe to run at every start or deployment: what is already queued is
not queued again."""

from django.core.management.base import BaseCommand
from django.db import transaction

from cartable.lib import lifecycle


class Command(BaseCommand):
    requires_system_checks: tuple[str, ...] = ()
    help = "Met en file les tâches quotidiennes (purge des comptes fermés, traces, résumé des notifications)."

    def handle(self, *args, **options):
        with transaction.atomic():
            done = lifecycle.schedule()
        self.stdout.write(f"Tâches quotidiennes : {', '.join(done)}.")
