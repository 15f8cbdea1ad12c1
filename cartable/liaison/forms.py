"""Forms of the cahier de liaison. They only parse input; cartable.liaison.actions checks and writes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from cartable.files.forms import DOCUMENT_EXTENSIONS, AttachmentsField
from cartable.liaison.models import Request
from cartable.lib.params import parse_int
from cartable.lib.widgets import DateField

MAX_FILES = 5


def max_files() -> int:
    return MAX_FILES


def max_bytes() -> int:
    return settings.HOMEWORK_MAX_ATTACHMENT_BYTES


class MotForm(forms.Form):
    groups = forms.MultipleChoiceField(
        label=_("Aux familles des classes et groupes"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    pupil = forms.ChoiceField(label=_("Ou à la famille d'un élève"), required=False)
    title = forms.CharField(label=_("Titre"), max_length=200)
    body = forms.CharField(
        label=_("Texte du mot"), max_length=10_000, widget=forms.Textarea(attrs={"rows": 8})
    )
    request = forms.ChoiceField(
        label=_("Ce que le mot demande aux familles"),
        choices=Request.choices,
        initial=Request.NONE,
        widget=forms.RadioSelect,
    )
    question = forms.CharField(
        label=_("Question du coupon-réponse"),
        required=False,
        max_length=300,
        help_text=_("Par exemple : « Mon enfant participe à la sortie au musée du 12 mars »."),
    )
    choices = forms.CharField(
        label=_("Choix proposés, un par ligne"),
        required=False,
        initial="Oui\nNon",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    allow_comment = forms.BooleanField(label=_("Les familles peuvent ajouter un commentaire"), required=False)
    both_guardians = forms.BooleanField(
        label=_("Chaque responsable légal signe (sinon, une signature par enfant suffit)"), required=False
    )
    deadline = DateField(label=_("À signer ou à rendre avant le (inclus)"), required=False)
    attachments = AttachmentsField(
        label=_("Pièces jointes"),
        extensions=DOCUMENT_EXTENSIONS,
        max_files=max_files,
        max_bytes=max_bytes,
        required=False,
        help_text=_("Par exemple l'autorisation de sortie à imprimer ou le programme de la journée."),
    )

    def __init__(
        self,
        *args: Any,
        groups: list[tuple[int, str]] | None = None,
        pupils: list[tuple[str, list]] | None = None,
        **kwargs,
    ):
        """Without `groups` (a mot being edited), no choice of families: they stay those it was sent to."""
        super().__init__(*args, **kwargs)
        if groups is None:
            del self.fields["groups"], self.fields["pupil"]
            return
        self.fields["groups"].choices = [(str(pk), name) for pk, name in groups]  # type: ignore[attr-defined]
        self.fields["pupil"].choices = [("", "—"), *(pupils or [])]  # type: ignore[attr-defined]

    def group_ids(self) -> list[int]:
        return [n for n in (parse_int(v) for v in self.cleaned_data["groups"]) if n is not None]

    def pupil_id(self) -> int | None:
        return parse_int(self.cleaned_data.get("pupil") or "")

    def choice_list(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["choices"].splitlines() if line.strip()]


class SignForm(forms.Form):
    """One child's signature or reply; the choices are checked by the action against the mot's."""

    pupil = forms.IntegerField(widget=forms.HiddenInput)
    choice = forms.CharField(label=_("Réponse"), required=False, max_length=100)
    comment = forms.CharField(
        label=_("Commentaire (facultatif)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class FamilyMotForm(forms.Form):
    pupil = forms.ChoiceField(label=_("Au sujet de"))
    teacher = forms.ChoiceField(label=_("À l'enseignant"))
    title = forms.CharField(label=_("Objet"), max_length=200)
    body = forms.CharField(
        label=_("Texte du mot"), max_length=10_000, widget=forms.Textarea(attrs={"rows": 8})
    )

    def __init__(
        self, *args: Any, children: list[tuple[int, str]], teachers: list[tuple[int, str]], **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.fields["pupil"].choices = [(str(pk), name) for pk, name in children]  # type: ignore[attr-defined]
        self.fields["teacher"].choices = [("", "—")] + [  # type: ignore[attr-defined]
            (str(pk), name) for pk, name in teachers
        ]
