"""Refuse to serve requests with a configuration that is only safe for a local demo."""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def refuse_unsafe_configuration() -> None:
    if settings.SECRET_KEY == settings.DEV_SECRET_KEY and not settings.DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set to serve Cartable (DEBUG=true allows the demo key)."
        )
