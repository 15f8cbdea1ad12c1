"""`manage.py add_connected_app --name NAME --protocol cas|oidc|saml --url SERVICE_URL [--schools UAI,…]
[--profiles Student,Relative,…]`: register an application and enable it for those schools and profiles (every
school and every profile when left out); prints its id, and for OpenID Connect its client id and secret."""

from django.core.management.base import BaseCommand, CommandError

from cartable.directory.models import Profile, School
from cartable.lib.errors import Refused
from cartable.sso import actions, attributes
from cartable.sso.models import ConnectedApp


def _list(value: str | None) -> list[str]:
    return [item.strip() for item in (value or "").split(",") if item.strip()]


class Command(BaseCommand):
    help = "Enregistre une application connectée et l’ouvre aux établissements et profils donnés."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True)
        parser.add_argument("--protocol", required=True, choices=ConnectedApp.Protocol.values)
        parser.add_argument("--url", required=True, action="append", help="adresse de service (répétable)")
        parser.add_argument("--schools", help="UAI séparés par des virgules (tous si absent)")
        parser.add_argument("--profiles", help="Student,Relative,Teacher,Personnel,Guest (tous si absent)")
        parser.add_argument(
            "--attributes", help=f"attributs transmis (défaut : {','.join(attributes.DEFAULT)})"
        )

    def handle(self, *args, **options):
        uais = _list(options["schools"])
        profiles = _list(options["profiles"]) or list(Profile.values)
        unknown_profiles = sorted(set(profiles) - set(Profile.values))
        if unknown_profiles:
            raise CommandError(f"Profils inconnus : {', '.join(unknown_profiles)}")
        schools = list(School.objects.filter(uai__in=uais)) if uais else list(School.objects.all())
        missing = sorted(set(uais) - {school.uai for school in schools})
        if missing:
            raise CommandError(f"Établissements inconnus : {', '.join(missing)}")
        try:
            app = actions.register_app(
                None,
                name=options["name"],
                protocol=options["protocol"],
                service_urls=options["url"],
                attribute_names=_list(options["attributes"]) or attributes.DEFAULT,
                profiles=profiles if options["profiles"] else [],
                schools=schools if uais else [],
            )
            for school in schools:
                actions.set_school_profiles(None, school, app, profiles)
        except Refused as refused:
            raise CommandError(str(refused.reason)) from refused
        self.stdout.write(str(app.pk))
        if app.protocol == ConnectedApp.Protocol.OIDC:
            # Shown once: only its hash is kept (a new one from the platform admin's page when lost).
            client_id, secret = actions.new_client_secret(None, app)
            self.stdout.write(f"client_id: {client_id}")
            self.stdout.write(f"client_secret: {secret}")
