"""Forms of the class blog. They only parse and check input; cartable.blog.actions writes."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from cartable.files import images
from cartable.files.forms import AttachmentsField
from cartable.homework.forms import ALLOWED_EXTENSIONS
from cartable.news.forms import RICH_TEXT_HELP, max_bytes, max_files


class ImagesField(AttachmentsField):
    """Images checked with Pillow (cartable.files.images): a corrupt file or a decompression bomb is refused
    here with a clear message."""

    def __init__(self, **kwargs) -> None:
        super().__init__(
            extensions=images.IMAGE_EXTENSIONS, max_files=max_files, max_bytes=max_bytes, **kwargs
        )

    def clean(self, data, initial=None):
        cleaned = super().clean(data, initial)
        errors = []
        for upload in cleaned:
            try:
                images.check_image(upload)
            except forms.ValidationError as error:
                errors.extend(error.messages)
        if errors:
            raise forms.ValidationError(errors)
        return cleaned


class PostForm(forms.Form):
    title = forms.CharField(label=_("Titre"), max_length=200)
    body = forms.CharField(
        label=_("Texte"),
        required=False,
        max_length=20_000,
        help_text=RICH_TEXT_HELP,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    images = ImagesField(label=_("Photos et images (JPEG, PNG, GIF ou WebP)"))
    image_alt = forms.CharField(
        label=_("Ce que montrent les images (pour ceux qui ne les voient pas)"),
        required=False,
        max_length=300,
    )
    attachments = AttachmentsField(
        label=_("Autres fichiers"), extensions=ALLOWED_EXTENSIONS, max_files=max_files, max_bytes=max_bytes
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
