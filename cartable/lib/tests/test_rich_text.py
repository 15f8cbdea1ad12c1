"""Plain text typed by a teacher becomes safe HTML, and comes back as the same text in the edit form."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cartable.lib.rich_text import editable, rich_text


@pytest.mark.parametrize(
    "typed",
    [
        "Les fractions.",
        "Voir https://fr.wikipedia.org/wiki/Fraction_(math%C3%A9matiques) et www.exemple.fr/page",
        "Ligne 1\nLigne 2\n\nDeuxième paragraphe : 3 < 5 & 7 > 2",
        "Écrire à prof@example.fr",
    ],
)
def test_plain_text_round_trips(typed):
    html = rich_text(typed)
    assert "<p>" in html
    assert editable(html) == typed


def test_links_open_safely_and_scripts_go():
    html = rich_text("Voir https://exemple.fr <script>alert(1)</script>")
    assert "<script" not in html
    html = rich_text("Voir https://exemple.fr")
    assert 'rel="noopener noreferrer nofollow"' in html


def test_html_written_by_the_teacher_stays_html_in_the_form():
    html = rich_text("<p>Lire <strong>tout</strong> le chapitre, <a href='https://exemple.fr'>ici</a></p>")
    assert editable(html) == html


@settings(max_examples=60, deadline=None)
@given(
    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from("\n<>&"), max_size=60)
)
def test_any_plain_text_comes_back_or_stays_safe(typed):
    html = rich_text(typed)
    back = editable(html)
    assert rich_text(back) == html  # saving the form again changes nothing
