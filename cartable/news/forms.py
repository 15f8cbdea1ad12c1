"""Forms of the news. They only parse and check input; cartable.news.actions writes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from cartable.files.forms import DOCUMENT_EXTENSIONS, AttachmentsField, ImagesField
from cartable.lib.rich_text import RICH_TEXT_HELP
from cartable.lib.widgets import DateTimeField
from cartable.news.models import Audience

MAX_FILES = 5


def max_bytes() -> int:
    return settings.HOMEWORK_MAX_ATTACHMENT_BYTES


def one_file() -> int:
    return 1


def max_files() -> int:
    return MAX_FILES


class ImageField(ImagesField):
    """One image, checked with Pillow."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_files=one_file, max_bytes=max_bytes, **kwargs)

    def clean(self, data, initial=None):
        cleaned = super().clean(data, initial)
        return cleaned[0] if cleaned else None


class NewsForm(forms.Form):
    school = forms.TypedChoiceField(label=_("Établissement"), coerce=int)
    title = forms.CharField(label=_("Titre"), max_length=200)
    body = forms.CharField(
        label=_("Texte"),
        required=False,
        max_length=20_000,
        help_text=RICH_TEXT_HELP,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    audience = forms.ChoiceField(
        label=_("Destinataires"), choices=Audience.choices, widget=forms.RadioSelect, initial=Audience.SCHOOL
    )
    for_pupils = forms.BooleanField(label=_("Les élèves"), required=False)
    for_relatives = forms.BooleanField(label=_("Les parents"), required=False)
    for_staff = forms.BooleanField(label=_("Les personnels"), required=False)
    classes = forms.TypedMultipleChoiceField(
        label=_("Classes (leurs élèves, leurs parents et leurs enseignants)"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    publish_at = DateTimeField(
        label=_("Publiée à partir du"),
        required=False,
        help_text=_("Laissez vide pour la publier tout de suite."),
    )
    expire_at = DateTimeField(
        label=_("Retirée le"), required=False, help_text=_("Laissez vide pour la garder jusqu’à son retrait.")
    )
    pinned = forms.BooleanField(label=_("Épingler en tête des actualités"), required=False)
    public = forms.BooleanField(
        label=_("Publique : aussi sur la page publique de l’établissement, si elle est ouverte"),
        required=False,
    )
    image = ImageField(label=_("Image (JPEG, PNG, GIF ou WebP)"))
    image_alt = forms.CharField(
        label=_("Description de l’image (pour ceux qui ne la voient pas)"), required=False, max_length=300
    )
    remove_image = forms.BooleanField(label=_("Retirer l’image"), required=False)
    attachments = AttachmentsField(
        label=_("Pièces jointes"), extensions=DOCUMENT_EXTENSIONS, max_files=max_files, max_bytes=max_bytes
    )

    def __init__(self, *args: Any, schools: list[tuple[int, str]], classes: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].choices = schools  # type: ignore[attr-defined]
        self.fields["classes"].choices = classes  # type: ignore[attr-defined]
        if len(schools) == 1:
            self.fields["school"].initial = schools[0][0]
            self.fields["school"].widget = forms.HiddenInput()


class PublicPageForm(forms.Form):
    enabled = forms.BooleanField(label=_("Ouvrir la page publique des actualités"), required=False)
