from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from django import forms
from django.utils.translation import gettext_lazy as _

from cartable.lib.widgets import TimeInput
from cartable.notifications import sms
from cartable.notifications.kinds import KINDS, Channel, EventKind

CHANNEL_CHOICES = [
    (Channel.IMMEDIATE, _("Courriel immédiat")),
    (Channel.DIGEST, _("Résumé quotidien")),
    (Channel.OFF, _("Pas de courriel")),
]


class MobileField(forms.CharField):
    """The one mobile number of a person (DeliverySettings.sms_phone), typed as people write it; cleaned to
    the international form, or refused with an example. Empty means no number."""

    default_error_messages: ClassVar[dict[str, Any]] = {
        "invalid": _(
            "Ce numéro n'est pas un numéro de mobile français. Écrivez-le par exemple 06 12 34 56 78 "
            "ou +33 6 12 34 56 78."
        ),
    }

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 25)
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"})
        )
        super().__init__(**kwargs)

    def clean(self, value):
        raw = super().clean(value)
        if not raw:
            return ""
        phone = sms.normalize_mobile(raw)
        if phone is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return phone


class PreferencesForm(forms.Form):
    """One choice per event kind, then the quiet hours and the global switch."""

    email_off = forms.BooleanField(
        label=_("Ne recevoir aucun courriel de notification"),
        required=False,
    )
    quiet_enabled = forms.BooleanField(
        label=_("Pas de courriel pendant les heures calmes"),
        required=False,
        help_text=_("Les courriels de cette période partent à la fin des heures calmes, heure de Paris."),
    )
    quiet_start = forms.TimeField(label=_("Début des heures calmes"), widget=TimeInput())
    quiet_end = forms.TimeField(label=_("Fin des heures calmes"), widget=TimeInput())

    sms_phone = MobileField(
        label=_("Numéro de mobile pour recevoir aussi par SMS les notifications immédiates"),
        help_text=_("Facultatif. Laissez vide pour ne recevoir aucun SMS."),
    )

    def __init__(self, *args, kinds: Iterable[EventKind] | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for kind in sorted(self._offered(kinds), key=lambda kind: str(kind.label)):
            code = kind.code
            self.fields[f"kind_{code}"] = forms.ChoiceField(
                label=str(kind.label),
                choices=CHANNEL_CHOICES,
                initial=kind.default_channel,
                # A kind missing from the post (registered since the page was shown) keeps its channel.
                required=False,
            )

    def _offered(self, kinds: Iterable[EventKind] | None) -> list[EventKind]:
        """Only the kinds that can concern the person get a field, so a choice about any other is ignored.
        Without `kinds`, those of `initial` (preferences.preferences_initial lists the person's kinds
        only)."""
        if kinds is not None:
            return list(kinds)
        if self.initial:
            return [kind for code, kind in KINDS.items() if f"kind_{code}" in self.initial]
        return list(KINDS.values())

    def kind_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith("kind_")]

    def channels(self) -> dict[str, str]:
        return {
            name.removeprefix("kind_"): value
            for name, value in self.cleaned_data.items()
            if name.startswith("kind_") and value
        }

    def clean(self):
        cleaned = super().clean() or {}
        if (
            cleaned.get("quiet_enabled")
            and cleaned.get("quiet_start") is not None
            and cleaned.get("quiet_start") == cleaned.get("quiet_end")
        ):
            self.add_error("quiet_end", _("La fin des heures calmes doit différer de leur début."))
        return cleaned
