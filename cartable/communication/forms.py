from django import forms

from cartable.directory.models import Profile


class ProfileChoiceForm(forms.Form):
    """The profile a kill-switch button stops or lets send again."""

    profile = forms.ChoiceField(choices=Profile.choices)
    action = forms.ChoiceField(choices=[("pause", "pause"), ("resume", "resume")])
