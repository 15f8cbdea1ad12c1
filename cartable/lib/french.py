"""French elision of "de" before a name: "le cahier d’Enzo", "les parents d’Élise", but "de Marie".

A first name can begin with a vowel, so a sentence written "de %(name)s" would read "de Enzo". The rule is
kept simple: a vowel (accented or not, and y before a consonant) elides; every h counts as a consonant
("de Hugo"), since telling a silent h from an aspirated one needs a dictionary of names. In another language
than French the word is "of" and the translation writes its own sentence around it.
"""

from __future__ import annotations

import unicodedata

from django import template
from django.utils.translation import get_language

VOWELS = frozenset("aeiouy")
# "Œ" and "Æ" do not decompose into a plain letter and an accent.
LIGATURES = frozenset("œæ")

register = template.Library()


def begins_with_vowel(word: str) -> bool:
    text = (word or "").lstrip(" \"'«“(")
    if not text:
        return False
    first = text[0].casefold()
    if first in LIGATURES:
        return True
    base = _plain(first)
    if base == "y":
        # Before a vowel, y is sounded as a consonant: "de Yanis", "de Yasmine", but "d’Yves".
        return len(text) > 1 and _plain(text[1].casefold()) not in VOWELS
    return base in VOWELS


def _plain(letter: str) -> str:
    """The letter without its accent."""
    return unicodedata.normalize("NFD", letter)[0]


def french_active() -> bool:
    return (get_language() or "fr").split("-")[0] == "fr"


def de(name: object) -> str:
    """ "d’Enzo", "d’Élise", "de Marie" in French; "of Enzo" in another language."""
    text = str(name)
    if not french_active():
        return f"of {text}"
    return f"d’{text}" if begins_with_vowel(text) else f"de {text}"


@register.filter(name="de")
def de_filter(name: object) -> str:
    """{{ child.first_name|de }} → "d’Alice" (escaped by the template like any value)."""
    return de(name)
