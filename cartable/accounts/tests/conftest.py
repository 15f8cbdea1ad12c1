import pytest
from django.core.cache import cache

from tests.conftest import world  # noqa: F401  (the permission world fixture)


@pytest.fixture(autouse=True)
def _fresh_throttle_counters():
    # Login throttling counts in the cache: each test starts from zero.
    cache.clear()
    yield
    cache.clear()
