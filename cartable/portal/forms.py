from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from cartable.directory.models import School
from cartable.notifications.forms import MobileField


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


class ContactForm(forms.Form):
    """The person's own email address and mobile number ("Mes données", and the optional step of the
    activation). A new address is only kept pending until confirmed (cartable.accounts.email_change).
    Changing or removing the address asks for the password, except right after activation."""

    email = forms.EmailField(
        label=_("Adresse électronique"),
        required=False,
        max_length=254,
        help_text=_(
            "Pour recevoir les notifications et pouvoir choisir un nouveau mot de passe si vous l'oubliez. "
            "Un lien de confirmation y sera envoyé."
        ),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    sms_phone = MobileField(
        label=_("Numéro de mobile"),
        help_text=_(
            "Facultatif. Pour recevoir aussi par SMS les notifications immédiates, par exemple "
            "06 12 34 56 78. Laissez vide pour ne recevoir aucun SMS."
        ),
    )
    current_password = forms.CharField(
        label=_("Votre mot de passe"),
        required=False,
        strip=False,
        help_text=_("Demandé seulement si vous changez ou retirez votre adresse électronique."),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, user, *args, ask_password: bool = True, with_phone: bool = True, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        if not ask_password:
            del self.fields["current_password"]
        if not with_phone:  # the platform admin has no directory entry, hence no notifications
            del self.fields["sms_phone"]

    def changes_email(self) -> bool:
        typed = (self.cleaned_data.get("email") or "").strip()
        return typed.lower() != self.user.email.lower()

    def clean(self):
        cleaned = super().clean() or {}
        asks_password = "current_password" in self.fields and "email" in cleaned and self.changes_email()
        if asks_password and not self.user.check_password(cleaned.get("current_password") or ""):
            self.add_error(
                "current_password",
                forms.ValidationError(
                    _("Tapez votre mot de passe actuel pour changer d'adresse électronique."),
                    code="password_incorrect",
                ),
            )
        return cleaned
