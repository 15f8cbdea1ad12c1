"""Start-up checks for a production deployment."""

from django.conf import settings
from django.core.checks import Warning, register


@register()
def shared_cache_in_production(app_configs, **kwargs):
    """Login throttling, sessions and the directory facts cache must be shared by every process:
    a per-process memory cache would let each process count failed logins on its own and keep
    access facts that another process has changed."""
    if settings.DEBUG or settings.REDIS_URL:
        return []
    return [
        Warning(
            "REDIS_URL is not set: the cache is local to each process.",
            hint="Set REDIS_URL in production, or run a single process (as `make run` does).",
            id="cartable.W001",
        )
    ]
