"""`manage.py start_school_year 2027-2028`: the yearly rollover (rule C4).

Creates the school year and makes it the current one. Last year's classes, enrolments and teaching
assignments are kept as history but give no access any more; accounts are kept. Run it before the
rentrée feed, which fills the new year's classes. Running it twice changes nothing.
"""

from django.core.management.base import BaseCommand, CommandError

from cartable.directory import actions


class Command(BaseCommand):
    help = "Commence une nouvelle année scolaire (ex. 2027-2028) et en fait l'année en cours."

    def add_arguments(self, parser):
        parser.add_argument("name", help="l'année scolaire, AAAA-AAAA (ex. 2027-2028)")

    def handle(self, *args, **options):
        try:
            rollover = actions.start_school_year(options["name"])
        except actions.SchoolYearError as error:
            raise CommandError(str(error)) from error
        year = rollover.year
        if not rollover.changed:
            self.stdout.write(f"L'année {year.name} est déjà l'année en cours : rien n'a changé.")
            return
        created = "créée" if rollover.created else "existante"
        self.stdout.write(
            self.style.SUCCESS(
                f"Année {year.name} ({created}, du {year.start:%d/%m/%Y} au {year.end:%d/%m/%Y}) "
                "désormais en cours."
            )
        )
        if rollover.previous is not None:
            self.stdout.write(
                f"Les classes, groupes, inscriptions et services de {rollover.previous.name} sont "
                "conservés en historique et ne donnent plus accès à personne ; les comptes sont conservés."
            )
