from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from cartable.console.access import current_classes_of
from cartable.directory.models import Profile, School
from cartable.directory.ordering import in_school_order


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


class ProfileChoiceForm(forms.Form):
    """The profile a kill-switch button stops or lets send again."""

    profile = forms.ChoiceField(choices=Profile.choices)
    action = forms.ChoiceField(choices=[("pause", "pause"), ("resume", "resume")])
