from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from cartable.directory.models import School


class CorrectionRequestForm(forms.Form):
    message = forms.CharField(
        label=_("Que faut-il corriger ?"),
        help_text=_("Indiquez l'information inexacte et la valeur correcte."),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
    )
    school = forms.TypedChoiceField(label=_("Établissement concerné"), coerce=int)

    def __init__(self, *args, schools: list[School], **kwargs):
        super().__init__(*args, **kwargs)
        # Only the person's own schools are offered (and accepted); they are already loaded by the view.
        self.schools = {school.pk: school for school in schools}
        field = self.fields["school"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(school.pk, school.name) for school in schools]
        if len(schools) == 1:
            # Nothing to choose: the request goes to the only school.
            field.initial = schools[0].pk
            field.widget = forms.HiddenInput()

    def clean_school(self) -> School:
        return self.schools[self.cleaned_data["school"]]

    def clean_message(self):
        message = self.cleaned_data["message"].strip()
        if not message:
            raise forms.ValidationError(_("Décrivez la correction demandée."))
        return message


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("Langue de l'interface"), choices=settings.LANGUAGES)


class ContributionsForm(forms.Form):
    """What becomes of what I wrote (messages, posts) once my account is closed and purged (rule C5)."""

    KEEP, DELETE = "keep", "delete"
    choice = forms.ChoiceField(
        label=_("Quand mon compte sera fermé"),
        choices=[
            (KEEP, _("Garder mes messages et publications, signés « Ancien compte »")),
            (DELETE, _("Effacer aussi mes messages et publications")),
        ],
        widget=forms.RadioSelect,
    )

    @classmethod
    def for_person(cls, person) -> "ContributionsForm":
        return cls(initial={"choice": cls.KEEP if person.keep_contributions else cls.DELETE})
