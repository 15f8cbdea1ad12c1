from __future__ import annotations

import os

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from cartable.lib.params import parse_int

# Documents a school exchanges: office files, PDF, pictures, plain text, sound. Never executables or HTML.
ALLOWED_EXTENSIONS = frozenset(
    [
        "pdf",
        "odt",
        "ods",
        "odp",
        "doc",
        "docx",
        "xls",
        "xlsx",
        "ppt",
        "pptx",
        "txt",
        "csv",
        "rtf",
        "jpg",
        "jpeg",
        "png",
        "gif",
        "webp",
        "heic",
        "mp3",
        "m4a",
        "ogg",
    ]
)


def max_attachment_bytes() -> int:
    return settings.MESSAGE_ATTACHMENT_MAX_BYTES


def max_attachments() -> int:
    return settings.MESSAGE_ATTACHMENTS_MAX


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        if len(files) > max_attachments():
            raise forms.ValidationError(
                _("%(most)s pièces jointes au plus par message.") % {"most": max_attachments()}
            )
        cleaned = [super(AttachmentsField, self).clean(f, initial) for f in files]
        errors = []
        for f in cleaned:
            extension = os.path.splitext(f.name)[1].lower().lstrip(".")
            if extension not in ALLOWED_EXTENSIONS:
                errors.append(
                    _(
                        "« %(name)s » n’est pas accepté : seuls les documents, images et sons courants le "
                        "sont (%(types)s)."
                    )
                    % {"name": f.name, "types": ", ".join(sorted(ALLOWED_EXTENSIONS))}
                )
            elif f.size > max_attachment_bytes():
                errors.append(
                    _("« %(name)s » est trop lourd (%(size)s) : %(most)s au plus par fichier.")
                    % {
                        "name": f.name,
                        "size": filesizeformat(f.size),
                        "most": filesizeformat(max_attachment_bytes()),
                    }
                )
        if errors:
            raise forms.ValidationError(errors)
        return cleaned


class IdListField(forms.Field):
    """A list of ids from checkboxes; who may be reached is checked by the action, not by the form."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        values = value if isinstance(value, list | tuple) else ([value] if value else [])
        ids = []
        for item in values:
            number = parse_int(item)
            if number is None:
                raise forms.ValidationError(_("Destinataire inconnu."))
            ids.append(number)
        return list(dict.fromkeys(ids))


class CodeListField(forms.Field):
    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        values = value if isinstance(value, list | tuple) else ([value] if value else [])
        return list(dict.fromkeys(str(v)[:40] for v in values))


class ComposeForm(forms.Form):
    to = IdListField(label=_("Destinataires"), required=False)
    groups = CodeListField(label=_("Groupes"), required=False)
    q = forms.CharField(label=_("Chercher une personne"), required=False, max_length=100)
    subject = forms.CharField(label=_("Objet"), max_length=200, required=False)
    body = forms.CharField(
        label=_("Message"),
        required=False,
        max_length=100_000,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_("Le texte peut contenir des liens, du gras, des listes (HTML simple)."),
    )
    attachments = AttachmentsField(
        label=_("Pièces jointes"),
        required=False,
        help_text=_("Jusqu’à %(count)s fichiers de %(size)s chacun : documents, images, sons."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["attachments"]
        field.help_text = field.help_text % {
            "count": max_attachments(),
            "size": filesizeformat(max_attachment_bytes()),
        }


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Chercher dans mes messages"), required=False, max_length=100)


class ReportForm(forms.Form):
    reason = forms.CharField(
        label=_("Pourquoi signalez-vous ce message ?"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Menaces, insultes, harcèlement, contenu choquant… La direction et la vie scolaire le liront."
        ),
    )
