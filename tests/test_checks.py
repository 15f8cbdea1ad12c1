"""Start-up checks: production without a shared cache is refused, production without Redis is warned."""

from cartable.accounts.checks import shared_cache_in_production

LOCAL = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
DATABASE = {
    "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "cartable_cache"}
}


def test_production_with_a_cache_of_each_process_is_an_error(settings):
    settings.DEBUG = False
    settings.REDIS_URL = ""
    settings.CACHES = LOCAL
    errors = shared_cache_in_production(None)
    assert [e.id for e in errors] == ["cartable.E001"]
    assert errors[0].is_serious()


def test_production_on_the_database_cache_is_warned(settings):
    settings.DEBUG = False
    settings.REDIS_URL = ""
    settings.CACHES = DATABASE
    assert [w.id for w in shared_cache_in_production(None)] == ["cartable.W001"]
    assert not shared_cache_in_production(None)[0].is_serious()


def test_the_default_cache_is_shared_by_every_process():
    """Without REDIS_URL, the settings give the database cache, not one cache per process."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    code = "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])"
    out = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env={**env, "DJANGO_SETTINGS_MODULE": "cartable.settings"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "django.core.cache.backends.db.DatabaseCache"


def test_production_with_redis_or_local_demo_is_fine(settings):
    settings.DEBUG = False
    settings.REDIS_URL = "redis://127.0.0.1:6379/0"
    settings.CACHES = {"default": {"BACKEND": "cartable.lib.cache.RedisCache", "LOCATION": "redis://x"}}
    assert shared_cache_in_production(None) == []
    settings.DEBUG = True
    settings.REDIS_URL = ""
    settings.CACHES = LOCAL
    assert shared_cache_in_production(None) == []
