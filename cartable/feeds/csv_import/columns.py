"""The spreadsheet import (cartable.feeds.csv_import): what a file may describe, and how its columns are
recognised."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from cartable.feeds.models import ImportJob
from cartable.feeds.onde import fold

Kind = ImportJob.Kind


# --- What a file may describe, and how its columns are recognised ---------------------------------------


@dataclass(frozen=True)
class Field:
    code: str
    label: str | Promise
    required: bool
    # Headers that name this field, compared normalised (see normalize_header).
    aliases: tuple[str, ...]
    help: str | Promise = ""


LAST_NAME = ("nom", "nom de famille", "nom d usage", "nom patronymique", "last name", "lastname", "surname")
FIRST_NAME = ("prenom", "prenom usuel", "first name", "firstname", "given name")
EMAIL = ("email", "e mail", "mail", "courriel", "adresse electronique", "adresse mail", "email address")

FIELDS: dict[str, tuple[Field, ...]] = {
    Kind.PUPILS: (
        Field(
            "last_name",
            gettext_lazy("Nom"),
            True,
            (*LAST_NAME, "nom eleve", "nom de l eleve", "student last name"),
        ),
        Field(
            "first_name",
            gettext_lazy("Prénom"),
            True,
            (*FIRST_NAME, "prenom eleve", "prenom de l eleve", "student first name"),
        ),
        Field(
            "birth_date",
            gettext_lazy("Date de naissance"),
            True,
            (
                "date de naissance",
                "date naissance",
                "naissance",
                "ne le",
                "nee le",
                "ne e le",
                "birth date",
                "birthdate",
                "date of birth",
                "dob",
            ),
            gettext_lazy("Par exemple 14/03/2015 ou 2015-03-14."),
        ),
        Field(
            "class_name",
            gettext_lazy("Classe"),
            True,
            ("classe", "division", "class", "form", "classe eleve"),
        ),
        Field("email", gettext_lazy("Adresse électronique"), False, EMAIL),
    ),
    Kind.GUARDIANS: (
        Field(
            "last_name",
            gettext_lazy("Nom du responsable"),
            True,
            (
                *LAST_NAME,
                "nom responsable",
                "nom du responsable",
                "nom representant",
                "nom parent",
                "guardian last name",
                "parent last name",
            ),
        ),
        Field(
            "first_name",
            gettext_lazy("Prénom du responsable"),
            True,
            (
                *FIRST_NAME,
                "prenom responsable",
                "prenom du responsable",
                "prenom representant",
                "prenom parent",
                "guardian first name",
                "parent first name",
            ),
        ),
        Field(
            "email",
            gettext_lazy("Adresse électronique"),
            False,
            (*EMAIL, "courriel responsable", "email responsable"),
        ),
        Field(
            "relationship",
            gettext_lazy("Lien avec l’élève"),
            False,
            ("lien", "lien de parente", "lien avec l eleve", "qualite", "relation", "relationship"),
            gettext_lazy("Mère, père, tuteur… (facultatif)."),
        ),
        Field(
            "pupil_last_name",
            gettext_lazy("Nom de l’élève"),
            True,
            (
                "nom eleve",
                "nom de l eleve",
                "nom enfant",
                "nom de l enfant",
                "student last name",
                "pupil last name",
                "child last name",
            ),
        ),
        Field(
            "pupil_first_name",
            gettext_lazy("Prénom de l’élève"),
            True,
            (
                "prenom eleve",
                "prenom de l eleve",
                "prenom enfant",
                "prenom de l enfant",
                "student first name",
                "pupil first name",
                "child first name",
            ),
        ),
        Field(
            "pupil_class",
            gettext_lazy("Classe de l’élève"),
            True,
            (
                "classe",
                "classe eleve",
                "classe de l eleve",
                "classe enfant",
                "division",
                "class",
                "student class",
            ),
        ),
    ),
    Kind.STAFF: (
        Field("last_name", gettext_lazy("Nom"), True, LAST_NAME),
        Field("first_name", gettext_lazy("Prénom"), True, FIRST_NAME),
        Field(
            "profile",
            gettext_lazy("Profil ou fonction"),
            True,
            ("profil", "profile", "statut", "type", "role", "fonction", "function", "poste", "job title"),
            gettext_lazy(
                "Enseignant, personnel, ou une fonction : direction, CPE, documentaliste, secrétariat…"
            ),
        ),
        Field(
            "functions",
            gettext_lazy("Fonctions"),
            False,
            ("fonctions", "functions", "fonctions ent", "missions"),
            gettext_lazy("Facultatif ; plusieurs fonctions séparées par des virgules."),
        ),
        Field("email", gettext_lazy("Adresse électronique"), False, EMAIL),
    ),
}


def fields_of(kind: str) -> tuple[Field, ...]:
    return FIELDS[kind]


def normalize_header(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", fold(text).lower()).split())


def guess_mapping(kind: str, headers: tuple[str, ...] | list[str]) -> dict[str, int]:
    """{field code: column index} from the headers: an exact name first, then the header that contains the
    longest name of the field ("Nom de famille de l'élève" is the pupil's name, not the guardian's)."""
    normalized = [normalize_header(h) for h in headers]
    candidates: list[tuple[int, int, int, str]] = []  # (-score, field position, column, field)
    for position, f in enumerate(fields_of(kind)):
        for column, header in enumerate(normalized):
            words = set(header.split())
            best = 0
            for alias in f.aliases:
                if header == alias:
                    best = max(best, 1000 + len(alias))
                elif alias and set(alias.split()) <= words:
                    best = max(best, len(alias))
            if best:
                candidates.append((-best, position, column, f.code))
    mapping: dict[str, int] = {}
    used: set[int] = set()
    for _score, _position, column, code in sorted(candidates):
        if code not in mapping and column not in used:
            mapping[code] = column
            used.add(column)
    return mapping
