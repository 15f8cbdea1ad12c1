from django import forms
from django.utils.translation import gettext_lazy as _


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
