"""Reading the ONDE / BE1D CSV extraction of a primary school.

The extraction is three files (pupils, teachers, guardians), Latin-1, `;`-separated, quoted, with French
headers. Headers are matched after stripping spaces (the real pupils file has " Cycle"). The guardians
file repeats the same four headers once per child (up to three children per row), so rows are read by
position, not with a DictReader.
"""

from __future__ import annotations

import csv
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

ENCODING = "latin-1"
DELIMITER = ";"

PUPILS_FILE = "eleves"
TEACHERS_FILE = "enseignants"
GUARDIANS_FILE = "responsables"


class OndeFormatError(Exception):
    """A file that cannot be read at all (missing required column)."""


def normalize_header(header: str) -> str:
    return " ".join(header.split()).lower()


def fold(text: str) -> str:
    """Names compared across files: accents, case and spacing do not count ("Eléa" = "ELEA")."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return " ".join(ascii_text.replace("-", " ").replace("'", " ").split()).upper()


def yes_no(value: str) -> bool | None:
    value = value.strip().lower()
    if value in {"oui", "o", "yes", "1", "vrai"}:
        return True
    if value in {"non", "n", "no", "0", "faux"}:
        return False
    return None


def parse_date(value: str) -> date:
    """ONDE writes yyyy-mm-dd; some extractions use dd/mm/yyyy. ValueError otherwise."""
    value = value.strip()
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(value, pattern).date()  # noqa: DTZ007 (only the date is kept)
        except ValueError:
            continue
    raise ValueError(value)


def read_rows(path: Path) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """Normalized headers, and the data rows with their line number in the file (header = line 1)."""
    handle = path.open(encoding=ENCODING, newline="")
    reader = csv.reader(handle, delimiter=DELIMITER, quotechar='"')
    try:
        headers = [normalize_header(h) for h in next(reader)]
    except StopIteration:
        handle.close()
        return [], iter(())

    def rows() -> Iterator[tuple[int, list[str]]]:
        with handle:
            for row in reader:
                if not any(cell.strip() for cell in row):
                    continue
                yield reader.line_num, [cell.strip() for cell in row]

    return headers, rows()


def find_file(directory: Path, kind: str) -> Path | None:
    """The extraction file of one kind (CSVExtraction-eleves.csv …), whatever its exact prefix."""
    matches = sorted(
        p for p in directory.iterdir() if p.suffix.lower() == ".csv" and kind in fold(p.name).lower()
    )
    return matches[0] if matches else None


class _Columns:
    def __init__(self, headers: list[str], path: Path) -> None:
        self.headers = headers
        self.path = path

    def index(self, *names: str, required: bool = False) -> int | None:
        for name in names:
            key = normalize_header(name)
            if key in self.headers:
                return self.headers.index(key)
        if required:
            raise OndeFormatError(f"{self.path.name} : colonne « {names[0]} » absente")
        return None


def _cell(row: list[str], index: int | None) -> str:
    if index is None or index >= len(row):
        return ""
    return row[index]


@dataclass
class PupilRow:
    line: int
    last_name: str
    usage_name: str
    first_name: str
    birth_date_text: str
    level: str
    class_name: str
    image_rights: bool | None


def read_pupils(path: Path) -> Iterator[PupilRow]:
    headers, rows = read_rows(path)
    cols = _Columns(headers, path)
    last = cols.index("Nom Elève", "Nom Élève", "Nom", required=True)
    usage = cols.index("Nom d'usage Elève", "Nom d'usage Élève", "Nom d'usage")
    first = cols.index("Prénom Elève", "Prénom Élève", "Prénom", required=True)
    birth = cols.index("Date naissance", "Date de naissance")
    level = cols.index("Niveau")
    klass = cols.index("Classe", required=True)
    photos = cols.index("Autorisations photos", "Autorisation photos", "Autorisation photo")
    for line, row in rows:
        yield PupilRow(
            line=line,
            last_name=_cell(row, last),
            usage_name=_cell(row, usage),
            first_name=_cell(row, first),
            birth_date_text=_cell(row, birth),
            level=_cell(row, level),
            class_name=_cell(row, klass),
            image_rights=yes_no(_cell(row, photos)),
        )


@dataclass
class TeacherRow:
    line: int
    last_name: str
    usage_name: str
    first_name: str
    email: str
    director: bool
    class_name: str


def read_teachers(path: Path) -> Iterator[TeacherRow]:
    headers, rows = read_rows(path)
    cols = _Columns(headers, path)
    last = cols.index("Nom", required=True)
    usage = cols.index("Nom usage", "Nom d'usage")
    first = cols.index("Prénom", required=True)
    email = cols.index("Courriel", "Email")
    director = cols.index("Directeur")
    klass = cols.index("Classe")
    for line, row in rows:
        yield TeacherRow(
            line=line,
            last_name=_cell(row, last),
            usage_name=_cell(row, usage),
            first_name=_cell(row, first),
            email=_cell(row, email),
            director=yes_no(_cell(row, director)) is True,
            class_name=_cell(row, klass),
        )


@dataclass
class ChildRef:
    last_name: str = ""
    usage_name: str = ""
    first_name: str = ""
    class_name: str = ""
    birth_date_text: str = ""


@dataclass
class GuardianRow:
    line: int
    civility: str
    last_name: str
    usage_name: str
    first_name: str
    address: str
    postcode: str
    city: str
    email: str
    legal_guardian: bool | None
    relationship: str
    children: list[ChildRef] = field(default_factory=list)


# The headers of one child block; a header seen again starts the next block.
_CHILD_FIELDS = {
    "nom d'usage enfant": "usage_name",
    "nom de famille enfant": "last_name",
    "nom enfant": "last_name",
    "prénom enfant": "first_name",
    "classes enfants": "class_name",
    "classe enfant": "class_name",
    "date naissance enfant": "birth_date_text",
    "date de naissance enfant": "birth_date_text",
}


def _child_blocks(headers: list[str]) -> list[dict[str, int]]:
    blocks: list[dict[str, int]] = []
    current: dict[str, int] = {}
    for index, header in enumerate(headers):
        attr = _CHILD_FIELDS.get(header)
        if attr is None:
            continue
        if attr in current:
            blocks.append(current)
            current = {}
        current[attr] = index
    if current:
        blocks.append(current)
    return blocks


def read_guardians(path: Path) -> Iterator[GuardianRow]:
    headers, rows = read_rows(path)
    cols = _Columns(headers, path)
    civility = cols.index("Civilité Responsable", "Civilité")
    usage = cols.index("Nom usage responsable", "Nom d'usage responsable")
    last = cols.index("Nom responsable", required=True)
    first = cols.index("Prénom responsable", required=True)
    address = cols.index("Adresse responsable", "Adresse")
    postcode = cols.index("CP responsable", "CP")
    city = cols.index("Commune responsable", "Commune")
    email = cols.index("Courriel", "Courriel responsable")
    legal = cols.index("Responsable légal", "Représentant légal")
    relationship = cols.index("Lien", "Lien avec l'enfant", "Lien de parenté")
    blocks = _child_blocks(headers)
    for line, row in rows:
        children = []
        for block in blocks:
            values = {attr: _cell(row, index) for attr, index in block.items()}
            if not (values.get("last_name") or values.get("usage_name")) and not values.get("first_name"):
                continue
            children.append(ChildRef(**values))
        yield GuardianRow(
            line=line,
            civility=_cell(row, civility),
            last_name=_cell(row, last),
            usage_name=_cell(row, usage),
            first_name=_cell(row, first),
            address=_cell(row, address),
            postcode=_cell(row, postcode),
            city=_cell(row, city),
            email=_cell(row, email),
            legal_guardian=yes_no(_cell(row, legal)),
            relationship=_cell(row, relationship),
            children=children,
        )
