"""Classes in school order (cartable.directory.ordering), whatever the feed named them."""

from dataclasses import dataclass

import pytest

from cartable.directory.ordering import in_school_order, level_of


@dataclass
class Named:
    name: str
    level: str = ""


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("PS", "PS"),
        ("TPS", "TPS"),
        ("GS B", "GS"),
        ("CE1-CE2", "CE1"),
        ("cm2", "CM2"),
        ("6A", "6e"),
        ("6ème B", "6e"),
        ("6EME1", "6e"),
        ("601", "6e"),
        ("5e", "5e"),
        ("3 A", "3e"),
        ("Troisième 2", "3e"),
        ("2NDE3", "2de"),
        ("Seconde 4", "2de"),
        ("1re G", "1re"),
        ("1ERE STMG", "1re"),
        ("Tle 2", "Tle"),
        ("TS1", "Tle"),
        ("Terminale", "Tle"),
        ("ULIS", None),
        ("Théâtre", None),
        ("12", None),
        ("7A", None),
        ("", None),
    ],
)
def test_level_of_a_name_or_level(text, level):
    assert level_of(text) == level


def test_school_order_from_the_petite_section_to_the_terminale_then_the_others():
    names = [
        "Tle 1",
        "ULIS",
        "CM1",
        "2de A",
        "6B",
        "PS",
        "3A",
        "CP",
        "5A",
        "1re",
        "GS",
        "6A",
        "CE2",
        "MS",
        "Atelier",
    ]
    ordered = [g.name for g in in_school_order([Named(n) for n in names])]
    assert ordered == [
        "PS", "MS", "GS", "CP", "CE2", "CM1", "6A", "6B", "5A", "3A",
        "2de A", "1re", "Tle 1", "Atelier", "ULIS",
    ]  # fmt: skip


def test_the_level_wins_over_the_name_and_names_sort_naturally():
    groups = [
        Named("Les lutins", "CP"),
        Named("Les dauphins", "PS"),
        Named("610"),
        Named("602"),
        Named("6B", "6e"),
    ]
    ordered = [g.name for g in in_school_order(groups)]
    assert ordered == ["Les dauphins", "Les lutins", "6B", "602", "610"]
