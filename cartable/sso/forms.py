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

    def values(self) -> dict:
        data = dict(self.cleaned_data)
        data["service_urls"] = data["service_urls"].splitlines()
        return data


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
    }


class RenewForm(forms.Form):
    password = forms.CharField(
        label=_("Mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
