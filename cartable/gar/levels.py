"""The national codes of the levels Cartable's classes name ("6e", "CP"): the GAR files name a pupil's level
by its MEF code (11 characters, second degree) or its MEFSTAT4 code (4 characters, first degree), from the
BCN nomenclatures. A level found in neither table is exported without a MEF (the element is optional)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Mef:
    code: str
    label: str


# Second degree: the collège's general MEFs (nomenclature N_MEF of the BCN). A class whose level is already
# a MEF code (11 digits, as the AAF gives it) keeps it.
MEF_2D: dict[str, Mef] = {
    "6e": Mef("10010012110", "6EME"),
    "5e": Mef("10110001110", "5EME"),
    "4e": Mef("10210001110", "4EME"),
    "3e": Mef("10310019110", "3EME"),
}

# First degree: no code is filled in until it is checked against the BCN's N_MEF_STAT_4 for the académie's
# ONDE extraction; a class whose level is already a 4-digit code keeps it.
MEFSTAT4_1D: dict[str, str] = {}


def mef_2d(level: str) -> Mef | None:
    level = level.strip()
    if level in MEF_2D:
        return MEF_2D[level]
    if len(level) == 11 and level.isdigit():
        return Mef(level, level)
    return None


def mefstat4_1d(level: str) -> str | None:
    level = level.strip()
    if level in MEFSTAT4_1D:
        return MEFSTAT4_1D[level]
    if len(level) == 4 and level.isdigit():
        return level
    return None
