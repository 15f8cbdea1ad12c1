from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from cartable.console.access import current_classes_of, pupils_of
from cartable.directory import actions as directory
from cartable.directory.forms import ClassChoiceField
from cartable.directory.models import RELATIONSHIPS, STAFF_PROFILES, Function, Group, Person, Profile, School
from cartable.directory.ordering import in_school_order
from cartable.lib.errors import Refused
from cartable.lib.widgets import DateField, IdsChoiceField, birth_dates
from cartable.notifications import sms
from cartable.portal.models import CorrectionRequest


class PeopleSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Nom, prénom ou identifiant"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    classe = ClassChoiceField(
        label=_("Classe"), queryset=Group.objects.none(), required=False, empty_label=_("Toutes")
    )
    profil = forms.ChoiceField(label=_("Profil"), required=False)

    def __init__(self, school: School, *args, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["classe"]).queryset = current_classes_of(school)
        cast(forms.ChoiceField, self.fields["profil"]).choices = [("", _("Tous")), *Profile.choices]


class NewPersonForm(forms.Form):
    """A person created by hand; fields that only concern one profile are checked against it in clean()."""

    last_name = forms.CharField(label=_("Nom"), max_length=120)
    first_name = forms.CharField(label=_("Prénom"), max_length=120)
    profile = forms.ChoiceField(label=_("Profil"), choices=Profile.choices)
    email = forms.EmailField(
        label=_("Adresse électronique"),
        required=False,
        help_text=_("Facultative. Elle permet de retrouver son mot de passe seul."),
    )
    birth_date = DateField(
        window=birth_dates,
        label=_("Date de naissance"),
        required=False,
        help_text=_("Obligatoire pour un élève."),
    )
    classe = ClassChoiceField(
        label=_("Classe"), queryset=Group.objects.none(), required=False, empty_label=_("Aucune")
    )
    functions = forms.MultipleChoiceField(
        label=_("Fonctions"),
        choices=Function.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    pupil_query = forms.CharField(
        label=_("Chercher un élève de l'établissement"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
        help_text=_("Tapez une partie de son nom, puis cochez l'élève."),
    )
    children = IdsChoiceField(
        label=_("Responsable légal de"),
        queryset=Person.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    # Ticked after the console warned that the person may exist already: create them anyway.
    confirm_duplicate = forms.BooleanField(
        label=_("Il s’agit d’une autre personne : la créer quand même"), required=False
    )

    def __init__(self, school: School, *args, shown_pupils=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.school = school
        cast(forms.ModelChoiceField, self.fields["classe"]).queryset = current_classes_of(school)
        # Any pupil of the school is a valid choice, but only the ones found or already ticked are listed:
        # a collège has a thousand pupils and the page must stay light.
        children = cast(forms.ModelMultipleChoiceField, self.fields["children"])
        children.queryset = pupils_of(school)
        children.widget.choices = [(p.pk, pupil_label(p)) for p in shown_pupils]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        profile = data.get("profile")
        if profile == Profile.STUDENT and not data.get("birth_date"):
            self.add_error("birth_date", _("Indiquez la date de naissance de l'élève."))
        if profile != Profile.STUDENT and data.get("classe"):
            self.add_error("classe", _("Seul un élève est inscrit dans une classe."))
        if profile not in STAFF_PROFILES and data.get("functions"):
            self.add_error("functions", _("Seuls les enseignants et les personnels ont des fonctions."))
        if profile == Profile.RELATIVE and not data.get("children"):
            self.add_error("children", _("Cochez au moins un élève dont cette personne est responsable."))
        if profile != Profile.RELATIVE and data.get("children"):
            self.add_error("children", _("Seul un parent est responsable d'un élève."))
        return data


# The words a console admin may pick for a link (the feeds' numeric codes are not offered).
RELATIONSHIP_CHOICES = [(word, label) for word, label in RELATIONSHIPS.items() if not word.isdigit()]


def pupil_label(pupil: Person) -> str:
    classes = ", ".join(e.group.name for e in getattr(pupil, "current_classes", []))
    return f"{pupil.full_name} ({classes})" if classes else pupil.full_name


class CorrectionAnswerForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Décision"),
        choices=[
            (CorrectionRequest.Status.DONE, _("Correction faite")),
            (CorrectionRequest.Status.REJECTED, _("Demande refusée")),
        ],
        widget=forms.RadioSelect,
    )
    answer = forms.CharField(
        label=_("Réponse à la personne"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("La personne lira cette réponse dans « Mes données »."),
    )


class SchoolSettingsForm(forms.Form):
    mfa_required_for_staff = forms.BooleanField(
        label=_("Double authentification obligatoire pour les enseignants et les personnels"),
        required=False,
        help_text=_(
            "Recommandé (exigé par la CNIL pour consulter les notes en ligne). Quel que soit ce réglage, les "
            "administrateurs de l'ENT doivent toujours utiliser un second facteur pour ouvrir la console "
            "d'administration."
        ),
    )
    simple_pupil_passwords = forms.BooleanField(
        label=_("Mots de passe plus simples pour les élèves"),
        required=False,
        help_text=_(
            "Recommandé pour les écoles et les collèges. Les élèves peuvent choisir un mot de passe d'au "
            "moins 8 caractères de trois sortes, ou une phrase de 4 mots, comme la CNIL l'admet quand les "
            "essais de connexion sont limités (c'est le cas de Cartable). Sinon, ils suivent la règle des "
            "adultes : 12 caractères de trois sortes, ou une phrase de 4 mots et 20 caractères."
        ),
    )


class SchoolYearForm(forms.Form):
    name = forms.CharField(
        label=_("Nouvelle année scolaire"),
        max_length=9,
        help_text=_("Sous la forme AAAA-AAAA, par exemple 2027-2028."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": "2027-2028"}),
    )
    force = forms.BooleanField(
        label=_("Commencer cette année même si elle débute dans plus de trois mois"),
        required=False,
    )

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        try:
            first_year = directory.parse_school_year_name(name)
        except Refused as error:
            raise forms.ValidationError(str(error)) from error
        return f"{first_year}-{first_year + 1}"


class PersonEditForm(forms.Form):
    """The details the school's admin may correct on a person's page; the class only for a pupil."""

    last_name = forms.CharField(label=_("Nom"), max_length=120)
    first_name = forms.CharField(label=_("Prénom"), max_length=120)
    birth_date = DateField(window=birth_dates, label=_("Date de naissance"), required=False)
    email = forms.EmailField(
        label=_("Adresse électronique"),
        required=False,
        help_text=_("Elle sert aux notifications et à retrouver son mot de passe seul."),
    )
    phone = forms.CharField(
        label=_("Téléphone mobile"),
        required=False,
        max_length=25,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
        help_text=_("Facultatif : les notifications immédiates lui sont aussi envoyées par SMS."),
    )
    classe = ClassChoiceField(
        label=_("Classe cette année"), queryset=Group.objects.none(), required=False, empty_label=_("Aucune")
    )
    answer = forms.CharField(
        label=_("Réponse à la demande de correction"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("La personne lira cette réponse dans « Mes données »."),
    )

    def __init__(self, school: School, *args, is_pupil: bool, with_request: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.is_pupil = is_pupil
        if is_pupil:
            cast(forms.ModelChoiceField, self.fields["classe"]).queryset = current_classes_of(school)
        else:
            del self.fields["classe"]
        if not with_request:
            del self.fields["answer"]

    def clean_first_name(self) -> str:
        return " ".join(self.cleaned_data["first_name"].split())

    def clean_last_name(self) -> str:
        return " ".join(self.cleaned_data["last_name"].split())

    def clean_phone(self) -> str:
        raw = self.cleaned_data.get("phone", "").strip()
        if not raw:
            return ""
        phone = sms.normalize_mobile(raw)
        if phone is None:
            raise forms.ValidationError(
                _("Ce numéro de téléphone n'est pas valide (par exemple 06 12 34 56 78).")
            )
        return phone


class FamilyLinkForm(forms.Form):
    """A link between a relative and a pupil of the school, chosen among the people found by a search."""

    query = forms.CharField(
        label=_("Chercher par le nom"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    other = forms.ModelChoiceField(
        label=_("Personne"), queryset=Person.objects.none(), widget=forms.RadioSelect, required=True
    )
    relationship = forms.ChoiceField(label=_("Lien"), required=False)
    legal_guardian = forms.BooleanField(label=_("Responsable légal"), required=False, initial=True)

    def __init__(self, candidates, *args, shown=(), other_label: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        other = cast(forms.ModelChoiceField, self.fields["other"])
        other.queryset = candidates
        other.widget.choices = [(p.pk, pupil_label(p)) for p in shown]
        if other_label:
            other.label = other_label
        cast(forms.ChoiceField, self.fields["relationship"]).choices = [
            ("", _("Non précisé")),
            *[(word, label) for word, label in RELATIONSHIP_CHOICES],
        ]


class PupilsResetForm(forms.Form):
    """Which pupils lose their password: the whole school, or one class of this year."""

    classe = forms.ChoiceField(
        label=_("Élèves concernés"),
        required=False,
        help_text=_("Tous les élèves de l’établissement, ou ceux d’une seule classe."),
    )

    def __init__(self, school: School, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.classes = {str(g.pk): g for g in in_school_order(current_classes_of(school))}
        cast(forms.ChoiceField, self.fields["classe"]).choices = [
            ("", _("Tous les élèves de l’établissement"))
        ] + [(pk, _("Classe %(name)s") % {"name": g.name}) for pk, g in self.classes.items()]

    def group(self):
        return self.classes.get(self.cleaned_data.get("classe") or "")
