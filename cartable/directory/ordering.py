"""Classes in the order a school reads them: from the petite section to the terminale, then the others.

"CE1" sorts before "CM2" and "6e" before "3e", which neither an alphabetical order ("3A" first) nor the
order of the database does. The level comes from the class's `level` when it is one we know, else from the
start of its name: AAF feeds give no level, and name classes "6A", "6EME1", "601", "2NDE3", "TS2" or
"1re G"; ONDE names them "CE1", "CE1-CE2", "CM2 B". Within a level, and among classes of no known level,
names sort naturally ("6B" before "6C", "602" before "610"). Every page listing classes uses this.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Protocol

# The school order. "TPS" (toute petite section) comes before the petite section.
LEVELS = (
    "TPS",
    "PS",
    "MS",
    "GS",
    "CP",
    "CE1",
    "CE2",
    "CM1",
    "CM2",
    "6e",
    "5e",
    "4e",
    "3e",
    "2de",
    "1re",
    "Tle",
)
OTHER = len(LEVELS)

# Primary levels at the start of a folded name (no accents, lower case, no spaces): the longest first, so
# that "tps" is not read as "ps". A letter right after the level ("cpa"?) is allowed: "CPA" is a CP.
_PRIMARY = [(code, code.lower()) for code in sorted(LEVELS[:9], key=len, reverse=True)]
_SECONDARY_WORDS = {
    "sixieme": "6e",
    "cinquieme": "5e",
    "quatrieme": "4e",
    "troisieme": "3e",
    "seconde": "2de",
    "premiere": "1re",
    "terminale": "Tle",
}
# A leading 1 to 6 not followed by another digit of a number over 6 ("6A", "6eme1", "601", "2nde", "1re").
_DIGIT_LEVEL = {"6": "6e", "5": "5e", "4": "4e", "3": "3e", "2": "2de", "1": "1re"}
# Terminale: "Tle", "Term", "T1", "T 2", "TS1", "TES", "TL", "TG2", "TSTMG".
_TERMINALE = re.compile(r"^(tle|term|t(?=[\d\-_ ]|$)|t(s|es|l|g|stmg|sti2d|st2s)(?=[\d\-_ ]|$))")
_NUMBER = re.compile(r"(\d+)")


class Named(Protocol):
    name: str
    level: str


def fold(text: str) -> str:
    """Lower case, without accents, spaces collapsed: " 6ème  A" -> "6eme a"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).lower().split())


def level_of(text: str) -> str | None:
    """The level a class's level or name stands for ("6EME2" -> "6e", "CE1-CE2" -> "CE1"), or None."""
    folded = fold(text)
    if not folded:
        return None
    compact = folded.replace(" ", "")
    for code, prefix in _PRIMARY:
        if compact.startswith(prefix) and not compact[len(prefix) : len(prefix) + 1].isdigit():
            return code
    for word, code in _SECONDARY_WORDS.items():
        if compact.startswith(word):
            return code
    if _TERMINALE.match(folded):
        return "Tle"
    first = compact[0]
    if first in _DIGIT_LEVEL:
        following = _NUMBER.match(compact)
        number = following.group(1) if following else first
        # "6", "6e", "601" (a 6e in many collèges), but not "12" nor "7A".
        if len(number) == 1 or len(number) == 3:
            return _DIGIT_LEVEL[first]
    return None


def level_rank(level: str, name: str = "") -> int:
    """Where a class of this level (or, when the level says nothing, of this name) comes: 0 for TPS up to
    OTHER for a class of no known level."""
    found = level_of(level) or level_of(name)
    return LEVELS.index(found) if found is not None else OTHER


def natural_key(name: str) -> tuple:
    """ "6B" < "6C" and "602" < "610", without accents or case mattering."""
    return tuple(int(part) if part.isdigit() else part for part in _NUMBER.split(fold(name)))


def class_sort_key(group: Named) -> tuple:
    return (level_rank(group.level, group.name), natural_key(group.name))


def in_school_order[T: Named](groups: Iterable[T]) -> list[T]:
    """The classes (or anything with a `name` and a `level`) in school order: PS, MS, GS, CP … CM2, 6e … 3e,
    2de, 1re, Tle, then the others by name."""
    return sorted(groups, key=class_sort_key)
