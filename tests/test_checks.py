"""Start-up checks: production without a shared cache is flagged."""

from cartable.accounts.checks import shared_cache_in_production


def test_production_without_redis_is_warned(settings):
    settings.DEBUG = False
    settings.REDIS_URL = ""
    assert [w.id for w in shared_cache_in_production(None)] == ["cartable.W001"]


def test_production_with_redis_or_local_demo_is_fine(settings):
    settings.DEBUG = False
    settings.REDIS_URL = "redis://127.0.0.1:6379/0"
    assert shared_cache_in_production(None) == []
    settings.DEBUG = True
    settings.REDIS_URL = ""
    assert shared_cache_in_production(None) == []
