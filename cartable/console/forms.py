from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from cartable.console.access import current_classes_of, pupils_of
from cartable.directory import actions as directory
from cartable.directory.models import STAFF_PROFILES, Function, Group, Person, Profile, School
from cartable.lib.widgets import DateInput
from cartable.portal.models import CorrectionRequest


class PeopleSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Nom, prénom ou identifiant"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    classe = forms.ModelChoiceField(
        label=_("Classe"), queryset=Group.objects.none(), required=False, empty_label=_("Toutes")
    )
    profil = forms.ChoiceField(label=_("Profil"), required=False)

    def __init__(self, school: School, *args, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["classe"]).queryset = current_classes_of(school)
        cast(forms.ChoiceField, self.fields["profil"]).choices = [("", _("Tous")), *Profile.choices]


class ClassChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Group) -> str:
        return obj.name


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
    birth_date = forms.DateField(
        label=_("Date de naissance"),
        required=False,
        widget=DateInput(),
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
    children = forms.ModelMultipleChoiceField(
        label=_("Responsable légal de"),
        queryset=Person.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
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
            "Recommandé (exigé par la CNIL pour consulter les notes en ligne). Les administrateurs de l'ENT "
            "doivent toujours utiliser un second facteur, quel que soit ce réglage."
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

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        try:
            first_year = directory.parse_school_year_name(name)
        except directory.SchoolYearError as error:
            raise forms.ValidationError(str(error)) from error
        return f"{first_year}-{first_year + 1}"
