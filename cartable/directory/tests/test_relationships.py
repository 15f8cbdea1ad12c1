"""Family links read in the reader's language: AAF codes as words, unknown codes not at all."""

import pytest
from django.utils import translation

from cartable.directory.models import Guardianship

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("raw", "french", "english"),
    [
        ("10", "mère", "mother"),
        ("20", "père", "father"),
        ("Grand-mère", "grand-mère", "grandmother"),
        ("Oncle", "Oncle", "Oncle"),  # a word typed in the console stays as typed
        ("37", "", ""),  # a code we cannot name: nothing rather than a number
        ("", "", ""),
    ],
)
def test_relationship_labels(raw, french, english):
    link = Guardianship(relationship=raw)
    with translation.override("fr"):
        assert link.relationship_label == french
    with translation.override("en"):
        assert link.relationship_label == english


def test_my_data_names_the_link_of_an_aaf_import(client, world):
    Guardianship.objects.filter(relative=world.person("marie"), student=world.person("alice")).update(
        relationship="10"
    )
    world.login(client, "marie")
    page = client.get("/me").content.decode()
    assert "(mère)" in page and "(10)" not in page
