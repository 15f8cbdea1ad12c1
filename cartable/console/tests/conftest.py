import pytest
from django.urls import reverse


@pytest.fixture
def url_a(world):
    """A console URL of school A: url_a("people") or url_a("person", person_id)."""

    def build(name: str, *args):
        return reverse(f"console:{name}", args=[world.school_a.uai, *args])

    return build


@pytest.fixture
def client_factory():
    """A second browser, e.g. the person whose account the admin is changing."""
    from django.test import Client

    return Client
