from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cartable.feeds import csv_import
from cartable.feeds.models import ImportJob
from cartable.feeds.tabular import MAX_BYTES, TableError, read_table, too_big_message


class UploadForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Le fichier contient"),
        choices=ImportJob.Kind.choices,
        widget=forms.RadioSelect,
        initial=ImportJob.Kind.PUPILS,
    )
    file = forms.FileField(
        label=_("Fichier CSV ou XLSX"),
        help_text=_(
            "Une ligne d’en-têtes puis une ligne par personne. CSV séparé par des points-virgules, des "
            "virgules ou des tabulations (UTF-8 ou Windows), ou classeur Excel .xlsx ; %(size)s Mo au plus."
        )
        % {"size": MAX_BYTES // (1024 * 1024)},
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.xlsx,text/csv"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("file")
        if upload is None:
            return data
        if upload.size > MAX_BYTES:
            self.add_error("file", too_big_message())
            return data
        content = upload.read()
        try:
            data["table"] = read_table(content)
        except TableError as error:
            self.add_error("file", str(error))
            return data
        data["content"] = content
        return data


class MappingForm(forms.Form):
    """One choice of column per field the file may fill; a column feeds one field at most."""

    def __init__(self, job: ImportJob, headers: tuple[str, ...], *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.job = job
        choices = [("", _("— Pas dans le fichier —"))] + [
            (str(index), _("Colonne %(number)s : %(header)s") % {"number": index + 1, "header": header})
            for index, header in enumerate(headers)
        ]
        for f in csv_import.fields_of(job.kind):
            column = job.mapping.get(f.code)
            self.fields[f.code] = forms.ChoiceField(
                label=str(f.label),
                choices=choices,
                required=f.required,
                help_text=str(f.help),
                initial="" if column is None else str(column),
                error_messages={"required": _("Choisissez la colonne qui donne ce renseignement.")},
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        used: dict[str, str] = {}
        for code, value in list(data.items()):
            if value == "":
                continue
            if value in used:
                self.add_error(
                    code,
                    _("Cette colonne est déjà choisie pour « %(other)s ».")
                    % {"other": self.fields[used[value]].label},
                )
            else:
                used[value] = code
        return data

    def mapping(self) -> dict[str, int]:
        return {code: int(value) for code, value in self.cleaned_data.items() if value != ""}
