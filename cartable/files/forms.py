"""The one form field for attachments, shared by every service: several files at once, each checked for its
extension and size; what the file really is, is sniffed and scanned later (cartable.files.actions)."""

from __future__ import annotations

from collections.abc import Callable, Collection
from pathlib import PurePath

from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cartable.files import images

# What a school shares: documents, images, sound and video, the usual school software's files.
DOCUMENT_EXTENSIONS = frozenset(
    {
        "pdf", "odt", "ods", "odp", "odg", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "txt", "csv", "rtf",
        "png", "jpg", "jpeg", "gif", "webp", "svg", "mp3", "ogg", "wav", "m4a", "mp4", "webm", "ggb", "sb3",
        "zip",
    }
)  # fmt: skip


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    """`extensions`: the accepted ones (lower case, no dot); `max_files` and `max_bytes`: read from the
    settings when the form is checked (callables), so that a test or a deployment can change them."""

    widget = MultipleFileInput

    def __init__(
        self,
        *,
        extensions: Collection[str],
        max_files: Callable[[], int],
        max_bytes: Callable[[], int],
        **kwargs,
    ):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.extensions = frozenset(extensions)
        self.max_files = max_files
        self.max_bytes = max_bytes

    def has_changed(self, initial, data) -> bool:
        # No file chosen comes as an empty list, which must not make an empty extra form "changed".
        return bool(data)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        cleaned = [f for f in (super(AttachmentsField, self).clean(f, initial) for f in files) if f]
        most = self.max_files()
        if len(cleaned) > most:
            raise forms.ValidationError(
                ngettext(
                    "Pas plus de %(count)d fichier à la fois.",
                    "Pas plus de %(count)d fichiers à la fois.",
                    most,
                )
                % {"count": most}
            )
        errors = []
        limit = self.max_bytes()
        for upload in cleaned:
            extension = PurePath(upload.name or "").suffix.lower().lstrip(".")
            if extension not in self.extensions:
                errors.append(
                    _("« %(name)s » n’est pas accepté : seuls ces types de fichiers le sont (%(types)s).")
                    % {"name": upload.name, "types": ", ".join(sorted(self.extensions))}
                )
            elif upload.size > limit:
                errors.append(
                    _("« %(name)s » est trop lourd (%(size)s) : %(most)s au plus par fichier.")
                    % {
                        "name": upload.name,
                        "size": filesizeformat(upload.size),
                        "most": filesizeformat(limit),
                    }
                )
        if errors:
            raise forms.ValidationError(errors)
        return cleaned


class ImagesField(AttachmentsField):
    """Images checked with Pillow (cartable.files.images): a corrupt file or a decompression bomb is refused
    here, with a clear message, before anything is stored."""

    def __init__(self, *, max_files: Callable[[], int], max_bytes: Callable[[], int], **kwargs) -> None:
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
