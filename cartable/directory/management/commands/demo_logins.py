"""`manage.py demo_logins`: the demo accounts and their password, read from the database."""

from collections.abc import Sequence

from django.conf import settings
from django.core.management.base import BaseCommand
from django.urls import reverse

from cartable.directory import demo
from cartable.directory.models import Person, School, SchoolKind

COLUMNS = ("Profil", "Personne", "Établissement", "Identifiant", "Mot de passe")


class Command(BaseCommand):
    requires_system_checks: tuple[str, ...] = ()
    help = "Affiche les comptes de démonstration, leur mot de passe et le compte à activer."

    def handle(self, *args, **options):
        accounts = demo.demo_accounts()
        if not accounts:
            self.stdout.write("Aucun compte de démonstration (lancez `manage.py seed_demo`).")
        else:
            self.stdout.write(self.style.SUCCESS(f"Comptes de démonstration ({site_url()}/) :"))
            rows = [(a.role, a.person, a.school, a.login, demo.DEMO_PASSWORD) for a in accounts]
            self.stdout.write(table(COLUMNS, rows))
        self.write_activation()
        self.write_second_factor()

    def write_activation(self):
        user = demo.activation_demo_account()
        self.stdout.write("")
        if user is None:
            self.stdout.write(
                "Compte à activer : déjà activé (ou absent) — recréez la base pour le réessayer."
            )
            return
        person = Person.objects.filter(user=user).first()
        self.stdout.write(
            self.style.SUCCESS("Essayer l'activation d'un compte (courrier remis aux parents) :")
        )
        self.stdout.write(
            f"  Personne      : {person.full_name if person else '—'} (parent, pas encore activé)"
        )
        self.stdout.write(f"  Identifiant   : {user.username}")
        self.stdout.write(f"  Code          : {demo.ACTIVATION_DEMO_CODE}")
        self.stdout.write(f"  Adresse       : {site_url()}{reverse('accounts:activate')}")

    def write_second_factor(self):
        self.stdout.write("")
        for school in School.objects.order_by("pk")[:2]:
            kind = "école" if school.kind == SchoolKind.PRIMARY else "collège"
            if school.mfa_required_for_staff:
                rule = "le personnel doit utiliser une application TOTP (second facteur) à la connexion"
            else:
                rule = (
                    "le personnel se connecte sans second facteur (réglage de l'établissement), "
                    "sauf l'administrateur de l'ENT, qui en ajoute un avant d'ouvrir la console"
                )
            self.stdout.write(f"Double authentification — {school.name} ({kind}) : {rule}.")
        self.stdout.write(
            "Double authentification — administrateur de la plateforme : toujours demandée. "
            "Toute application TOTP convient (FreeOTP, Aegis, Google Authenticator…)."
        )


def site_url() -> str:
    return settings.SITE_URL.rstrip("/")


def table(columns: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> str:
    widths = [max(len(str(row[i])) for row in [columns, *rows]) for i in range(len(columns))]
    line = "+".join("-" * (w + 2) for w in widths)

    def render(row):
        return "|".join(f" {cell!s:<{w}} " for cell, w in zip(row, widths, strict=True))

    return "\n".join([render(columns), line, *(render(row) for row in rows)])
