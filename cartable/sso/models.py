"""Connected applications: the school's other tools (Pronote, Moodle, the CDI's catalogue…) that open from
Cartable without a second login (single sign-on).

The platform admin registers an application once for the whole platform (`ConnectedApp`: its protocol, the
service addresses it may be sent back to, the attributes it receives, which schools and profiles it is made
for); each school's ENT admin then enables it for chosen profiles of their school (`AppEnablement`). A person
uses an application only where both say yes. CAS is served today; OpenID Connect and SAML register the same
way and differ only in how the attributes travel.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cartable.directory.models import Profile, School

# Cartable's own icons (static/cartable/icons/<name>.svg) an application may show in the launcher.
ICONS = [
    ("app", _("Application")),
    ("homework", _("Cahier")),
    ("timetable", _("Agenda")),
    ("news", _("Journal")),
    ("blog", _("Blog")),
    ("directory", _("Annuaire")),
    ("messaging", _("Courrier")),
    ("albums", _("Images")),
]


class ConnectedApp(models.Model):
    class Protocol(models.TextChoices):
        CAS = "cas", _("CAS 3.0")
        OIDC = "oidc", _("OpenID Connect")
        SAML = "saml", _("SAML 2")

    name = models.CharField(_("nom"), max_length=100)
    description = models.CharField(_("description"), max_length=200, blank=True)
    icon = models.CharField(_("icône"), max_length=32, choices=ICONS, default="app")
    protocol = models.CharField(_("protocole"), max_length=8, choices=Protocol.choices, default=Protocol.CAS)
    # One address prefix a line: a service address is accepted when it has the same scheme, host and port
    # and its path starts with the prefix's path at a "/" (never a regular expression: an unanchored pattern
    # is the classic open redirect of CAS servers).
    service_urls = models.TextField(_("adresses de service"))
    # Where the launcher's tile leads (the application's own page, which sends to Cartable's login); the first
    # service address when empty.
    launch_url = models.URLField(_("adresse d’ouverture"), max_length=500, blank=True)
    # Names from cartable.sso.attributes.CATALOGUE: nothing else is released to the application.
    attributes = models.JSONField(_("attributs transmis"), default=list, blank=True)
    # Which profiles the application is made for (empty: every profile); the school's admin picks among them.
    profiles = models.JSONField(_("profils possibles"), default=list, blank=True)
    # Which schools may enable it; every school when empty.
    schools = models.ManyToManyField(School, blank=True, related_name="+", verbose_name=_("établissements"))
    single_logout = models.BooleanField(_("déconnexion unique"), default=True)
    proxy_allowed = models.BooleanField(_("tickets de proxy"), default=False)
    active = models.BooleanField(_("active"), default=True)
    # SAML 2 (cartable/sso/saml.py): the service provider's entity id and where its assertions are posted; its
    # metadata (XML) or, without it, its signing certificate (PEM); the GAR profile sends the GAR's
    # attributes (IDO, UAI, profile) instead of the listed ones.
    saml_entity_id = models.CharField(_("identifiant SAML (entityID)"), max_length=500, blank=True)
    saml_acs_url = models.URLField(_("adresse de réception des assertions (ACS)"), max_length=500, blank=True)
    saml_metadata = models.TextField(_("métadonnées SAML du fournisseur de service"), blank=True)
    saml_certificate = models.TextField(_("certificat du fournisseur de service"), blank=True)
    saml_gar_profile = models.BooleanField(_("profil GAR"), default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("application connectée")

    def __str__(self) -> str:
        return self.name

    def service_prefixes(self) -> list[str]:
        return [line.strip() for line in self.service_urls.splitlines() if line.strip()]

    def opening_url(self) -> str:
        prefixes = self.service_prefixes()
        return self.launch_url or (prefixes[0] if prefixes else "")

    def offered_profiles(self) -> list[str]:
        return [p for p in Profile.values if not self.profiles or p in self.profiles]


class AppEnablement(models.Model):
    """A school's yes to an application, for some of its profiles; set by the school's ENT admin."""

    app = models.ForeignKey(ConnectedApp, on_delete=models.CASCADE, related_name="enablements")
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    profiles = models.JSONField(default=list)
    enabled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    enabled_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["app", "school"], name="sso_one_enablement_per_school")
        ]

    def __str__(self) -> str:
        return f"{self.app} @ {self.school_id}: {', '.join(self.profiles)}"


class OidcClient(models.Model):
    """The OAuth 2 client of an OpenID Connect application (django-oauth-toolkit's `Application`: client id,
    hashed secret, redirect addresses), kept in step with the registration by cartable.sso.actions."""

    app = models.OneToOneField(ConnectedApp, on_delete=models.CASCADE, related_name="oidc_client")
    application = models.OneToOneField(
        "oauth2_provider.Application", on_delete=models.CASCADE, related_name="+"
    )

    def __str__(self) -> str:
        return f"{self.app} (OpenID Connect)"


class PairwiseSubject(models.Model):
    """The `sub` an OpenID Connect application knows a person by: random, made at their first login to it,
    different for each application (two publishers cannot join their users through it), never the login
    nor a database id. Kept while the person is; forgotten at the purge."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    app = models.ForeignKey(ConnectedApp, on_delete=models.CASCADE, related_name="+")
    sub = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "app"], name="sso_one_subject_per_app")]

    def __str__(self) -> str:
        return self.sub
