"""Forms of the cahier de textes. They only parse and check input; cartable.homework.actions writes."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.conf import settings
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from cartable.files.forms import DOCUMENT_EXTENSIONS, AttachmentsField
from cartable.homework.access import Teaching
from cartable.lib.rich_text import RICH_TEXT_HELP
from cartable.lib.widgets import DateField, DateTimeField, IdField, TimeInput

# What a teacher joins to a lesson: documents, spreadsheets, slides, images, sound and video of a lesson.
MAX_FILES = 5


def max_attachment_bytes() -> int:
    return settings.HOMEWORK_MAX_ATTACHMENT_BYTES


def max_files() -> int:
    return MAX_FILES


def _attachments(label: Any) -> AttachmentsField:
    return AttachmentsField(
        extensions=DOCUMENT_EXTENSIONS, max_files=max_files, max_bytes=max_attachment_bytes, label=label
    )


class EntryForm(forms.Form):
    teaching = forms.ChoiceField(label=_("Classe ou groupe, matière"))
    date = DateField(label=_("Date de la séance"))
    start_time = forms.TimeField(label=_("Heure de début"), required=False, widget=TimeInput())
    title = forms.CharField(label=_("Titre"), required=False, max_length=200)
    content = forms.CharField(
        label=_("Contenu de la séance"),
        required=False,
        max_length=20_000,
        help_text=RICH_TEXT_HELP,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    attachments = _attachments(_("Pièces jointes de la séance"))
    visible_from = DateTimeField(
        label=_("Visible par les élèves et les familles à partir du"),
        required=False,
        help_text=_("Laissez vide pour la rendre visible tout de suite."),
    )
    course = IdField()

    def __init__(self, *args, teachings: list[Teaching], **kwargs):
        super().__init__(*args, **kwargs)
        self.teachings = {t.key: t for t in teachings}
        choices = [("", "—")] + [(t.key, t.label) for t in teachings]
        self.fields["teaching"].choices = choices  # type: ignore[attr-defined]

    def clean_teaching(self) -> Teaching:
        # A value outside the choices was refused by ChoiceField already: what is left is one's own teaching.
        return self.teachings[self.cleaned_data["teaching"]]


class HomeworkForm(forms.Form):
    id = IdField()
    instructions = forms.CharField(
        label=_("Travail à faire"),
        required=False,
        max_length=10_000,
        help_text=RICH_TEXT_HELP,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    due_date = DateField(label=_("Pour le"), required=False)
    duration_minutes = forms.IntegerField(
        label=_("Durée estimée (minutes)"), required=False, min_value=1, max_value=600
    )
    attachments = _attachments(_("Pièces jointes du travail"))
    delete = forms.BooleanField(label=_("Supprimer ce travail"), required=False)

    def clean(self):
        data = super().clean() or {}
        if data.get("delete"):
            return data
        if not (data.get("instructions") or "").strip():
            self.add_error("instructions", _("Écrivez le travail à faire."))
        if not data.get("due_date") and "due_date" not in self.errors:
            self.add_error("due_date", _("Indiquez pour quel jour."))
        return data


class BaseHomeworkFormSet(forms.BaseFormSet):
    session_date: dt.date | None = None

    def clean(self):
        super().clean()
        if any(self.errors) or self.session_date is None:
            return
        for form in self.forms:
            due = form.cleaned_data.get("due_date") if form.has_changed() else None
            if due is not None and not form.cleaned_data.get("delete") and due < self.session_date:
                form.add_error(
                    "due_date",
                    _("Le travail ne peut pas être pour avant la séance du %(date)s.")
                    % {"date": date_format(self.session_date, "DATE_FORMAT")},
                )


HomeworkFormSet = cast(
    type[BaseHomeworkFormSet],
    # absolute_max: a posted TOTAL_FORMS of 99999 would otherwise build (and show) a thousand forms.
    forms.formset_factory(HomeworkForm, formset=BaseHomeworkFormSet, extra=1, max_num=10, absolute_max=10),
)


class VisaForm(forms.Form):
    date = DateField(
        label=_("Séances visées jusqu'au"),
        required=False,
        help_text=_(
            "Les séances de ce jour et d'avant sont verrouillées ; les suivantes restent modifiables. "
            "Laissée vide : hier."
        ),
    )
    comment = forms.CharField(
        label=_("Observation (facultative)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
