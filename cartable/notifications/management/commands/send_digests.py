from django.core.management.base import BaseCommand

from cartable.notifications import delivery


class Command(BaseCommand):
    help = (
        "Send today's daily digest emails now (each notification is emailed once, so running it again "
        "sends nothing new) and make sure tomorrow's digest is queued for the background worker."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--plan-only",
            action="store_true",
            help="Only queue the next digest for the worker (NOTIFICATIONS_DIGEST_TIME, 07:30 by default).",
        )

    def handle(self, *args, plan_only: bool = False, **options):
        if plan_only:
            planned = delivery.plan_digest()
            self.stdout.write("next digest queued" if planned else "next digest already queued")
            return
        sent = delivery.run_digest()
        self.stdout.write(f"{sent} digest emails sent")
