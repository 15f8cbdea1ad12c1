import pytest
from django.template import Context, Template
from django.utils import translation

from cartable.lib.french import begins_with_vowel, de


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Enzo", "d’Enzo"),
        ("Alice", "d’Alice"),
        ("Élise", "d’Élise"),
        ("éloïse", "d’éloïse"),
        ("Îlona", "d’Îlona"),
        ("Yves", "d’Yves"),
        # Y before a vowel is sounded as a consonant.
        ("Yanis", "de Yanis"),
        ("Yasmine", "de Yasmine"),
        ("Œdipe", "d’Œdipe"),
        ("Ugo", "d’Ugo"),
        ("Marie", "de Marie"),
        ("Bob", "de Bob"),
        # Every h is taken for a consonant: a silent h would need a list of names.
        ("Hugo", "de Hugo"),
        ("Hélène", "de Hélène"),
        ("6A", "de 6A"),
    ],
)
def test_de_elides_before_a_vowel_in_french(name, expected):
    with translation.override("fr"):
        assert de(name) == expected


def test_empty_and_odd_values_do_not_break():
    assert not begins_with_vowel("")
    assert not begins_with_vowel("  ")
    with translation.override("fr"):
        assert de("") == "de "
        assert de(None) == "de None"


def test_in_english_the_word_is_of():
    with translation.override("en"):
        assert de("Enzo") == "of Enzo"
        assert de("Marie") == "of Marie"


def test_template_filter_elides_and_escapes():
    template = Template("{% load french %}Le cahier {{ name|de }}")
    with translation.override("fr"):
        assert template.render(Context({"name": "Enzo"})) == "Le cahier d’Enzo"
        assert template.render(Context({"name": "Anna <b>"})) == "Le cahier d’Anna &lt;b&gt;"
        assert template.render(Context({"name": "Marie"})) == "Le cahier de Marie"
