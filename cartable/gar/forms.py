from django import forms
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

from cartable.directory.models import Profile


class ManagerForm(forms.Form):
    """The member of staff to name; the choices are the school's staff (cartable.gar.access.staff_of), and the
    view looks the id up again within them."""

    person = forms.ChoiceField(
        label=_("Membre du personnel"),
        help_text=_("Le GAR lui écrira à l’adresse électronique de son compte."),
    )

    def __init__(self, *args, staff=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["person"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("Choisir une personne"))] + [
            (str(person.pk), person.full_name) for person in staff
        ]


class SearchForm(forms.Form):
    """The Médiacentre's filter (a GET form): shown with what was typed; the view reads the values itself."""

    q = forms.CharField(label=_("Rechercher (nom, éditeur, type)"), required=False, max_length=200)
    type = forms.ChoiceField(label=_("Type de ressource"), required=False)
    favourites = forms.BooleanField(label=_("Mes favoris seulement"), required=False)

    def __init__(self, *args, types=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["type"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("Tous les types")), *types]


PROFILE_CHOICES = [
    (Profile.STUDENT, _("Les élèves")),
    (Profile.TEACHER, _("Les enseignants")),
    (Profile.PERSONNEL, _("Les autres personnels")),
]


class LinkForm(forms.Form):
    title = forms.CharField(label=_("Titre"), max_length=200)
    url = forms.URLField(
        label=_("Adresse (https://…)"),
        max_length=1000,
        assume_scheme="https",
        validators=[URLValidator(schemes=["http", "https"])],
    )
    description = forms.CharField(
        label=_("Description"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )
    profiles = forms.MultipleChoiceField(
        label=_("Montré aux"), choices=PROFILE_CHOICES, widget=forms.CheckboxSelectMultiple
    )
