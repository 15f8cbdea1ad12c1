from django import forms
from django.utils.translation import gettext_lazy as _

from cartable.directory.models import Profile, School
from cartable.sso import attributes
from cartable.sso.models import ICONS, ConnectedApp


class ConnectedAppForm(forms.Form):
    name = forms.CharField(label=_("Nom"), max_length=100)
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    icon = forms.ChoiceField(label=_("Icône"), choices=ICONS, initial="app")
    protocol = forms.ChoiceField(label=_("Protocole"), choices=ConnectedApp.Protocol.choices)
    service_urls = forms.CharField(
        label=_("Adresses de service"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Une adresse par ligne, par exemple https://pronote.exemple.fr/ : toute adresse qui "
            "commence ainsi est acceptée."
        ),
    )
    launch_url = forms.URLField(
        label=_("Adresse d’ouverture"),
        required=False,
        assume_scheme="https",
        help_text=_("Où mène la tuile de l’accueil ; la première adresse de service si vide."),
    )
    attributes = forms.MultipleChoiceField(
        label=_("Attributs transmis"),
        choices=[(a.name, f"{a.name} — {a.label}") for a in attributes.CATALOGUE.values()],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        initial=attributes.DEFAULT,
    )
    profiles = forms.MultipleChoiceField(
        label=_("Profils possibles"),
        choices=Profile.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Aucun coché : tous les profils."),
    )
    schools = forms.ModelMultipleChoiceField(
        label=_("Établissements"),
        queryset=School.objects.order_by("name"),
        required=False,
        help_text=_("Aucun choisi : tous les établissements."),
    )
    single_logout = forms.BooleanField(label=_("Déconnexion unique"), required=False, initial=True)
    proxy_allowed = forms.BooleanField(label=_("Peut demander des tickets de proxy"), required=False)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    # SAML 2 only: the service provider (cartable/sso/saml.py).
    saml_entity_id = forms.CharField(label=_("Identifiant SAML (entityID)"), max_length=500, required=False)
    saml_acs_url = forms.URLField(
        label=_("Adresse de réception des assertions (ACS)"),
        max_length=500,
        required=False,
        assume_scheme="https",
    )
    saml_metadata = forms.CharField(
        label=_("Métadonnées SAML du fournisseur de service"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("Le document XML ; ou bien, à défaut, son certificat ci-dessous."),
    )
    saml_certificate = forms.CharField(
        label=_("Certificat du fournisseur de service (PEM)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )
    saml_gar_profile = forms.BooleanField(
        label=_("Profil GAR (transmet IDO, UAI et profil au lieu des attributs cochés)"), required=False
    )

    SAML_FIELDS = ("saml_entity_id", "saml_acs_url", "saml_metadata", "saml_certificate", "saml_gar_profile")

    def values(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if k not in self.SAML_FIELDS}
        data["service_urls"] = data["service_urls"].splitlines()
        return data

    def saml_values(self) -> dict | None:
        """The service provider's registration, for a SAML application (None for the others)."""
        if self.cleaned_data.get("protocol") != ConnectedApp.Protocol.SAML:
            return None
        data = self.cleaned_data
        return {
            "entity_id": data["saml_entity_id"],
            "acs_url": data["saml_acs_url"],
            "metadata": data["saml_metadata"],
            "certificate": data["saml_certificate"],
            "gar_profile": data["saml_gar_profile"],
        }


def initial_of(app: ConnectedApp) -> dict:
    return {
        "name": app.name,
        "description": app.description,
        "icon": app.icon,
        "protocol": app.protocol,
        "service_urls": app.service_urls,
        "launch_url": app.launch_url,
        "attributes": app.attributes,
        "profiles": app.profiles,
        "schools": list(app.schools.all()),
        "single_logout": app.single_logout,
        "proxy_allowed": app.proxy_allowed,
        "active": app.active,
        "saml_entity_id": app.saml_entity_id,
        "saml_acs_url": app.saml_acs_url,
        "saml_metadata": app.saml_metadata,
        "saml_certificate": app.saml_certificate,
        "saml_gar_profile": app.saml_gar_profile,
    }


class RenewForm(forms.Form):
    password = forms.CharField(
        label=_("Mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
