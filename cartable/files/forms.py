"""The one form field for attachments, shared by every service: several files at once, each checked for its
extension and size; what the file really is, is sniffed and scanned later (cartable.files.actions)."""

from __future__ import annotations

from collections.abc import Callable, Collection
from pathlib import PurePath

from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


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
