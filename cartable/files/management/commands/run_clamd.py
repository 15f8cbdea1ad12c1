"""`manage.py run_clamd`: a ClamAV daemon for the demo, in the foreground, with the project's own signature
database (the EICAR test signature only: it proves the path, it protects from nothing). Start `make run` with
CLAMAV_ADDRESS=unix://<the socket it prints> to have the demo's uploads scanned and served."""

import signal
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from cartable.files import clamd_local


class Command(BaseCommand):
    requires_system_checks: tuple[str, ...] = ()
    help = "Lance un clamd de démonstration (signature de test EICAR seulement) sur var/clamav/clamd.sock."

    def add_arguments(self, parser):
        parser.add_argument("--dir", default=str(Path(settings.BASE_DIR) / "var" / "clamav"))

    def handle(self, *args, **options):
        directory = Path(options["dir"])
        socket = directory / "clamd.sock"
        try:
            process = clamd_local.start(directory, socket)
        except RuntimeError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"clamd écoute sur unix://{socket} (Ctrl-C pour l'arrêter).")
        signal.signal(signal.SIGTERM, lambda *_: clamd_local.stop(process))
        try:
            process.wait()
        except KeyboardInterrupt:
            clamd_local.stop(process)
