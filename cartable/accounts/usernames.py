"""Logins are `prenom.nom`, accents and punctuation stripped, de-duplicated with a number."""

import re
import unicodedata
from collections.abc import Callable, Iterable


def slug_part(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")


def base_username(first_name: str, last_name: str) -> str:
    first = slug_part(first_name) or "x"
    last = slug_part(last_name) or "x"
    return f"{first}.{last}"[:140]


def unique_username(first_name: str, last_name: str, taken: Callable[[str], bool]) -> str:
    """The first of prenom.nom, prenom.nom2, prenom.nom3 … that `taken` says is free."""
    base = base_username(first_name, last_name)
    candidate, number = base, 1
    while taken(candidate):
        number += 1
        candidate = f"{base}{number}"
    return candidate


def unique_usernames(names: Iterable[tuple[str, str]], existing: set[str]) -> list[str]:
    """Logins for many people at once (bulk imports): `existing` is updated in place."""
    result = []
    for first, last in names:
        login = unique_username(first, last, existing.__contains__)
        existing.add(login)
        result.append(login)
    return result
