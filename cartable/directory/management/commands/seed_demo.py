"""`manage.py seed_demo`: the demo schools, or a benchmark dataset (`--schools 50 --pupils-per-class 25`)."""

import time

from django.core.management.base import BaseCommand, CommandError

from cartable.directory import demo
from cartable.directory.models import School


class Command(BaseCommand):
    # Writing data needs the models only; URL or template checks of other apps must not stop a demo.
    requires_system_checks: tuple[str, ...] = ()
    help = "Crée les données de démonstration : une école primaire et un collège (ou N établissements)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--schools",
            type=int,
            default=2,
            help="nombre d'établissements : moitié écoles, moitié collèges (arrondi au nombre pair)",
        )
        parser.add_argument("--pupils-per-class", type=int, default=20, help="élèves par classe")
        parser.add_argument("--seed", type=int, default=2026, help="graine : même graine, mêmes personnes")
        parser.add_argument(
            "--if-empty", action="store_true", help="ne rien faire si un établissement existe déjà"
        )

    def handle(self, *args, schools, pupils_per_class, seed, if_empty, **options):
        if School.objects.exists():
            if if_empty:
                self.stdout.write("Des établissements existent déjà : données de démonstration conservées.")
                return
            # Adding a second demo next to real data would mix people up; ask for an empty database instead.
            raise CommandError(
                "La base contient déjà des établissements. Utilisez une base vide ou --if-empty."
            )
        if schools < 1 or pupils_per_class < 1:
            raise CommandError("--schools et --pupils-per-class doivent être au moins 1.")
        started = time.monotonic()
        summary = demo.seed(demo.Plan(schools=schools, pupils_per_class=pupils_per_class, seed=seed))
        self.stdout.write(
            self.style.SUCCESS(
                f"{summary.schools} établissements, {summary.accounts} comptes ({summary.pupils} élèves, "
                f"{summary.relatives} parents, {summary.staff} personnels) "
                f"en {time.monotonic() - started:.1f} s."
            )
        )
