import pytest

from tests.world import build_world


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture
def url_a(world):
    """A console URL of school A: url_a("people") or url_a("person", person_id)."""
    from django.urls import reverse

    def build(name: str, *args):
        return reverse(f"console:{name}", args=[world.school_a.uai, *args])

    return build
