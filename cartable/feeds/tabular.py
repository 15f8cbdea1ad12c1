"""Reading a spreadsheet an ADML uploads: CSV (any of ; , or tab, UTF-8 with or without BOM, UTF-16 with BOM,
Windows-1252 or Latin-1) or XLSX (through tablib). The result is plain text cells with their line numbers.

Everything that can go wrong with the file itself raises TableError with a sentence for the ADML.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time

import tablib
from django.utils.translation import gettext as _

from cartable.lib.errors import Refused

# A collège of 1,000 pupils with two guardians each fits well below these.
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 10_000
# An XLSX is a zip: what it holds once unpacked is bounded too, so that a small file cannot fill the memory.
MAX_XLSX_UNPACKED_BYTES = 60 * 1024 * 1024
DELIMITERS = (";", ",", "\t")
ZIP_MAGIC = b"PK\x03\x04"
# The old binary Excel format (.xls): an OLE2 compound file.
OLE2_MAGIC = b"\xd0\xcf\x11\xe0"


class TableError(Refused):
    """The file cannot be read; the reason says why and what to do (a refusal like any other)."""


@dataclass(frozen=True)
class Row:
    line: int  # line of the file (the header is line 1 when it comes first)
    cells: tuple[str, ...]

    def cell(self, index: int | None) -> str:
        if index is None or index >= len(self.cells):
            return ""
        return self.cells[index]


@dataclass(frozen=True)
class Table:
    headers: tuple[str, ...]
    rows: tuple[Row, ...]
    file_format: str  # "csv" or "xlsx"
    encoding: str = ""  # CSV only: how the bytes were read
    delimiter: str = ""  # CSV only

    @property
    def description(self) -> str:
        if self.file_format == "xlsx":
            return _("Classeur Excel (XLSX)")
        names = {";": _("point-virgule"), ",": _("virgule"), "\t": _("tabulation")}
        return _("Fichier CSV, séparateur %(delimiter)s, encodage %(encoding)s") % {
            "delimiter": names.get(self.delimiter, self.delimiter),
            "encoding": self.encoding,
        }


def read_table(content: bytes, *, rows_required: bool = True) -> Table:
    """The header row and the data rows of a CSV or XLSX file; empty rows are skipped. A file with a header
    only is refused, unless `rows_required` is off: the caller then says what is missing in its own words
    (after checking the header)."""
    if not content.strip():
        raise TableError(_("Le fichier est vide."))
    if len(content) > MAX_BYTES:
        raise TableError(too_big_message())
    if content.startswith(ZIP_MAGIC):
        return _read_xlsx(content, rows_required)
    if content.startswith(OLE2_MAGIC):
        raise TableError(
            _(
                "Ce classeur est à l’ancien format Excel (.xls). Enregistrez-le au format .xlsx ou .csv "
                "puis envoyez-le de nouveau."
            )
        )
    return _read_csv(content, rows_required)


def too_big_message() -> str:
    return _(
        "Le fichier dépasse %(size)s Mo : découpez-le (par exemple une classe ou un niveau par fichier)."
    ) % {"size": MAX_BYTES // (1024 * 1024)}


def decode(content: bytes) -> tuple[str, str]:
    """The text and the name of its encoding. UTF-8 first (strict: Latin-1 bytes are not valid UTF-8),
    then Windows-1252 (what Excel writes in France), then Latin-1, which accepts any byte."""
    if content.startswith(b"\xef\xbb\xbf"):
        return _strict(content[3:], "utf-8"), "UTF-8"
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _strict(content, "utf-16"), "UTF-16"
    for codec, label in (("utf-8", "UTF-8"), ("cp1252", "Windows-1252")):
        try:
            return content.decode(codec), label
        except UnicodeDecodeError:
            continue
    return content.decode("latin-1"), "Latin-1"


def _strict(content: bytes, codec: str) -> str:
    try:
        return content.decode(codec)
    except UnicodeDecodeError as error:
        raise TableError(
            _("Le fichier annonce l’encodage %(codec)s mais contient des caractères illisibles.")
            % {"codec": codec.upper()}
        ) from error


def guess_delimiter(text: str) -> str:
    """The separator found most often on the header line, quotes set aside (";" when none is found)."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    outside_quotes = first.split('"')[::2]
    counts = {d: sum(part.count(d) for part in outside_quotes) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ";"


def _read_csv(content: bytes, rows_required: bool) -> Table:
    text, encoding = decode(content)
    if "\x00" in text:
        raise TableError(_("Ce fichier n’est ni un CSV ni un classeur XLSX."))
    delimiter = guess_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar='"')
    try:
        records = [(reader.line_num, record) for record in reader]
    except csv.Error as error:
        raise TableError(
            _("Ligne %(line)s illisible : %(error)s") % {"line": reader.line_num, "error": error}
        ) from error
    return _table(
        [(line, [cell.strip() for cell in record]) for line, record in records],
        "csv",
        rows_required,
        encoding=encoding,
        delimiter=delimiter,
    )


def _read_xlsx(content: bytes, rows_required: bool) -> Table:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        unpacked = 0  # tablib says it better below
    if unpacked > MAX_XLSX_UNPACKED_BYTES:
        raise TableError(too_big_message())
    try:
        dataset = tablib.Dataset().load(content, format="xlsx", headers=False)
    except Exception as error:  # openpyxl raises many kinds of errors on a damaged file
        raise TableError(
            _("Ce classeur XLSX est illisible. Ouvrez-le et enregistrez-le de nouveau, ou envoyez un CSV.")
        ) from error
    records = [(index + 1, [_cell_text(v) for v in record]) for index, record in enumerate(dataset)]
    return _table(records, "xlsx", rows_required)


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):  # a time typed in a spreadsheet cell: "08:00", as it is written
        return value.strftime("%H:%M") if not value.second else value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _table(
    records: list[tuple[int, list[str]]], file_format: str, rows_required: bool, **details: str
) -> Table:
    non_empty = [(line, cells) for line, cells in records if any(cells)]
    if not non_empty:
        raise TableError(_("Le fichier est vide."))
    _header_line, headers = non_empty[0]
    data = non_empty[1:]
    if not data and rows_required:
        raise TableError(_("Le fichier n’a qu’une ligne d’en-têtes : aucune personne à importer."))
    if len(data) > MAX_ROWS:
        raise TableError(
            _("Le fichier a %(count)s lignes, au plus %(max)s sont acceptées : découpez-le.")
            % {"count": len(data), "max": MAX_ROWS}
        )
    while headers and not headers[-1]:
        headers = headers[:-1]
    if len(headers) < 2:
        raise TableError(
            _(
                "Une seule colonne a été trouvée. Les colonnes doivent être séparées par des "
                "points-virgules, des virgules ou des tabulations."
            )
        )
    return Table(
        headers=tuple(h or _("Colonne %(number)s") % {"number": i + 1} for i, h in enumerate(headers)),
        rows=tuple(Row(line=line, cells=tuple(cells)) for line, cells in data),
        file_format=file_format,
        **details,
    )
