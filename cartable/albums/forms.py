"""Forms of the albums. They only parse and check input; cartable.albums.actions writes."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from cartable.files import images
from cartable.files.forms import AttachmentsField
from cartable.lib.widgets import DateField

MAX_PHOTOS = 30  # at once: a class outing's best pictures


def max_bytes() -> int:
    return settings.HOMEWORK_MAX_ATTACHMENT_BYTES


def max_photos() -> int:
    return MAX_PHOTOS


class AlbumForm(forms.Form):
    title = forms.CharField(label=_("Titre"), max_length=200)
    # "c<id>": a class; "s<id>": an event of the school.
    where = forms.ChoiceField(label=_("Pour"))
    event_date = DateField(label=_("Date"), required=False)

    def __init__(self, *args, choices: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["where"].choices = choices  # type: ignore[attr-defined]


class PhotosForm(forms.Form):
    photos = AttachmentsField(
        label=_("Photos (JPEG, PNG, GIF ou WebP)"),
        extensions=images.IMAGE_EXTENSIONS,
        max_files=max_photos,
        max_bytes=max_bytes,
        required=True,
    )

    def clean_photos(self):
        """Each photo read with Pillow (cartable.files.images.check_image): those it cannot read, or too large
        in pixels, are named in `refused`; the others are kept, so that one bad file loses no other."""
        self.refused: list[str] = []
        kept = []
        for upload in self.cleaned_data["photos"]:
            try:
                images.check_image(upload)
            except forms.ValidationError as error:
                self.refused.extend(error.messages)
            else:
                kept.append(upload)
        if not kept:
            raise forms.ValidationError(self.refused)
        return kept


class TagForm(forms.Form):
    pupils = forms.TypedMultipleChoiceField(
        label=_("Élèves sur la photo"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    caption = forms.CharField(label=_("Légende"), max_length=300, required=False)

    def __init__(self, *args, pupils: list[tuple[int, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["pupils"].choices = pupils  # type: ignore[attr-defined]


class ConsentForm(forms.Form):
    granted = forms.TypedChoiceField(
        label=_("Droit à l’image"),
        choices=[("1", _("Oui, les photos peuvent être montrées aux familles")), ("0", _("Non"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
    )
