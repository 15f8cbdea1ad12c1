"""Reading the spreadsheets an ADML uploads, and recognising their columns (no database)."""

import datetime as dt

import pytest
import tablib
from django.utils import translation

from cartable.feeds import csv_import
from cartable.feeds.models import ImportJob
from cartable.feeds.tabular import (
    MAX_ROWS,
    MAX_XLSX_UNPACKED_BYTES,
    TableError,
    decode,
    guess_delimiter,
    read_table,
)


@pytest.fixture(autouse=True)
def _in_french():
    """Messages are checked in French, whatever language an earlier test left active in this thread."""
    with translation.override("fr"):
        yield


PUPILS = "Nom;Prénom;Date de naissance;Classe\nMartin;Éloïse;14/03/2015;6A\nDurand;Noël;02/07/2015;6A\n"


@pytest.mark.parametrize(
    ("content", "encoding"),
    [
        (PUPILS.encode("utf-8"), "UTF-8"),
        (b"\xef\xbb\xbf" + PUPILS.encode("utf-8"), "UTF-8"),
        (PUPILS.encode("cp1252"), "Windows-1252"),
        (PUPILS.encode("utf-16"), "UTF-16"),
    ],
)
def test_encodings_are_detected_and_accents_kept(content, encoding):
    table = read_table(content)
    assert table.encoding == encoding
    assert table.headers == ("Nom", "Prénom", "Date de naissance", "Classe")
    assert [row.cells[1] for row in table.rows] == ["Éloïse", "Noël"]
    # The BOM never sticks to the first header.
    assert table.headers[0] == "Nom"


def test_latin1_bytes_undefined_in_windows_1252_still_read():
    # 0x81 is not a Windows-1252 character: only Latin-1 reads it.
    text, encoding = decode("Nom;Prénom\nA\x81b;Zoé\n".encode("latin-1"))
    assert encoding == "Latin-1"
    assert "Zoé" in text


@pytest.mark.parametrize("delimiter", [";", ",", "\t"])
def test_separators(delimiter):
    content = PUPILS.replace(";", delimiter).encode()
    table = read_table(content)
    assert table.delimiter == delimiter
    assert table.rows[0].cells == ("Martin", "Éloïse", "14/03/2015", "6A")


def test_quoted_separator_inside_a_cell_is_not_a_column():
    assert guess_delimiter('"Nom; complet",Prénom,Classe\n') == ","
    table = read_table('Nom,Prénom,Classe\n"Martin, dit Tintin",Léo,6A\r\n'.encode())
    assert table.rows[0].cells == ("Martin, dit Tintin", "Léo", "6A")


def test_line_numbers_and_empty_rows():
    table = read_table(b"\nNom;Prenom\n\nMartin;Alice\n;\nDurand;Bob\n")
    assert [row.line for row in table.rows] == [4, 6]


def test_xlsx_through_tablib_with_dates_and_numbers():
    data = tablib.Dataset(headers=["Nom", "Prénom", "Date de naissance", "Classe", "Numéro"])
    data.append(["Martin", "Zoé", dt.datetime(2015, 3, 4), "6A", 12.0])  # noqa: DTZ001 (spreadsheet cells have no time zone)
    data.append([None, None, None, None, None])
    data.append(["Durand", "Bob", "02/07/2015", "6A", None])
    table = read_table(data.export("xlsx"))
    assert table.file_format == "xlsx"
    assert table.headers == ("Nom", "Prénom", "Date de naissance", "Classe", "Numéro")
    assert table.rows[0].cells == ("Martin", "Zoé", "2015-03-04", "6A", "12")
    assert table.rows[1].line == 4
    assert table.rows[1].cells[4] == ""


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "vide"),
        (b"Nom;Prenom\n", "en-têtes"),
        (b"\xd0\xcf\x11\xe0rest of an old xls", ".xls"),
        (b"PK\x03\x04not really a workbook", "illisible"),
        (b"Nom Prenom Classe\nMartin Alice 6A\n", "Une seule colonne"),
    ],
)
def test_unreadable_files_get_a_clear_message(content, message):
    with pytest.raises(TableError, match=message):
        read_table(content)


def test_xlsx_that_unpacks_to_a_huge_file_is_refused():
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (MAX_XLSX_UNPACKED_BYTES + 1))
    assert len(buffer.getvalue()) < 1024 * 1024
    with pytest.raises(TableError, match="dépasse"):
        read_table(buffer.getvalue())


def test_too_many_rows():
    content = ("Nom;Prenom\n" + "Martin;Alice\n" * (MAX_ROWS + 1)).encode()
    with pytest.raises(TableError, match="lignes"):
        read_table(content)


@pytest.mark.parametrize(
    ("kind", "headers", "expected"),
    [
        (
            ImportJob.Kind.PUPILS,
            ["NOM", "Prénom", "Date de naissance", "Classe", "Courriel"],
            {"last_name": 0, "first_name": 1, "birth_date": 2, "class_name": 3, "email": 4},
        ),
        (
            ImportJob.Kind.PUPILS,
            ["Last name", "First name", "Date of birth", "Class", "E-mail"],
            {"last_name": 0, "first_name": 1, "birth_date": 2, "class_name": 3, "email": 4},
        ),
        (
            ImportJob.Kind.PUPILS,
            ["Nom Elève", "Prénom Elève", "Date naissance", "Division", "Sexe"],
            {"last_name": 0, "first_name": 1, "birth_date": 2, "class_name": 3},
        ),
        (
            ImportJob.Kind.GUARDIANS,
            [
                "Nom responsable",
                "Prénom responsable",
                "Mail",
                "Nom de l'élève",
                "Prénom de l'élève",
                "Classe",
            ],
            {
                "last_name": 0,
                "first_name": 1,
                "email": 2,
                "pupil_last_name": 3,
                "pupil_first_name": 4,
                "pupil_class": 5,
            },
        ),
        (
            ImportJob.Kind.GUARDIANS,
            ["Nom", "Prénom", "Nom élève", "Prénom élève", "Classe élève", "Lien de parenté", "Téléphone"],
            {
                "last_name": 0,
                "first_name": 1,
                "pupil_last_name": 2,
                "pupil_first_name": 3,
                "pupil_class": 4,
                "relationship": 5,
            },
        ),
        (
            ImportJob.Kind.STAFF,
            ["Nom", "Prénom", "Fonction", "Email"],
            {"last_name": 0, "first_name": 1, "profile": 2, "email": 3},
        ),
    ],
)
def test_header_guessing(kind, headers, expected):
    assert csv_import.guess_mapping(kind, headers) == expected


def test_a_column_feeds_one_field_only():
    mapping = csv_import.guess_mapping(ImportJob.Kind.PUPILS, ["Nom", "Nom", "Prénom"])
    assert mapping == {"last_name": 0, "first_name": 2}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("14/03/2015", dt.date(2015, 3, 14)),
        ("2015-03-14", dt.date(2015, 3, 14)),
        ("14-03-2015", dt.date(2015, 3, 14)),
        ("14.03.2015", dt.date(2015, 3, 14)),
    ],
)
def test_dates(text, expected):
    assert csv_import.parse_date(text) == expected


@pytest.mark.parametrize("text", ["31/02/2015", "14/03/15", "demain", "01/01/1850", "01/01/2999"])
def test_bad_dates(text):
    with pytest.raises(ValueError):
        csv_import.parse_date(text)


def test_class_names_compare_without_accents_case_or_spaces():
    assert csv_import.class_key("6ème A") == csv_import.class_key("6EME-A") == csv_import.class_key("6emea")
    assert csv_import.class_key("6A") != csv_import.class_key("6ème A")
