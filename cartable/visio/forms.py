"""Forms of the virtual classes. They only parse and check input; cartable.visio.actions writes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cartable.lib.widgets import DateField, IdField, TimeInput


class VirtualClassForm(forms.Form):
    title = forms.CharField(label=_("Titre"), max_length=200)
    group = forms.TypedChoiceField(label=_("Classe ou groupe"), coerce=int)
    day = DateField(label=_("Jour"))
    start = forms.TimeField(label=_("Début"), widget=TimeInput)
    end = forms.TimeField(label=_("Fin"), widget=TimeInput)
    recording_allowed = forms.BooleanField(
        label=_("Autoriser l’enregistrement (vous le démarrez et l’arrêtez pendant la classe)"),
        required=False,
    )
    course = IdField()
    lesson_date = DateField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, groups: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = groups  # type: ignore[attr-defined]

    def moment(self, name: str) -> dt.datetime:
        """The start or the end, in the current time zone."""
        return timezone.make_aware(dt.datetime.combine(self.cleaned_data["day"], self.cleaned_data[name]))
