import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.world import build_world


@pytest.fixture
def world(db):
    world = build_world()
    # The platform admin must pass the second factor too (rule C6);
    # the shared world gives devices to staff only.
    world.devices.setdefault(
        "root", TOTPDevice.objects.create(user=world.users["root"], name="world", confirmed=True)
    )
    return world
