"""Forms of the class blog. They only parse and check input; cartable.blog.actions writes."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from cartable.files.forms import DOCUMENT_EXTENSIONS, AttachmentsField, ImagesField
from cartable.lib.rich_text import RICH_TEXT_HELP

MAX_FILES = 5


def max_bytes() -> int:
    return settings.HOMEWORK_MAX_ATTACHMENT_BYTES


def max_files() -> int:
    return MAX_FILES


class PostForm(forms.Form):
    title = forms.CharField(label=_("Titre"), max_length=200)
    body = forms.CharField(
        label=_("Texte"),
        required=False,
        max_length=20_000,
        help_text=RICH_TEXT_HELP,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    images = ImagesField(
        max_files=max_files, max_bytes=max_bytes, label=_("Photos et images (JPEG, PNG, GIF ou WebP)")
    )
    image_alt = forms.CharField(
        label=_("Ce que montrent les images (pour ceux qui ne les voient pas)"),
        required=False,
        max_length=300,
    )
    attachments = AttachmentsField(
        label=_("Autres fichiers"), extensions=DOCUMENT_EXTENSIONS, max_files=max_files, max_bytes=max_bytes
    )


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Votre commentaire"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class SettingsForm(forms.Form):
    pupils_may_post = forms.BooleanField(
        label=_("Les élèves peuvent proposer des billets (publiés après votre validation)"), required=False
    )
    comments_open = forms.BooleanField(
        label=_("Les élèves et leurs familles peuvent commenter (publié après votre validation)"),
        required=False,
    )


class ModerationForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Décision"), choices=[("accepter", _("Accepter")), ("refuser", _("Refuser"))]
    )
