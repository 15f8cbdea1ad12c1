from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import PasswordResetForm as DjangoPasswordResetForm
from django.utils.translation import gettext_lazy as _

from cartable.accounts import actions
from cartable.accounts.passwords import rule_for


class LoginForm(forms.Form):
    username = forms.CharField(
        label=_("Identifiant"),
        max_length=150,
        widget=forms.TextInput(
            attrs={"autocomplete": "username", "autocapitalize": "none", "autofocus": True}
        ),
    )
    password = forms.CharField(
        label=_("Mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class ActivationCodeForm(forms.Form):
    username = forms.CharField(
        label=_("Identifiant"),
        max_length=150,
        help_text=_("Il figure sur le courrier remis par l'établissement, par exemple « camille.martin »."),
        widget=forms.TextInput(
            attrs={"autocomplete": "username", "autocapitalize": "none", "autofocus": True}
        ),
    )
    code = forms.CharField(
        label=_("Code d'activation"),
        max_length=40,
        help_text=_(
            "12 caractères, par exemple « ABCD-EFGH-JKMN ». Majuscules, tirets et espaces sont facultatifs."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autocapitalize": "characters"}),
    )

    def clean_code(self) -> str:
        return actions.normalize_code(self.cleaned_data["code"])


def _password_hint_attrs(output_id: str, autocomplete: str = "new-password") -> dict:
    # cartable.js fills the <output> named here with a plain-words strength hint while typing.
    return {"autocomplete": autocomplete, "data-strength": output_id}


class NewPasswordForm(forms.Form):
    """Choose a password twice; the whole validator chain (CNIL policy first) runs against the user."""

    password1 = forms.CharField(
        label=_("Nouveau mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs=_password_hint_attrs("password-strength")),
    )
    password2 = forms.CharField(
        label=_("Confirmez le mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        # Built per form so that the help text follows the user's language and the user's rule (a pupil's
        # is shorter); the strength hint of cartable.js reads the rule's numbers from the field.
        rule = rule_for(user)
        field = self.fields["password1"]
        field.help_text = rule.help_text()
        field.widget.attrs.update(
            {"data-min-length": rule.min_length, "data-passphrase-length": rule.passphrase_min_length}
        )

    def clean_password1(self) -> str:
        password = self.cleaned_data["password1"]
        password_validation.validate_password(password, self.user)
        return password

    def clean(self):
        cleaned = super().clean() or {}
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("Les deux mots de passe ne sont pas identiques."))
        return cleaned

    @property
    def password(self) -> str:
        return self.cleaned_data["password1"]

    def save(self, commit: bool = True):
        """Used by the password reset view: the password change also ends the user's other sessions."""
        actions.set_password(self.user, self.password)
        return self.user


class PasswordChangeForm(NewPasswordForm):
    current_password = forms.CharField(
        label=_("Mot de passe actuel"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )

    field_order = ("current_password", "password1", "password2")

    def clean_current_password(self) -> str:
        password = self.cleaned_data["current_password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(
                _("Ce n'est pas votre mot de passe actuel."), code="password_incorrect"
            )
        return password


class CharterForm(forms.Form):
    accept = forms.BooleanField(
        label=_("J'ai lu et j'accepte la charte"),
        required=True,
        error_messages={"required": _("Cochez la case pour accepter la charte, ou refusez-la.")},
    )


class SecondFactorForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "text",
                "autocapitalize": "none",
                "autofocus": True,
            }
        ),
    )

    def clean_code(self) -> str:
        return "".join(self.cleaned_data["code"].split())


class EnrolmentForm(forms.Form):
    code = forms.RegexField(
        label=_("Code à 6 chiffres affiché par l'application"),
        regex=r"^\s*\d{3}\s*\d{3}\s*$",
        error_messages={"invalid": _("Saisissez les 6 chiffres affichés par l'application.")},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def clean_code(self) -> str:
        return "".join(self.cleaned_data["code"].split())


class PasswordResetForm(DjangoPasswordResetForm):
    email = forms.EmailField(
        label=_("Adresse électronique"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )

    def get_users(self, email):
        # Blocked accounts get no link: the school decided they must not log in.
        return (user for user in super().get_users(email) if not user.is_blocked)
