"""`manage.py start_school_year 2027-2028 [--force] [--noinput]`, `manage.py start_school_year --undo`:
the yearly rollover (rule C4).

Creates the school year and makes it the current one. Last year's classes, enrolments and teaching
assignments are kept as history but give no access any more; accounts are kept. Run it before the
rentrée feed, which fills the new year's classes. It first says what it will close, in numbers, and asks
to confirm (`--noinput` does not ask). A year starting more than three months ahead is refused unless
`--force`. `--undo` goes back to the previous year, until the new year's first feed is imported. Running
it twice changes nothing.
"""

from django.core.management.base import BaseCommand, CommandError

from cartable.directory import actions
from cartable.lib.errors import Refused


class Command(BaseCommand):
    help = (
        "Commence une nouvelle année scolaire (ex. 2027-2028) et en fait l'année en cours ; "
        "--undo revient à l'année précédente tant qu'aucun import n'a rempli la nouvelle."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", nargs="?", help="l'année scolaire, AAAA-AAAA (ex. 2027-2028)")
        parser.add_argument(
            "--force",
            action="store_true",
            help="commencer une année qui débute dans plus de trois mois",
        )
        parser.add_argument(
            "--undo",
            action="store_true",
            help="annuler le dernier changement d'année (avant le premier import de la nouvelle année)",
        )
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help="ne pas demander de confirmation",
        )

    def handle(self, *args, **options):
        if options["undo"]:
            if options["name"]:
                raise CommandError("--undo ne prend pas d'année : il annule le dernier changement d'année.")
            return self.undo(options["interactive"])
        if not options["name"]:
            raise CommandError("Indiquez l'année à commencer (ex. 2027-2028), ou --undo.")
        try:
            plan = actions.plan_school_year(options["name"])
        except Refused as error:
            raise CommandError(str(error)) from error
        if plan.already_current:
            self.stdout.write(f"L'année {plan.name} est déjà l'année en cours : rien n'a changé.")
            return
        if plan.too_far and not options["force"]:
            raise CommandError(actions.too_far_message(plan) + " (--force pour la commencer quand même)")
        self.describe(plan)
        if options["interactive"] and not self.confirmed():
            self.stdout.write("Rien n'a changé.")
            return
        try:
            rollover = actions.start_school_year(None, plan.name, force=options["force"])
        except Refused as error:
            raise CommandError(str(error)) from error
        year = rollover.year
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
                "conservés en historique et ne donnent plus accès à personne ; les comptes sont conservés. "
                "`start_school_year --undo` revient en arrière tant qu'aucun import n'a rempli "
                f"{year.name}."
            )

    def describe(self, plan: actions.RolloverPlan) -> None:
        self.stdout.write(
            f"L'année {plan.name} (du {plan.start:%d/%m/%Y} au {plan.end:%d/%m/%Y}) "
            "deviendra l'année en cours."
        )
        if plan.previous is None:
            return
        self.stdout.write(
            f"Ne donneront plus accès à personne (conservés en historique) pour {plan.previous.name} : "
            f"{plan.classes} classe(s), {plan.groups} groupe(s), {plan.enrolments} inscription(s) "
            f"d'élèves, {plan.assignments} service(s) d'enseignement."
        )

    def confirmed(self) -> bool:
        answer = input("Écrivez « oui » pour continuer : ")
        return answer.strip().lower() in ("oui", "o", "yes", "y")

    def undo(self, interactive: bool) -> None:
        change = actions.last_rollover()
        refusal = actions.undo_refusal(change)
        if refusal is not None:
            raise CommandError(refusal)
        assert change is not None and change.previous is not None
        self.stdout.write(
            f"L'année {change.previous.name} redeviendra l'année en cours à la place de {change.year_name} : "
            "ses classes, inscriptions et services donneront de nouveau accès."
        )
        if interactive and not self.confirmed():
            self.stdout.write("Rien n'a changé.")
            return
        try:
            actions.undo_school_year(None)
        except Refused as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"Retour à l'année {change.previous.name}."))
