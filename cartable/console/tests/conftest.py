import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.world import build_world


@pytest.fixture
def world(db):
    w = build_world()
    # The platform admin must pass the second factor too (rule C6); the shared world gives devices to school
    # staff only, so the console's tests give one to root.
    if "root" not in w.devices:
        w.devices["root"] = TOTPDevice.objects.create(user=w.users["root"], name="world", confirmed=True)
    return w


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
