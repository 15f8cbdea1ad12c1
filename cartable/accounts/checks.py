"""Start-up checks for a production deployment."""

from django.conf import settings
from django.core.checks import Error, Warning, register

# Backends whose entries live in one process only: another process never sees what they hold.
PROCESS_LOCAL_CACHES = frozenset(
    {
        "django.core.cache.backends.locmem.LocMemCache",
        "django.core.cache.backends.dummy.DummyCache",
    }
)


@register()
def shared_cache_in_production(app_configs, **kwargs):
    """Login throttling, sessions and the version numbers of the cached facts must be shared by every process
    (web servers, task workers, import commands): a cache local to each process would let each process count
    failed logins on its own and keep serving access facts that another process has changed."""
    if settings.DEBUG:
        return []
    backends = {alias: config["BACKEND"] for alias, config in settings.CACHES.items()}
    local = sorted(alias for alias, backend in backends.items() if backend in PROCESS_LOCAL_CACHES)
    if local:
        return [
            Error(
                f"The cache {', '.join(local)} is local to each process: version bumps made by one process "
                "(a task, an import) never reach the others, which keep serving stale access facts.",
                hint="Set REDIS_URL, or leave CACHES to its default (the database cache).",
                id="cartable.E001",
            )
        ]
    if not settings.REDIS_URL:
        return [
            Warning(
                "REDIS_URL is not set: the cache lives in the database.",
                hint="It is shared by every process, but Redis answers faster and spares the database: "
                "set REDIS_URL in production.",
                id="cartable.W001",
            )
        ]
    return []
