from __future__ import annotations

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from cartable.files.forms import AttachmentsField
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
        extensions=ALLOWED_EXTENSIONS,
        max_files=max_attachments,
        max_bytes=max_attachment_bytes,
        label=_("Pièces jointes"),
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
