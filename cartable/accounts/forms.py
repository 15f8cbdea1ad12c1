from django import forms
from django.utils.translation import gettext_lazy as _


class LoginForm(forms.Form):
    username = forms.CharField(label=_("Identifiant"), max_length=150, widget=forms.TextInput(
        attrs={"autocomplete": "username", "autocapitalize": "none", "autofocus": True}))
    password = forms.CharField(label=_("Mot de passe"), strip=False, widget=forms.PasswordInput(
        attrs={"autocomplete": "current-password"}))
