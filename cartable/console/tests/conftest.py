import pytest
from django.urls import reverse

# A real SMTP server on 127.0.0.1 (aiosmtpd), as in the notifications' tests.
from cartable.notifications.tests.conftest import smtp  # noqa: F401


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
